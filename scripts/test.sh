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
rm -f "$log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $rc
