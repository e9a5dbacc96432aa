package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// defaultStore is the embedded SQLite event store; SLAWATCH_STORE overrides.
func defaultStore() string {
	if s := os.Getenv("SLAWATCH_STORE"); s != "" {
		return s
	}
	return "sqlite:.slawatch/events.db"
}

// commonFlags are the flags most subcommands share.
type commonFlags struct {
	catalog, store, logLevel string
}

func (c *commonFlags) register(fs *flag.FlagSet, withStore bool) {
	fs.StringVar(&c.catalog, "catalog", defaultCatalog, "catalogue file (YAML)")
	if withStore {
		fs.StringVar(&c.store, "store", defaultStore(),
			"event store: sqlite:PATH (embedded, default) or postgres://user:pass@host:port/db (env SLAWATCH_STORE)")
	}
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn, error")
}

func (c *commonFlags) logger(e *env) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, usagef("--log-level %q: use debug, info, warn or error", c.logLevel)
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: lvl})), nil
}

func (c *commonFlags) loadCatalog() (*catalog.Catalog, error) {
	cat, err := catalog.Load(c.catalog)
	if err != nil {
		return nil, fmt.Errorf("catalogue problems (run `slawatch catalog check %s`):\n%w", c.catalog, err)
	}
	return cat, nil
}

// open loads the catalogue, then opens the event store (the caller closes it).
func (c *commonFlags) open(ctx context.Context, log *slog.Logger) (*catalog.Catalog, *store.Store, error) {
	cat, err := c.loadCatalog()
	if err != nil {
		return nil, nil, err
	}
	st, err := c.openStore(ctx, log)
	return cat, st, err
}

// openStore opens the event store, creating the directory of a SQLite file.
func (c *commonFlags) openStore(ctx context.Context, log *slog.Logger) (*store.Store, error) {
	if !strings.Contains(c.store, "://") {
		path := strings.TrimPrefix(c.store, "sqlite:")
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("event store directory: %w", err)
		}
	}
	return store.Open(ctx, c.store, log)
}
