#!/usr/bin/env bash
# The project's own containerd (the runtime of Kubernetes nodes and kind), for the image tests (as root):
#   scripts/containerd.sh start DIR   starts containerd with everything under DIR (root, state, socket
#                                     DIR/containerd.sock, log) and waits until it answers; no CRI plugin (no
#                                     kubelet here), so it sets up no networking of its own
#   scripts/containerd.sh stop DIR    removes its containers, stops it by its PID and deletes DIR
# Clients: ctr --address DIR/containerd.sock --namespace mesh-test ...
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$dir" ] || { echo "containerd.sh: say which folder: scripts/containerd.sh start|stop DIR" >&2; exit 2; }
ctr=(ctr --address "$dir/containerd.sock" --namespace mesh-test)
case "$cmd" in
  start)
    command -v containerd >/dev/null || { echo "containerd.sh: containerd is missing; run 'make setup' (Debian's containerd)" >&2; exit 1; }
    mkdir -p "$dir"
    if [ -f "$dir/containerd.pid" ] && kill -0 "$(cat "$dir/containerd.pid")" 2>/dev/null; then exit 0; fi
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
    for _ in $(seq 300); do
      "${ctr[@]}" version >/dev/null 2>&1 && exit 0
      sleep 0.1
    done
    echo "containerd.sh: containerd did not answer within 30 s; its log: $dir/containerd.log" >&2
    tail -n 20 "$dir/containerd.log" >&2
    exit 1
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if [ -f "$dir/containerd.pid" ] && kill -0 "$(cat "$dir/containerd.pid")" 2>/dev/null; then
      for id in $("${ctr[@]}" containers list -q 2>/dev/null); do
        "${ctr[@]}" task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
        for _ in $(seq 50); do "${ctr[@]}" task delete "$id" >/dev/null 2>&1 && break; sleep 0.1; done
        "${ctr[@]}" containers delete "$id" >/dev/null 2>&1 || true
      done
      pid=$(cat "$dir/containerd.pid")
      kill "$pid"
      for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$dir"
    # The parent cgroup its containers ran under, in every hierarchy: removed once empty (rmdir refuses a busy one,
    # so another run's live containers are left alone).
    for parent in /sys/fs/cgroup/mesh-test /sys/fs/cgroup/*/mesh-test; do
      [ -d "$parent" ] || continue
      find "$parent" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
    ;;
  *) echo "containerd.sh: start or stop, not '$cmd'" >&2; exit 2 ;;
esac
