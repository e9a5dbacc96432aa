package crm

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// t0 is a Monday evening in winter (GMT = UTC), 18:00.
var t0 = time.Date(2026, 11, 2, 18, 0, 0, 0, time.UTC)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("testdata/crm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rig is an exporter on a fresh SQLite store with its own registry.
type rig struct {
	cat   *catalog.Catalog
	dsn   string
	st    *store.Store
	clock *clock
	reg   *prometheus.Registry
	exp   *Exporter
}

func newRig(t testing.TB) *rig {
	t.Helper()
	r := &rig{cat: testCatalog(t), dsn: "sqlite:" + filepath.Join(t.TempDir(), "events.db"), clock: &clock{t: t0}}
	r.open(t)
	return r
}

// open (re)opens the store and builds a new exporter on a new registry: a restart.
func (r *rig) open(t testing.TB) {
	t.Helper()
	st, err := store.Open(context.Background(), r.dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.st, r.reg = st, prometheus.NewRegistry()
	r.exp, err = New(context.Background(), Options{Catalog: r.cat, Store: st, Registerer: r.reg, Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
}

func (r *rig) ingest(t testing.TB, evs ...Event) Result {
	t.Helper()
	res, err := r.exp.Ingest(context.Background(), TransportWebhook, "test", evs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// scrape is the registry's /metrics text.
func (r *rig) scrape(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// series are the sample lines of the scrape whose name starts with prefix,
// sorted, leaving out the self-metrics (which count this process only).
func series(text, prefix string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) && !strings.HasPrefix(l, "crm_exporter_") && !strings.HasPrefix(l, "crm_source_") {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// value is the sample value of the line starting with name{labels} (exact).
func value(t testing.TB, text, sample string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(l, sample+" "); ok {
			return rest
		}
	}
	return "(absent)"
}

func ev(id, typ string, at time.Time) Event {
	return Event{ID: id, Type: typ, At: at, PO: "acme", ServiceOption: "noise", Ref: "case-" + id}
}

func request(id, action string, at time.Time) Event {
	e := ev(id, TypeRequestCreated, at)
	e.Action, e.Ref = action, ""
	if action == ActionOutOfScope {
		e.Category = "parking_fines"
	}
	return e
}

func referral(id, channel string, ended time.Time, after time.Duration) Event {
	e := ev(id, TypeReferralDispatched, ended.Add(after))
	e.Ref, e.Channel, e.CallEndedAt = "case-"+id, channel, ended
	return e
}
