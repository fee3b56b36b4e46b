# Ferry's entry points. The README's two commands are `make example` and `make test`; both
# first install the Debian packages they need when some are missing (scripts/install-deps).
#
#   make example   build release, run the built-in example in throwaway namespaces
#   make test      build, run every Swift test and the real-client Podman tests
#   make lint      swift format lint, strict
#   make bench     setup+teardown time per container, and the 200th container against the
#                  1st, Ferry against netavark 1.4 (docs/benchmarks.md)
#   make compare-modes  every mode side by side (bridge, Ferry's engine, Debian's pasta,
#                  slirp4netns): connectivity matrix, throughput, TCP_RR/CRR, UDP loss,
#                  setup/teardown, readiness, RSS; QUICK=1 for the one-minute version,
#                  OUT=docs to rewrite docs/compare-modes.md and .svg
#   make install   ferry into $(BINDIR), the Podman helper entry into $(HELPERDIR)
#
# FERRY=PATH runs the example, the Podman tests or the benchmark against another binary
# with netavark's command line, e.g. FERRY=/usr/lib/podman/netavark.

SWIFT ?= swift
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
HELPERDIR ?= $(PREFIX)/libexec/podman
DESTDIR ?=

# The toolchain lives in /opt/swift on the development machine and in CI.
export PATH := $(PATH):/opt/swift/usr/bin

DEBUG_FERRY := $(CURDIR)/.build/debug/ferry
RELEASE_FERRY := $(CURDIR)/.build/release/ferry

.PHONY: all deps build release example test swift-test podman-test lint bench \
	compare-modes install uninstall clean

all: build

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build --build-tests

# The release binary carries the Swift runtime and Foundation statically: each call of a
# short-lived plugin then skips loading a dozen shared libraries (about 5 ms of 12).
release: deps
	$(SWIFT) build -c release --static-swift-stdlib

example: release
	FERRY="$${FERRY:-$(RELEASE_FERRY)}" scripts/example

# Both suites run even when the first fails; the target fails when either did.
test: build
	@status=0; \
	$(SWIFT) test --skip-build || status=1; \
	FERRY="$${FERRY:-$(DEBUG_FERRY)}" tests/podman/run || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED" >&2; else echo "make test: OK"; fi; \
	exit $$status

swift-test: build
	$(SWIFT) test --skip-build

podman-test: build
	FERRY="$${FERRY:-$(DEBUG_FERRY)}" tests/podman/run

lint:
	$(SWIFT) format lint -r --strict Sources Tests

bench: release
	FERRY="$${FERRY:-$(RELEASE_FERRY)}" bench/setup-teardown
	FERRY="$${FERRY:-$(RELEASE_FERRY)}" bench/many-containers

compare-modes: release
	FERRY="$${FERRY:-$(RELEASE_FERRY)}" bench/compare-modes $(if $(QUICK),--quick) \
		$(if $(OUT),--out $(OUT))

install: release
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(HELPERDIR)"
	install -m 755 "$(RELEASE_FERRY)" "$(DESTDIR)$(BINDIR)/ferry"
	sed 's|^ferry=.*|ferry=$(BINDIR)/ferry|' plugins/netavark >"$(DESTDIR)$(HELPERDIR)/netavark"
	chmod 755 "$(DESTDIR)$(HELPERDIR)/netavark"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/ferry" "$(DESTDIR)$(HELPERDIR)/netavark"

clean:
	rm -rf .build
