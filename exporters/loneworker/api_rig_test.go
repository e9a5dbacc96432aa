package loneworker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/apiauth"
	"github.com/slawatch/slawatch/internal/syncbuf"
	"github.com/slawatch/slawatch/store"
)

// Bearer tokens of the test credentials.
const (
	tokProvider = "tok-provider-dm-5c1e"
	tokHaringey = "tok-haringey-office-9a2b"
	tokEaling   = "tok-ealing-office-44d0"
)

// apiRig is the API behind real credentials on a loopback server, a
// service without a pager (the API only records actions) and a temp
// SQLite store.
type apiRig struct {
	t     testing.TB
	ctx   context.Context
	clock *clock
	st    *store.Store
	cat   *catalog.Catalog
	svc   *Service
	srv   *httptest.Server
	logs  *syncbuf.Buffer
}

func newAPIRig(t testing.TB) *apiRig {
	t.Helper()
	ctx := context.Background()
	cat, st := openExample(t)
	var err error
	creds, err := apiauth.ParseCredentials("creds", []byte(strings.Join([]string{
		apiauth.Line("provider-dm", apiauth.ScopeAll, apiauth.NewSecret(tokProvider)),
		apiauth.Line("haringey-office", "haringey", apiauth.NewSecret(tokHaringey)),
		apiauth.Line("ealing-office", "ealing", apiauth.NewSecret(tokEaling)),
	}, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	r := &apiRig{t: t, ctx: ctx, clock: &clock{t: t0}, st: st, cat: cat, logs: &syncbuf.Buffer{}}
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.svc, err = New(Options{Catalog: func(context.Context) (*catalog.Catalog, error) { return r.cat, nil }, Store: st,
		Logger: log, Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(APIPrefix, creds.Middleware(log, r.svc.API(log)))
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

// do sends a request; body "" sends none.
func (r *apiRig) do(tok, method, path, body string) (int, http.Header, []byte) {
	r.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.srv.URL+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// want sends a request and checks its status; it returns the body.
func (r *apiRig) want(code int, tok, method, path, body string) []byte {
	r.t.Helper()
	got, h, b := r.do(tok, method, path, body)
	if got != code {
		r.t.Fatalf("%s %s %s: status %d, want %d; body %s", method, path, body, got, code, b)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		r.t.Fatalf("%s %s: Content-Type %q, want JSON", method, path, ct)
	}
	return b
}

// wantErr checks an error answer: its status, and that its message
// contains every one of parts.
func (r *apiRig) wantErr(code int, tok, method, path, body string, parts ...string) APIError {
	r.t.Helper()
	b := r.want(code, tok, method, path, body)
	var e APIError
	if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
		r.t.Fatalf("%s %s: error body %s is not {\"error\": ...} (%v)", method, path, b, err)
	}
	for _, p := range parts {
		if !strings.Contains(e.Error, p) {
			r.t.Errorf("%s %s %s: error %q does not say %q", method, path, body, e.Error, p)
		}
	}
	return e
}

func decodeAs[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, b, err)
	}
	return v
}

// checkIn checks in through the API and returns the session.
func (r *apiRig) checkIn(tok, body string) SessionJSON {
	r.t.Helper()
	return decodeAs[SessionJSON](r.t, r.want(http.StatusCreated, tok, "POST", APIPrefix+"sessions", body))
}

func sessionPath(id int64, action string) string {
	p := fmt.Sprintf("%ssessions/%d", APIPrefix, id)
	if action != "" {
		p += "/" + action
	}
	return p
}

// snapshot is everything stored of sessions 1..50, personal fields
// revealed, to show that a refused request changed nothing.
func (r *apiRig) snapshot() string {
	r.t.Helper()
	var b strings.Builder
	for id := int64(1); id <= 50; id++ {
		s, err := r.st.Session(r.ctx, id)
		if errors.Is(err, store.ErrNoSession) {
			continue
		}
		if err != nil {
			r.t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d %s %s %s %s %s %s %v %v %v %s %d %v %v %v %q\n", s.ID, s.PO, s.StaffGroup, s.Officer.Reveal(),
			s.OfficerPhone.Reveal(), s.Location.Reveal(), s.UPRN, s.Started, s.Deadline, s.Reminder, s.State, s.Extensions,
			s.Reminded, s.AlarmRaised, s.CheckedOut, s.AckedBy)
		ev, err := r.st.SessionEvents(r.ctx, id)
		if err != nil {
			r.t.Fatal(err)
		}
		for _, e := range ev {
			fmt.Fprintf(&b, "  %d %v %s %s %s %q\n", e.ID, e.At, e.Kind, e.Via, e.By, e.Detail)
		}
	}
	return b.String()
}

// unchanged runs f and fails when the store differs afterwards.
func (r *apiRig) unchanged(what string, f func()) {
	r.t.Helper()
	before := r.snapshot()
	f()
	if after := r.snapshot(); after != before {
		r.t.Errorf("%s changed the store:\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

// noPersonalDataLogged fails when the logs hold any of the values.
func (r *apiRig) noPersonalDataLogged(values ...string) {
	r.t.Helper()
	logs := r.logs.String()
	for _, v := range values {
		if strings.Contains(logs, v) {
			r.t.Errorf("logs contain personal data %q:\n%s", v, logs)
		}
	}
}
