#!/usr/bin/env bash
# Stages the root filesystem of one component's image (the build stage of its Dockerfile: no base image can be
# pulled on the build machine, so the image is FROM scratch plus exactly this tree):
#   /app                       ztunnel and waypoint: the Native AOT executable (artifacts/publish/<project>/release_linux-x64;
#                              ztunnel's image also carries mesh-cni, which its DaemonSet installs on the node);
#                              controlplane (JIT, see ARCHITECTURE.md) or MESH_JIT=1: the build output (artifacts/bin/<project>/release)
#   /usr/share/dotnet          JIT builds only: the .NET host, hostfxr and the shared frameworks the app names
#   the shared libraries       everything ldd reports for those binaries, plus what .NET and ztunnel dlopen
#                              (libssl/libcrypto; libbpf for ztunnel), and an ld.so.cache for them
#   /etc/passwd, /etc/group    root and nonroot (65532); /tmp (1777)
#   echo (samples/echo, for `make kind-test`): the JIT build output, the .NET host as for the controlplane, and
#   /usr/bin/curl (the e2e clients send their requests with it), with what curl links
# Usage: scripts/image-rootfs.sh controlplane|ztunnel|waypoint|echo DEST
set -euo pipefail
cd "$(dirname "$0")/.."
component=${1:-}; dest=${2:-}
case "$component" in
  controlplane) project=Mesh.ControlPlane ;;
  ztunnel)      project=Mesh.Ztunnel ;;
  waypoint)     project=Mesh.Waypoint ;;
  echo)         project=Mesh.Samples.Echo ;;
  *) echo "image-rootfs: component is controlplane, ztunnel, waypoint or echo, not '$component'" >&2; exit 2 ;;
esac
[ -n "$dest" ] || { echo "image-rootfs: say where to stage the rootfs: scripts/image-rootfs.sh $component DEST" >&2; exit 2; }
config=${CONFIG:-release}
native=1
{ [ "$component" = controlplane ] || [ "$component" = echo ] || [ "${MESH_JIT:-0}" = 1 ]; } && native=0
if [ $native = 1 ]; then app=artifacts/publish/$project/${config,,}_linux-x64; else app=artifacts/bin/$project/${config,,}; fi
[ -x "$app/$component" ] || { echo "image-rootfs: $app/$component is missing; run 'make build' first" >&2; exit 1; }

rm -rf "$dest"
mkdir -p "$dest/app" "$dest/etc" "$dest/tmp" "$dest/proc" "$dest/dev" "$dest/sys"
chmod 1777 "$dest/tmp"
cp -a "$app/." "$dest/app/"
rm -f "$dest/app/"*.pdb "$dest/app/"*.dbg "$dest/app/"*.staticwebassets.endpoints.json
# The node DaemonSet's install-cni container runs `/app/mesh-cni install` from the ztunnel image and copies that
# executable to the host, so it is the Native AOT one (self-contained; `make build` publishes it).
if [ "$component" = ztunnel ]; then
  cni=artifacts/publish/Mesh.Cni/${config,,}_linux-x64/mesh-cni
  [ -x "$cni" ] || { echo "image-rootfs: $cni is missing; run 'make build' first (it publishes mesh-cni as Native AOT)" >&2; exit 1; }
  cp "$cni" "$dest/app/"
fi
if [ "$component" = echo ]; then
  curl=$(command -v curl) || { echo "image-rootfs: curl is not installed on this machine (scripts/deps.sh installs it)" >&2; exit 1; }
  mkdir -p "$dest/usr/bin"
  cp -L "$curl" "$dest/usr/bin/curl"
fi
if [ $native = 0 ]; then
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  mkdir -p "$dest/usr/share/dotnet/host/fxr" "$dest/usr/share/dotnet/shared"
  cp -L "$dotnet_root/dotnet" "$dest/usr/share/dotnet/"
  fxr=$(ls -d "$dotnet_root"/host/fxr/10.* | sort -V | tail -1)
  cp -a "$fxr" "$dest/usr/share/dotnet/host/fxr/"
  for fw in $(jq -r '.runtimeOptions.frameworks[].name' "$app/$component.runtimeconfig.json"); do
    version=$(ls -d "$dotnet_root/shared/$fw"/10.* | sort -V | tail -1)
    mkdir -p "$dest/usr/share/dotnet/shared/$fw"
    cp -a "$version" "$dest/usr/share/dotnet/shared/$fw/"
  done
fi

# Libraries loaded by name at run time (not in any ELF's DT_NEEDED, so ldd does not see them).
dlopened=(libssl.so.3 libcrypto.so.3)
[ "$component" = ztunnel ] && dlopened+=(libbpf.so.1)
extra=()
for lib in "${dlopened[@]}"; do
  path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|x86_64/ {print $NF; exit}')
  [ -n "$path" ] || { echo "image-rootfs: $lib is not installed on this machine (scripts/deps.sh installs it)" >&2; exit 1; }
  extra+=("$path")
done
copy() { mkdir -p "$dest$(dirname "$1")"; cp -L "$1" "$dest$1"; }
for lib in "${extra[@]}"; do copy "$lib"; done
# Every ELF of the tree and its dependencies (ldd is transitive), at the paths the loader resolved them to.
while IFS= read -r elf; do
  ldd "$elf" 2>/dev/null | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}'
done < <(find "$dest" -type f \( -name '*.so*' -o -perm -u+x \) -exec sh -c 'head -c4 "$1" | grep -q ELF' _ {} \; -print) \
  | grep -v "^$dest/" | sort -u | while IFS= read -r lib; do [ -e "$dest$lib" ] || copy "$lib"; done
mkdir -p "$dest/etc"
ldconfig -r "$dest" 2>/dev/null || true
printf 'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' > "$dest/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$dest/etc/group"
echo "image-rootfs: $component -> $dest ($(du -sh "$dest" | cut -f1))"
