# Mesh: one Makefile for setup, build, tests, demo and benchmarks. Run as root.
DOTNET ?= dotnet
CONFIG ?= Release

.PHONY: setup deps bpf build publish test unit integration demo bench fuzz images kind-test clean

## setup: install Debian packages, restore NuGet, build the BPF objects and the solution
setup: deps build

deps:
	@scripts/deps.sh

bpf:
	@if [ -f bpf/Makefile ]; then $(MAKE) -s -C bpf; fi

build: bpf
	$(DOTNET) build Mesh.sln -c $(CONFIG) -nologo -v:q
	@$(MAKE) -s publish

## publish: the data plane as Native AOT executables (artifacts/publish/<Project>/<config>_linux-x64/); the lab,
## tests, demo and bench run these in a Release build (MESH_JIT=1 runs the JIT builds instead)
AOT_PROJECTS = ztunnel/Mesh.Ztunnel.csproj waypoint/Mesh.Waypoint.csproj cni/Mesh.Cni.csproj
publish:
	@for p in $(AOT_PROJECTS); do \
	  $(DOTNET) publish $$p -c $(CONFIG) -r linux-x64 -nologo -v:q || exit 1; \
	done

## test: everything the suite needs, then every test; ends with "N passed, N failed"
test: setup
	@scripts/test.sh

unit: build
	$(DOTNET) test tests/Mesh.Tests.Unit --no-build -c $(CONFIG)

integration: build
	$(DOTNET) test tests/Mesh.Tests.Integration --no-build -c $(CONFIG)

## demo: a 2-node lab cluster, traffic from a pod on node 1 to a pod on node 2
demo: setup
	@scripts/demo.sh

## bench: Release benchmarks on the lab; results under bench/results/
bench: setup
	@scripts/bench.sh

## fuzz: every fuzz target for FUZZ_SECONDS each (default 300), or one: make fuzz FUZZ_TARGET=hpack
FUZZ_SECONDS ?= 300
fuzz: setup
	@if [ -n "$(FUZZ_TARGET)" ]; then scripts/fuzz.sh $(FUZZ_TARGET) $(FUZZ_SECONDS); else scripts/fuzz.sh --all $(FUZZ_SECONDS); fi

## images: container images mesh/<component>:<version> (FROM scratch + a rootfs staged here; needs a Docker daemon)
images: build
	@scripts/images.sh

## kind-test: the mesh end to end on a kind cluster (1 control-plane + 2 workers), created and deleted by the script;
## needs docker, kind, kubectl (helm from make setup or PATH) on a cgroup v2 host; builds through `make images`; not part of `make test`
kind-test:
	@kind-config/kind-test.sh

clean:
	-@bin/meshctl lab down --all 2>/dev/null || true
	@if [ -f bpf/Makefile ]; then $(MAKE) -s -C bpf clean; fi
	rm -rf artifacts
