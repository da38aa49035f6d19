#!/usr/bin/env bash
echo "bench: not built yet (issue 6)" >&2
exit 1
