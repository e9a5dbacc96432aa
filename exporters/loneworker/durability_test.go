package loneworker

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// A crash between the alarm's claim and its page leaves an overdue session
// without a page: the next instance's first tick pages it, once.
func TestClaimedAlarmWithoutPageIsPagedOnRestart(t *testing.T) {
	r := newRig(t)
	r.at(0)
	s := r.checkIn("anti_social_behaviour", officer, 30)
	r.clock.Set(t0.Add(31 * time.Minute))
	if ok, err := r.st.ClaimAlarm(r.ctx, s.ID, r.clock.Now()); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err) // the "crashed" process claimed, never paged
	}
	if len(r.incidents()) != 0 {
		t.Fatal("an incident before the restart")
	}
	r.svc = r.service(nil) // the restart
	r.at(40 * time.Minute)
	r.at(41 * time.Minute)
	if incs := r.incidents(); len(incs) != 1 || incs[0].Status != store.IncidentFiring {
		t.Fatalf("incidents %+v; want one firing", incs)
	}
	if got := r.sms.since(0); len(got) != 2 {
		t.Errorf("paged %v; want the duty managers once each", got)
	}
}

// Two instances on one store tick the same due alarm: one claim, one
// incident, one page per person.
func TestTwoInstancesPageOnce(t *testing.T) {
	r := newRig(t)
	other := r.service(nil)
	r.at(0)
	var ids []int64
	for _, o := range []string{"haringey-asb-1", "haringey-asb-2"} {
		ids = append(ids, r.checkIn("anti_social_behaviour", o, 30).ID)
	}
	r.clock.Set(t0.Add(30 * time.Minute))
	for i := 0; i < 3; i++ {
		for _, svc := range []*Service{r.svc, other} {
			if err := svc.Tick(r.ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := r.pager.Tick(r.ctx); err != nil {
		t.Fatal(err)
	}
	if incs := r.incidents(); len(incs) != len(ids) {
		t.Fatalf("%d incidents for %d overdue sessions; want one each", len(incs), len(ids))
	}
	for _, id := range ids {
		ev, _ := r.st.SessionEvents(r.ctx, id)
		alarms := 0
		for _, e := range ev {
			if e.Kind == store.LWAlarm {
				alarms++
			}
		}
		if alarms != 1 {
			t.Errorf("session %d: %d alarm events; want 1", id, alarms)
		}
	}
	// The duty managers are paged once per incident (bundled per person).
	if n := r.sms.n(); n == 0 || n > 2*len(ids) {
		t.Errorf("%d SMS; want at most one per duty manager per incident", n)
	}
}

// A check-out stored by another process (the console) after the alarm
// resolves the page at the next tick of the instance with the pager.
func TestCheckOutElsewhereResolves(t *testing.T) {
	r := newRig(t)
	r.at(0)
	s := r.checkIn("anti_social_behaviour", officer, 30)
	r.at(30 * time.Minute)
	console, err := New(Options{Catalog: r.svc.o.Catalog, Store: r.st, Logger: r.svc.o.Logger, Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := console.CheckOut(r.ctx, s.ID, store.ViaConsole, "ooh-dm-1"); err != nil {
		t.Fatal(err)
	}
	if r.incident(s.ID).Status != store.IncidentFiring {
		t.Fatal("the console resolved the page itself; it has no pager")
	}
	r.at(31 * time.Minute)
	if r.incident(s.ID).Status != store.IncidentResolved {
		t.Error("the page is still firing a tick after the check-out")
	}
}

func TestBadRequestsStoreNothing(t *testing.T) {
	r := newRig(t)
	r.at(0)
	first := r.checkIn("enforcement", "haringey-eo-1", 0)
	if !first.Deadline.Equal(t0.Add(60 * time.Minute)) {
		t.Errorf("default deadline %s; want the group's 60 minutes", first.Deadline)
	}
	for _, tc := range []struct {
		name string
		req  CheckIn
		want string
		is   error
	}{
		{"unknown po", CheckIn{PO: "nowhere", StaffGroup: "enforcement", Officer: "haringey-eo-2"}, `po "nowhere": not in the catalogue`, ErrInvalid},
		{"po without lone workers", CheckIn{PO: "rbkc", StaffGroup: "x", Officer: "y"}, "rbkc has no lone-worker support", ErrInvalid},
		{"unknown group", CheckIn{PO: "haringey", StaffGroup: "parking", Officer: "haringey-eo-2"},
			`staff group "parking": not a lone-worker staff group of haringey; want one of enforcement, anti_social_behaviour`, ErrInvalid},
		{"unknown officer", CheckIn{PO: "haringey", StaffGroup: "enforcement", Officer: "haringey-asb-2"},
			`officer "haringey-asb-2": not an officer of haringey enforcement`, ErrInvalid},
		{"too long", CheckIn{PO: "haringey", StaffGroup: "enforcement", Officer: "haringey-eo-2", Minutes: 121}, "minutes: 121; want 1 to 120 minutes", ErrInvalid},
		{"negative", CheckIn{PO: "haringey", StaffGroup: "enforcement", Officer: "haringey-eo-2", Minutes: -5}, "minutes: -5", ErrInvalid},
		{"until in the past", CheckIn{PO: "haringey", StaffGroup: "enforcement", Officer: "haringey-eo-2", Until: t0.Add(-time.Minute)}, "until:", ErrInvalid},
		{"both", CheckIn{PO: "haringey", StaffGroup: "enforcement", Officer: "haringey-eo-2", Minutes: 5, Until: t0.Add(time.Hour)}, "not both", ErrInvalid},
		{"duplicate", CheckIn{PO: "haringey", StaffGroup: "anti_social_behaviour", Officer: "haringey-eo-1"}, "open lone-worker session 1", store.ErrSessionOpen},
	} {
		tc.req.Via = store.ViaAPI
		_, err := r.svc.CheckIn(r.ctx, tc.req)
		if err == nil || !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v; want %v containing %q", tc.name, err, tc.is, tc.want)
		}
	}
	if _, err := r.svc.CheckOutOfficer(r.ctx, "haringey", "haringey-eo-2", store.ViaSMS); !errors.Is(err, ErrNoOpenSession) {
		t.Errorf("check-out without a session: %v; want ErrNoOpenSession", err)
	}
	if _, _, err := r.svc.CheckOut(r.ctx, 99, store.ViaAPI, "x"); !errors.Is(err, store.ErrNoSession) {
		t.Errorf("check-out of session 99: %v; want ErrNoSession", err)
	}
	open, err := r.svc.List(r.ctx, "")
	if err != nil || len(open) != 1 || open[0].ID != first.ID || !open[0].Deadline.Equal(first.Deadline) {
		t.Errorf("open sessions %+v (%v); want only the first, unchanged", open, err)
	}
}

func TestMetricsCountByGroupOnly(t *testing.T) {
	r := newRig(t)
	r.at(0) // primes the event cursor
	a := r.checkIn("anti_social_behaviour", officer, 30)
	r.checkIn("enforcement", "haringey-eo-2", 90)
	r.at(20 * time.Minute) // the asb reminder
	r.at(30 * time.Minute)
	if _, _, err := r.svc.CheckOut(r.ctx, a.ID, store.ViaAPI, officer); err != nil {
		t.Fatal(err)
	}
	r.at(31 * time.Minute)
	for _, c := range []struct {
		c    prometheus.Collector
		want float64
		what string
	}{
		{r.svc.m.checkins.WithLabelValues("haringey", "anti_social_behaviour"), 1, "asb check-ins"},
		{r.svc.m.checkins.WithLabelValues("haringey", "enforcement"), 1, "enforcement check-ins"},
		{r.svc.m.checkouts.WithLabelValues("haringey", "anti_social_behaviour"), 1, "asb check-outs"},
		{r.svc.m.escalations.WithLabelValues("haringey", "anti_social_behaviour", "alarm"), 1, "asb alarms"},
		{r.svc.m.escalations.WithLabelValues("haringey", "anti_social_behaviour", "reminder"), 1, "asb reminders"},
		{r.svc.m.sessions.WithLabelValues("haringey", "enforcement", StateActive), 1, "enforcement active"},
		{r.svc.m.sessions.WithLabelValues("haringey", "anti_social_behaviour", StateEscalated), 0, "asb escalated after check-out"},
	} {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("%s = %v; want %v", c.what, got, c.want)
		}
	}
	out, err := testutil.CollectAndFormat(r.svc.m.sessions, expfmt.TypeTextPlain, "loneworker_sessions")
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"haringey-asb-1", "4477009004", "High St"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("metrics carry personal data %q", leak)
		}
	}
	if probs, err := testutil.GatherAndLint(r.reg); err != nil || len(probs) > 0 {
		t.Errorf("lint: %v %v", probs, err)
	}
}

// Closed sessions go when the PO's retention runs out; open ones never.
func TestRetentionPurge(t *testing.T) {
	r := newRig(t)
	r.at(0)
	a := r.checkIn("anti_social_behaviour", officer, 30)
	b := r.checkIn("enforcement", "haringey-eo-2", 60)
	if _, _, err := r.svc.CheckOut(r.ctx, a.ID, store.ViaAPI, officer); err != nil {
		t.Fatal(err)
	}
	r.at(89 * 24 * time.Hour)
	if _, err := r.st.Session(r.ctx, a.ID); err != nil {
		t.Fatalf("purged before 90 days: %v", err)
	}
	r.at(91 * 24 * time.Hour)
	if _, err := r.st.Session(r.ctx, a.ID); !errors.Is(err, store.ErrNoSession) {
		t.Errorf("closed session after 91 days: %v; want purged (retention_days 90)", err)
	}
	if s := r.session(b.ID); !s.Open() {
		t.Error("an open session was purged")
	}
}

// A policy renamed in the catalogue while its alarm escalates does not stop
// the paging: the escalation carries on with the PO's own policy (for
// Haringey, the duty managers as the catch-all) and says so in its trail.
func TestPolicyRenamedMidEscalationStillPages(t *testing.T) {
	r := newRig(t)
	r.at(0)
	s := r.checkIn("anti_social_behaviour", officer, 30)
	r.at(30 * time.Minute) // step 1: the duty managers
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "london-ooh.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	renamed := strings.ReplaceAll(strings.ReplaceAll(string(src), "- id: lone_worker\n", "- id: lone_worker_v2\n"),
		"escalation_policy: lone_worker\n", "escalation_policy: lone_worker_v2\n")
	if r.cat, err = catalog.Parse("renamed.yaml", []byte(renamed)); err != nil {
		t.Fatal(err)
	}
	n := r.sms.n()
	r.at(45 * time.Minute)
	if got := r.sms.since(n); len(got) == 0 {
		t.Fatal("nothing paged after the policy was renamed; want the PO's own policy to carry on")
	}
	inc := r.incident(s.ID)
	ev, err := r.st.EscalationEvents(r.ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range ev {
		found = found || strings.Contains(e.Detail, "policy lone_worker is no longer in the catalogue")
	}
	if !found {
		t.Errorf("the escalation's trail does not say the policy was gone: %+v", ev)
	}
	if e, _ := r.st.Escalation(r.ctx, inc.ID); e.Policy != "" {
		t.Errorf("escalation policy %q after the fallback; want the PO's own (\"\")", e.Policy)
	}
}

// An alarm claimed and acknowledged on the console before its page went out
// (a crash in between) is raised and stopped at once: nobody is paged.
func TestAlarmAcknowledgedBeforeItsPageIsNotPaged(t *testing.T) {
	r := newRig(t)
	r.at(0)
	s := r.checkIn("anti_social_behaviour", officer, 30)
	r.clock.Set(t0.Add(31 * time.Minute))
	if ok, err := r.st.ClaimAlarm(r.ctx, s.ID, r.clock.Now()); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if _, _, err := r.st.AckAlarm(r.ctx, s.ID, store.ViaConsole, "ooh-dm-1", r.clock.Now()); err != nil {
		t.Fatal(err)
	}
	r.svc = r.service(nil)
	r.at(32 * time.Minute)
	r.at(60 * time.Minute)
	for _, m := range r.sms.sent {
		if m.Kind == "page" {
			t.Errorf("paged %s for an alarm acknowledged before its page", m.To.PersonID)
		}
	}
	if e, err := r.st.Escalation(r.ctx, r.incident(s.ID).ID); err != nil || e.State != store.EscalationAcknowledged || e.AckedBy != "ooh-dm-1" {
		t.Errorf("escalation %+v (%v); want acknowledged by ooh-dm-1", e, err)
	}
}
