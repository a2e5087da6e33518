# salesrecipe: `make demo` runs the product on a demo firm; `make test` runs every test.
# Both fetch what is missing first.

SHELL := /bin/bash
GO ?= go
CHDB_VERSION := 26.7.3
CACHE_HOME := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)
CHDB_DIR := $(CACHE_HOME)/salesrecipe/chdb/$(CHDB_VERSION)
CHDB_LIB := $(CHDB_DIR)/libchdb.so
export SALESRECIPE_CHDB_LIB ?= $(CHDB_LIB)

BIN := bin
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(BIN)/staticcheck-$(STATICCHECK_VERSION)
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

DEMO_ADDR ?= 127.0.0.1:8080
DEMO_DIR ?= ./demo-data
BENCH_DIR ?= /tmp/salesrecipe-bench

.PHONY: all build chdb prometheus chromium test vet staticcheck gotest gotest-race gotest-norace gotest-norace-pkgs gotest-norace-tests fuzz demo bench-ingest clean help

all: build

help:
	@echo "make demo   fetch what is missing, build, and serve the demo on http://$(DEMO_ADDR)"
	@echo "make test   fetch what is missing, vet, staticcheck, and run every test (-race where it can find something)"
	@echo "make build  build bin/salesrecipe"
	@echo "make chdb   fetch the embedded ClickHouse engine (libchdb.so) into $(CHDB_DIR)"

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/salesrecipe ./cmd/salesrecipe

chdb: $(CHDB_LIB)

$(CHDB_LIB):
	scripts/fetch-chdb.sh $(CHDB_DIR)

# promtool and prometheus (Debian package prometheus) for the rule tests and the alert end-to-end test.
prometheus:
	scripts/install-prometheus.sh

# Debian's chromium for the dashboards' browser tests (they skip without it outside CI).
chromium:
	scripts/install-chromium.sh

$(STATICCHECK):
	mkdir -p $(BIN)
	GOBIN=$(CURDIR)/$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(BIN)/staticcheck $(STATICCHECK)

vet:
	$(GO) vet ./...

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

# Tests run under the race detector, except where it can find nothing and only slows them several
# times: ingest/synth (the generator runs on one goroutine), and the tests that check numbers rather
# than concurrency (forecast quality, smoothness, backtest-vs-live, later-data, awkward cases, the
# breakdown, quarters and deals-only recipes; the model's recovery,
# lag-depth and significance tests; the million-row storage round trip; the dashboards' tests that
# send one request at a time: API goldens, the route x role table, pages on a read-only store, plans,
# deals-only and snapshot firms; the metrics store source's forecasts). Those are built out of the -race run or
# skip under it, and run once without it. The code they run is still raced by the smaller and the
# concurrent tests of the same packages (pages during refits, bounded backtests, the browser).
NORACE_PKGS := ./ingest/synth/
# Test binaries run at once. A package's tests use about 0.6 of a core on average (they wait on
# child processes, the engine, Chromium and Prometheus), so three at a time keep 2 cores busy where
# two leave a third of them idle.
TEST_P ?= 3
NORACE_TESTS := TestBacktestQuality|TestQuarterTeamCalibration|TestAwkwardCasesGiveLabelledAnswers|TestBreakdownAddsUpToTheForecast|TestQuarterIsTheSumOfItsMonths|TestDealsOnlyFirmLearnsFromNewOpportunities|TestForecastMovesSmoothly|TestBacktestScoresTheTeamRowsUsersSee|TestLaterDataDoesNotChangeAForecast|TestRecoveryOnSynthFirm|TestLateDelaysFirmPeaksLate|TestLagDepthsFollowEachKindsProfile|TestSmallRealEffectKeptNoEffectDropped|TestLateDelaysGetALateProfile|TestVolumeWeightsTargetTheActivityAverage|TestMillionActivitiesRoundTripAndReload|TestAPIGolden|TestRoutesByRole|TestPagesServedWhenOptionalWritesFail|TestSnapshotsKeepTheSplit|TestPlans$$|TestDealsOnlyFirmPages|TestPipelineOfSnapshotFirm|TestStoreSource
gotest: gotest-race gotest-norace

# The race run starts the longest packages first (longest-processing-time-first): started in import
# path order, queries (50 s) began last and ran alone for the final 25 s. Packages not named here
# follow in import path order, so a new package is never left out.
MODULE := github.com/salesrecipe/salesrecipe
RACE_FIRST := cmd/salesrecipe dashboards queries forecast ingest deploy queries/chdb
gotest-race: chdb prometheus chromium
	$(GO) test -race -p $(TEST_P) -timeout 30m $$( (printf '$(MODULE)/%s\n' $(RACE_FIRST); $(GO) list ./...) \
		| awk '!seen[$$0]++' | grep -v '/ingest/synth$$')

gotest-norace: gotest-norace-pkgs gotest-norace-tests

gotest-norace-pkgs: chdb prometheus chromium
	$(GO) test -count=1 -timeout 15m $(NORACE_PKGS)

gotest-norace-tests: chdb prometheus chromium
	$(GO) test -count=1 -p 2 -timeout 15m -run '$(NORACE_TESTS)' ./forecast/ ./dashboards/ ./model/ ./queries/ ./dashboards/metrics/

# A short run of each fuzz target on top of its seed corpus (which `go test` always runs).
# The budget is a count of executions, not a duration: with a duration, Go's fuzz coordinator can
# race its own deadline on a loaded machine and fail the target with a bare "context deadline
# exceeded" and no crasher (it did so in CI on FuzzReadNDJSON). A count has no deadline to race.
FUZZTIME ?= 1000x
FUZZ_BIN := bin/ingest-fuzz.test
fuzz:
	$(GO) test -c -fuzz=. -o $(FUZZ_BIN) ./ingest/
	cd ingest && for f in FuzzReadCSV FuzzReadNDJSON FuzzReadJSON FuzzParseTime FuzzParseAmount; do \
		../$(FUZZ_BIN) -test.run '^$$' -test.fuzz "^$$f$$" -test.fuzztime $(FUZZTIME) \
			-test.fuzzcachedir "$$($(GO) env GOCACHE)/fuzz/github.com/salesrecipe/salesrecipe/ingest" || exit 1; \
	done

# The checks and test runs are independent, so make test runs them side by side (each one's output
# is printed whole when it ends): the race run alone keeps about 1.65 of the 2 cores busy, and the
# rest fill the gap.
#
# The run's temporary files (the engines' data, the tests' files, the Go build's work) go to a fresh
# directory on tmpfs when there is one with room (scripts/test-tmpdir.sh), removed when the run ends:
# the storage tests then spend far less system time than on a disk (queries' race run: 48 -> 29
# CPU-seconds, 19.7 -> 5.1 of them system time). TEST_TMPFS= keeps them in the default directory.
TEST_TMPFS ?= /dev/shm
test: chdb prometheus chromium
	@tmp="$$(scripts/test-tmpdir.sh $(TEST_TMPFS))" && trap 'rm -rf "$$tmp"' EXIT && echo "make test: temporary files in $$tmp" && \
		TMPDIR="$$tmp" $(MAKE) --no-print-directory -j6 --output-sync=target vet staticcheck gotest-race gotest-norace-pkgs gotest-norace-tests fuzz

bench-ingest: chdb build
	scripts/bench-ingest.sh $(BENCH_DIR)

demo: chdb build
	$(BIN)/salesrecipe demo --dir $(DEMO_DIR) --addr $(DEMO_ADDR)

clean:
	rm -rf $(BIN)
