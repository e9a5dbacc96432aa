package loneworker

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/sms"
	"github.com/slawatch/slawatch/store"
)

const (
	officer = "haringey-asb-1" // anti_social_behaviour: 45 min default, reminder 10 min before
	dm      = "page:ooh-dm-1"
)

func TestOnTimeCheckOutFiresNothing(t *testing.T) {
	r := newRig(t)
	r.at(0)
	s := r.checkIn("anti_social_behaviour", officer, 30)
	for _, d := range []time.Duration{time.Minute, 10 * time.Minute, 19 * time.Minute} {
		r.at(d)
	}
	if _, changed, err := r.svc.CheckOut(r.ctx, s.ID, store.ViaAPI, officer); err != nil || !changed {
		t.Fatalf("check out: changed %v, err %v", changed, err)
	}
	for _, d := range []time.Duration{20 * time.Minute, 30 * time.Minute, 2 * time.Hour} {
		r.at(d)
	}
	if n := r.reminder.n(); n != 0 {
		t.Errorf("%d reminders; want none for a check-out before the reminder", n)
	}
	if got := r.sms.since(0); len(got) != 0 || len(r.incidents()) != 0 {
		t.Errorf("pages %v, incidents %d; want none", got, len(r.incidents()))
	}
	if got := r.session(s.ID); got.State != store.SessionCheckedOut || got.AlarmRaised {
		t.Errorf("session %+v; want checked out without alarm", got)
	}
}

func TestReminderThenCheckOut(t *testing.T) {
	r := newRig(t)
	r.at(0)
	s := r.checkIn("anti_social_behaviour", officer, 30) // deadline 22:30, reminder 22:20
	r.at(19*time.Minute + 59*time.Second)
	if n := r.reminder.n(); n != 0 {
		t.Fatalf("%d reminders before 22:20; want none", n)
	}
	r.at(20 * time.Minute)
	r.at(21 * time.Minute) // claimed once, not again
	if got := r.reminder.since(0); !slices.Equal(got, []string{"page:" + officer}) {
		t.Fatalf("reminders %v; want one to %s", got, officer)
	}
	m := r.reminder.sent[0]
	if m.To.Phone.Reveal() != "+447700900411" || !strings.Contains(m.Summary, "check out by 22:30") {
		t.Errorf("reminder to %q: %q; want the officer's catalogue number and the deadline", m.To.Phone.Reveal(), m.Summary)
	}
	if text := sms.Text(m); len(text) > sms.SegmentLen || !strings.Contains(text, "#LW1") || !strings.Contains(text, "22:30") {
		t.Errorf("reminder SMS %q (%d chars); want one segment with #LW1 and the deadline", text, len(text))
	}
	if _, _, err := r.svc.CheckOut(r.ctx, s.ID, store.ViaSMS, officer); err != nil {
		t.Fatal(err)
	}
	r.at(31 * time.Minute)
	if got := r.sms.since(0); len(got) != 0 {
		t.Errorf("pages %v after a check-out following the reminder; want none", got)
	}
}

// The deadline pages the staff group's policy (duty managers, then
// Haringey's out-of-hours manager 15 minutes later, then its emergency
// contact), each step on time, until someone acknowledges.
func TestDeadlineEscalatesStepByStep(t *testing.T) {
	r := newRig(t)
	r.at(0)
	s := r.checkIn("anti_social_behaviour", officer, 30)
	r.at(29*time.Minute + 59*time.Second)
	if len(r.incidents()) != 0 {
		t.Fatal("an alarm before the deadline")
	}
	r.at(30 * time.Minute)
	inc := r.incident(s.ID)
	if inc.Status != store.IncidentFiring || inc.PO != "haringey" || !strings.Contains(inc.Summary(), "session") ||
		strings.Contains(inc.Summary(), "High St") {
		t.Fatalf("incident %+v; want firing for haringey, no location in the summary", inc)
	}
	if !inc.StartsAt.Equal(s.Deadline) {
		t.Errorf("incident starts %s; want the deadline %s", inc.StartsAt, s.Deadline)
	}
	step1 := r.sms.since(0)
	if !slices.Equal(step1, []string{dm, "page:ooh-dm-2"}) {
		t.Fatalf("at the deadline paged %v; want the duty managers (policy lone_worker step 1)", step1)
	}
	if e, _ := r.st.Escalation(r.ctx, inc.ID); e.Policy != "lone_worker" {
		t.Errorf("escalation policy %q; want lone_worker", e.Policy)
	}
	if got := r.session(s.ID); got.State != store.SessionOverdue || !got.AlarmRaised {
		t.Errorf("session %s alarm %v; want overdue with its alarm raised", got.State, got.AlarmRaised)
	}
	r.at(44*time.Minute + 59*time.Second)
	if got := r.sms.since(2); len(got) != 0 {
		t.Fatalf("paged %v before step 2 was due", got)
	}
	r.at(45 * time.Minute)
	if got := r.sms.since(2); !slices.Equal(got, []string{"page:haringey-ooh-manager"}) {
		t.Fatalf("15 minutes after the deadline paged %v; want haringey-ooh-manager", got)
	}
	r.at(60 * time.Minute)
	if got := r.sms.since(3); !slices.Equal(got, []string{"page:haringey-emergency-contact"}) {
		t.Fatalf("30 minutes after the deadline paged %v; want haringey-emergency-contact", got)
	}
	// Acknowledged by SMS code on the emergency contact's page: the chain
	// stops and the session records who took charge.
	if _, err := r.pager.Acknowledge(r.ctx, inc.ID, "haringey-emergency-contact", "sms"); err != nil {
		t.Fatal(err)
	}
	r.at(61 * time.Minute)
	got := r.session(s.ID)
	if got.AckedBy != "haringey-emergency-contact" {
		t.Errorf("session acked by %q; want haringey-emergency-contact (carried over from the page)", got.AckedBy)
	}
	n := r.sms.n()
	r.at(3 * time.Hour)
	for _, m := range r.sms.sent[n:] {
		if m.Kind == "page" {
			t.Errorf("paged %s after the acknowledgement", m.To.PersonID)
		}
	}
	ev, _ := r.st.SessionEvents(r.ctx, s.ID)
	var kinds []string
	for _, e := range ev {
		kinds = append(kinds, e.Kind+"/"+e.Via)
	}
	if want := []string{"checkin/api", "reminder/timer", "alarm/timer", "ack/pager"}; !slices.Equal(kinds, want) {
		t.Errorf("trail %v; want %v", kinds, want)
	}
}

// An acknowledgement on the session (the console, the API) stops the page.
func TestSessionAckStopsThePage(t *testing.T) {
	r := newRig(t)
	r.at(0)
	s := r.checkIn("anti_social_behaviour", officer, 30)
	r.at(30 * time.Minute)
	if _, changed, err := r.svc.Ack(r.ctx, s.ID, store.ViaConsole, "ooh-dm-2"); err != nil || !changed {
		t.Fatalf("ack: changed %v err %v", changed, err)
	}
	e, err := r.st.Escalation(r.ctx, r.incident(s.ID).ID)
	if err != nil || e.State != store.EscalationAcknowledged || e.AckedBy != "ooh-dm-2" {
		t.Fatalf("escalation %+v (%v); want acknowledged by ooh-dm-2", e, err)
	}
	n := r.sms.n()
	r.at(2 * time.Hour)
	for _, m := range r.sms.sent[n:] {
		if m.Kind == "page" {
			t.Errorf("paged %s after the acknowledgement", m.To.PersonID)
		}
	}
}

func TestExtensionMovesTheDeadline(t *testing.T) {
	r := newRig(t)
	r.at(0)
	s := r.checkIn("enforcement", "haringey-eo-2", 30) // extension allowed, max 120 min, 2 extensions
	r.at(20 * time.Minute)                             // reminder at 22:20
	if _, err := r.svc.Extend(r.ctx, s.ID, 15, store.ViaSMS, "haringey-eo-2"); err != nil {
		t.Fatal(err)
	}
	r.at(30 * time.Minute)
	r.at(44 * time.Minute)
	if len(r.incidents()) != 0 {
		t.Fatal("alarm at the old deadline after an extension")
	}
	if got := r.reminder.since(0); len(got) != 2 {
		t.Errorf("reminders %v; want two (before each deadline)", got)
	}
	r.at(45 * time.Minute)
	if r.incident(s.ID).Status != store.IncidentFiring {
		t.Error("no alarm at the extended deadline")
	}
	if _, err := r.svc.Extend(r.ctx, s.ID, 15, store.ViaSMS, "haringey-eo-2"); err == nil {
		t.Error("extended an overdue session; want refused (only a check-out closes the alarm)")
	}
}

// A check-out during the escalation resolves the page and tells everyone
// paged; nothing more is paged.
func TestCheckOutDuringEscalation(t *testing.T) {
	r := newRig(t)
	r.at(0)
	s := r.checkIn("anti_social_behaviour", officer, 30)
	r.at(30 * time.Minute)
	r.at(45 * time.Minute) // the duty managers and the OOH manager paged
	n := r.sms.n()
	if _, _, err := r.svc.CheckOut(r.ctx, s.ID, store.ViaPhone, officer); err != nil {
		t.Fatal(err)
	}
	if inc := r.incident(s.ID); inc.Status != store.IncidentResolved {
		t.Fatalf("incident %s after the check-out; want resolved at once", inc.Status)
	}
	r.at(46 * time.Minute)
	r.at(3 * time.Hour)
	got := r.sms.since(n)
	slices.Sort(got)
	if want := []string{"resolved:haringey-ooh-manager", "resolved:ooh-dm-1", "resolved:ooh-dm-2"}; !slices.Equal(got, want) {
		t.Errorf("after the check-out sent %v; want %v", got, want)
	}
}

// A drill (or the demo) runs the chain faster: Speedup 15 pages the 15-minute
// steps a minute apart.
func TestSpeedupShortensSteps(t *testing.T) {
	r := newRig(t)
	var err error
	r.pager, err = alerting.NewPager(alerting.PagerOptions{Catalog: r.svc.o.Catalog, Store: r.st, Logger: r.svc.o.Logger,
		Senders: []alerting.Sender{r.sms}, Now: r.clock.Now, Speedup: 15})
	if err != nil {
		t.Fatal(err)
	}
	r.svc = r.service(nil)
	r.at(0)
	r.checkIn("anti_social_behaviour", officer, 30)
	r.at(30 * time.Minute)
	r.at(30*time.Minute + 59*time.Second)
	if n := r.sms.n(); n != 2 {
		t.Fatalf("%d pages before a minute; want the duty managers' 2", n)
	}
	r.at(31 * time.Minute)
	if got := r.sms.since(2); !slices.Equal(got, []string{"page:haringey-ooh-manager"}) {
		t.Errorf("a minute after the deadline at 15x paged %v; want haringey-ooh-manager", got)
	}
}
