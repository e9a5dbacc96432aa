package main

import (
	"context"
	"log/slog"

	"github.com/slawatch/slawatch/alerting/rotaapi"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// catalogFor is the catalogue in force: the file's, with the rota changes
// made through the API applied. If a stored change no longer fits the
// catalogue (a person removed from the file), the file's rotas are used
// and the error logged: paging on the file's rotas beats not paging.
func catalogFor(cat *catalog.Catalog, st *store.Store, log *slog.Logger) func(context.Context) (*catalog.Catalog, error) {
	current := rotaapi.Cached(cat, st)
	return func(ctx context.Context) (*catalog.Catalog, error) {
		cur, err := current(ctx)
		if err != nil {
			log.Error("rota changes not applied; paging on the catalogue file's rotas", "err", err)
			return cat, nil
		}
		return cur, nil
	}
}
