#!/usr/bin/env bash
# The project's own Docker daemon, for `make images` and the image tests (as root):
#   scripts/dockerd.sh start DIR   starts dockerd with everything under DIR (data root = the image store, exec root,
#                                  socket DIR/docker.sock, pid file, log) and waits until it answers
#   scripts/dockerd.sh stop DIR    stops that daemon by its PID and deletes DIR (containers, images, mounts)
# It never touches the machine's networking: no iptables rules, no default bridge (containers run with
# --network none or host), and its containers' cgroups sit under mesh-docker.
# Clients: DOCKER_HOST=unix://DIR/docker.sock DOCKER_API_VERSION=1.41 docker ...
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$dir" ] || { echo "dockerd.sh: say which folder: scripts/dockerd.sh start|stop DIR" >&2; exit 2; }
export DOCKER_HOST="unix://$dir/docker.sock" DOCKER_API_VERSION=1.41
case "$cmd" in
  start)
    command -v dockerd >/dev/null || { echo "dockerd.sh: dockerd is missing; run 'make setup' (Debian's docker.io)" >&2; exit 1; }
    mkdir -p "$dir"
    if [ -f "$dir/dockerd.pid" ] && kill -0 "$(cat "$dir/dockerd.pid")" 2>/dev/null; then exit 0; fi
    setsid dockerd --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
      --data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" -H "$DOCKER_HOST" \
      --cgroup-parent mesh-docker >"$dir/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 300); do
      docker info >/dev/null 2>&1 && exit 0
      sleep 0.1
    done
    echo "dockerd.sh: dockerd did not answer within 30 s; its log: $dir/dockerd.log" >&2
    tail -n 20 "$dir/dockerd.log" >&2
    exit 1
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if [ -f "$dir/dockerd.pid" ]; then
      pid=$(cat "$dir/dockerd.pid")
      if kill -0 "$pid" 2>/dev/null; then
        docker ps -aq 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
        kill "$pid"
        for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      fi
    fi
    # Overlay and shm mounts the daemon left under its folders, deepest first, then the folder.
    awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$dir"
    # The parent cgroup its containers ran under, in every hierarchy: removed once empty (rmdir refuses a busy one,
    # so another run's live containers are left alone).
    for parent in /sys/fs/cgroup/mesh-docker /sys/fs/cgroup/*/mesh-docker; do
      [ -d "$parent" ] || continue
      find "$parent" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
    ;;
  *) echo "dockerd.sh: start or stop, not '$cmd'" >&2; exit 2 ;;
esac
