package simulator

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/crm"
	"github.com/slawatch/slawatch/store"
)

func crmCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// crmEvening runs an evening (Monday 17:00 to Tuesday 01:00, winter) in
// steps of step and returns every event.
func crmEvening(t testing.TB, o CRMOptions, step time.Duration) []crm.Event {
	t.Helper()
	o.Start = time.Date(2026, 11, 2, 17, 0, 0, 0, time.UTC)
	s, err := NewCRM(o)
	if err != nil {
		t.Fatal(err)
	}
	var out []crm.Event
	for at := o.Start.Add(step); !at.After(o.Start.Add(8 * time.Hour)); at = at.Add(step) {
		evs := s.Advance(at)
		for _, e := range evs {
			if !e.At.After(at.Add(-step)) || e.At.After(at) {
				t.Fatalf("event %s at %s returned by Advance(%s)", e.ID, e.At, at)
			}
		}
		out = append(out, evs...)
	}
	return out
}

func TestCRMSimDeterministic(t *testing.T) {
	c := crmCatalog(t)
	a := crmEvening(t, CRMOptions{Catalog: c, Seed: 7}, time.Minute)
	b := crmEvening(t, CRMOptions{Catalog: c, Seed: 7}, time.Minute)
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs with seed 7 differ (%d and %d events)", len(a), len(b))
	}
	other := crmEvening(t, CRMOptions{Catalog: c, Seed: 8}, time.Minute)
	if reflect.DeepEqual(a, other) {
		t.Error("seeds 7 and 8 give the same events")
	}
	if _, err := NewCRM(CRMOptions{Catalog: c, SlowReferrals: []string{"atlantis"}}); err == nil || !strings.Contains(err.Error(), `"atlantis" is not a PO`) {
		t.Errorf("unknown slow PO: %v", err)
	}
	if _, err := NewCRM(CRMOptions{Catalog: c, Volume: -1}); err == nil {
		t.Error("negative volume accepted")
	}
}

// An evening of the eleven reference POs: plausible volumes and shares,
// every event valid for the exporter, Ealing's referrals slow.
func TestCRMSimPlausible(t *testing.T) {
	c := crmCatalog(t)
	evs := crmEvening(t, CRMOptions{Catalog: c, Seed: 1, SlowReferrals: []string{"ealing"}}, 5*time.Minute)
	n := map[string]int{}
	late, referrals := map[bool]int{}, map[bool]int{}
	ids := map[string]bool{}
	for i, e := range evs {
		if ids[e.ID] {
			t.Fatalf("id %s twice", e.ID)
		}
		ids[e.ID] = true
		if err := crm.Validate(c, e, i+1, e.At, 0); err != nil {
			t.Fatalf("invalid event %+v: %v", e, err)
		}
		n[e.Type]++
		if e.Type == crm.TypeRequestCreated {
			n["action:"+e.Action]++
		}
		if e.Type == crm.TypeReferralDispatched {
			p, _ := c.PO(e.PO)
			so, _ := p.Option(e.ServiceOption)
			slow := e.PO == "ealing"
			referrals[slow]++
			if e.At.Sub(e.CallEndedAt) > so.ReferralLimit.D {
				late[slow]++
			}
		}
		if e.Type == crm.TypeReferralDelivery {
			n["receipt:"+e.Outcome]++
		}
	}
	t.Logf("an evening: %v", n)
	// About 350,000 calls a year; an evening peak hour is ~3x the mean.
	// Eight evening hours of eleven POs: a few hundred to a few thousand.
	within := func(what string, got, lo, hi int) {
		if got < lo || got > hi {
			t.Errorf("%s: %d, want %d to %d", what, got, lo, hi)
		}
	}
	req := n[crm.TypeRequestCreated]
	within("service requests", req, 500, 5000)
	within("referrals (% of requests)", 100*n["action:refer"]/max(req, 1), 25, 60)
	within("out of scope (% of requests)", 100*n["action:out_of_scope"]/max(req, 1), 3, 20)
	within("failed receipts", n["receipt:failed"], 1, 60)
	within("complaints", n[crm.TypeComplaintReceived], 1, 40)
	within("contacts", n[crm.TypeContactReceived], 5, 400)
	// Healthy by default: only the scenario's PO runs late.
	within("late referrals of a normal PO", late[false], 0, 0)
	within("late referrals of the slow PO (%)", 100*late[true]/max(referrals[true], 1), 40, 80)
}

// The feed posts to the real exporter's webhook: every event accepted, a
// replay all duplicates.
func TestCRMFeedToExporter(t *testing.T) {
	c := crmCatalog(t)
	evs := crmEvening(t, CRMOptions{Catalog: c, Seed: 3, Volume: 1.5}, 10*time.Minute)
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "e.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	end := time.Date(2026, 11, 3, 1, 0, 0, 0, time.UTC)
	exp, err := crm.New(context.Background(), crm.Options{Catalog: c, Store: st, Registerer: prometheus.NewRegistry(), Now: func() time.Time { return end }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(exp.Handler())
	defer srv.Close()
	f := &CRMFeed{BaseURL: srv.URL, Client: srv.Client()}
	if err := f.Send(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if err := f.Send(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if len(evs) < crmBatch {
		t.Fatalf("only %d events: the batching is not exercised", len(evs))
	}
}

// 5xx is retried, 4xx is not.
func TestCRMFeedRetries(t *testing.T) {
	var calls atomic.Int32
	status := []int{503, 503, 200}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(calls.Add(1)) - 1
		if r.URL.Path != crm.EventsPath || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(404)
			return
		}
		w.WriteHeader(status[min(i, len(status)-1)])
	}))
	defer srv.Close()
	ev := []crm.Event{{ID: "x", Type: crm.TypeRequestCreated}}
	f := &CRMFeed{BaseURL: srv.URL, Client: srv.Client(), Retries: 3}
	if err := f.Send(context.Background(), ev); err != nil || calls.Load() != 3 {
		t.Errorf("err %v after %d calls; want success on the third", err, calls.Load())
	}
	status = []int{400}
	calls.Store(0)
	if err := f.Send(context.Background(), ev); err == nil || calls.Load() != 1 {
		t.Errorf("a 400: err %v after %d calls; want an error at once", err, calls.Load())
	}
}
