# Borgerkiosk. `make help` lists what a newcomer can run.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
# Unit and UI tests use Fyne's headless driver: no cgo, no display.
TESTENV := CGO_ENABLED=0 LANG=da_DK.UTF-8
TESTTAGS := -tags ci
# Fuzzing budgets are execution counts: a duration (-fuzztime 10s) can end in a
# spurious "context deadline exceeded" failure on Go 1.26 (golang/go#75804).
FUZZTIME ?= 500000x
RUNDIR ?= $(CURDIR)/run

.PHONY: help deps run test bench lint fuzz soak memsoak memsoak-short torture build clean screens load load-short load-checks

help: ## list the targets
	@awk -F':.*## ' '/^[a-z-]+:.*## / {printf "  make %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

deps: ## install missing Debian packages and Go modules
	@scripts/deps.sh

build: deps ## build bin/kiosk (Fyne, cgo), bin/central and bin/kioskctl
	$(GO) build -o bin/central ./cmd/central
	$(GO) build -o bin/kioskctl ./cmd/kioskctl
	@echo "building bin/kiosk with cgo: the first time several minutes (Fyne's GLFW C code), later seconds"
	@CGO_ENABLED=1 scripts/progress.sh "building bin/kiosk (cgo)" $(GO) build -o bin/kiosk ./cmd/kiosk

run: build ## run the kiosk with simulated devices and an embedded central service
	@scripts/run.sh "$(RUNDIR)"

test: deps ## run all tests (unit, UI with Fyne's test driver, end to end, smoke)
	@# The smoke test builds the real kiosk with cgo; build it here first, with
	@# progress lines, so a cold cache is not minutes of silence inside go test.
	@CGO_ENABLED=1 scripts/progress.sh "building the kiosk with cgo for the smoke test" $(GO) build -o /dev/null ./cmd/kiosk
	$(TESTENV) $(GO) test $(TESTTAGS) -count=1 -timeout 20m ./...

screens: ## draw every screen in every display mode into docs/screens (PNGs and an index)
	find docs/screens -maxdepth 1 -name '*.png' ! -name 'phone-*' -delete # the phone page's are the browser test's
	$(TESTENV) $(GO) test $(TESTTAGS) -count=1 -run '^TestRenderPNG$$' ./ui/ -args -png $(CURDIR)/docs/screens

bench: deps ## run the benchmarks (figures go in docs/benchmarks.md)
	$(TESTENV) $(GO) test $(TESTTAGS) -run '^$$' -bench . -benchmem -timeout 90m ./...

lint: ## gofmt, go.mod tidy, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	$(TESTENV) $(GO) vet $(TESTTAGS) ./...
	$(TESTENV) $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags ci ./...

fuzz: ## run every fuzz target for FUZZTIME executions each (default 500000x)
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(TESTENV) $(GO) test $(TESTTAGS) -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; $(TESTENV) $(GO) test $(TESTTAGS) -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

soak: ## 1,000,000 outbox enqueue/ack/purge cycles; prints disk and memory use
	BK_SOAK_CYCLES=$${BK_SOAK_CYCLES:-1000000} $(TESTENV) $(GO) test $(TESTTAGS) -count=1 -run 'TestSoak' -v -timeout 120m ./sync/

memsoak: ## 1,000 consent actions through the real kiosk window (Xvfb); fails unless memory levels off
	BK_MEMSOAK_ACTIONS=$${BK_MEMSOAK_ACTIONS:-1000} $(TESTENV) $(GO) test $(TESTTAGS) -count=1 -run 'TestMemorySoak' -v -timeout 90m ./cmd/kiosk/

memsoak-short: ## memsoak with 120 actions, the fewest that judge levelling off (CI)
	BK_MEMSOAK_ACTIONS=120 $(TESTENV) $(GO) test $(TESTTAGS) -count=1 -run 'TestMemorySoak' -v -timeout 40m ./cmd/kiosk/

torture: ## 1,000 SIGKILL rounds each (also during open) of the outbox and pusher, and of central's store
	BK_TORTURE_ROUNDS=$${BK_TORTURE_ROUNDS:-1000} $(TESTENV) $(GO) test $(TESTTAGS) -count=1 -run 'TestCrash' -v -timeout 180m ./sync/ ./central/badgerstore/

# Central under load (cmd/loadtest, docs/scaling.md): a real central binary
# on each store, kiosks enrolled and pushing signed actions through the API,
# authorities checking alongside, each figure beside a same-run baseline.
# PostgreSQL is a temporary cluster unless LOAD_DSN names one.
LOAD_ARGS ?= -kiosks 100 -actions 100 -batch 100 -concurrency 16 -checkers 4 -check-time 15s
LOAD_DSN ?=
# Another central binary to load (an older build, for a before/after).
LOAD_CENTRAL ?= bin/central
load: ## central under load on Badger, PostgreSQL (and via pgbouncer), a few minutes; tables, JSON in run/
	@mkdir -p "$(RUNDIR)" bin
	CGO_ENABLED=0 $(GO) build -o bin/central ./cmd/central
	CGO_ENABLED=0 $(GO) build -o bin/loadtest ./cmd/loadtest
	bin/loadtest -central-bin $(LOAD_CENTRAL) -store badger $(LOAD_ARGS) -json-out "$(RUNDIR)/load-badger.json"
	bin/loadtest -central-bin $(LOAD_CENTRAL) -store postgres $(if $(LOAD_DSN),-dsn "$(LOAD_DSN)") $(LOAD_ARGS) -json-out "$(RUNDIR)/load-postgres.json"
	@# Through pgbouncer in transaction mode, when Debian's package is there.
	@if [ -z "$(LOAD_DSN)" ] && { command -v pgbouncer || test -x /usr/sbin/pgbouncer; } >/dev/null; then \
	  echo "bin/loadtest -central-bin $(LOAD_CENTRAL) -store postgres -pgbouncer $(LOAD_ARGS)"; \
	  bin/loadtest -central-bin $(LOAD_CENTRAL) -store postgres -pgbouncer $(LOAD_ARGS) -json-out "$(RUNDIR)/load-pgbouncer.json"; \
	else echo "make load: pgbouncer is not installed (apt-get install pgbouncer): its run is skipped"; fi

load-short: ## make load with 20 kiosks × 20 actions (CI; under a minute)
	$(MAKE) load LOAD_ARGS="-kiosks 20 -actions 20 -batch 10 -concurrency 4 -checkers 2 -check-time 3s"

# The check-latency target of issue 15 at national size: the checks and the
# bare PK lookup on a PostgreSQL holding 1,000,000 citizens (one delegation
# each) and 5,000,000 consents, COPYed in first (12 minutes on 2 loaded cores).
load-checks: ## consent/delegation check p99 against a PK lookup, 1,000,000 citizens and 5,000,000 consents loaded (PostgreSQL)
	@mkdir -p "$(RUNDIR)" bin
	CGO_ENABLED=0 $(GO) build -o bin/central ./cmd/central
	CGO_ENABLED=0 $(GO) build -o bin/loadtest ./cmd/loadtest
	bin/loadtest -central-bin $(LOAD_CENTRAL) -store postgres $(if $(LOAD_DSN),-dsn "$(LOAD_DSN)") -kiosks 100 -actions 10 -batch 10 \
	  -concurrency 4 -checkers 4 -check-time 30s -preload-citizens 1000000 -preload-consents 5000000 -json-out "$(RUNDIR)/load-checks.json"

.PHONY: deb appliance
# Who the packages name as maintainer: set it for packages that leave the
# building (DEBFULLNAME/DEBEMAIL work too).
DEB_MAINTAINER ?=
deb: ## build the Debian packages (kiosk, central, kioskctl) into dist/
	@scripts/deps.sh deb
	scripts/deb-binaries.sh bin/deb
	rm -f dist/borgerkiosk-*.deb
	cd packaging && $(GO) run ./mkdeb --root .. --bin ../bin/deb --out ../dist $(if $(DEB_MAINTAINER),--maintainer "$(DEB_MAINTAINER)")

# The heavy suites: the packages themselves (lintian, contents, hardening of
# the units, two builds in two checkouts giving the same bytes). CI runs it;
# `make test` does not. Bounded: go test's -timeout ends a hung step.
appliance: deb ## build the packages, then lintian, reproducibility, dpkg, cage, watchdog and unit-hardening checks
	@scripts/deps.sh appliance
	cd packaging && $(GO) mod tidy -diff
	@echo "appliance: lintian, contents, a second build in two checkouts, dpkg install/remove/purge, the kiosk under cage (minutes)"
	cd packaging && BK_APPLIANCE=1 BK_DIST=$(CURDIR)/dist BK_BIN=$(CURDIR)/bin/deb $(TESTENV) $(GO) test -v -count=1 -timeout 40m ./...
	@echo "appliance: the real kiosk's watchdog pings stop while its UI thread hangs"
	BK_APPLIANCE=1 $(TESTENV) $(GO) test $(TESTTAGS) -v -count=1 -timeout 10m -run '^TestWatchdogStopsWhenTheRealUIThreadHangs$$' ./cmd/kiosk/

clean: ## remove built binaries and the run directory
	rm -rf bin "$(RUNDIR)"
