#!/usr/bin/env bash
# make bench: the L4 benchmarks (bench/bench.sh documents the configurations and knobs).
exec "$(dirname "$0")/../bench/bench.sh" "$@"
