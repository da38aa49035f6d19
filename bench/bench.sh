#!/usr/bin/env bash
# L4 benchmarks on a 2-node lab, one invocation, same topology for every configuration:
#   nomesh  the pods talk directly (the physical limit of this path)
#   mesh    the namespace enrolled: ztunnel to ztunnel over HBONE mTLS
#   waypoint  the namespace enrolled and using the L7 waypoint: client -> ztunnel -> waypoint -> ztunnel -> echo,
#           addressed through the service VIP (bulk: HTTP GET 8 x BULK_HTTP_MB through the waypoint, since iperf3 is not HTTP)
#   nginx   an nginx stream mTLS tunnel (TLS 1.3, ECDSA P-256) from node1 to node2, the peer a user might pick
# Figures: max req/s (wrk), latency p50/p90/p99/p99.9 at a fixed rate (loadgen, open loop), single-stream
# MB/s (iperf3), proxy CPU seconds per 1000 requests and peak RSS; ztunnel RSS idle with 100 enrolled pods.
# Knobs (environment): REPS=3 RATE=1000 LAT_SECONDS=15 WRK_SECONDS=10 BULK_SECONDS=5 BULK_HTTP_MB=64 IDLE_PODS=100
#   CONFIGS="nomesh mesh waypoint nginx haproxy" FLAVORS="aot jit" REDIS_N=50000 WARMUP_SECONDS=2 IDLE_SETTLE_SECONDS=5
#   OUT=bench/results  BUILD=release (which build output to run)  LAB=bench IDLE_LAB=benchidl (lab names)
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3} RATE=${RATE:-1000} LAT_SECONDS=${LAT_SECONDS:-15} WRK_SECONDS=${WRK_SECONDS:-10}
BULK_SECONDS=${BULK_SECONDS:-5} BULK_HTTP_MB=${BULK_HTTP_MB:-64} IDLE_PODS=${IDLE_PODS:-100} CONFIGS=${CONFIGS:-"nomesh mesh waypoint nginx haproxy"}
FLAVORS=${FLAVORS:-"aot jit"} REDIS_N=${REDIS_N:-50000} WARMUP_SECONDS=${WARMUP_SECONDS:-2} IDLE_SETTLE_SECONDS=${IDLE_SETTLE_SECONDS:-5}
OUT=${OUT:-bench/results}
BUILD=${BUILD:-release} lab=${LAB:-bench} idle_lab=${IDLE_LAB:-benchidl}
meshctl=$PWD/artifacts/bin/Mesh.Cli/$BUILD/meshctl
loadgen="dotnet $PWD/artifacts/bin/Mesh.Bench.LoadGen/$BUILD/loadgen.dll"
# The waypoint of each flavor: the Native AOT executable, or the JIT build (MESH_JIT=1 does the same for ztunnel: lab/Launch/MeshBinaries.cs).
waypoint_aot=$PWD/artifacts/publish/Mesh.Waypoint/${BUILD}_linux-x64/waypoint
waypoint_jit=$PWD/artifacts/bin/Mesh.Waypoint/$BUILD/waypoint
for t in haproxy redis-server redis-benchmark nginx wrk iperf3; do
  command -v "$t" >/dev/null || { echo "bench: $t is missing; run 'make setup'" >&2; exit 1; }
done
for f in "$meshctl" "$PWD/artifacts/bin/Mesh.Bench.LoadGen/$BUILD/loadgen.dll" "$PWD/artifacts/bin/Mesh.Samples.Echo/$BUILD/echo" "$waypoint_aot" "$waypoint_jit"; do
  [ -e "$f" ] || { echo "bench: $f is missing; run 'make build' (BUILD=$BUILD)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (the lab needs network namespaces)" >&2; exit 1; }
# mesh-cni from exec to exit, as a runtime execs it for every pod: 21 runs of CNI_COMMAND=VERSION with an empty
# environment (an ADD adds one request on the node agent's unix socket to this), median and max in ms.
cni_ms='{}'
mesh_cni=$PWD/artifacts/publish/Mesh.Cni/${BUILD}_linux-x64/mesh-cni
if [ -x "$mesh_cni" ]; then
  # a plugin that fails is not timed: it must answer VERSION as a runtime expects
  env -i CNI_COMMAND=VERSION "$mesh_cni" | grep -q supportedVersions \
    || { echo "bench: $mesh_cni does not answer CNI_COMMAND=VERSION; run 'make build'" >&2; exit 1; }
  cni_ms=$(for _ in $(seq 1 21); do
      t0=$(date +%s%N); env -i CNI_COMMAND=VERSION "$mesh_cni" > /dev/null; t1=$(date +%s%N)
      echo $(( (t1 - t0) / 1000 ))
    done | sort -n | jq -sc '{runs: length, median_ms: (.[length / 2 | floor] / 1000), max_ms: (.[-1] / 1000)}')
fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
work=$(mktemp -d /tmp/mesh-bench.XXXXXX)
raw="$work/raw.jsonl"
: > "$raw"
nginx_pids=()
stop_haproxy() { # the haproxy this script started (-D writes its PID file)
  [ -f "$work/haproxy/haproxy.pid" ] || return 0
  while read -r p; do kill "$p" 2>/dev/null || true; done < "$work/haproxy/haproxy.pid"
  rm -f "$work/haproxy/haproxy.pid"
}
cleanup() {
  for p in "${nginx_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_haproxy
  $meshctl lab down --name "$lab" >/dev/null 2>&1 || true
  $meshctl lab down --name "$idle_lab" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

status() { $meshctl lab status --name "$1" --json; }
pod_ip() { status "$lab" | jq -r --arg p "$1" '.pods[] | select(.name == $p) | .ip'; }
svc_ip() { status "$lab" | jq -r --arg s "$1" '.services[] | select(.name == $s) | .clusterIp'; }
pod_pid() { status "$lab" | jq -r --arg p "$1" '.pods[] | select(.name == $p) | .pid'; }
node_ip() { status "$lab" | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .ip'; }
node_netns() { status "$lab" | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .netns'; }
pod_cgroup() { status "$lab" | jq -r --arg p "$1" '.pods[] | select(.name == $p) | .cgroupPath'; }
# A supervised node process (ztunnel) has the supervisor's PID in .pid and the running child's in the file .pidFile.
process_pids() { jq -r "$1"' | (.pidFile // "-") + "|" + (.pid | tostring)' | while IFS='|' read -r f p; do
  if [ "$f" != "-" ] && [ -s "$f" ]; then cat "$f"; else echo "$p"; fi; done; }
ztunnel_pids() { status "$lab" | process_pids '.processes[] | select(.name | startswith("ztunnel"))'; }
in_client() { $meshctl lab exec --name "$lab" client -- "$@"; }
cpu_seconds() { # sum of utime+stime of PIDs, in seconds
  local t=0; for p in "$@"; do [ -r "/proc/$p/stat" ] || continue; t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}
rss_each_mb() { # peak RSS (VmHWM) of each PID, as a JSON array of MB
  for p in "$@"; do [ -r "/proc/$p/status" ] && awk '/VmHWM/ {printf "%.1f\n", $2 / 1024}' "/proc/$p/status"; done | jq -sc .
}
wait_listen() { # pod port
  for _ in $(seq 1 150); do
    $meshctl lab exec --name "$lab" "$1" -- ss -Hltn "sport = :$2" | grep -q LISTEN && return 0; sleep 0.2
  done; echo "bench: $1 does not listen on $2" >&2; return 1
}
wait_captured() { # pod: until the connect program is attached to its cgroup
  local cg; cg=$(pod_cgroup "$1") # once: meshctl's start is slow next to bpftool's
  for _ in $(seq 1 100); do bpftool cgroup show "$cg" 2>/dev/null | grep -q connect4 && return 0; sleep 0.2; done
  echo "bench: pod $1 was not captured (is ztunnel running? see /run/mesh-lab/$lab/logs)" >&2; return 1
}
wait_released() { local cg; cg=$(pod_cgroup "$1"); for _ in $(seq 1 100); do bpftool cgroup show "$cg" 2>/dev/null | grep -q connect4 || return 0; sleep 0.2; done; return 1; }

redis_bench() { # host port: SET and GET through the path, 20 clients, as JSON (rps, p50 and p99 in ms)
  in_client redis-benchmark -h "$1" -p "$2" -n "$REDIS_N" -c 20 -t set,get --csv \
    | awk -F'"' '$2 == "SET" || $2 == "GET" { t = tolower($2); printf "\"redis_%s_rps\": %s, \"redis_%s_p50_ms\": %s, \"redis_%s_p99_ms\": %s, ", t, $4, t, $10, t, $14 }' \
    | sed 's/, $//; s/^/{/; s/$/}/'
}

measure() { # config rep http_target bulk_host bulk_port redis_host:port|- proxy_pids...
  local config=$1 rep=$2 http=$3 bulk_host=$4 bulk_port=$5 redis=$6; shift 6
  local pids=("$@")
  in_client curl -sf -o /dev/null -m 5 "http://$http/" || { echo "bench: $config: no answer from $http" >&2; return 1; }
  local wrk_rps
  wrk_rps=$(in_client wrk -t2 -c32 -d"${WRK_SECONDS}s" "http://$http/" | awk '/Requests\/sec/ {print $2}')
  local cpu0=0 cpu1=0
  [ ${#pids[@]} -gt 0 ] && cpu0=$(cpu_seconds "${pids[@]}")
  in_client $loadgen --target "$http" --rate "$RATE" --duration "$LAT_SECONDS" --warmup "$WARMUP_SECONDS" --connections 32 --json "$work/lat.json" >&2
  [ ${#pids[@]} -gt 0 ] && cpu1=$(cpu_seconds "${pids[@]}")
  local bulk
  if [ "$bulk_port" = http ]; then # HTTP GET 8 x BULK_HTTP_MB from bulk_host (ip:port): total bytes / total time
    bulk=$(in_client curl -sf -o /dev/null -w '%{size_download} %{time_total}\n' $(for _ in 1 2 3 4 5 6 7 8; do echo "http://$bulk_host/?size=$((BULK_HTTP_MB * 1048576))"; done) \
      | awk '{b += $1; t += $2} END {printf "%.2f", b / t / 1000000}')
  else
    bulk=$(in_client iperf3 -c "$bulk_host" -p "$bulk_port" -t "$BULK_SECONDS" -J | jq '.end.sum_received.bits_per_second / 8 / 1000000')
  fi
  local redis_json='{}'
  if [ "$redis" != - ]; then redis_json=$(redis_bench "${redis%:*}" "${redis#*:}"); fi
  local rss='[]'
  [ ${#pids[@]} -gt 0 ] && rss=$(rss_each_mb "${pids[@]}")
  jq -c --arg config "$config" --argjson rep "$rep" --argjson wrk "${wrk_rps:-0}" --argjson bulk "$bulk" \
    --argjson cpu "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.3f", b - a }')" --argjson rss "$rss" --argjson redis "$redis_json" \
    '$redis + {config: $config, rep: $rep, max_rps: $wrk, p50_us, p90_us, p99_us, p999_us, ok, errors,
      cpu_s_per_1000: (if .ok > 0 and ($rss | length) > 0 then ($cpu / (.ok / 1000)) else null end), bulk_mb_s: $bulk,
      proxy_peak_rss_mb: ($rss | max), proxy_rss_total_mb: ($rss | add), proxy_rss_each_mb: $rss}' \
    "$work/lat.json" | tee -a "$raw"
}

start_nginx() { # the nginx tunnel (and the client side of haproxy's): once, for the nginx and haproxy rows
  [ ${#nginx_pids[@]} -eq 0 ] || return 0
  bench/nginx/gen.sh "$work/nginx" "$n1" "$n2" 18080="$echo_ip:8080" 15201="$iperf_ip:5201" 16379="$redis_ip:6379" \
    18090= 18094="$echo_ip:8080"
  ip netns exec "$(node_netns node2)" nginx -c "$work/nginx/server.conf" & nginx_pids+=($!)
  ip netns exec "$(node_netns node1)" nginx -c "$work/nginx/client.conf" & nginx_pids+=($!)
  # each side is a master and one worker: measure all of them (found by their unique config path)
  np=()
  for _ in $(seq 1 100); do
    mapfile -t masters < <(pgrep -f "$work/nginx/(client|server).conf")
    mapfile -t np < <(for m in "${masters[@]}"; do echo "$m"; pgrep -P "$m"; done)
    [ ${#np[@]} -ge 4 ] && break
    sleep 0.1
  done
  [ ${#np[@]} -ge 4 ] || { echo "bench: nginx did not start:" >&2; cat "$work"/nginx/*.error.log >&2; exit 1; }
  echo "bench: nginx processes: ${np[*]}" >&2
}

stop_nginx() {
  for p in "${nginx_pids[@]}"; do kill "$p"; done
  nginx_pids=()
  stop_haproxy
}

idle_and_ready() { # flavor: ztunnel's RSS idle with IDLE_PODS enrolled pods, then its time from start to ready
  local flavor=$1 idle="$work/idle.yaml"
  { printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: idle, labels: {mesh.dev/dataplane-mode: ambient}}\n'
    for i in $(seq 1 "$IDLE_PODS"); do
      printf -- '---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: idle}\nspec:\n  nodeName: node1\n  containers: [{name: c, command: [sleep, infinity]}]\n' "$i"
    done; } > "$idle"
  $meshctl lab up -f "$idle" --name "$idle_lab" >/dev/null
  local zpid last
  zpid=$(status "$idle_lab" | process_pids '.processes[] | select(.name == "ztunnel-node1")')
  last=$(status "$idle_lab" | jq -r --arg p "p$IDLE_PODS" '.pods[] | select(.name == $p) | .cgroupPath')
  for _ in $(seq 1 300); do bpftool cgroup show "$last" 2>/dev/null | grep -q connect4 && break; sleep 0.2; done
  sleep "$IDLE_SETTLE_SECONDS"
  idle_rss=$(jq -c --arg f "$flavor" --argjson v "$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$zpid/status")" '. + {($f): $v}' <<< "$idle_rss")
  # Where the idle RSS goes: anonymous memory (GC heap, native heaps: OpenSSL, libbpf; thread stacks) against file pages
  # (the executable's code and data, shared libraries); the memory the GC has committed and the thread count beside it.
  local nip gc
  nip=$(status "$idle_lab" | jq -r '.nodes[] | select(.name == "node1") | .ip')
  gc=$(ip netns exec "$(status "$idle_lab" | jq -r '.nodes[] | select(.name == "node1") | .netns')" curl -s -m 2 "http://$nip:15020/metrics" \
    | awk '$1 == "dotnet_gc_committed_bytes" {printf "%.1f", $2/1048576}')
  idle_memory=$(jq -c --arg f "$flavor" --argjson gc "${gc:-null}" \
    --argjson anon "$(awk '/^Anonymous:/ {printf "%.1f", $2/1024}' "/proc/$zpid/smaps_rollup")" \
    --argjson file "$(awk '/^Rss:/ {r=$2} /^Anonymous:/ {a=$2} END {printf "%.1f", (r-a)/1024}' "/proc/$zpid/smaps_rollup")" \
    --argjson threads "$(awk '/^Threads:/ {print $2}' "/proc/$zpid/status")" \
    '. + {($f): {anon_mb: $anon, file_mb: $file, gc_committed_mb: $gc, threads: $threads}}' <<< "$idle_memory")
  # Start to ready: the lab's supervisor restarts ztunnel as a kubelet would; from the new process's start (its
  # /proc start time) to the first 200 of its readiness endpoint, with the 100 pods to take over.
  local ns ip pidfile
  ns=$(status "$idle_lab" | jq -r '.nodes[] | select(.name == "node1") | .netns')
  ip=$(status "$idle_lab" | jq -r '.nodes[] | select(.name == "node1") | .ip')
  pidfile=$(status "$idle_lab" | jq -r '.processes[] | select(.name == "ztunnel-node1") | .pidFile')
  kill "$zpid"
  local new=$zpid
  for _ in $(seq 1 1000); do new=$(cat "$pidfile" 2>/dev/null || echo "$zpid"); [ "$new" != "$zpid" ] && [ -r "/proc/$new/stat" ] && break; sleep 0.01; done
  local ms=null
  for _ in $(seq 1 3000); do
    if [ "$(ip netns exec "$ns" curl -s -o /dev/null -m 1 -w '%{http_code}' "http://$ip:15021/healthz/ready")" = 200 ]; then
      ms=$(awk -v start="$(awk '{print $22}' "/proc/$new/stat")" -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($1 - start / hz) * 1000 }' /proc/uptime)
      break
    fi
    sleep 0.01
  done
  ready_ms=$(jq -c --arg f "$flavor" --argjson v "$ms" '. + {($f): $v}' <<< "$ready_ms")
  $meshctl lab down --name "$idle_lab" >/dev/null
}

idle_rss='{}' ready_ms='{}' idle_memory='{}'
first=1
for flavor in $FLAVORS; do
  case $flavor in
    aot) export MESH_JIT=0 waypoint_bin=$waypoint_aot suffix="" ;;
    jit) export MESH_JIT=1 waypoint_bin=$waypoint_jit suffix="-jit" ;;
    *) echo "bench: unknown flavor '$flavor' (aot, jit)" >&2; exit 2 ;;
  esac
  echo "bench: lab up ($flavor)"
  sed -e "s#\.\./artifacts/bin/Mesh.Samples.Echo/release/echo#$PWD/artifacts/bin/Mesh.Samples.Echo/$BUILD/echo#" \
    -e "s#\.\./artifacts/bin/Mesh.Waypoint/release/waypoint#$waypoint_bin#" bench/lab-bench.yaml > "$work/lab.yaml"
  $meshctl lab up -f "$work/lab.yaml" --name "$lab" >/dev/null
  wait_listen echo 8080; wait_listen iperf 5201; wait_listen redis 6379
  echo_ip=$(pod_ip echo); iperf_ip=$(pod_ip iperf); redis_ip=$(pod_ip redis)
  n1=$(node_ip node1); n2=$(node_ip node2)

  for config in $CONFIGS; do
    # the peers and the bare path do not change with the flavor: measured once
    [ $first = 1 ] || [ "$config" = mesh ] || [ "$config" = waypoint ] || continue
    echo "bench: $config$suffix"
    case $config in
      nomesh)
        for r in $(seq 1 "$REPS"); do measure nomesh "$r" "$echo_ip:8080" "$iperf_ip" 5201 "$redis_ip:6379"; done ;;
      mesh)
        $meshctl lab label --name "$lab" namespace bench mesh.dev/dataplane-mode=ambient
        for p in client echo iperf redis; do wait_captured "$p"; done
        mapfile -t zp < <(ztunnel_pids)
        for r in $(seq 1 "$REPS"); do measure "mesh$suffix" "$r" "$echo_ip:8080" "$iperf_ip" 5201 "$redis_ip:6379" "${zp[@]}"; done
        $meshctl lab label --name "$lab" namespace bench mesh.dev/dataplane-mode-
        for p in client echo iperf redis; do wait_released "$p"; done ;;
      waypoint)
        $meshctl lab label --name "$lab" namespace bench mesh.dev/dataplane-mode=ambient
        $meshctl lab label --name "$lab" namespace bench mesh.dev/use-waypoint=waypoint
        for p in client echo; do wait_captured "$p"; done
        vip=$(svc_ip echo)
        for _ in $(seq 1 100); do in_client curl -sf -o /dev/null -m 2 "http://$vip/" && break; sleep 0.2; done
        mapfile -t zp < <(ztunnel_pids; pod_pid waypoint)
        for r in $(seq 1 "$REPS"); do measure "waypoint$suffix" "$r" "$vip:80" "$vip:80" http - "${zp[@]}"; done
        $meshctl lab label --name "$lab" namespace bench mesh.dev/use-waypoint-
        $meshctl lab label --name "$lab" namespace bench mesh.dev/dataplane-mode-
        for p in client echo iperf redis; do wait_released "$p"; done ;;
      nginx)
        start_nginx
        for r in $(seq 1 "$REPS"); do measure nginx "$r" "$n1:18080" "$n1" 15201 "$n1:16379" "${np[@]}"; done ;;
      haproxy)
        start_nginx
        bench/haproxy/gen.sh "$work/haproxy" "$work/nginx" "$n2:18091" "$n2:18095"
        ip netns exec "$(node_netns node2)" haproxy -D -f "$work/haproxy/haproxy.cfg"
        for _ in $(seq 1 100); do [ -s "$work/haproxy/haproxy.pid" ] && break; sleep 0.1; done
        mapfile -t hp < "$work/haproxy/haproxy.pid"
        for r in $(seq 1 "$REPS"); do measure haproxy "$r" "$n1:18090" "$n1:18090" http - "${np[@]}" "${hp[@]}"; done ;;
      *) echo "bench: unknown configuration '$config' (nomesh, mesh, waypoint, nginx, haproxy)" >&2; exit 2 ;;
    esac
  done
  stop_nginx
  $meshctl lab down --name "$lab" >/dev/null
  if [[ " $CONFIGS " == *" mesh "* ]] && [ "$IDLE_PODS" -gt 0 ]; then
    echo "bench: ztunnel ($flavor) idle with $IDLE_PODS enrolled pods on one node, then restarted"
    idle_and_ready "$flavor"
  fi
  first=0
done

mkdir -p "$OUT"
json="$OUT/bench-$stamp.json" md="$OUT/bench-$stamp.md"
jq -s --arg cores "$(nproc)" --arg kernel "$(uname -r)" --arg dotnet "$(dotnet --version)" \
  --arg nginx "$(nginx -v 2>&1 | cut -d/ -f2)" --arg wrk "$(wrk -v 2>&1 | head -1 | awk '{print $2}')" \
  --arg rate "$RATE" --arg wrks "$WRK_SECONDS" --arg lats "$LAT_SECONDS" --arg bulks "$BULK_SECONDS" --arg bulkhttp "$BULK_HTTP_MB" --argjson reps "$REPS" --argjson idle "$idle_rss" --argjson idlemem "$idle_memory" --argjson ready "$ready_ms" --argjson cni "$cni_ms" --arg idlepods "$IDLE_PODS" \
  --arg haproxy "$(haproxy -v | head -1 | awk '{print $3}')" --arg redis "$(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')" --arg redisn "$REDIS_N" --arg warmup "$WARMUP_SECONDS" \
  -f bench/summarize.jq "$raw" > "$json"
bench/report.sh "$json" > "$md"
cat "$md"
echo "bench: results in $json and $md"
