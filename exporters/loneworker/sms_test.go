package loneworker

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting/sms/twiliofake"
	"github.com/slawatch/slawatch/store"
)

func TestSMSCheckInThenOut(t *testing.T) {
	r := newHookRig(t)
	got := r.text(telASB1, "IN 30 12 High St")
	want := "Checked in: session 1 (anti_social_behaviour), check out by 22:30. Reply OUT when safe."
	if got != want {
		t.Fatalf("reply %q; want %q", got, want)
	}
	checkSMSReply(t, got)
	open := r.open()
	if len(open) != 1 {
		t.Fatalf("%d open sessions; want 1", len(open))
	}
	s, ev := r.session(open[0].ID)
	if s.Officer.Reveal() != "haringey-asb-1" || s.StaffGroup != "anti_social_behaviour" || s.Location.Reveal() != "12 High St" ||
		s.OfficerPhone.Reveal() != telASB1 || !s.Deadline.Equal(t0.Add(30*time.Minute)) || s.State != store.SessionActive {
		t.Errorf("stored %+v (officer %s, location %q, phone %s); want asb-1's 30-minute session at 12 High St",
			s, s.Officer.Reveal(), s.Location.Reveal(), s.OfficerPhone.Reveal())
	}
	if len(ev) != 1 || ev[0].Kind != store.LWCheckIn || ev[0].Via != store.ViaSMS || ev[0].By != "haringey-asb-1" {
		t.Errorf("events %+v; want one check-in via sms by haringey-asb-1", ev)
	}

	r.clock.Set(t0.Add(12 * time.Minute))
	if got := r.text(telASB1, "out."); got != "Checked out: session 1 is closed at 22:12. Stay safe." {
		t.Errorf("OUT reply %q", got)
	}
	s, ev = r.session(1)
	if s.State != store.SessionCheckedOut || len(ev) != 2 || ev[1].Kind != store.LWCheckOut || ev[1].Via != store.ViaSMS {
		t.Errorf("after OUT: state %s, events %+v; want checked out via sms", s.State, ev)
	}
	if got := r.text(telASB1, "OUT"); got != "You have no open session, so nothing was checked out. Send IN to check in." {
		t.Errorf("second OUT reply %q", got)
	}
	if _, ev = r.session(1); len(ev) != 2 {
		t.Errorf("a second OUT added events: %+v", ev)
	}
	r.noPersonalLogs("High St")
	if !strings.Contains(r.logs.String(), "outcome=checked_in") || !strings.Contains(r.logs.String(), "session=1") {
		t.Errorf("logs do not say what was done:\n%s", r.logs)
	}
}

func TestSMSExtend(t *testing.T) {
	r := newHookRig(t)
	if got := r.text(telEO2, "IN"); got != "Checked in: session 1 (enforcement), check out by 23:00. Reply OUT when safe, EXT 15 to extend." {
		t.Fatalf("IN reply %q", got)
	}
	for _, c := range []struct{ body, reply, deadline string }{
		{"EXT 30", "Extended: session 1, new deadline 23:30. Reply OUT when safe.", "23:30"},
		{"ext 60", "Extension refused: 60 minutes would pass the maximum of 120; at most 30 more. Your deadline is still 23:30.", "23:30"},
		{"EXT 15", "Extended: session 1, new deadline 23:45. Reply OUT when safe.", "23:45"},
		{"EXT 5", "Extension refused: extended 2 times already, the most allowed. Your deadline is still 23:45.", "23:45"},
	} {
		got := r.text(telEO2, c.body)
		if got != c.reply {
			t.Errorf("%s: reply %q; want %q", c.body, got, c.reply)
		}
		checkSMSReply(t, got)
		s, _ := r.session(1)
		if d := s.Deadline.Format("15:04"); d != c.deadline {
			t.Errorf("%s: stored deadline %s; want %s", c.body, d, c.deadline)
		}
	}

	// A group without extension; then past the deadline.
	r.text(telASB1, "IN")
	if got := r.text(telASB1, "EXT 10"); got != "Extension refused: anti_social_behaviour sessions cannot be extended. Your deadline is still 22:45." {
		t.Errorf("EXT in a group without extension: %q", got)
	}
	r.clock.Set(t0.Add(50 * time.Minute))
	if got := r.text(telASB1, "EXT 10"); !strings.HasPrefix(got, "Too late to extend: session 2 is past its deadline and the alarm is raised. Reply OUT") {
		t.Errorf("EXT after the deadline: %q", got)
	}
	if got := r.text(telASB1, "IN 20"); !strings.HasPrefix(got, "Session 2 is past its deadline and the alarm is raised; nothing new was recorded. Reply OUT") {
		t.Errorf("IN while overdue: %q", got)
	}
	if got := r.text(telASB2, "EXT 10"); got != "You have no open session to extend. Send IN to check in." {
		t.Errorf("EXT without a session: %q", got)
	}
	if s, ev := r.session(2); !s.Deadline.Equal(t0.Add(45*time.Minute)) || len(ev) != 1 {
		t.Errorf("refused extensions changed session 2: deadline %s, events %+v", s.Deadline, ev)
	}
	if len(r.open()) != 2 {
		t.Errorf("%d open sessions; want 2", len(r.open()))
	}
}

func TestSMSUnknownNumberStoresNothing(t *testing.T) {
	r := newHookRig(t)
	for _, body := range []string{"IN 30 12 High St", "OUT", "HELP", "gibberish"} {
		if got := r.text(telStrange, body); got != NotRegisteredReply {
			t.Errorf("%q from an unknown number: %q; want %q", body, got, NotRegisteredReply)
		}
	}
	checkSMSReply(t, NotRegisteredReply)
	r.noSessions()
	r.noPersonalLogs("High St")
}

func TestSMSMalformedStoresNothing(t *testing.T) {
	r := newHookRig(t)
	for body, want := range map[string]string{
		"hello":        "Not understood. " + CommandUsage,
		"IN 0 High St": "Minutes must be 1 to 720. " + CommandUsage,
		"EXT":          "EXT needs minutes. " + CommandUsage,
		"IN 100":       "anti_social_behaviour visits are at most 90 minutes. Nothing was recorded. Send IN 90 or less.",
		"IN enf 30":    `"enf" is not one of your groups: anti_social_behaviour (asb). Nothing was recorded. E.g. IN asb 30`,
	} {
		if got := r.text(telASB1, body); got != want {
			t.Errorf("%q: reply %q; want %q", body, got, want)
		}
	}
	r.noSessions()
}

func TestSMSDuplicateCheckIn(t *testing.T) {
	r := newHookRig(t)
	r.text(telASB1, "IN 30")
	r.clock.Set(t0.Add(5 * time.Minute))
	want := "You already have session 1 open until 22:30; nothing new was recorded. Send OUT first, then IN again."
	if got := r.text(telASB1, "IN 45 Other Rd"); got != want {
		t.Errorf("duplicate IN: %q; want %q", got, want)
	}
	if open := r.open(); len(open) != 1 || open[0].Location.Reveal() != "" || !open[0].Deadline.Equal(t0.Add(30*time.Minute)) {
		t.Errorf("open sessions %+v; want the first one only, unchanged", open)
	}
}

// An officer in two groups checks in under the first unless they name
// one, by id, alias or prefix.
func TestSMSGroups(t *testing.T) {
	r := newHookRig(t)
	got := r.text(telEO1, "IN 30")
	want := "Checked in: session 1 (enforcement), check out by 22:30. Reply OUT when safe, EXT 15 to extend. " +
		"Group enforcement: you are in 2 groups, name one to choose, e.g. IN asb 30."
	if got != want {
		t.Errorf("IN without a group: %q; want %q", got, want)
	}
	r.text(telEO1, "OUT")
	if got := r.text(telEO1, "in ASB 20 1 Park Lane"); !strings.HasPrefix(got, "Checked in: session 2 (anti_social_behaviour), check out by 22:20.") {
		t.Errorf("IN asb: %q", got)
	}
	if s, _ := r.session(2); s.StaffGroup != "anti_social_behaviour" || s.Location.Reveal() != "1 Park Lane" {
		t.Errorf("session 2: group %s location %q", s.StaffGroup, s.Location.Reveal())
	}
	got = r.text(telEO1, "help")
	if !strings.HasPrefix(got, CommandUsage) || !strings.HasSuffix(got, "Your groups: enforcement, anti_social_behaviour (asb).") {
		t.Errorf("HELP: %q", got)
	}
}

func TestSMSBadSignatureStoresNothing(t *testing.T) {
	r := newHookRig(t)
	form := smsForm(telASB1, "IN 30")
	for name, sig := range map[string]string{
		"wrong token":   twiliofake.Signature("not-the-token", r.sms.URL(), form),
		"another URL":   twiliofake.Signature(hookToken, r.srv.URL+DefaultSMSPath, form), // the server's own URL, not the public one
		"tampered body": twiliofake.Signature(hookToken, r.sms.URL(), smsForm(telASB1, "OUT")),
		"no signature":  "",
	} {
		if code, body := r.postSig(r.sms.URL(), sig, form); code != http.StatusForbidden {
			t.Errorf("%s: status %d (%s); want 403", name, code, body)
		}
	}
	r.noSessions()
	if !strings.Contains(r.logs.String(), "missing or bad signature") {
		t.Errorf("rejections not logged:\n%s", r.logs)
	}
}

// A store that fails: the officer is told nothing was recorded, and the
// log says why (still without their number).
func TestSMSStoreFailureSaysNotRecorded(t *testing.T) {
	r := newHookRig(t)
	r.st.Close()
	if got := r.text(telASB1, "IN 30 12 High St"); got != SMSFailedReply {
		t.Errorf("IN with the store down: %q; want %q", got, SMSFailedReply)
	}
	d := r.press(r.press(r.dial(telASB1), telASB1, "1"), telASB1, "30")
	wantSaid(t, "check in with the store down", d, voiceFailed)
	wantHangup(t, "check in with the store down", d)
	logs := r.logs.String()
	if !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "outcome=failed") {
		t.Errorf("failures not logged as errors:\n%s", logs)
	}
	r.noPersonalLogs("High St")
}
