#!/usr/bin/env bash
# `make images`: stages each component's rootfs (scripts/image-rootfs.sh) into artifacts/images/<c>/rootfs, builds
# mesh/<c>:<chart appVersion> from images/<c>/Dockerfile (FROM scratch; nothing is pulled) and saves it as
# artifacts/images/<c>.tar (what `kind load image-archive` or `ctr images import` takes).
# It builds with the Docker daemon at $DOCKER_HOST when one answers there; otherwise it starts the project's own
# (scripts/dockerd.sh, under artifacts/docker) for the build and stops it after, deleting its image store.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' charts/mesh/Chart.yaml)
components=${COMPONENTS:-controlplane ztunnel waypoint}
for c in $components; do
  scripts/image-rootfs.sh "$c" "artifacts/images/$c/rootfs"
done
export DOCKER_API_VERSION=${DOCKER_API_VERSION:-1.41}
own=""
if [ -z "${DOCKER_HOST:-}" ] || ! docker info >/dev/null 2>&1; then
  own=$PWD/artifacts/docker
  trap 'scripts/dockerd.sh stop "$own"' EXIT
  scripts/dockerd.sh start "$own"
  export DOCKER_HOST="unix://$own/docker.sock"
fi
for c in $components; do
  # Debian's docker.io has the classic builder only (its deprecation notice is noise here): output shown on failure.
  if ! out=$(docker build -q --pull=false -t "mesh/$c:$tag" -f "images/$c/Dockerfile" "artifacts/images/$c" 2>&1); then
    echo "images: building mesh/$c:$tag failed: $out" >&2
    exit 1
  fi
  docker save -o "artifacts/images/$c.tar" "mesh/$c:$tag"
  echo "images: mesh/$c:$tag $(docker image inspect -f '{{.Size}}' "mesh/$c:$tag" | awk '{printf "%.1f MB", $1/1e6}') -> artifacts/images/$c.tar"
done
