#!/usr/bin/env bash
# Coverage-guided fuzzing of what an outsider reaches (tests/Mesh.Fuzz, SharpFuzz + AFL++).
#   scripts/fuzz.sh TARGET SECONDS     fuzz one target (names: scripts/fuzz.sh --list)
#   scripts/fuzz.sh --all SECONDS      every target, two at a time (make fuzz)
#   scripts/fuzz.sh --ci [SECONDS]     every target briefly (default 20 s each); ends with "fuzz: N passed, N failed, N skipped"
#   scripts/fuzz.sh --selfcheck        checks that a crash, a hang, a runaway allocation and a stack overflow are each caught
# A target passes when afl-fuzz saved no crash and no hang; each finding's path is printed with its exception.
# Findings and the queue: artifacts/fuzz/findings/TARGET/default/. Replay one input:
#   dotnet artifacts/fuzz/bin/Mesh.Fuzz.dll TARGET FILE...
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${FUZZ_OUT:-$root/artifacts/fuzz}
bin=$out/bin
built=$root/artifacts/bin/Mesh.Fuzz/release

die() { echo "fuzz: $*" >&2; exit 2; }
command -v afl-fuzz >/dev/null || die "afl-fuzz is missing; run scripts/deps.sh as root (Debian package afl++)"

# The fuzz build is a copy of the Release output with the product assemblies instrumented in the copy only.
prepare() {
  if [ ! -f "$built/Mesh.Fuzz.dll" ] || [ -n "$(find core controlplane lab tests/Mesh.Fuzz -name '*.cs' -newer "$built/Mesh.Fuzz.dll" -print -quit)" ]; then
    dotnet build tests/Mesh.Fuzz/Mesh.Fuzz.csproj -c Release -nologo -v:q >"$out.build.log" 2>&1 || { cat "$out.build.log"; die "build of tests/Mesh.Fuzz failed"; }
  fi
  dotnet tool restore >/dev/null || die "dotnet tool restore failed (SharpFuzz.CommandLine, dotnet-tools.json)"
  rm -rf "$bin" && mkdir -p "$bin" && cp -r "$built"/. "$bin"/
  for dll in Mesh.Core.dll Mesh.Core.Hbone.dll Mesh.Core.Clients.dll controlplane.dll Mesh.Lab.dll YamlDotNet.dll; do
    dotnet tool run sharpfuzz "$bin/$dll" >/dev/null || die "instrumenting $dll failed"
  done
  # Of the harness, only the planted bugs of --selfcheck (its other code runs before the coverage map exists).
  dotnet tool run sharpfuzz "$bin/Mesh.Fuzz.dll" Mesh.Fuzz.Pipeline >/dev/null || die "instrumenting Mesh.Fuzz.dll failed"
}

# run_target TARGET SECONDS: fuzz, then print one result line (and the findings); returns 1 on a finding.
run_target() {
  local target=$1 seconds=$2 findings=$out/findings/$1 dict=()
  rm -rf "$findings" && mkdir -p "$findings"
  case $target in
    registry-yaml|lab-yaml) dict=(-x "$root/tests/Mesh.Fuzz/dictionaries/yaml.dict") ;;
    discovery-*) dict=(-x "$root/tests/Mesh.Fuzz/dictionaries/json.dict") ;;
  esac
  AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_FAST_CAL=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SHUFFLE_QUEUE=0 \
  DOTNET_GCHeapHardLimit=0x40000000 DOTNET_TieredPGO=0 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    timeout -k 10 $((seconds + 120)) afl-fuzz -i "$root/tests/Mesh.Fuzz/corpus/$target" -o "$findings" -t "${FUZZ_TIMEOUT_MS:-3000}" -m none -V "$seconds" "${dict[@]}" \
    -- dotnet "$bin/Mesh.Fuzz.dll" "$target" >"$findings/afl.log" 2>&1
  local rc=$? stats=$findings/default/fuzzer_stats
  if [ ! -f "$stats" ]; then
    echo "fuzz $target: FAILED: afl-fuzz did not run (exit $rc); its log:"; tail -n 30 "$findings/afl.log"
    return 1
  fi
  stat() { awk -F: -v k="$1" '$1 ~ "^"k" *$" {gsub(/ /, "", $2); print $2}' "$stats"; }
  local found=( "$findings"/default/crashes/id:* "$findings"/default/hangs/id:* )
  local list=() f
  for f in "${found[@]}"; do [ -e "$f" ] && list+=("$f"); done
  local summary="$(stat execs_done) execs, $(stat execs_per_sec)/s, $(stat corpus_count) paths, $(stat saved_crashes) crashes, $(stat saved_hangs) hangs in ${seconds}s"
  if [ ${#list[@]} -eq 0 ]; then
    echo "fuzz $target: passed ($summary)"
    return 0
  fi
  echo "fuzz $target: FAILED ($summary)"
  # Replayed on the uninstrumented build; the first few findings in full, then one line each.
  local shown=0
  for f in "${list[@]}"; do
    echo "  finding: $f"
    case $f in */hangs/*) echo "    (a hang: no answer within ${FUZZ_TIMEOUT_MS:-3000} ms)"; continue;; esac
    if [ "$shown" -lt 3 ]; then
      local replay
      replay=$(timeout 20 dotnet "$built/Mesh.Fuzz.dll" "$target" "$f" 2>&1; true)
      echo "$replay" | sed -n '1,10p' | sed 's/^/    /'
      shown=$((shown + 1))
    fi
  done
  return 1
}

# run_all SECONDS: every target (selfcheck aside), two at a time; prints "fuzz: N passed, N failed, N skipped".
run_all() {
  local seconds=$1 passed=0 failed=0 t pids=() names=()
  mapfile -t targets < <(dotnet "$bin/Mesh.Fuzz.dll" --list | grep -v '^selfcheck$')
  mkdir -p "$out/findings"
  for t in "${targets[@]}"; do
    run_target "$t" "$seconds" >"$out/findings/$t.result" 2>&1 &
    pids+=($!); names+=("$t")
    if [ ${#pids[@]} -eq 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p"; done
  for t in "${names[@]}"; do
    cat "$out/findings/$t.result"
    if grep -q ": passed" "$out/findings/$t.result"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  echo "fuzz: $passed passed, $failed failed, 0 skipped"
  [ "$failed" -eq 0 ]
}

selfcheck() {
  local seconds=${1:-60} f kinds=0
  run_target selfcheck "$seconds" >"$out/selfcheck.log" 2>&1
  cat "$out/selfcheck.log"
  for want in "selfcheck: crash" "hangs/" "allocated" "crashes/"; do
    grep -q "$want" "$out/selfcheck.log" && kinds=$((kinds + 1)) || echo "fuzz selfcheck: nothing matched '$want'"
  done
  [ "$kinds" -eq 4 ] && echo "fuzz selfcheck: passed (crash, hang and allocation findings reported)"
}

case "${1:-}" in
  --list) prepare; dotnet "$bin/Mesh.Fuzz.dll" --list ;;
  --ci) prepare; run_all "${2:-20}" ;;
  --all) prepare; run_all "${2:-300}" ;;
  --selfcheck) prepare; selfcheck "${2:-60}" ;;
  ""|-h|--help) sed -n '2,9p' "$0"; exit 2 ;;
  *) [ -d "tests/Mesh.Fuzz/corpus/$1" ] || die "unknown target '$1'; one of: $(ls tests/Mesh.Fuzz/corpus | tr '\n' ' ')"
     [[ "${2:-}" =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh TARGET SECONDS (e.g. scripts/fuzz.sh hpack 300)"
     prepare; run_target "$1" "$2" ;;
esac
