#!/usr/bin/env bash
# The project's own Docker daemon, for `make images` and the image tests (as root):
#   scripts/dockerd.sh start DIR   starts dockerd with everything under DIR (data root = the image store, exec root,
#                                  socket DIR/docker.sock, pid file, log) and waits until it answers
#   scripts/dockerd.sh stop DIR    stops that daemon by its PID and deletes DIR (containers, images, mounts)
# It never touches the machine's networking: no iptables rules, no default bridge (containers run with
# --network none or host), and its containers' cgroups sit under mesh-docker.
# Clients: DOCKER_HOST=unix://DIR/docker.sock DOCKER_API_VERSION=1.41 docker ...
set -euo pipefail
# shellcheck source=scripts/daemon-lib.sh
. "$(dirname "$0")/daemon-lib.sh"
cmd=${1:-}; dir=${2:-}
[ -n "$dir" ] || { echo "dockerd.sh: say which folder: scripts/dockerd.sh start|stop DIR" >&2; exit 2; }
export DOCKER_HOST="unix://$dir/docker.sock" DOCKER_API_VERSION=1.41
case "$cmd" in
  start)
    command -v dockerd >/dev/null || { echo "dockerd.sh: dockerd is missing; run 'make setup' (Debian's docker.io)" >&2; exit 1; }
    mkdir -p "$dir"
    if daemon_running "$dir/dockerd.pid"; then exit 0; fi
    setsid dockerd --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
      --data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" -H "$DOCKER_HOST" \
      --cgroup-parent mesh-docker >"$dir/dockerd.log" 2>&1 </dev/null &
    daemon_wait dockerd "$dir/dockerd.log" docker info
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if daemon_running "$dir/dockerd.pid"; then
      docker ps -aq 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
      daemon_stop "$dir/dockerd.pid"
    fi
    daemon_remove "$dir" mesh-docker # overlay and shm mounts, the folder, the containers' cgroup
    ;;
  *) echo "dockerd.sh: start or stop, not '$cmd'" >&2; exit 2 ;;
esac
