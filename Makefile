# Mesh: one Makefile for setup, build, tests, demo and benchmarks. Run as root.
DOTNET ?= dotnet
CONFIG ?= Release

.PHONY: setup deps bpf build test unit integration demo bench images clean

## setup: install Debian packages, restore NuGet, build the BPF objects and the solution
setup: deps build

deps:
	@scripts/deps.sh

bpf:
	@if [ -f bpf/Makefile ]; then $(MAKE) -s -C bpf; fi

build: bpf
	$(DOTNET) build Mesh.sln -c $(CONFIG) -nologo -v:q

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

## images: container images mesh/<component>:<version> (FROM scratch + a rootfs staged here; needs a Docker daemon)
images: build
	@scripts/images.sh

clean:
	-@bin/meshctl lab down --all 2>/dev/null || true
	@if [ -f bpf/Makefile ]; then $(MAKE) -s -C bpf clean; fi
	rm -rf artifacts
