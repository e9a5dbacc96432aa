package loneworker

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting/sms/twiliofake"
	"github.com/slawatch/slawatch/store"
)

// wantSaid fails unless d says each of parts (in its <Say>s or its
// first <Gather>'s prompt).
func wantSaid(t *testing.T, step string, d voiceDoc, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(d.said(), p) {
			t.Errorf("%s: said %q; want %q in it", step, d.said(), p)
		}
	}
}

// wantHangup fails unless d ends the call without asking anything.
func wantHangup(t *testing.T, step string, d voiceDoc) {
	t.Helper()
	if d.Hangup == nil || len(d.Gathers) != 0 {
		t.Errorf("%s: %s; want a goodbye and <Hangup/> without <Gather>", step, d.raw)
	}
}

func TestVoiceKnownCallerChecksIn(t *testing.T) {
	r := newHookRig(t)
	d := r.dial(telASB1)
	wantSaid(t, "answer", d, "Welcome to the lone worker line.", voiceMenu)
	if g := d.Gathers[0]; g.NumDigits != "1" || !strings.HasPrefix(g.Action, hookPublic+DefaultVoicePath+"?") {
		t.Errorf("menu <Gather> numDigits %q action %q", g.NumDigits, g.Action)
	}
	d = r.press(d, telASB1, "1")
	wantSaid(t, "1", d, "Enter the length of your visit in minutes, then press hash. For the default of 45 minutes, just press hash.")
	if g := d.Gathers[0]; g.FinishOnKey != "#" || g.NumDigits != "" {
		t.Errorf("minutes <Gather> finishOnKey %q numDigits %q; want # and any number", g.FinishOnKey, g.NumDigits)
	}
	for _, g := range d.Gathers {
		if strings.Contains(g.Action, "7700") {
			t.Errorf("action %q holds the phone number", g.Action)
		}
	}
	d = r.press(d, telASB1, "30")
	wantSaid(t, "30#", d, "You are checked in for anti social behaviour. Session 1. Your deadline is 22 30.")
	wantHangup(t, "30#", d)

	s, ev := r.session(1)
	if s.Officer.Reveal() != "haringey-asb-1" || s.StaffGroup != "anti_social_behaviour" || s.OfficerPhone.Reveal() != telASB1 ||
		!s.Deadline.Equal(t0.Add(30*time.Minute)) || s.Location.Reveal() != "" {
		t.Errorf("stored %+v; want asb-1's 30-minute session with the caller's number", s)
	}
	if len(ev) != 1 || ev[0].Via != store.ViaPhone || ev[0].By != "haringey-asb-1" {
		t.Errorf("events %+v; want a check-in via phone by haringey-asb-1", ev)
	}

	// # alone (Digits empty) is the group's default.
	d = r.press(r.press(r.dial(telASB2), telASB2, "1"), telASB2, "")
	wantSaid(t, "#", d, "Session 2. Your deadline is 22 45.")
	if s, _ := r.session(2); !s.Deadline.Equal(t0.Add(45 * time.Minute)) {
		t.Errorf("session 2 deadline %s; want the 45-minute default", s.Deadline)
	}
	r.noPersonalLogs()
	if !strings.Contains(r.logs.String(), "outcome=checked_in") {
		t.Errorf("logs do not say what was done:\n%s", r.logs)
	}
}

func TestVoicePINCallerChecksOut(t *testing.T) {
	r := newHookRig(t)
	r.text(telEO1, "IN 60 12 High St")
	r.clock.Set(t0.Add(20 * time.Minute))

	d := r.dial(telStrange)
	wantSaid(t, "answer", d, "This phone is not registered. Please enter your 6 digit PIN.")
	if d.Gathers[0].NumDigits != "6" {
		t.Errorf("PIN <Gather> numDigits %q; want 6", d.Gathers[0].NumDigits)
	}
	d = r.press(d, telStrange, "246810")
	wantSaid(t, "PIN", d, "Thank you. You have session 1 open until 23 00.", voiceMenu)
	if !strings.Contains(d.Gathers[0].Action, "who=haringey-eo-1") || strings.Contains(d.raw, "7700") {
		t.Errorf("menu action %q; want the officer's id, never a number", d.Gathers[0].Action)
	}
	d = r.press(d, telStrange, "2")
	wantSaid(t, "2", d, "You are checked out. Session 1 is closed.")
	wantHangup(t, "2", d)
	s, ev := r.session(1)
	if s.State != store.SessionCheckedOut || len(ev) != 2 || ev[1].Kind != store.LWCheckOut || ev[1].Via != store.ViaPhone || ev[1].By != "haringey-eo-1" {
		t.Errorf("after 2: state %s events %+v; want checked out via phone by haringey-eo-1", s.State, ev)
	}

	// Checking in by PIN keeps the officer's own number as the callback,
	// not the phone they borrowed.
	d = r.press(r.press(r.press(r.dial(telStrange), telStrange, "246810"), telStrange, "1"), telStrange, "1")
	d = r.press(d, telStrange, "")
	wantSaid(t, "check in by PIN", d, "You are checked in for enforcement. Session 2.")
	if s, _ := r.session(2); s.OfficerPhone.Reveal() != telEO1 {
		t.Errorf("callback number %q; want the officer's own %s", s.OfficerPhone.Reveal(), telEO1)
	}
	// Nothing to check out: said so, back to the menu.
	r.press(r.dial(telEO1), telEO1, "2") // session 2 out
	d = r.press(r.dial(telEO1), telEO1, "2")
	wantSaid(t, "2 without a session", d, "You have no open session to check out.", voiceMenu)
	r.noPersonalLogs("High St")
}

func TestVoiceWrongPINThreeTimes(t *testing.T) {
	r := newHookRig(t)
	d := r.dial(telStrange)
	for i, pin := range []string{"111111", "", "24681"} {
		d = r.press(d, telStrange, pin)
		if i < 2 {
			wantSaid(t, "wrong PIN", d, "That PIN was not recognised. Please enter your 6 digit PIN.")
		}
	}
	wantSaid(t, "third wrong PIN", d, "Sorry, that PIN was not recognised. Goodbye.")
	wantHangup(t, "third wrong PIN", d)
	r.noSessions()
	r.noPersonalLogs()
}

// haringey-eo-1 is in enforcement and anti_social_behaviour: a second
// menu picks the group.
func TestVoiceGroupMenu(t *testing.T) {
	r := newHookRig(t)
	d := r.press(r.dial(telEO1), telEO1, "1")
	wantSaid(t, "1", d, "For enforcement, press 1. For anti social behaviour, press 2.")
	d = r.press(d, telEO1, "7")
	wantSaid(t, "7", d, "Sorry, that is not one of the choices.", "For enforcement, press 1.")
	d = r.press(d, telEO1, "2")
	wantSaid(t, "2", d, "For the default of 45 minutes")
	d = r.press(d, telEO1, "95")
	wantSaid(t, "95", d, "Sorry, a visit is 1 to 90 minutes.", "Enter the length of your visit")
	d = r.press(d, telEO1, "")
	wantSaid(t, "#", d, "You are checked in for anti social behaviour. Session 1. Your deadline is 22 45.")
	if s, _ := r.session(1); s.StaffGroup != "anti_social_behaviour" {
		t.Errorf("group %s; want anti_social_behaviour", s.StaffGroup)
	}

	// A second check-in is refused and the menu offers the check-out.
	d = r.press(r.press(r.press(r.dial(telEO1), telEO1, "1"), telEO1, "1"), telEO1, "30")
	wantSaid(t, "duplicate", d, "Nothing new was recorded. You have session 1 open until 22 45. Check out first by pressing 2.", voiceMenu)
	if len(r.open()) != 1 {
		t.Errorf("%d open sessions; want 1", len(r.open()))
	}
}

func TestVoiceExtend(t *testing.T) {
	r := newHookRig(t)
	r.press(r.press(r.dial(telEO2), telEO2, "1"), telEO2, "60")
	d := r.press(r.dial(telEO2), telEO2, "3")
	wantSaid(t, "3", d, "Enter the minutes to add, then press hash.")
	d = r.press(d, telEO2, "20")
	wantSaid(t, "20#", d, "Session 1 is extended. Your new deadline is 23 20.")
	wantHangup(t, "20#", d)
	if s, ev := r.session(1); !s.Deadline.Equal(t0.Add(80*time.Minute)) || ev[len(ev)-1].Kind != store.LWExtend || ev[len(ev)-1].Via != store.ViaPhone {
		t.Errorf("deadline %s events %+v; want 23:20 extended via phone", s.Deadline, ev)
	}
	d = r.press(r.press(r.dial(telEO2), telEO2, "3"), telEO2, "60")
	wantSaid(t, "60#", d, "Extension refused: 60 minutes would pass the maximum of 120; at most 40 more.", voiceMenu)
	if s, _ := r.session(1); !s.Deadline.Equal(t0.Add(80 * time.Minute)) {
		t.Errorf("a refused extension moved the deadline to %s", s.Deadline)
	}
	d = r.press(r.dial(telASB1), telASB1, "3")
	wantSaid(t, "3 without a session", d, "You have no open session to extend.", voiceMenu)
}

// A prompt that gets no key is repeated once, then the call ends: two
// identical <Gather>s, then the goodbye and <Hangup/>, in that order.
func TestVoiceTimeoutRepeatsOnceThenHangsUp(t *testing.T) {
	r := newHookRig(t)
	d := r.dial(telASB1)
	if len(d.Gathers) != 2 || d.Gathers[0] != d.Gathers[1] {
		t.Fatalf("%s: want the same <Gather> twice", d.raw)
	}
	g2 := strings.LastIndex(d.raw, "<Gather")
	bye := strings.Index(d.raw, NoInputGoodbye)
	hang := strings.Index(d.raw, "<Hangup")
	if !(g2 < bye && bye < hang) {
		t.Errorf("%s: want <Gather>, <Gather>, %q, <Hangup/> in that order", d.raw, NoInputGoodbye)
	}
}

func TestVoiceBadSignatureStoresNothing(t *testing.T) {
	r := newHookRig(t)
	form := url.Values{"CallSid": {"CA1"}, "From": {telStrange}, "Digits": {"1"}, "To": {lineNumber}}
	// A menu step Twilio was never sent to: the PIN skipped by putting an
	// officer's id in the query of a URL signed without it.
	signed := r.voice.URL() + "?step=menu"
	forged := r.voice.URL() + "?" + url.Values{"step": {"menu"}, "who": {"haringey-eo-1"}}.Encode()
	for name, c := range map[string]struct{ url, sig string }{
		"wrong token":    {forged, twiliofake.Signature("not-the-token", forged, form)},
		"forged query":   {forged, twiliofake.Signature(hookToken, signed, form)},
		"no signature":   {r.voice.URL(), ""},
		"local URL sign": {r.voice.URL(), twiliofake.Signature(hookToken, r.srv.URL+DefaultVoicePath, form)},
	} {
		if code, body := r.postSig(c.url, c.sig, form); code != http.StatusForbidden {
			t.Errorf("%s: status %d (%s); want 403", name, code, body)
		}
	}
	r.noSessions()
}

// Redialling does not reset the PIN guesses: ten wrong PINs in 15 minutes,
// from any callers, lock PIN entry (a registered phone still works), and
// the lock lifts after the window.
func TestVoicePINLockAcrossCalls(t *testing.T) {
	r := newHookRig(t)
	var d voiceDoc
	for call := 0; call < 4; call++ {
		d = r.dial(telStrange)
		for try := 0; try < 3 && len(d.Gathers) > 0; try++ {
			d = r.press(d, telStrange, "111111")
		}
	}
	wantSaid(t, "after ten wrong PINs", d, "PIN entry is not available")
	d = r.dial(telStrange)
	wantSaid(t, "a new call while locked", d, "PIN entry is not available")
	wantHangup(t, "a new call while locked", d)
	d = r.dial(telASB1)
	wantSaid(t, "a registered phone while locked", d, "Welcome to the lone worker line.", voiceMenu)
	if !strings.Contains(r.logs.String(), "PIN entry locked") {
		t.Errorf("the lock is not logged:\n%s", r.logs)
	}
	r.clock.Set(r.clock.Now().Add(16 * time.Minute))
	d = r.press(r.dial(telStrange), telStrange, "246810")
	wantSaid(t, "the right PIN after the window", d, "Thank you.")
	r.noPersonalLogs()
}
