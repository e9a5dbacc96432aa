# slawatch — the two commands a newcomer needs: `make demo` and `make test`.
GO      ?= go
BIN     := bin/slawatch
CATALOG ?= examples/london-ooh.yaml

.PHONY: demo test build generate check-generated deps unit integration fuzz bench clean

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

## generate: rewrite the generated files from the catalogue
generate: build
	./$(BIN) generate rules --catalog $(CATALOG) --out rules/generated

## fuzz: run every fuzz target for a short while
fuzz:
	bash deploy/local/fuzz.sh

## bench: the benchmarks recorded in docs/BENCHMARKS.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./store/ ./exporters/telephony/

clean:
	rm -rf bin .slawatch
