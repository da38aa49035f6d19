#!/usr/bin/env bash
# ztunnel's runtime settings measured one at a time: bench.sh's mesh row (AOT) once per variant, each variant
# changing one setting from what ztunnel ships with, the shipped settings first and again last (the spread between
# the two is the noise of the run). The runtime reads these from the environment, which the lab passes on to
# ztunnel. Output: bench/results/settings-<utc>.md (and .json).
# Knobs: the bench.sh ones (REPS=1 LAT_SECONDS=10 WRK_SECONDS=5 BULK_SECONDS=3 IDLE_PODS=100 REDIS_N=20000 here),
#   VARIANTS="name1 name2 ..." (default: all below), OUT=bench/results
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/results}
export REPS=${REPS:-1} LAT_SECONDS=${LAT_SECONDS:-10} WRK_SECONDS=${WRK_SECONDS:-5} BULK_SECONDS=${BULK_SECONDS:-3}
export IDLE_PODS=${IDLE_PODS:-100} REDIS_N=${REDIS_N:-20000} CONFIGS=mesh FLAVORS=aot
# name | what changes from the shipped settings (environment assignments; GC values are hexadecimal)
declare -A change=(
  [shipped]=""
  [inline-off]="DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0"
  [spin-default]="DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=70"
  [gen0-default]="DOTNET_GCgen0MaxBudget=0"
  [gen0-2mib]="DOTNET_GCgen0MaxBudget=200000"
  [gc-concurrent]="DOTNET_gcConcurrent=1"
  [gc-server]="DOTNET_gcServer=1"
  [conserve-memory]="DOTNET_GCConserveMemory=5"
)
order=(shipped inline-off spin-default gen0-default gen0-2mib gc-concurrent gc-server conserve-memory)
read -r -a variants <<< "${VARIANTS:-${order[*]}}"
for v in "${variants[@]}"; do
  [ -n "${change[$v]+x}" ] || { echo "settings: unknown variant '$v' (${order[*]})" >&2; exit 2; }
done
[ "${variants[0]}" = shipped ] || variants=(shipped "${variants[@]}")
variants+=(shipped)
table_rows() { # settings JSON: one table row per variant, figures rounded
  jq -r 'def r(n): if . == null then "-" else (. * pow(10; n) | round) / pow(10; n) end;
    .[] | "| \(.variant) | `\(if .change == "" then "-" else .change end)` | \(.cpu_s_per_1000 | r(3)) | \(.peak_rss_mb | r(1)) | \(.idle_rss_mb | r(1)) | \(.ready_ms | r(0)) | \(.max_rps | r(0)) | \(.p50_us | r(0)) | \(.p99_us | r(0)) | \(.bulk_mb_s | r(0)) | \(.redis_set_rps | r(0)) |"' "$1"
}
[ "${1:-}" = --table ] && { table_rows "$2"; exit 0; } # re-print the rows of an earlier run
stamp=$(date -u +%Y%m%dT%H%M%SZ)
work=$(mktemp -d /tmp/mesh-settings.XXXXXX)
trap 'rm -rf "$work"' EXIT
rows="$work/rows.jsonl"
i=0
for v in "${variants[@]}"; do
  i=$((i + 1))
  echo "settings: $v (${change[$v]:-as shipped})"
  mkdir -p "$work/$i"
  # shellcheck disable=SC2086 # the assignments are words on purpose
  env ${change[$v]} OUT="$work/$i" LAB="set$i" IDLE_LAB="seti$i" bench/bench.sh > "$work/$i/log" 2>&1 \
    || { echo "settings: $v failed:" >&2; tail -n 30 "$work/$i/log" >&2; exit 1; }
  jq -c --arg v "$v" --arg change "${change[$v]:-}" '.configs.mesh as $m | {variant: $v, change: $change,
      cpu_s_per_1000: $m.cpu_s_per_1000.median, peak_rss_mb: $m.proxy_peak_rss_mb.median, idle_rss_mb: .ztunnel_idle_rss_mb.aot,
      ready_ms: .ztunnel_ready_ms.aot, max_rps: $m.max_rps.median, p50_us: $m.p50_us.median, p99_us: $m.p99_us.median,
      bulk_mb_s: $m.bulk_mb_s.median, redis_set_rps: $m.redis_set_rps.median}' "$work/$i"/bench-*.json >> "$rows"
done
mkdir -p "$OUT"
jq -s '.' "$rows" > "$OUT/settings-$stamp.json"
{
  echo "# ztunnel runtime settings, one at a time"
  echo
  echo "Machine: $(nproc) cores, kernel $(uname -r); main at $(git rev-parse --short HEAD); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Each row is bench.sh's mesh row (AOT, REPS=$REPS, latency at ${RATE:-1000} req/s for ${LAT_SECONDS} s, wrk ${WRK_SECONDS} s, iperf3 ${BULK_SECONDS} s, redis-benchmark -n $REDIS_N, $IDLE_PODS idle pods)"
  echo "with one setting changed; \"shipped\" runs first and last."
  echo
  echo "| variant | change | CPU s/1000 req (both ztunnels) | peak RSS MB | idle RSS MB ($IDLE_PODS pods) | ready ms | max req/s | p50 µs | p99 µs | bulk MB/s | redis SET/s |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  table_rows "$OUT/settings-$stamp.json"
} > "$OUT/settings-$stamp.md"
cat "$OUT/settings-$stamp.md"
