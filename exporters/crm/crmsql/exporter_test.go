package crmsql

import (
	"context"
	"database/sql"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/crm"
	"github.com/slawatch/slawatch/store"
)

// realExporter is the CRM exporter on the test's SQLite store, with the
// example catalogue; stored reads the store's crm_events back.
type realExporter struct {
	*crm.Exporter
	db *sql.DB
}

func newTestIngester(t *testing.T, st *store.Store, storePath string, reg prometheus.Registerer, logger *slog.Logger, now func() time.Time) storedIngester {
	t.Helper()
	cat, err := catalog.Load("../../../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := crm.New(context.Background(), crm.Options{Catalog: cat, Store: st, Logger: logger, Registerer: reg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+storePath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &realExporter{Exporter: ex, db: db}
}

func (r *realExporter) stored() []string {
	rows, err := r.db.Query(`SELECT event_id FROM crm_events WHERE source = ?`, DefaultSource)
	if err != nil {
		panic(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			panic(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		panic(err)
	}
	slices.Sort(ids)
	return ids
}
