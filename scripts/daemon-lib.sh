# shellcheck shell=bash
# What the project's own daemons (scripts/dockerd.sh, scripts/containerd.sh) share: wait until one answers, stop one
# by its PID, and remove everything it left (mounts under its folder, the folder, its containers' parent cgroup).
# Sourced, not run.

# daemon_wait NAME LOG CMD...: runs CMD every 0.1 s until it succeeds (exit 0), at most 30 s; then says so
# with the daemon's log tail and exits 1.
daemon_wait() {
  local name=$1 log=$2; shift 2
  for _ in $(seq 300); do
    "$@" >/dev/null 2>&1 && exit 0
    sleep 0.1
  done
  echo "$name.sh: $name did not answer within 30 s; its log: $log" >&2
  tail -n 20 "$log" >&2
  exit 1
}

# daemon_running PIDFILE: true when the PID in PIDFILE is alive.
daemon_running() {
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# daemon_stop PIDFILE: SIGTERM to that PID (the daemon this script started), then waits up to 30 s for it to end.
daemon_stop() {
  local pid
  pid=$(cat "$1")
  kill "$pid"
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# daemon_remove DIR CGROUP: the mounts the daemon left under DIR, deepest first, then DIR, then the parent cgroup
# CGROUP its containers ran under, in every hierarchy, once empty (rmdir refuses a busy one, so another run's live
# containers are left alone).
daemon_remove() {
  local dir=$1 cgroup=$2 parent
  awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$dir"
  for parent in "/sys/fs/cgroup/$cgroup" /sys/fs/cgroup/*/"$cgroup"; do
    [ -d "$parent" ] || continue
    find "$parent" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}
