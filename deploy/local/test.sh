#!/usr/bin/env bash
# Every test of slawatch (`make test` runs `make deps` first): formatting,
# vet, and `go test` of every package with a throwaway PostgreSQL for the
# store's PostgreSQL backend. Generated files are checked by their golden
# tests (rules/), which fail when the committed files are stale.
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== PostgreSQL (throwaway cluster on loopback)"
eval "$(deploy/local/postgres.sh start)"
trap 'deploy/local/postgres.sh stop' EXIT

echo "== go test"
go test -count=1 -timeout 15m ./...
