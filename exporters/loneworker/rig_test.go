package loneworker

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// friday 22:00 London (GMT in November).
var t0 = time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// smsRec is an SMS sender that records what it was asked to send.
type smsRec struct {
	mu   sync.Mutex
	sent []alerting.Message
}

func (s *smsRec) Channel() string { return alerting.ChannelSMS }
func (s *smsRec) Send(_ context.Context, m alerting.Message) (alerting.Receipt, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m)
	return alerting.Receipt{Ref: fmt.Sprintf("SM%032d", len(s.sent)), Delivered: true}, false, nil
}

// since lists "kind:person" of the messages sent from index from on.
func (s *smsRec) since(from int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.sent[from:] {
		out = append(out, m.Kind+":"+m.To.PersonID)
	}
	return out
}

func (s *smsRec) n() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.sent) }

type rig struct {
	t        *testing.T
	ctx      context.Context
	clock    *clock
	st       *store.Store
	cat      *catalog.Catalog
	pager    *alerting.Pager
	sms      *smsRec // the pager's SMS
	reminder *smsRec // the officers' reminders
	svc      *Service
	reg      *prometheus.Registry
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	cat, st := openExample(t)
	var err error
	r := &rig{t: t, ctx: ctx, clock: &clock{t: t0}, st: st, cat: cat, sms: &smsRec{}, reminder: &smsRec{}, reg: prometheus.NewRegistry()}
	catFn := func(context.Context) (*catalog.Catalog, error) { return r.cat, nil }
	r.pager, err = alerting.NewPager(alerting.PagerOptions{Catalog: catFn, Store: st, Logger: slog.New(slog.DiscardHandler),
		Senders: []alerting.Sender{r.sms}, Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	r.svc = r.service(r.reg)
	return r
}

// service is another instance on the same store and pager (a restart, or
// a second process).
func (r *rig) service(reg prometheus.Registerer) *Service {
	svc, err := New(Options{Catalog: func(context.Context) (*catalog.Catalog, error) { return r.cat, nil }, Store: r.st,
		Logger: slog.New(slog.DiscardHandler), Now: r.clock.Now, Pager: r.pager, Reminder: r.reminder, Registerer: reg})
	if err != nil {
		r.t.Fatal(err)
	}
	return svc
}

// at moves the clock to t0+d and ticks the service, then the pager.
func (r *rig) at(d time.Duration) {
	r.t.Helper()
	r.clock.Set(t0.Add(d))
	if err := r.svc.Tick(r.ctx); err != nil {
		r.t.Fatal(err)
	}
	if err := r.pager.Tick(r.ctx); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) checkIn(group, officer string, minutes int) store.LoneWorkerSession {
	r.t.Helper()
	s, err := r.svc.CheckIn(r.ctx, CheckIn{PO: "haringey", StaffGroup: group, Officer: officer, Minutes: minutes,
		Location: "12 High St", Via: store.ViaAPI})
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

func (r *rig) session(id int64) store.LoneWorkerSession {
	r.t.Helper()
	s, err := r.st.Session(r.ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// incident is the session's alarm incident (fails when there is none).
func (r *rig) incident(id int64) store.Incident {
	r.t.Helper()
	inc, err := r.svc.incidentOf(r.ctx, id)
	if err != nil {
		r.t.Fatalf("session %d: %v", id, err)
	}
	return inc
}

func (r *rig) incidents() []store.Incident {
	r.t.Helper()
	list, err := r.st.ListIncidents(r.ctx, store.IncidentFilter{GroupKey: groupKey})
	if err != nil {
		r.t.Fatal(err)
	}
	return list
}

// openExample loads the example catalogue and opens a temp SQLite store
// (closed when the test ends): the base of every rig here.
func openExample(t testing.TB) (*catalog.Catalog, *store.Store) {
	t.Helper()
	cat, err := catalog.Load(filepath.Join("..", "..", "examples", "london-ooh.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "events.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return cat, st
}
