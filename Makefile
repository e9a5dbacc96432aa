# slawatch — the two commands a newcomer needs: `make demo` and `make test`.
GO      ?= go
BIN     := bin/slawatch
CATALOG ?= examples/london-ooh.yaml

.PHONY: demo test build generate deps fuzz bench bench-ingest clean

build:
	$(GO) build -o $(BIN) ./cmd/slawatch

## demo: everything in one process, simulated traffic, live board (Ctrl-C to stop)
demo: build
	./$(BIN) demo --catalog $(CATALOG) $(DEMO_FLAGS)

## test: install what the tests need (Debian packages), then every test
test: deps
	bash deploy/local/test.sh

## deps: Debian's prometheus (promtool), prometheus-alertmanager, victoria-metrics, postgresql
deps:
	bash deploy/local/install-deps.sh

## generate: rewrite the generated files from the catalogue (rules, alertmanager.yml, dashboards, Grafana provisioning)
generate: build
	./$(BIN) generate rules --catalog $(CATALOG) --out rules/generated
	./$(BIN) generate alerting --catalog $(CATALOG) --out alerting/generated/alertmanager.yml
	./$(BIN) generate dashboards --catalog $(CATALOG)
	./$(BIN) generate grafana --catalog $(CATALOG)

## fuzz: run every fuzz target for a short while
fuzz:
	bash deploy/local/fuzz.sh

## bench: the benchmarks recorded in docs/BENCHMARKS.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./store/ ./exporters/telephony/

## bench-ingest: replay 300,000 generated calls into a fresh SQLite store on one core
bench-ingest:
	$(GO) run ./deploy/local/gencalls $(CATALOG) 300000 > /tmp/calls300k.csv
	$(GO) build -o /tmp/slw ./cmd/slawatch
	rm -f /tmp/ing.db*
	/usr/bin/time -f "%e s wall, %U s user" env GOMAXPROCS=1 /tmp/slw ingest --log-level warn \
		--store sqlite:/tmp/ing.db --format csv /tmp/calls300k.csv

clean:
	rm -rf bin .slawatch
