#!/usr/bin/env bash
# The demo: a 2-node lab from samples/lab-demo.yaml, a curl from a pod on node1 to the echo pod on node2
# (by pod IP), both sides printed; the lab is always torn down on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
lab=demo
meshctl=bin/meshctl

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: run as root (the lab creates network namespaces and cgroups)" >&2
  exit 1
fi
trap '$meshctl lab down --name "$lab" >/dev/null 2>&1 || echo "demo: lab down failed; run: $meshctl lab down --name $lab" >&2' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "lab up: 2 nodes, 2 pods each (samples/lab-demo.yaml)"
$meshctl lab up -f samples/lab-demo.yaml --name "$lab"

pod_ip() { $meshctl lab status --name "$lab" --json | jq -r --arg p "$1" '.pods[] | select(.name == $p) | .ip'; }
wait_listen() { # pod port
  for _ in $(seq 1 150); do
    if $meshctl lab exec --name "$lab" "$1" -- ss -Hltn "sport = :$2" | grep -q LISTEN; then return 0; fi
    sleep 0.2
  done
  echo "demo: $1 is not listening on $2; its log:" >&2
  cat "/run/mesh-lab/$lab/logs/demo_$1.log" >&2
  return 1
}

server_ip=$(pod_ip echo-2)
client_ip=$(pod_ip client)
wait_listen echo-2 8080

say "curl from demo/client ($client_ip, node1) to demo/echo-2 ($server_ip:8080, node2)"
$meshctl lab exec --name "$lab" client -- curl -sS -m 5 -w 'HTTP %{http_code}, %{size_download} bytes, %{time_total}s\n' "http://$server_ip:8080/hello?latency_ms=20"

say "the same over h2c (HTTP/2 prior knowledge)"
$meshctl lab exec --name "$lab" client -- curl -sS -m 5 --http2-prior-knowledge -w 'HTTP/%{http_version} %{http_code}\n' "http://$server_ip:8080/h2"

say "echo-2's log on node2 (the server saw the client's pod IP as its peer)"
sleep 0.2
grep -E "listening|from" "/run/mesh-lab/$lab/logs/demo_echo-2.log"

say "routes: client pod, node1 (nothing leads outside 198.18.0.0/15)"
$meshctl lab exec --name "$lab" client -- ip route
ip -n "$lab-node1" route

say "lab down"
$meshctl lab down --name "$lab"
trap - EXIT
left=$(ip netns list | grep -c "^$lab-" || true)
echo "network namespaces left: $left"
