package mailroom

import (
	"context"
	"log/slog"
	"os"
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
		t.Fatal(err)
	}
	return c
}

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "s.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// clock is a settable clock for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// london is the catalogue's zone.
func london(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func newExporter(t testing.TB, cat *catalog.Catalog, st *store.Store, now func() time.Time) (*Exporter, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	e, err := New(context.Background(), Options{Catalog: cat, Store: st, Logger: slog.New(slog.DiscardHandler), Registerer: reg, Now: now})
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

// sample returns the value of one series line ("name{labels}") in the text.
func sample(t testing.TB, text, series string) string {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	t.Fatalf("no series %s in:\n%s", series, text)
	return ""
}

// drop writes a count file into dir, modified a minute before now.
func drop(t testing.TB, dir, name, content string, now time.Time) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, now.Add(-time.Minute), now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
}

// csvFile makes a count file: the header, then one row per spec
// "period,bu,region,date,inbound_royal_mail,harmful" with every other count 0
// except scanned_pages = 7.
func csvFile(rows ...string) string {
	var b strings.Builder
	b.WriteString(strings.Join(Header(), ",") + "\n")
	for _, r := range rows {
		f := strings.Split(r, ",")
		cells := append([]string(nil), f[:4]...)
		for _, col := range store.MailroomCountColumns() {
			switch col {
			case "inbound_royal_mail":
				cells = append(cells, f[4])
			case "harmful":
				cells = append(cells, f[5])
			case "scanned_pages":
				cells = append(cells, "7")
			default:
				cells = append(cells, "0")
			}
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	return b.String()
}
