package rotaapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/apiauth"
	"github.com/slawatch/slawatch/store"
)

// clock is a controllable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

var london = mustLoc("Europe/London")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func lt(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, london)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const (
	tokEaling   = "tok-ealing-office-3f9a"
	tokRBKC     = "tok-rbkc-office-77c1"
	tokProvider = "tok-provider-dm-0b2e"
)

func loadCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("testdata/rotas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "events.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type env struct {
	srv   *httptest.Server
	clock *clock
	st    *store.Store
	cat   *catalog.Catalog
	logs  *bytes.Buffer
}

func newEnv(t *testing.T, now time.Time) *env {
	t.Helper()
	creds, err := apiauth.ParseCredentials("tokens", []byte(strings.Join([]string{
		apiauth.Line("ealing-office", "ealing", apiauth.NewSecret(tokEaling)),
		apiauth.Line("rbkc-office", "rbkc", apiauth.NewSecret(tokRBKC)),
		apiauth.Line("provider-dm", "*", apiauth.NewSecret(tokProvider)),
	}, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{clock: &clock{t: now}, st: openStore(t), cat: loadCatalog(t), logs: &bytes.Buffer{}}
	h, err := New(Options{Catalog: e.cat, Store: e.st, Auth: creds, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(&syncWriter{w: e.logs}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(Prefix, h)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

type response struct {
	code int
	hdr  http.Header
	body []byte
}

func (e *env) do(t *testing.T, method, path, token, body string) response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// must decodes a response of the wanted status into v.
func must[T any](t *testing.T, r response, code int) T {
	t.Helper()
	if r.code != code {
		t.Fatalf("status %d, want %d; body %s", r.code, code, r.body)
	}
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

func str(p *string) string {
	if p == nil {
		return "<nobody>"
	}
	return *p
}

func (e *env) post(t *testing.T, token, rota string, req OverrideRequest) response {
	t.Helper()
	b, _ := json.Marshal(req)
	return e.do(t, "POST", "/api/v1/rotas/ealing/"+rota+"/overrides", token, string(b))
}

func (e *env) onCallAt(t *testing.T, at string) OnCallResponse {
	t.Helper()
	path := "/api/v1/rotas/ealing/ealing_ds/oncall"
	if at != "" {
		path += "?at=" + strings.ReplaceAll(strings.ReplaceAll(at, " ", "%20"), "+", "%2B")
	}
	return must[OnCallResponse](t, e.do(t, "GET", path, tokEaling, ""), 200)
}
