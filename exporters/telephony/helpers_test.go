package telephony

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("testdata/catalog.yaml")
	if err != nil {
		t.Fatalf("test catalogue: %v", err)
	}
	return c
}

func referenceCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("../../examples/london-ooh.yaml")
	if err != nil {
		t.Fatalf("reference catalogue: %v", err)
	}
	return c
}

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "s.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fixedClock is a settable clock for tests.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

func newExporter(t testing.TB, cat *catalog.Catalog, st *store.Store, now func() time.Time) (*Exporter, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	e, err := New(context.Background(), Options{Catalog: cat, Store: st, Registerer: reg, Now: now, PollInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e, reg
}

// exposition is the text format of the registry's metrics whose names start
// with one of the prefixes (all when none).
func exposition(t testing.TB, g prometheus.Gatherer, prefixes ...string) string {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var b strings.Builder
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		keep := len(prefixes) == 0
		for _, p := range prefixes {
			keep = keep || strings.HasPrefix(mf.GetName(), p)
		}
		if keep {
			if err := enc.Encode(mf); err != nil {
				t.Fatalf("encode: %v", err)
			}
		}
	}
	return b.String()
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// openVisits is the number of visits in progress (waiting or talking).
func openVisits(t *QueueTracker) int { return len(t.open) }
