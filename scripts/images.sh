#!/usr/bin/env bash
# `make images`: stages each component's rootfs (scripts/image-rootfs.sh) into artifacts/images/<c>/rootfs and builds
# mesh/<c>:<chart appVersion> from images/<c>/Dockerfile (FROM scratch; nothing is pulled). Needs a running Docker
# daemon for the build step; without one it stops after staging and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' charts/mesh/Chart.yaml)
components=${COMPONENTS:-controlplane ztunnel waypoint}
for c in $components; do
  scripts/image-rootfs.sh "$c" "artifacts/images/$c/rootfs"
done
if ! docker info >/dev/null 2>&1; then
  echo "images: rootfs staged under artifacts/images/; building the images needs a running Docker daemon (apt-get install docker.io, then start dockerd) and 'make images' again" >&2
  exit 1
fi
for c in $components; do
  docker build --pull=false -t "mesh/$c:$tag" -f "images/$c/Dockerfile" "artifacts/images/$c"
  echo "images: mesh/$c:$tag $(docker image inspect -f '{{.Size}}' "mesh/$c:$tag" | awk '{printf "%.0f MB", $1/1e6}')"
done
