#!/usr/bin/env bash
# `make kind-test`: the mesh end to end on a real Kubernetes cluster (kind), the way a user installs it.
#   1. checks the machine (docker, kind, kubectl, helm, dotnet; a cgroup v2 host) and creates the kind cluster of
#      kind-config/cluster.yaml under a unique name (deleted on exit by the trap, also after a failure or Ctrl-C);
#   2. builds the images (`make images`, and the echo sample's image) and loads each into the nodes
#      (`kind load image-archive`);
#   3. installs the Gateway API CRDs (the chart's prerequisite), then the mesh with `meshctl install`;
#   4. enrolls a namespace (`meshctl enroll`), deploys the echo sample (two versions), a mesh client there and a
#      non-mesh client in a namespace that is not enrolled;
#   5. checks mTLS (the E2E tests, Step=mtls: the destination ztunnels count the client's connections as
#      connection_security_policy="mutual_tls"; the non-mesh client is answered while PERMISSIVE);
#   6. labels the namespace STRICT (mesh.dev/mtls-mode=strict) and checks the non-mesh client is refused (Step=strict);
#   7. `meshctl waypoint apply`, an HTTPRoute splitting 90/10 between echo-v1 and echo-v2, and checks the split over
#      500 requests (Step=split; tolerance in tests/Mesh.Tests.Common/E2E/SplitJudge.cs);
#   8. deletes the cluster.
# The checks are tests/Mesh.Tests.E2E (xunit, against $KUBECONFIG); a failure prints the mesh's pod logs and the
# cluster's events. Knobs (environment): KIND_NODE_IMAGE (a kindest/node image instead of the pinned one),
# GATEWAY_API_CRDS (a file or URL of the Gateway API standard-install.yaml), KEEP_CLUSTER=1 (do not delete it),
# DOCKER_HOST (build the images there; else scripts/images.sh starts the project's own Docker daemon for the build).
set -euo pipefail
cd "$(dirname "$0")/.."

cluster=mesh-e2e-$(date +%s)-$$
ns=mesh-e2e
plain=mesh-e2e-plain
gateway_api=${GATEWAY_API_CRDS:-https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml}
config=${CONFIG:-Release}
tag=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' charts/mesh/Chart.yaml)

step() { echo "kind-test: $*"; }
fail() { echo "kind-test: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is not on PATH: $2"; }

need docker "install Docker (kind runs its nodes as containers)"
need kind "install kind v0.29 or later (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"
need kubectl "install kubectl"
need dotnet "install the .NET 10 SDK"
if [ ! -x .tools/bin/helm ]; then need helm "install helm (or run make setup, which puts it into .tools/bin)"; fi
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] \
  || fail "this host is not on cgroup v2 (unified hierarchy): the kind nodes follow the host's, and ztunnel attaches to pod cgroups v2"
docker info >/dev/null 2>&1 || fail "docker cannot reach its daemon (docker info fails): start it, or set DOCKER_HOST"

work=$(mktemp -d)
export KUBECONFIG=$work/kubeconfig

diagnose() {
  echo "kind-test: ---- diagnostics ----" >&2
  kubectl get pods -A -o wide >&2 || true
  for selector in app.kubernetes.io/name=controlplane app.kubernetes.io/name=ztunnel; do
    for pod in $(kubectl -n mesh-system get pods -l "$selector" -o name 2>/dev/null); do
      echo "kind-test: ---- logs of mesh-system/$pod ----" >&2
      kubectl -n mesh-system logs "$pod" --all-containers --tail=200 >&2 || true
      # A container that restarted: what its last run said before it ended.
      kubectl -n mesh-system logs "$pod" --all-containers --previous --tail=50 >&2 2>/dev/null || true
    done
  done
  for pod in $(kubectl -n "$ns" get pods -l gateway.networking.k8s.io/gateway-name -o name 2>/dev/null); do
    echo "kind-test: ---- logs of $ns/$pod (waypoint) ----" >&2
    kubectl -n "$ns" logs "$pod" --tail=200 >&2 || true
  done
  echo "kind-test: ---- gateways and routes of $ns ----" >&2
  kubectl -n "$ns" get gateways,httproutes -o yaml >&2 2>/dev/null || true
  echo "kind-test: ---- events ----" >&2
  kubectl get events -A --sort-by=.lastTimestamp >&2 || true
}

cleanup() {
  rc=$?
  trap - EXIT INT TERM
  if [ "$rc" -ne 0 ] && [ -f "$KUBECONFIG" ]; then diagnose; fi
  if [ "${KEEP_CLUSTER:-0}" = 1 ]; then
    step "keeping cluster $cluster (KEEP_CLUSTER=1): kind delete cluster --name $cluster"
  else
    step "deleting cluster $cluster"
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || echo "kind-test: kind delete cluster --name $cluster failed; delete it by hand" >&2
  fi
  rm -rf "$work"
  if [ "$rc" -eq 0 ]; then step "passed"; else echo "kind-test: FAILED (exit $rc)" >&2; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A pinned node image can be replaced by one the machine has (KIND_NODE_IMAGE=kindest/node:v1.34.0).
cp kind-config/cluster.yaml "$work/cluster.yaml"
if [ -n "${KIND_NODE_IMAGE:-}" ]; then
  sed -i "s#image: kindest/node:.*#image: ${KIND_NODE_IMAGE}#" "$work/cluster.yaml"
fi
step "creating kind cluster $cluster (1 control-plane + 2 workers, kind-config/cluster.yaml)"
kind create cluster --name "$cluster" --config "$work/cluster.yaml" --kubeconfig "$KUBECONFIG" --wait 180s

step "building the images (make images, and the echo sample's)"
make images CONFIG="$config"
COMPONENTS=echo CONFIG="$config" scripts/images.sh
step "building the E2E checks (tests/Mesh.Tests.E2E)"
dotnet build tests/Mesh.Tests.E2E -c "$config" -nologo -v:q
for c in controlplane ztunnel waypoint echo; do
  step "loading mesh/$c:$tag into the nodes"
  kind load image-archive "artifacts/images/$c.tar" --name "$cluster"
done

step "installing the Gateway API CRDs ($gateway_api)"
kubectl apply --server-side -f "$gateway_api"
kubectl wait --for condition=Established --timeout=60s crd/gateways.gateway.networking.k8s.io crd/httproutes.gateway.networking.k8s.io
# meshctl check reads "this node's" CNI conf folder: a worker's, copied out of its container (kind nodes are containers
# named <cluster>-worker); --cluster-only skips the eBPF checks of the machine running meshctl, which is no node.
node_cni() { rm -rf "$work/cni"; docker cp "$cluster-worker:/etc/cni/net.d" "$work/cni"; }
node_cni
step "meshctl check --pre (the cluster, and $cluster-worker's CNI conf)"
bin/meshctl check --pre --cluster-only --cni-conf-dir "$work/cni"
step "meshctl install (helm upgrade --install charts/mesh; images from the nodes only)"
bin/meshctl install --set image.pullPolicy=Never
kubectl -n mesh-system rollout status daemonset/ztunnel --timeout=180s
node_cni
step "meshctl check (the installed mesh, and mesh-cni chained on $cluster-worker)"
bin/meshctl check --cluster-only --cni-conf-dir "$work/cni"

step "enrolling namespace $ns and deploying the echo sample, the mesh client and the non-mesh client ($plain)"
kubectl create namespace "$ns"
kubectl create namespace "$plain"
bin/meshctl enroll "$ns"
sed "s/@TAG@/$tag/g" kind-config/manifests/echo.yaml | kubectl -n "$ns" apply -f -
sed "s/@TAG@/$tag/g" kind-config/manifests/plain-client.yaml | kubectl -n "$plain" apply -f -
kubectl -n "$ns" rollout status deployment/echo-v1 --timeout=180s
kubectl -n "$ns" rollout status deployment/echo-v2 --timeout=180s
kubectl -n "$ns" wait --for condition=Ready --timeout=180s pod/client
kubectl -n "$plain" wait --for condition=Ready --timeout=180s pod/plain-client

e2e() {
  step "checks: Step=$1"
  MESH_E2E_NAMESPACE=$ns MESH_E2E_PLAIN_NAMESPACE=$plain \
    dotnet test tests/Mesh.Tests.E2E --no-build -c "$config" --filter "Step=$1" --logger "console;verbosity=normal"
}
e2e mtls

step "namespace $ns STRICT (label mesh.dev/mtls-mode=strict): plaintext from outside the mesh is refused"
kubectl label namespace "$ns" mesh.dev/mtls-mode=strict --overwrite
e2e strict

step "meshctl waypoint apply -n $ns, then the HTTPRoute echo-split (90/10) and the Service echo through the waypoint"
bin/meshctl waypoint apply -n "$ns"
kubectl -n "$ns" wait --for condition=Programmed --timeout=180s gateway/waypoint
kubectl -n "$ns" apply -f kind-config/manifests/split-route.yaml
kubectl -n "$ns" label service echo mesh.dev/use-waypoint=waypoint --overwrite
e2e split
