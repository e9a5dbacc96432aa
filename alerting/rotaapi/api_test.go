package rotaapi

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/internal/apiauth"
	"github.com/slawatch/slawatch/store"
)

// Monday 19 October 2026, 10:00 BST: new-1's week on ealing_ds (16–23 Oct).
var monday = time.Date(2026, 10, 19, 9, 0, 0, 0, time.UTC)

func TestAuthAndScope(t *testing.T) {
	e := newEnv(t, monday)
	r := e.do(t, "GET", "/api/v1/rotas/ealing", "", "")
	if r.code != 401 || r.hdr.Get("WWW-Authenticate") != `Bearer realm="slawatch"` {
		t.Errorf("no token: %d %q", r.code, r.hdr.Get("WWW-Authenticate"))
	}
	r = e.do(t, "GET", "/api/v1/rotas/ealing", "tok-guess", "")
	if r.code != 401 || !strings.Contains(r.hdr.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("wrong token: %d %q", r.code, r.hdr.Get("WWW-Authenticate"))
	}
	// RBKC's credential reaches RBKC only: reads and writes to Ealing are
	// refused, and nothing is stored.
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/rotas/ealing", ""},
		{"GET", "/api/v1/rotas/ealing/ealing_ds/oncall", ""},
		{"GET", "/api/v1/rotas/ealing/ealing_ds/changes", ""},
		{"POST", "/api/v1/rotas/ealing/ealing_ds/overrides", `{"person": "ealing-dso-3", "to": "2026-10-19 18:00"}`},
		{"DELETE", "/api/v1/rotas/ealing/ealing_ds/overrides/1", ""},
		{"GET", "/api/v1/rotas/nosuch", ""}, // no PO existence leak
	} {
		r := e.do(t, c.method, c.path, tokRBKC, c.body)
		er := must[ErrorResponse](t, r, 403)
		if !strings.Contains(er.Error, "credential rbkc-office may only reach PO rbkc") {
			t.Errorf("%s %s: %q", c.method, c.path, er.Error)
		}
	}
	if got, _ := e.st.RotaChanges(context.Background(), ""); len(got) != 0 {
		t.Errorf("a refused request stored %d changes", len(got))
	}
	must[POResponse](t, e.do(t, "GET", "/api/v1/rotas/rbkc", tokRBKC, ""), 200)
	must[POResponse](t, e.do(t, "GET", "/api/v1/rotas/ealing", tokProvider, ""), 200)
	must[POResponse](t, e.do(t, "GET", "/api/v1/rotas/rbkc", tokProvider, ""), 200)
	// Unknown PO or rota (for a caller allowed to know): 404 naming what exists.
	if er := must[ErrorResponse](t, e.do(t, "GET", "/api/v1/rotas/nosuch", tokProvider, ""), 404); !strings.Contains(er.Error, "POs: ealing, rbkc") {
		t.Errorf("unknown PO: %q", er.Error)
	}
	if er := must[ErrorResponse](t, e.do(t, "GET", "/api/v1/rotas/ealing/nosuch/oncall", tokEaling, ""), 404); !strings.Contains(er.Error, "rotas: ealing_ds") {
		t.Errorf("unknown rota: %q", er.Error)
	}
	must[ErrorResponse](t, e.do(t, "GET", "/api/v1/rotas/ealing/ealing_ds/bogus", tokEaling, ""), 404)
}

func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t, monday)
	for _, c := range []struct{ method, path, allow string }{
		{"PUT", "/api/v1/rotas/ealing", "GET, HEAD"},
		{"DELETE", "/api/v1/rotas/ealing/ealing_ds/oncall", "GET, HEAD"},
		{"POST", "/api/v1/rotas/ealing/ealing_ds/changes", "GET, HEAD"},
		{"GET", "/api/v1/rotas/ealing/ealing_ds/overrides", "POST"},
		{"POST", "/api/v1/rotas/ealing/ealing_ds/overrides/1", "DELETE"},
	} {
		r := e.do(t, c.method, c.path, tokEaling, "")
		if r.code != 405 || r.hdr.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q; want 405 Allow %q", c.method, c.path, r.code, r.hdr.Get("Allow"), c.allow)
		}
	}
}

func TestImmediateOverride(t *testing.T) {
	e := newEnv(t, monday)
	if got := e.onCallAt(t, ""); str(got.Person) != "ealing-new-1" || got.Reachable {
		t.Fatalf("before: %+v; want ealing-new-1, unreachable", got)
	}
	resp := must[OverrideResponse](t, e.post(t, tokEaling, "ealing_ds", OverrideRequest{
		Person: "ealing-dso-3", To: "2026-10-19 18:00", Reason: "new starter has no phone yet"}), 201)
	if !resp.Immediate || str(resp.OnCallNow) != "ealing-dso-3" || resp.Change.State != StateActive ||
		!resp.Change.From.Equal(monday) || resp.Change.Author != "ealing-office" {
		t.Errorf("response %+v", resp)
	}
	if len(resp.Notes) != 0 || len(resp.Overlaps) != 0 {
		t.Errorf("notes %v overlaps %v", resp.Notes, resp.Overlaps)
	}
	got := e.onCallAt(t, "")
	if str(got.Person) != "ealing-dso-3" || !got.Reachable || got.Override != resp.Change.ID {
		t.Errorf("GET oncall after: %+v; want ealing-dso-3 by override %d", got, resp.Change.ID)
	}
	list := must[POResponse](t, e.do(t, "GET", "/api/v1/rotas/ealing", tokEaling, ""), 200)
	rs := list.Rotas[0]
	if rs.ID != "ealing_ds" || str(rs.OnCall) != "ealing-dso-3" || rs.NextHandover == nil ||
		!rs.NextHandover.At.Equal(lt(t, "2026-10-19 18:00")) || str(rs.NextHandover.Person) != "ealing-new-1" {
		t.Errorf("GET rotas: %+v (next %+v)", rs, rs.NextHandover)
	}
	// No contact details anywhere in what the API says.
	for _, path := range []string{"/api/v1/rotas/ealing", "/api/v1/rotas/ealing/ealing_ds/oncall", "/api/v1/rotas/ealing/ealing_ds/changes"} {
		body := string(e.do(t, "GET", path, tokEaling, "").body)
		for _, secret := range []string{"+4477", "U0EAL", "@ealing.example", "Example"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows contact data %q: %s", path, secret, body)
			}
		}
	}
	// What the pager sees: Current applies the stored change.
	cur, err := Current(context.Background(), e.cat, e.st)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := cur.OnCall("ealing", "ealing_ds", monday); p.ID != "ealing-dso-3" {
		t.Errorf("Current: %s on call; want ealing-dso-3", p.ID)
	}
	if !strings.Contains(e.logs.String(), "rota override added") || strings.Contains(e.logs.String(), "+4477") {
		t.Errorf("log: %s", e.logs.String())
	}
}

// A pre-dated override from Friday 23 October 17:00 BST to Monday 26
// October 09:00 GMT (the clocks go back in between) is not in force before
// its start and is after, with Now moving on.
func TestPreDatedOverride(t *testing.T) {
	e := newEnv(t, monday)
	resp := must[OverrideResponse](t, e.post(t, tokEaling, "ealing_ds", OverrideRequest{
		Person: "ealing-dso-3", From: "2026-10-23 17:00", To: "2026-10-26 09:00", Reason: "swap with dso-1"}), 201)
	if resp.Immediate || resp.Change.State != StateScheduled || str(resp.OnCallNow) != "ealing-new-1" ||
		!strings.Contains(strings.Join(resp.Notes, "\n"), "pre-dated: takes effect at 2026-10-23T17:00:00+01:00") {
		t.Errorf("response %+v", resp)
	}
	if !resp.Change.To.Equal(time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("to = %s; want 09:00 GMT", resp.Change.To)
	}
	for _, c := range []struct{ at, want string }{
		{"", "ealing-new-1"},
		{"2026-10-23T15:59:00Z", "ealing-new-1"},
		{"2026-10-23T16:00:00Z", "ealing-dso-3"},
		{"2026-10-25T01:30:00+01:00", "ealing-dso-3"},
		{"2026-10-25T01:30:00Z", "ealing-dso-3"},
		{"2026-10-26 08:59", "ealing-dso-3"},
		{"2026-10-26 09:00", "ealing-dso-1"},
	} {
		if got := e.onCallAt(t, c.at); str(got.Person) != c.want {
			t.Errorf("oncall at %q = %s; want %s", c.at, str(got.Person), c.want)
		}
	}
	// The repeated hour needs an offset; a skipped one does not exist.
	er := must[ErrorResponse](t, e.do(t, "GET", "/api/v1/rotas/ealing/ealing_ds/oncall?at=2026-10-25%2001:30", tokEaling, ""), 422)
	if er.Field != "at" || !strings.Contains(er.Error, "happens twice") || !strings.Contains(er.Error, "2026-10-25T01:30:00+01:00 or 2026-10-25T01:30:00Z") {
		t.Errorf("ambiguous at: %+v", er)
	}

	list := must[POResponse](t, e.do(t, "GET", "/api/v1/rotas/ealing", tokEaling, ""), 200)
	if n := list.Rotas[0].NextHandover; n == nil || !n.At.Equal(lt(t, "2026-10-23 17:00")) || str(n.Person) != "ealing-dso-3" {
		t.Errorf("next handover before: %+v", n)
	}
	e.clock.Set(lt(t, "2026-10-23 17:30"))
	list = must[POResponse](t, e.do(t, "GET", "/api/v1/rotas/ealing", tokEaling, ""), 200)
	rs := list.Rotas[0]
	if str(rs.OnCall) != "ealing-dso-3" || rs.Override != resp.Change.ID || rs.NextHandover == nil ||
		!rs.NextHandover.At.Equal(time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC)) || str(rs.NextHandover.Person) != "ealing-dso-1" {
		t.Errorf("after its start: %+v next %+v", rs, rs.NextHandover)
	}
	// The pager's escalation plan resolves the rota at each step's instant.
	cur, err := Current(context.Background(), e.cat, e.st)
	if err != nil {
		t.Fatal(err)
	}
	// Before the override new-1 (no channel) has the rota: the step is
	// skipped; from 17:00 dso-3 is paged.
	if s := cur.Plan("ealing", "dangerous_structures", lt(t, "2026-10-23 16:55")); len(s) == 0 || !s[0].Skipped ||
		len(s[0].Unreached) != 1 || !strings.Contains(s[0].Unreached[0], "ealing-new-1 has no channel") {
		t.Errorf("Plan at 16:55: %+v; want the rota step skipped for ealing-new-1", s)
	}
	if s := cur.Plan("ealing", "dangerous_structures", lt(t, "2026-10-23 17:00")); len(s) == 0 || s[0].Skipped ||
		len(s[0].Pages) != 1 || s[0].Pages[0].Person.ID != "ealing-dso-3" {
		t.Errorf("Plan at 17:00: %+v; want ealing-dso-3 paged", s)
	}
}

func TestCancelAndHistory(t *testing.T) {
	e := newEnv(t, monday)
	pre := must[OverrideResponse](t, e.post(t, tokEaling, "ealing_ds", OverrideRequest{
		Person: "ealing-dso-3", From: "2026-10-23 17:00", To: "2026-10-26 09:00"}), 201).Change
	e.clock.Add(time.Hour)
	now := must[OverrideResponse](t, e.post(t, tokProvider, "ealing_ds", OverrideRequest{
		Person: "ealing-dso-2", To: "2026-10-20 09:00", Reason: "cover tonight"}), 201).Change

	// Cancel the pre-dated one: the rotation is back for that weekend.
	path := fmt.Sprintf("/api/v1/rotas/ealing/ealing_ds/overrides/%d?reason=leave%%20withdrawn", pre.ID)
	e.clock.Add(time.Hour)
	cres := must[OverrideResponse](t, e.do(t, "DELETE", path, tokEaling, ""), 200)
	if cres.Change.Kind != store.RotaCancel || cres.Change.Cancels != pre.ID || cres.Cancelled == nil ||
		cres.Cancelled.State != StateCancelled || cres.Change.Reason != "leave withdrawn" {
		t.Errorf("cancel response %+v", cres)
	}
	if got := e.onCallAt(t, "2026-10-24 12:00"); str(got.Person) != "ealing-dso-1" {
		t.Errorf("after cancel: %s on call; want the rotation's ealing-dso-1", str(got.Person))
	}
	if er := must[ErrorResponse](t, e.do(t, "DELETE", path, tokEaling, ""), 409); !strings.Contains(er.Error, "cancelled already") ||
		!strings.Contains(er.Error, "ealing-office") {
		t.Errorf("second cancel: %+v", er)
	}
	must[ErrorResponse](t, e.do(t, "DELETE", "/api/v1/rotas/ealing/ealing_ds/overrides/999", tokEaling, ""), 404)
	must[ErrorResponse](t, e.do(t, "DELETE", "/api/v1/rotas/ealing/ealing_ds/overrides/x", tokEaling, ""), 404)
	if er := must[ErrorResponse](t, e.do(t, "DELETE", fmt.Sprintf("/api/v1/rotas/ealing/ealing_ds/overrides/%d", cres.Change.ID), tokEaling, ""), 422); er.Field != "id" {
		t.Errorf("cancel of a cancel: %+v", er)
	}

	// Cancel the one under way: from now on the rotation; before, history.
	cancelAt := e.clock.Now()
	must[OverrideResponse](t, e.do(t, "DELETE", fmt.Sprintf("/api/v1/rotas/ealing/ealing_ds/overrides/%d", now.ID), tokProvider, ""), 200)
	if got := e.onCallAt(t, cancelAt.Format(time.RFC3339)); str(got.Person) != "ealing-new-1" {
		t.Errorf("after cancelling the active one: %s", str(got.Person))
	}
	if got := e.onCallAt(t, cancelAt.Add(-time.Minute).Format(time.RFC3339)); str(got.Person) != "ealing-dso-2" || got.Override != now.ID {
		t.Errorf("a minute before the cancel: %+v; want ealing-dso-2 by %d (history kept)", got, now.ID)
	}
	e.clock.Set(lt(t, "2026-11-01 12:00"))

	h := must[ChangesResponse](t, e.do(t, "GET", "/api/v1/rotas/ealing/ealing_ds/changes", tokEaling, ""), 200)
	var lines []string
	for _, c := range h.Changes {
		lines = append(lines, fmt.Sprintf("%d %s %s %s %s by %s at %s cancels=%d cancelled_by=%d", c.ID, c.Kind, c.Person, c.State, c.Reason,
			c.Author, c.Created.Format(time.RFC3339), c.Cancels, c.CancelledBy))
	}
	want := []string{
		"1 override ealing-dso-3 cancelled  by ealing-office at 2026-10-19T10:00:00+01:00 cancels=0 cancelled_by=3",
		"2 override ealing-dso-2 cancelled cover tonight by provider-dm at 2026-10-19T11:00:00+01:00 cancels=0 cancelled_by=4",
		"3 cancel   leave withdrawn by ealing-office at 2026-10-19T12:00:00+01:00 cancels=1 cancelled_by=0",
		"4 cancel    by provider-dm at 2026-10-19T12:00:00+01:00 cancels=2 cancelled_by=0",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("history:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestOverrideValidation(t *testing.T) {
	e := newEnv(t, monday)
	for _, c := range []struct {
		name, body, field, want string
	}{
		{"unknown person", `{"person": "ealing-dso-9", "to": "2026-10-20 08:00"}`, "person", `"ealing-dso-9" is not a person of ealing; people: ealing-dso-1, ealing-dso-2, ealing-dso-3, ealing-new-1`},
		{"other PO's person", `{"person": "rbkc-1", "to": "2026-10-20 08:00"}`, "person", `"rbkc-1" is a person of rbkc, not of ealing`},
		{"no person", `{"to": "2026-10-20 08:00"}`, "person", "missing; give the person id"},
		{"no to", `{"person": "ealing-dso-2"}`, "to", "missing; give when the override ends"},
		{"to before from", `{"person": "ealing-dso-2", "from": "2026-10-21 08:00", "to": "2026-10-20 08:00"}`, "to", "is not after from (2026-10-21T08:00:00+01:00)"},
		{"to equals from", `{"person": "ealing-dso-2", "from": "2026-10-21 08:00", "to": "2026-10-21T07:00:00Z"}`, "to", "is not after from"},
		{"to in the past", `{"person": "ealing-dso-2", "to": "2026-10-19 09:00"}`, "to", "2026-10-19T09:00:00+01:00 is in the past"},
		{"from in the past", `{"person": "ealing-dso-2", "from": "2026-10-18 09:00", "to": "2026-10-20 09:00"}`, "from", "is in the past; an override starts now or later"},
		{"bad time", `{"person": "ealing-dso-2", "to": "tomorrow"}`, "to", `"tomorrow" is not a time; use RFC 3339`},
		{"skipped hour", `{"person": "ealing-dso-2", "from": "2027-03-28 01:30", "to": "2027-03-29 09:00"}`, "from", "does not exist in Europe/London"},
		{"too long", `{"person": "ealing-dso-2", "to": "2028-10-20 09:00"}`, "to", "at most 366 days"},
		{"long reason", `{"person": "ealing-dso-2", "to": "2026-10-20 09:00", "reason": "` + strings.Repeat("x", 501) + `"}`, "reason", "at most 500"},
		{"control in reason", `{"person": "ealing-dso-2", "to": "2026-10-20 09:00", "reason": "a\nb"}`, "reason", "control characters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			er := must[ErrorResponse](t, e.do(t, "POST", "/api/v1/rotas/ealing/ealing_ds/overrides", tokEaling, c.body), 422)
			if er.Field != c.field || !strings.Contains(er.Error, c.want) {
				t.Errorf("got %+v; want field %q and %q", er, c.field, c.want)
			}
		})
	}
	for _, c := range []struct {
		name, body string
		code       int
		want       string
	}{
		{"unknown field", `{"persn": "ealing-dso-2", "to": "2026-10-20 09:00"}`, 400, `unknown field "persn"`},
		{"not JSON", `person=ealing-dso-2`, 400, "body is not a valid override"},
		{"two values", `{"person": "ealing-dso-2", "to": "2026-10-20 09:00"} {}`, 400, "more than one JSON value"},
		{"too big", `{"person": "ealing-dso-2", "to": "2026-10-20 09:00", "reason": "` + strings.Repeat("x", 70000) + `"}`, 413, "over 65536 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			er := must[ErrorResponse](t, e.do(t, "POST", "/api/v1/rotas/ealing/ealing_ds/overrides", tokEaling, c.body), c.code)
			if !strings.Contains(er.Error, c.want) {
				t.Errorf("got %q; want %q", er.Error, c.want)
			}
		})
	}
	if got, _ := e.st.RotaChanges(context.Background(), ""); len(got) != 0 {
		t.Fatalf("invalid requests stored %d changes", len(got))
	}
	// A From a minute ago is taken as now; overlap is allowed, and said.
	first := must[OverrideResponse](t, e.post(t, tokEaling, "ealing_ds", OverrideRequest{Person: "ealing-dso-2", From: "2026-10-19 09:59", To: "2026-10-20 09:00"}), 201)
	if !first.Immediate || !first.Change.From.Equal(monday) {
		t.Errorf("from a minute ago: %+v", first.Change)
	}
	second := must[OverrideResponse](t, e.post(t, tokEaling, "ealing_ds", OverrideRequest{Person: "ealing-new-1", From: "2026-10-19 20:00", To: "2026-10-19 22:00"}), 201)
	notes := strings.Join(second.Notes, "\n")
	if len(second.Overlaps) != 1 || second.Overlaps[0] != first.Change.ID || !strings.Contains(notes, "this later change wins where they overlap") ||
		!strings.Contains(notes, "ealing-new-1 has no sms, slack or email") {
		t.Errorf("overlap: %v %s", second.Overlaps, notes)
	}
}

// failingStore fails every call, as a database that went away.
type failingStore struct{}

func (failingStore) AddRotaChange(context.Context, store.RotaChange) (store.RotaChange, error) {
	return store.RotaChange{}, errors.New("disk on fire at /var/lib/slawatch")
}
func (failingStore) RotaChanges(context.Context, string) ([]store.RotaChange, error) {
	return nil, errors.New("disk on fire at /var/lib/slawatch")
}

func TestStoreFailure(t *testing.T) {
	creds, _ := apiauth.ParseCredentials("t", []byte(apiauth.Line("dm", "*", apiauth.NewSecret("x"))))
	h, err := New(Options{Catalog: loadCatalog(t), Store: failingStore{}, Auth: creds})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{srv: httptest.NewServer(h)}
	defer e.srv.Close()
	r := e.do(t, "GET", "/api/v1/rotas/ealing", "x", "")
	if r.code != 500 || strings.Contains(string(r.body), "disk on fire") {
		t.Errorf("%d %s; want 500 without the internal error", r.code, r.body)
	}
	if _, err := Current(context.Background(), loadCatalog(t), failingStore{}); err == nil {
		t.Error("Current with a failing store: no error")
	}
	if _, err := New(Options{Store: failingStore{}, Auth: creds}); err == nil || !strings.Contains(err.Error(), "Catalog is nil") {
		t.Errorf("New without catalogue: %v", err)
	}
	if _, err := New(Options{Catalog: loadCatalog(t), Store: failingStore{}}); err == nil || !strings.Contains(err.Error(), "needs credentials") {
		t.Errorf("New without credentials: %v", err)
	}
}

// A stored change the catalogue no longer accepts (a person removed from
// the file) is reported by Current, naming it.
func TestCurrentStaleChange(t *testing.T) {
	st := openStore(t)
	if _, err := st.AddRotaChange(context.Background(), store.RotaChange{PO: "ealing", Rota: "ealing_ds", Kind: store.RotaOverride,
		Person: "ealing-gone-1", From: monday, To: monday.Add(time.Hour), Author: "dm", Created: monday}); err != nil {
		t.Fatal(err)
	}
	_, err := Current(context.Background(), loadCatalog(t), st)
	if err == nil || !strings.Contains(err.Error(), `rota change 1: "ealing-gone-1" is not a person of ealing`) {
		t.Errorf("Current: %v", err)
	}
}

func TestCancelEnded(t *testing.T) {
	e := newEnv(t, monday)
	o := must[OverrideResponse](t, e.post(t, tokEaling, "ealing_ds", OverrideRequest{Person: "ealing-dso-2", To: "2026-10-19 12:00"}), 201).Change
	e.clock.Set(lt(t, "2026-10-19 12:00"))
	er := must[ErrorResponse](t, e.do(t, "DELETE", fmt.Sprintf("/api/v1/rotas/ealing/ealing_ds/overrides/%d", o.ID), tokEaling, ""), 422)
	if er.Field != "id" || !strings.Contains(er.Error, "ended at 2026-10-19T12:00:00+01:00; nothing is left to cancel") {
		t.Errorf("cancel of an ended override: %+v", er)
	}
	if h := must[ChangesResponse](t, e.do(t, "GET", "/api/v1/rotas/ealing/ealing_ds/changes", tokEaling, ""), 200); len(h.Changes) != 1 || h.Changes[0].State != StateEnded {
		t.Errorf("history %+v; want the one override, ended", h.Changes)
	}
}

// Cached applies the stored changes again only when the history grew.
func TestCached(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	cur := Cached(loadCatalog(t), st)
	c1, err := cur(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c2, _ := cur(ctx); c2 != c1 {
		t.Fatal("no change, yet a new catalogue")
	}
	if _, err := st.AddRotaChange(ctx, store.RotaChange{PO: "ealing", Rota: "ealing_ds", Kind: store.RotaOverride,
		Person: "ealing-dso-2", From: monday, To: monday.Add(time.Hour), Author: "dm", Created: monday}); err != nil {
		t.Fatal(err)
	}
	c3, err := cur(ctx)
	if err != nil || c3 == c1 {
		t.Fatalf("after a change: same catalogue %v, %v", c3 == c1, err)
	}
	if p, _ := c3.OnCall("ealing", "ealing_ds", monday.Add(time.Minute)); p.ID != "ealing-dso-2" {
		t.Fatalf("on call %s; want the override's ealing-dso-2", p.ID)
	}
}
