#!/usr/bin/env bash
# Installs every Debian package the project needs (as root), only when one is missing.
set -euo pipefail
PACKAGES=(
  clang-14 llvm-14 libbpf-dev libbpf1 bpftool libelf-dev make
  iproute2 procps psmisc util-linux libcap2-bin
  curl tshark tcpdump wrk iperf3 nghttp2-client python3
  nginx libnginx-mod-stream prometheus jq nodejs unzip containernetworking-plugins
  afl++ docker.io containerd runc shellcheck haproxy redis-server
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's nodejs comes without npm (NodeSource's includes it): the npm package only where the command is missing.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages: ${missing[*]}; run 'make setup' as root (or apt-get install them)" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages with a service (nginx, haproxy, redis-server, prometheus, docker.io, containerd) are installed, not
  # started: the tests and the bench start their own instances, with their own configs, inside the lab.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "deps: the .NET 10 SDK is not on PATH; install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and run again" >&2
  exit 1
fi
if ! dotnet --list-sdks | grep -q '^10\.'; then
  echo "deps: the .NET 10 SDK is required (found: $(dotnet --list-sdks | tr '\n' ' ')); install it and run again" >&2
  exit 1
fi
# helm and kubectl (project-local, .tools/bin) for the chart tests.
"$(dirname "$0")/tools.sh"
