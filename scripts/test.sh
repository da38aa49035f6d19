#!/usr/bin/env bash
# Runs every test project and prints one closing line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
rc=0
for proj in tests/Mesh.Tests.Unit tests/Mesh.Tests.Integration; do
  echo "== $proj"
  dotnet test "$proj" --no-build -c Release --logger "console;verbosity=normal" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
done
sum() { grep -oE "$1: +[0-9]+" "$log" | awk '{s+=$2} END {print s+0}'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
# The names of failed tests, repeated just above the closing line (a long log's tail is often all a reader sees).
failures=$(grep -E '^\s+Failed [A-Za-z]' "$log" | sed -E 's/^\s+//' | sort -u)
rm -f "$log"
# Fuzzing (tests/Mesh.Fuzz): every target for a short while; each target is one test, a crash or hang fails it.
echo "== fuzz (scripts/fuzz.sh --ci ${FUZZ_CI_SECONDS:-20})"
fuzzlog=$(mktemp)
scripts/fuzz.sh --ci "${FUZZ_CI_SECONDS:-20}" 2>&1 | tee "$fuzzlog"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
if line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$fuzzlog" | tail -n 1); then
  read -r fp ff fs < <(echo "$line" | grep -oE '[0-9]+' | tr '\n' ' ')
  passed=$((passed + fp)); failed=$((failed + ff)); skipped=$((skipped + fs))
else
  failed=$((failed + 1)) # the fuzz step did not get as far as running the targets
fi
rm -f "$fuzzlog"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo
if [ -n "$failures" ]; then echo "failed tests:"; echo "$failures" | sed 's/^/  /'; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $rc
