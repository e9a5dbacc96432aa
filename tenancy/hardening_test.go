package tenancy

import (
	"compress/flate"
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slawatch/slawatch/internal/syncbuf"
	"github.com/slawatch/slawatch/internal/testprom"
)

// TestUpstreamMustBeRoot: injectproxy filters rules and alerts by the
// outgoing path, so an upstream with a path (http://host/prom) would get
// them unfiltered; such an upstream is refused.
func TestUpstreamMustBeRoot(t *testing.T) {
	cs, _ := ParseCredentials("c", []byte(goodFile()))
	for _, u := range []string{"http://127.0.0.1:9090", "http://127.0.0.1:9090/", "https://prom.example:443/"} {
		pu, _ := url.Parse(u)
		if _, err := New(Options{Upstream: pu, Credentials: cs}); err != nil {
			t.Errorf("upstream %q refused: %v", u, err)
		}
		if err := CheckUpstream(pu); err != nil {
			t.Errorf("CheckUpstream(%q): %v", u, err)
		}
	}
	for u, want := range map[string]string{
		"http://127.0.0.1:9090/prom":       `path "/prom"`,
		"http://127.0.0.1:9090/prom/":      `path "/prom/"`,
		"http://127.0.0.1:9090//":          `path "//"`,
		"http://127.0.0.1:9090/?x=1":       "query string",
		"http://127.0.0.1:9090?x=1":        "query string",
		"http://127.0.0.1:9090/#frag":      "fragment",
		"http://admin:pw@127.0.0.1:9090/":  "user info",
		"http://admin@127.0.0.1:9090":      "user info",
		"http://127.0.0.1:9090/api/v1/../": `path`,
	} {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(Options{Upstream: pu, Credentials: cs})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "root URL") {
			t.Errorf("upstream %q: %v; want an error about %s naming the root URL", u, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("upstream %q: the error repeats the password: %v", u, err)
		}
	}
}

// TestRequestSizeLimits: a query or match[] over MaxExprLen is refused
// before anything parses it; a body over DefaultMaxBody is refused.
func TestRequestSizeLimits(t *testing.T) {
	f := newFixture(t)
	tok := tokRBKC.Reveal()
	pad := func(expr string, n int) string { return expr + strings.Repeat(" ", n-len(expr)) }
	atMax, over := pad("sum(x)", 16<<10), pad("sum(x)", 16<<10+1)
	deep := strings.Repeat("-", 40000) + "x" // parses in seconds: must never reach the parser
	sel := func(n int) string { return `{__name__="x"` + strings.Repeat(" ", n-len(`{__name__="x"}`)) + `}` }
	for _, tc := range []struct {
		name, method, path, body string
		code, forwarded          int
	}{
		{"query at the limit", "POST", "/api/v1/query", "query=" + url.QueryEscape(atMax), 200, 1},
		{"query over the limit (POST)", "POST", "/api/v1/query", "query=" + url.QueryEscape(over), 400, 0},
		{"query over the limit (GET)", "GET", "/api/v1/query_range?query=" + url.QueryEscape(over), "", 400, 0},
		{"deeply nested query", "POST", "/api/v1/query", "query=" + url.QueryEscape(deep), 400, 0},
		{"match[] at the limit", "POST", "/api/v1/series", "match[]=" + url.QueryEscape(sel(16<<10)), 200, 1},
		{"match[] over the limit", "POST", "/api/v1/series", "match[]=x&match[]=" + url.QueryEscape(sel(16<<10+1)), 400, 0},
		{"label values match[] over", "GET", "/api/v1/label/po/values?match[]=" + url.QueryEscape(sel(16<<10+1)), "", 400, 0},
		{"rules match[] over", "GET", "/api/v1/rules?match[]=" + url.QueryEscape(sel(16<<10+1)), "", 400, 0},
		{"body at 64 KiB", "POST", "/api/v1/query", pad("query=x&pad=", 64<<10), 200, 1},
		{"body over 64 KiB", "POST", "/api/v1/query", pad("query=x&pad=", 64<<10+1), 413, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctype := ""
			if tc.method == "POST" {
				ctype = form
			}
			code, body, _ := f.do(t, tc.method, tc.path, ctype, tc.body, "rbkc", tok)
			if code != tc.code {
				t.Errorf("%d %s; want %d", code, testprom.Tail(body, 200), tc.code)
			}
			if code == 400 && !strings.Contains(body, "16384 bytes") {
				t.Errorf("refusal does not name the limit: %s", testprom.Tail(body, 200))
			}
			if reqs := f.up.take(); len(reqs) != tc.forwarded {
				t.Errorf("%d requests reached Prometheus; want %d", len(reqs), tc.forwarded)
			}
		})
	}
}

// blockingProm is a fake Prometheus whose query answers wait for release;
// every arrival is announced on arrived.
type blockingProm struct {
	arrived chan string
	release chan struct{}
}

func (b *blockingProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	b.arrived <- r.Form.Get("query")
	<-b.release
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
}

// TestInFlightLimit: a credential with DefaultMaxInFlight requests held
// by a slow Prometheus gets 429 for one more; another credential is not
// held up, and once the requests finish the credential is served again.
func TestInFlightLimit(t *testing.T) {
	bp := &blockingProm{arrived: make(chan string, 16), release: make(chan struct{})}
	upSrv := httptest.NewServer(bp)
	defer upSrv.Close()
	released := false
	release := func() {
		if !released {
			close(bp.release)
			released = true
		}
	}
	defer release()
	u, _ := url.Parse(upSrv.URL)
	cs := mustParseCreds(t, goodFile())
	reg := prometheus.NewRegistry()
	p, err := New(Options{Upstream: u, Credentials: cs, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	defer srv.Close()
	get := func(user, tok, query string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/query?query="+url.QueryEscape(query), nil)
		req.SetBasicAuth(user, tok)
		resp, err := srv.Client().Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const limit = 4
	var wg sync.WaitGroup
	codes := make(chan int, limit)
	for i := 0; i < limit; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _ := get("rbkc", tokRBKC.Reveal(), fmt.Sprintf("held%d", i))
			codes <- c
		}()
	}
	for i := 0; i < limit; i++ {
		<-bp.arrived // all four are in Prometheus, waiting
	}
	// The fifth rbkc request must be answered 429 without reaching
	// Prometheus; it is sent in the background so that, were it let
	// through, the test fails on its arrival instead of hanging.
	fifth := make(chan [2]any, 1)
	go func() {
		c, b := get("rbkc", tokRBKC.Reveal(), "fifth")
		fifth <- [2]any{c, b}
	}()
	select {
	case r := <-fifth:
		if r[0] != http.StatusTooManyRequests || !strings.Contains(r[1].(string), "4 requests") {
			t.Errorf("fifth request: %v %v; want 429 naming the limit", r[0], r[1])
		}
	case q := <-bp.arrived:
		t.Errorf("fifth rbkc request (%s) reached Prometheus; want 429", q)
	}
	// Another credential is not limited by rbkc's requests.
	other := make(chan int, 1)
	go func() { c, _ := get("ealing-officers", tokEaling.Reveal(), "other"); other <- c }()
	if q := <-bp.arrived; !strings.Contains(q, "other") {
		t.Errorf("unexpected arrival %q", q)
	}
	release()
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("held request: %d", c)
		}
	}
	if c := <-other; c != 200 {
		t.Errorf("ealing: %d", c)
	}
	if c, b := get("rbkc", tokRBKC.Reveal(), "after"); c != 200 {
		t.Errorf("rbkc after the held requests finished: %d %s", c, b)
	}
	if got := testutil.ToFloat64(p.requests.WithLabelValues("rbkc", "query", "429")); got != 1 {
		t.Errorf("429s counted %v; want 1", got)
	}
}

// TestUpstreamCutOff: a response Prometheus cuts off mid-body reaches the
// client as a broken response, not as a complete 200.
func TestUpstreamCutOff(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"po":"rbkc"},"values":[`)
		w.(http.Flusher).Flush()
		c, _, _ := w.(http.Hijacker).Hijack()
		c.Close() // Prometheus dies mid-body
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	logs := &syncbuf.Buffer{}
	reg := prometheus.NewRegistry()
	p, err := New(Options{Upstream: u, Credentials: mustParseCreds(t, goodFile()), Registerer: reg,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(p)
	defer s.Close()
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/query_range?query=x&start=1&end=2&step=1", nil)
	req.SetBasicAuth("rbkc", tokRBKC.Reveal())
	resp, err := s.Client().Do(req)
	if err == nil {
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr == nil {
			t.Errorf("the cut-off body was delivered complete: %d %q", resp.StatusCode, b)
		}
	}
	if got := testutil.ToFloat64(p.requests.WithLabelValues("rbkc", "query_range", "aborted")); got != 1 {
		t.Errorf("aborted requests counted %v; want 1", got)
	}
	if strings.Contains(logs.String(), "enforcer failed") {
		t.Errorf("an abort logged as an enforcer failure: %s", logs.String())
	}
}

// encodingProm is a fake Prometheus that answers /api/v1/rules with a
// rule of rbkc and one of ealing, compressed as the client accepts (gzip
// or deflate, as Prometheus does), and records the Accept-Encoding.
type encodingProm struct {
	mu       sync.Mutex
	accepted []string
}

const twoPORules = `{"status":"success","data":{"groups":[{"name":"g","file":"f.yml","interval":1,"rules":[` +
	`{"type":"recording","name":"a:rbkc","query":"x","labels":{"po":"rbkc"},"health":"ok"},` +
	`{"type":"recording","name":"a:ealing","query":"x","labels":{"po":"ealing"},"health":"ok"}]}]}}`

func (e *encodingProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ae := r.Header.Get("Accept-Encoding")
	e.mu.Lock()
	e.accepted = append(e.accepted, ae)
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	var out io.Writer = w
	switch {
	case strings.Contains(ae, "gzip"):
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		defer zw.Close()
		out = zw
	case strings.Contains(ae, "deflate"):
		w.Header().Set("Content-Encoding", "deflate")
		zw, _ := flate.NewWriter(w, flate.DefaultCompression)
		defer zw.Close()
		out = zw
	}
	io.WriteString(out, twoPORules)
}

// TestAcceptEncoding: whatever encoding the client accepts, rules are
// filtered (injectproxy decodes only gzip, so the client's choice is
// dropped and Go's transport asks for gzip and decodes it).
func TestAcceptEncoding(t *testing.T) {
	ep := &encodingProm{}
	up := httptest.NewServer(ep)
	defer up.Close()
	u, _ := url.Parse(up.URL)
	p, err := New(Options{Upstream: u, Credentials: mustParseCreds(t, goodFile())})
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(p)
	defer s.Close()
	for _, ae := range []string{"", "deflate", "gzip", "br", "deflate, gzip;q=0.1", "identity"} {
		req, _ := http.NewRequest("GET", s.URL+"/api/v1/rules", nil)
		req.SetBasicAuth("rbkc", tokRBKC.Reveal())
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "a:rbkc") || strings.Contains(string(b), "ealing") ||
			resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q: %d %s %q; want 200 with rbkc's rule only, uncompressed",
				ae, resp.StatusCode, resp.Header.Get("Content-Encoding"), testprom.Tail(string(b), 300))
		}
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	for _, a := range ep.accepted {
		if a != "gzip" {
			t.Errorf("Prometheus was asked for Accept-Encoding %q; want gzip (Go's transport)", a)
		}
	}
}
