package loneworker

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

const eo1 = `{"po": "haringey", "staff_group": "enforcement", "officer": "haringey-eo-1", "location": "12 High St",
 "uprn": "100021234567", "minutes": 45, "phone": "+447700900999"}`

func TestAPICheckInIsStoredThenShownListedAndCheckedOut(t *testing.T) {
	r := newAPIRig(t)
	got := r.checkIn(tokHaringey, eo1)
	// The 201 came after the store had it: read it back from the store.
	st, err := r.st.Session(r.ctx, got.ID)
	if err != nil {
		t.Fatalf("the check-in answered 201 is not in the store: %v", err)
	}
	if st.Officer.Reveal() != "haringey-eo-1" || st.Location.Reveal() != "12 High St" || st.OfficerPhone.Reveal() != "+447700900999" ||
		st.UPRN != "100021234567" || st.State != store.SessionActive || !st.Deadline.Equal(t0.Add(45*time.Minute)) {
		t.Errorf("stored session %+v (officer %s, location %s, phone %s)", st, st.Officer.Reveal(), st.Location.Reveal(), st.OfficerPhone.Reveal())
	}
	want := SessionJSON{ID: got.ID, PO: "haringey", StaffGroup: "enforcement", Officer: "haringey-eo-1", Phone: "+447700900999",
		Location: "12 High St", UPRN: "100021234567", Started: t0, Deadline: t0.Add(45 * time.Minute), State: "active"}
	rem := t0.Add(35 * time.Minute) // reminder_before 10m
	want.Reminder = &rem
	if fmt.Sprint(got) != fmt.Sprint(want) || !got.Reminder.Equal(rem) {
		t.Errorf("201 body\n got %+v\nwant %+v", got, want)
	}
	_, h, _ := r.do(tokHaringey, "GET", sessionPath(got.ID, ""), "")
	if loc := h.Get("Location"); loc != "" {
		t.Errorf("GET answered a Location %q", loc)
	}

	// Show: the session and its trail, authored by the credential.
	shown := decodeAs[SessionJSON](t, r.want(http.StatusOK, tokHaringey, "GET", sessionPath(got.ID, ""), ""))
	if len(shown.Events) != 1 || shown.Events[0].Kind != store.LWCheckIn || shown.Events[0].Via != store.ViaAPI ||
		shown.Events[0].By != "haringey-office" {
		t.Errorf("trail %+v; want one checkin via api by haringey-office", shown.Events)
	}

	// List: the open session, for the PO's credential and the provider's.
	for _, tok := range []string{tokHaringey, tokProvider} {
		l := decodeAs[SessionList](t, r.want(http.StatusOK, tok, "GET", APIPrefix+"sessions", ""))
		if len(l.Sessions) != 1 || l.Sessions[0].ID != got.ID || l.Sessions[0].Location != "12 High St" {
			t.Errorf("list %+v", l)
		}
	}

	// Check out; again is harmless (changed false), and nothing is open.
	out := decodeAs[SessionJSON](t, r.want(http.StatusOK, tokHaringey, "POST", sessionPath(got.ID, "checkout"), ""))
	if out.State != store.SessionCheckedOut || out.CheckedOut == nil || out.Changed == nil || !*out.Changed {
		t.Errorf("check-out answer %+v", out)
	}
	again := decodeAs[SessionJSON](t, r.want(http.StatusOK, tokHaringey, "POST", sessionPath(got.ID, "checkout"), "{}"))
	if again.Changed == nil || *again.Changed {
		t.Errorf("second check-out: changed %v, want false", again.Changed)
	}
	if s, _ := r.st.Session(r.ctx, got.ID); s.State != store.SessionCheckedOut {
		t.Errorf("stored state %s after check-out", s.State)
	}
	ev, _ := r.st.SessionEvents(r.ctx, got.ID)
	if len(ev) != 2 || ev[1].Kind != store.LWCheckOut || ev[1].By != "haringey-office" || ev[1].Via != store.ViaAPI {
		t.Errorf("trail after two check-outs: %+v; want checkin, one checkout by haringey-office via api", ev)
	}
	if l := decodeAs[SessionList](t, r.want(http.StatusOK, tokProvider, "GET", APIPrefix+"sessions", "")); len(l.Sessions) != 0 {
		t.Errorf("open sessions after check-out: %+v", l)
	}
	r.noPersonalDataLogged("haringey-eo-1", "12 High St", "+447700900999", "100021234567")
	if !strings.Contains(r.logs.String(), "lone-worker check-in") {
		t.Errorf("no log line for the check-in:\n%s", r.logs)
	}
}

func TestAPICheckInUntilAndDefaults(t *testing.T) {
	r := newAPIRig(t)
	// until: the deadline itself; the phone defaults to the officer's SMS number.
	s := r.checkIn(tokProvider, `{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","until":"2026-11-20T22:30:00Z"}`)
	if !s.Deadline.Equal(t0.Add(30*time.Minute)) || s.Phone != "+447700900402" {
		t.Errorf("until check-in: deadline %v phone %q", s.Deadline, s.Phone)
	}
	// A PO-scoped caller may leave po out; no minutes: the group's default (45 for anti-social behaviour).
	s = r.checkIn(tokHaringey, `{"staff_group":"anti_social_behaviour","officer":"haringey-asb-1"}`)
	if s.PO != "haringey" || !s.Deadline.Equal(t0.Add(45*time.Minute)) {
		t.Errorf("default check-in: %+v", s)
	}
}

func TestAPIBadInputIsRefusedClearlyAndChangesNothing(t *testing.T) {
	r := newAPIRig(t)
	open := r.checkIn(tokHaringey, eo1)
	for _, tc := range []struct {
		name       string
		code       int
		method     string
		path, body string
		parts      []string
	}{
		{"unknown officer", 422, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"nobody-9","minutes":30}`,
			[]string{`officer "nobody-9"`, "haringey-eo-1, haringey-eo-2, haringey-eo-3"}},
		{"unknown staff group", 422, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"dog_wardens","officer":"haringey-eo-2","minutes":30}`,
			[]string{`staff group "dog_wardens"`, "enforcement, anti_social_behaviour"}},
		{"minutes over the maximum", 422, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","minutes":121}`, []string{"minutes: 121", "1 to 120"}},
		{"minutes zero", 422, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","minutes":0}`, []string{"minutes: 0"}},
		{"negative minutes", 422, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","minutes":-5}`, []string{"1 to 120"}},
		{"minutes and until", 422, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","minutes":5,"until":"2026-11-20T22:30:00Z"}`,
			[]string{"not both"}},
		{"until not RFC 3339", 422, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","until":"22:30"}`, []string{"until", "RFC 3339"}},
		{"until in the past", 422, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","until":"2026-11-20T21:30:00Z"}`, []string{"until"}},
		{"phone not E.164", 422, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","phone":"07700 900000"}`, []string{"phone", "E.164"}},
		{"uprn not digits", 422, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","uprn":"12-A"}`, []string{"uprn"}},
		{"duplicate check-in", 409, "POST", APIPrefix + "sessions", eo1,
			[]string{fmt.Sprintf("open session %d", open.ID), "check it out first"}},
		{"malformed JSON", 400, "POST", APIPrefix + "sessions", `{"po": "haringey",`, []string{"malformed JSON"}},
		{"not an object", 400, "POST", APIPrefix + "sessions", `[1,2]`, []string{"JSON object"}},
		{"unknown field", 400, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","name":"Jo Bloggs"}`, []string{`unknown field "name"`}},
		{"wrong type", 400, "POST", APIPrefix + "sessions",
			`{"po":"haringey","staff_group":"enforcement","officer":"haringey-eo-2","minutes":"45"}`, []string{`"minutes"`, "integer"}},
		{"two objects", 400, "POST", APIPrefix + "sessions", `{} {}`, []string{"more data after the object"}},
		{"empty body", 400, "POST", APIPrefix + "sessions", ``, []string{"empty body"}},
		{"check-out of an unknown session", 404, "POST", sessionPath(9999, "checkout"), "", []string{"no lone-worker session 9999"}},
		{"show an unknown session", 404, "GET", sessionPath(9999, ""), "", []string{"9999"}},
		{"non-numeric id", 404, "GET", APIPrefix + "sessions/abc", "", []string{"positive integers"}},
		{"unknown route", 404, "GET", APIPrefix + "officers", "", []string{"routes:"}},
		{"check-out with fields", 400, "POST", sessionPath(open.ID, "checkout"), `{"officer":"x"}`, []string{"unknown field"}},
		{"extend without minutes", 422, "POST", sessionPath(open.ID, "extend"), `{}`, []string{"minutes: 0"}},
		{"extend past the maximum", 409, "POST", sessionPath(open.ID, "extend"), `{"minutes":90}`,
			[]string{"at most 2h0m0s allowed", "75 minutes left"}},
		{"ack of a session not overdue", 409, "POST", sessionPath(open.ID, "ack"), "", []string{"no alarm raised"}},
		{"empty note", 422, "POST", sessionPath(open.ID, "notes"), `{"text":"  "}`, []string{"text: empty"}},
		{"note with a newline", 422, "POST", sessionPath(open.ID, "notes"), `{"text":"a\nb"}`, []string{"one line"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.t = t
			r.unchanged(tc.name, func() { r.wantErr(tc.code, tokHaringey, tc.method, tc.path, tc.body, tc.parts...) })
		})
	}
	r.t = t
	r.unchanged("unknown po", func() {
		r.wantErr(422, tokProvider, "POST", APIPrefix+"sessions", `{"po":"atlantis","staff_group":"enforcement","officer":"haringey-eo-2"}`,
			`po "atlantis"`, "haringey")
	})
	// The refused duplicate names the open session in the body too.
	e := r.wantErr(409, tokHaringey, "POST", APIPrefix+"sessions", eo1)
	if e.Session != open.ID {
		t.Errorf("409 session %d, want %d", e.Session, open.ID)
	}
	// The open session is still there, untouched, and the only one.
	l := decodeAs[SessionList](t, r.want(http.StatusOK, tokProvider, "GET", APIPrefix+"sessions", ""))
	if len(l.Sessions) != 1 || l.Sessions[0].ID != open.ID || l.Sessions[0].Extensions != 0 || l.Sessions[0].State != "active" {
		t.Errorf("after the refusals: %+v", l)
	}
	r.noPersonalDataLogged("haringey-eo-1", "12 High St", "+447700900999", "Jo Bloggs")
}

func TestAPIMethodNotAllowedAndUnauthenticated(t *testing.T) {
	r := newAPIRig(t)
	s := r.checkIn(tokProvider, eo1)
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", APIPrefix + "sessions", "GET, HEAD, POST"},
		{"PUT", sessionPath(s.ID, ""), "GET, HEAD"},
		{"GET", sessionPath(s.ID, "checkout"), "POST"},
		{"GET", sessionPath(s.ID, "extend"), "POST"},
	} {
		r.unchanged(tc.method+" "+tc.path, func() {
			code, h, b := r.do(tokProvider, tc.method, tc.path, "")
			if code != http.StatusMethodNotAllowed || h.Get("Allow") != tc.allow || !strings.Contains(string(b), `"error"`) {
				t.Errorf("%s %s: %d Allow %q %s; want 405 Allow %q", tc.method, tc.path, code, h.Get("Allow"), b, tc.allow)
			}
		})
	}
	r.unchanged("no token", func() {
		r.wantErr(http.StatusUnauthorized, "", "POST", sessionPath(s.ID, "checkout"), "", "Authorization")
		r.wantErr(http.StatusUnauthorized, "tok-wrong", "GET", APIPrefix+"sessions", "", "unknown")
	})
}

func TestAPIScopeForbidsOtherPOs(t *testing.T) {
	r := newAPIRig(t)
	s := r.checkIn(tokProvider, eo1)
	// A session of another PO, written to the store directly (only haringey
	// has staff groups in the example catalogue).
	other, err := r.st.CheckIn(r.ctx, store.LoneWorkerSession{PO: "ealing", StaffGroup: "wardens", Officer: catalog.NewPrivate("ealing-w-1"),
		Started: t0, Deadline: t0.Add(time.Hour)}, store.ViaAPI, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, path, body string }{
		{"GET", sessionPath(s.ID, ""), ""},
		{"POST", sessionPath(s.ID, "checkout"), ""},
		{"POST", sessionPath(s.ID, "extend"), `{"minutes":10}`},
		{"POST", sessionPath(s.ID, "ack"), ""},
		{"POST", sessionPath(s.ID, "notes"), `{"text":"hello"}`},
		{"POST", APIPrefix + "sessions", eo1},
		{"POST", APIPrefix + "sessions", strings.Replace(eo1, "haringey-eo-1", "haringey-eo-2", 1)},
		{"GET", APIPrefix + "sessions?po=haringey", ""},
	} {
		r.unchanged("ealing-office "+tc.method+" "+tc.path, func() {
			e := r.wantErr(http.StatusForbidden, tokEaling, tc.method, tc.path, tc.body, "ealing-office", "PO ealing")
			if strings.Contains(e.Error, "haringey-eo") || strings.Contains(e.Error, "High St") {
				t.Errorf("403 leaks the session: %q", e.Error)
			}
		})
	}
	// Lists are filtered by scope.
	ids := func(tok, q string) []int64 {
		var out []int64
		for _, x := range decodeAs[SessionList](t, r.want(http.StatusOK, tok, "GET", APIPrefix+"sessions"+q, "")).Sessions {
			out = append(out, x.ID)
		}
		return out
	}
	for _, tc := range []struct {
		tok, q string
		want   string
	}{
		{tokEaling, "", fmt.Sprint([]int64{other.ID})},
		{tokEaling, "?po=ealing", fmt.Sprint([]int64{other.ID})},
		{tokHaringey, "", fmt.Sprint([]int64{s.ID})},
		{tokProvider, "?po=haringey", fmt.Sprint([]int64{s.ID})},
		{tokProvider, "", fmt.Sprint([]int64{s.ID, other.ID})},
	} {
		if got := fmt.Sprint(ids(tc.tok, tc.q)); got != tc.want {
			t.Errorf("list %s%s: %s, want %s", tc.tok, tc.q, got, tc.want)
		}
	}
	r.wantErr(http.StatusUnprocessableEntity, tokProvider, "GET", APIPrefix+"sessions?po=atlantis", "", `po "atlantis"`, "haringey")
	// The PO's own credential may act.
	r.want(http.StatusOK, tokHaringey, "POST", sessionPath(s.ID, "checkout"), "")
}

func TestAPIExtendAckNotesAndConflicts(t *testing.T) {
	r := newAPIRig(t)
	s := r.checkIn(tokHaringey, eo1) // enforcement: max 120 minutes, 2 extensions
	ext := decodeAs[SessionJSON](t, r.want(http.StatusOK, tokHaringey, "POST", sessionPath(s.ID, "extend"), `{"minutes":15}`))
	if !ext.Deadline.Equal(t0.Add(60*time.Minute)) || ext.Extensions != 1 {
		t.Errorf("extended: %+v", ext)
	}
	r.want(http.StatusOK, tokHaringey, "POST", sessionPath(s.ID, "extend"), `{"minutes":15}`)
	r.unchanged("third extension", func() {
		r.wantErr(http.StatusConflict, tokHaringey, "POST", sessionPath(s.ID, "extend"), `{"minutes":5}`, "extended 2 times already", "at most 2")
	})
	// The extension refused outright (anti-social behaviour: no extensions).
	asb := r.checkIn(tokHaringey, `{"staff_group":"anti_social_behaviour","officer":"haringey-asb-2","minutes":30}`)
	r.unchanged("extension not allowed", func() {
		r.wantErr(http.StatusConflict, tokHaringey, "POST", sessionPath(asb.ID, "extend"), `{"minutes":5}`, "extension refused")
	})

	// A note is in the trail, by the credential.
	n := decodeAs[SessionJSON](t, r.want(http.StatusCreated, tokHaringey, "POST", sessionPath(s.ID, "notes"), `{"text":"officer rang: all fine"}`))
	last := n.Events[len(n.Events)-1]
	if last.Kind != store.LWNote || last.Detail != "officer rang: all fine" || last.By != "haringey-office" {
		t.Errorf("note event %+v", last)
	}

	// The deadline passes and the alarm is raised (as the timer would).
	r.clock.Set(t0.Add(75 * time.Minute))
	if ok, err := r.st.ClaimAlarm(r.ctx, s.ID, r.clock.Now()); err != nil || !ok {
		t.Fatalf("claim alarm: %v %v", ok, err)
	}
	r.unchanged("extend when overdue", func() {
		r.wantErr(http.StatusConflict, tokHaringey, "POST", sessionPath(s.ID, "extend"), `{"minutes":5}`, "past its deadline", "Check out to close the alarm")
	})
	a := decodeAs[SessionJSON](t, r.want(http.StatusOK, tokProvider, "POST", sessionPath(s.ID, "ack"), ""))
	if a.AckedBy != "provider-dm" || a.Changed == nil || !*a.Changed || a.State != store.SessionOverdue || !a.AlarmRaised {
		t.Errorf("ack: %+v", a)
	}
	a = decodeAs[SessionJSON](t, r.want(http.StatusOK, tokHaringey, "POST", sessionPath(s.ID, "ack"), "{}"))
	if a.AckedBy != "provider-dm" || a.Changed == nil || *a.Changed {
		t.Errorf("second ack: %+v; the first acknowledgement is kept", a)
	}
	out := decodeAs[SessionJSON](t, r.want(http.StatusOK, tokHaringey, "POST", sessionPath(s.ID, "checkout"), ""))
	if out.State != store.SessionCheckedOut || !out.AlarmRaised {
		t.Errorf("check-out after the alarm: %+v", out)
	}
	r.unchanged("actions on a closed session", func() {
		r.wantErr(http.StatusConflict, tokHaringey, "POST", sessionPath(s.ID, "extend"), `{"minutes":5}`, "checked out")
		r.wantErr(http.StatusConflict, tokHaringey, "POST", sessionPath(s.ID, "ack"), ``, "checked out")
	})
}

func TestAPIStoreDownIs503(t *testing.T) {
	r := newAPIRig(t)
	s := r.checkIn(tokHaringey, eo1)
	r.st.Close()
	r.wantErr(http.StatusServiceUnavailable, tokHaringey, "POST", APIPrefix+"sessions",
		strings.Replace(eo1, "haringey-eo-1", "haringey-eo-2", 1), "retry")
	r.wantErr(http.StatusServiceUnavailable, tokHaringey, "POST", sessionPath(s.ID, "checkout"), "", "retry")
	r.wantErr(http.StatusServiceUnavailable, tokHaringey, "GET", APIPrefix+"sessions", "", "retry")
	if !strings.Contains(r.logs.String(), "store or catalogue failed") {
		t.Errorf("store failure not logged:\n%s", r.logs)
	}
	r.noPersonalDataLogged("haringey-eo-2", "12 High St", "+447700900999")
}
