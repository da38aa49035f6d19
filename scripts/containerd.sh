#!/usr/bin/env bash
# The project's own containerd (the runtime of Kubernetes nodes and kind), for the image tests (as root):
#   scripts/containerd.sh start DIR   starts containerd with everything under DIR (root, state, socket
#                                     DIR/containerd.sock, log) and waits until it answers; no CRI plugin (no
#                                     kubelet here), so it sets up no networking of its own
#   scripts/containerd.sh stop DIR    removes its containers, stops it by its PID and deletes DIR
# Clients: ctr --address DIR/containerd.sock --namespace mesh-test ...
set -euo pipefail
# shellcheck source=scripts/daemon-lib.sh
. "$(dirname "$0")/daemon-lib.sh"
cmd=${1:-}; dir=${2:-}
[ -n "$dir" ] || { echo "containerd.sh: say which folder: scripts/containerd.sh start|stop DIR" >&2; exit 2; }
ctr=(ctr --address "$dir/containerd.sock" --namespace mesh-test)
case "$cmd" in
  start)
    command -v containerd >/dev/null || { echo "containerd.sh: containerd is missing; run 'make setup' (Debian's containerd)" >&2; exit 1; }
    mkdir -p "$dir"
    if daemon_running "$dir/containerd.pid"; then exit 0; fi
    cat > "$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
TOML
    setsid containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 </dev/null &
    echo $! > "$dir/containerd.pid"
    daemon_wait containerd "$dir/containerd.log" "${ctr[@]}" version
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if daemon_running "$dir/containerd.pid"; then
      for id in $("${ctr[@]}" containers list -q 2>/dev/null); do
        "${ctr[@]}" task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
        for _ in $(seq 50); do "${ctr[@]}" task delete "$id" >/dev/null 2>&1 && break; sleep 0.1; done
        "${ctr[@]}" containers delete "$id" >/dev/null 2>&1 || true
      done
      daemon_stop "$dir/containerd.pid"
    fi
    daemon_remove "$dir" mesh-test
    ;;
  *) echo "containerd.sh: start or stop, not '$cmd'" >&2; exit 2 ;;
esac
