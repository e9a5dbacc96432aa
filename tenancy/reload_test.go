package tenancy

import (
	"errors"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestReloader: a failed reload is counted and keeps the old
// credentials; a successful one is counted, put in force and
// timestamped by the clock.
func TestReloader(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:9090")
	p, err := New(Options{Upstream: u, Credentials: mustParseCreds(t, goodFile())})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1700000000, 0)
	clock := func() time.Time { return now }
	var next *Credentials
	var loadErr error
	load := func() (*Credentials, error) { return next, loadErr }
	reg := prometheus.NewRegistry()
	r, err := NewReloader(p, load, reg, slog.New(slog.DiscardHandler), clock)
	if err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(r.last); got != 1700000000 {
		t.Errorf("timestamp at start %v", got)
	}

	now = now.Add(time.Minute)
	loadErr = errors.New("creds.yml:2: broken")
	if err := r.Reload(); err == nil {
		t.Error("a failed load reported no error")
	}
	if _, ok := p.creds.Load().Authenticate("rbkc", tokRBKC); !ok {
		t.Error("a failed reload dropped the old credentials")
	}
	if f, s, ts := testutil.ToFloat64(r.reloads.WithLabelValues("failure")), testutil.ToFloat64(r.reloads.WithLabelValues("success")),
		testutil.ToFloat64(r.last); f != 1 || s != 0 || ts != 1700000000 {
		t.Errorf("after a failure: failure %v success %v timestamp %v", f, s, ts)
	}

	now = now.Add(time.Minute)
	next, loadErr = mustParseCreds(t, "credentials:\n"+Entry("ealing", "ealing", tokEaling)), nil
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.creds.Load().Authenticate("rbkc", tokRBKC); ok {
		t.Error("rbkc still in force after the reload")
	}
	if f, s, ts := testutil.ToFloat64(r.reloads.WithLabelValues("failure")), testutil.ToFloat64(r.reloads.WithLabelValues("success")),
		testutil.ToFloat64(r.last); f != 1 || s != 1 || ts != 1700000120 {
		t.Errorf("after a success: failure %v success %v timestamp %v", f, s, ts)
	}
	if n, err := testutil.GatherAndCount(reg, "slawatch_proxy_credentials_reloads_total",
		"slawatch_proxy_credentials_last_reload_success_timestamp_seconds"); err != nil || n != 3 {
		t.Errorf("registered series %d, %v; want 3", n, err)
	}
}
