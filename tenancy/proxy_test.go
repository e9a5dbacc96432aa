package tenancy

import (
	"bytes"
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
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/slawatch/slawatch/internal/syncbuf"
)

// seen is what reached the fake upstream.
type seen struct {
	method, path, rawQuery, auth, cookie string
	params                               url.Values
}

// recorder is a fake Prometheus that records every request and answers
// success with an empty vector.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.Form})
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
}

func (rc *recorder) take() []seen {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.reqs
	rc.reqs = nil
	return out
}

type fixture struct {
	proxy *Proxy
	srv   *httptest.Server
	up    *recorder
	reg   *prometheus.Registry
	logs  *syncbuf.Buffer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	up := &recorder{}
	upSrv := httptest.NewServer(up)
	t.Cleanup(upSrv.Close)
	u, _ := url.Parse(upSrv.URL)
	cs, err := ParseCredentials("creds.yml", []byte(goodFile()))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	logs := &syncbuf.Buffer{}
	p, err := New(Options{Upstream: u, Credentials: cs, Registerer: reg, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return &fixture{p, srv, up, reg, logs}
}

// do sends a request as user/token (no credentials when user is "").
func (f *fixture) do(t testing.TB, method, pathQuery, contentType, body, user string, tok string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+pathQuery, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if user != "" {
		req.SetBasicAuth(user, tok)
	}
	req.Header.Set("Cookie", "grafana_session=abc")
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// checkEnforced fails unless every selector of every query and match[]
// that reached Prometheus carries exactly po="want" (and nothing else on po).
func checkEnforced(t testing.TB, reqs []seen, want string) {
	t.Helper()
	// A selector is confined when it has po="want": further po matchers
	// can only narrow it (matchers are ANDed).
	ok := func(ms []*labels.Matcher) bool {
		for _, m := range ms {
			if m.Name == Label && m.Type == labels.MatchEqual && m.Value == want {
				return true
			}
		}
		return false
	}
	for _, r := range reqs {
		if r.auth != "" || r.cookie != "" {
			t.Errorf("%s %s reached Prometheus with Authorization/Cookie", r.method, r.path)
		}
		if r.method == http.MethodPost && r.rawQuery != "" {
			t.Errorf("POST %s reached Prometheus with a URL query %q", r.path, r.rawQuery)
		}
		// Prometheus reads query on the query endpoints and match[] on
		// the others.
		isQuery := r.path == "/api/v1/query" || r.path == "/api/v1/query_range"
		if isQuery && len(r.params[paramQuery]) > 1 {
			t.Errorf("%s reached Prometheus with %d queries", r.path, len(r.params[paramQuery]))
		}
		for _, q := range r.params[paramQuery] {
			if !isQuery {
				break
			}
			expr, err := parser.ParseExpr(q)
			if err != nil {
				t.Errorf("forwarded query %q does not parse: %v", q, err)
				continue
			}
			parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
				if vs, isVS := n.(*parser.VectorSelector); isVS && !ok(vs.LabelMatchers) {
					t.Errorf("forwarded query %q has selector %s without exactly po=%q", q, vs, want)
				}
				return nil
			})
		}
		if !isQuery && r.path != "/api/v1/rules" && r.path != "/api/v1/alerts" {
			if len(r.params[paramMatch]) == 0 {
				t.Errorf("%s reached Prometheus with no match[]", r.path)
			}
			for _, m := range r.params[paramMatch] {
				ms, err := parser.ParseMetricSelector(m)
				if err != nil || !ok(ms) {
					t.Errorf("forwarded match[] %q lacks exactly po=%q (%v)", m, want, err)
				}
			}
		}
	}
}

const form = "application/x-www-form-urlencoded"

func TestProxyRequests(t *testing.T) {
	f := newFixture(t)
	tok := tokRBKC.Reveal()
	q := url.QueryEscape
	for _, tc := range []struct {
		name, method, path, ctype, body string
		code                            int
		forwarded                       int    // requests that reached Prometheus
		bodyHas                         string // in the proxy's answer
	}{
		{"GET query", "GET", "/api/v1/query?query=" + q(`sum(rate(x[5m]))`), "", "", 200, 1, "success"},
		{"GET query_range", "GET", "/api/v1/query_range?query=" + q(`x`) + "&start=1&end=2&step=1", "", "", 200, 1, "success"},
		{"POST query in body", "POST", "/api/v1/query", form, "query=" + q(`x or y`), 200, 1, "success"},
		{"POST query, time in URL", "POST", "/api/v1/query?time=1", form, "query=" + q(`x`), 200, 1, "success"},
		{"POST body differs from URL", "POST", "/api/v1/query?query=" + q(`x`), form, "query=" + q(`x{po="ealing"}`), 400, 0, "both in the URL and in the body"},
		{"POST same query twice", "POST", "/api/v1/query?query=" + q(`x`), form, "query=" + q(`x`), 400, 0, "both in the URL and in the body"},
		{"two queries in the URL", "GET", "/api/v1/query?query=x&query=" + q(`y{po="ealing"}`), "", "", 400, 0, "exactly one"},
		{"two queries in the body", "POST", "/api/v1/query", form, "query=x&query=" + q(`y{po="ealing"}`), 400, 0, "exactly one"},
		{"no query", "GET", "/api/v1/query?time=1", "", "", 400, 0, "exactly one"},
		{"empty query", "POST", "/api/v1/query", form, "query=", 400, 0, "exactly one"},
		{"multipart body", "POST", "/api/v1/query", "multipart/form-data; boundary=x",
			"--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\nx{po=\"ealing\"}\r\n--x--\r\n", 415, 0, "must be application/x-www-form-urlencoded"},
		{"JSON body", "POST", "/api/v1/query", "application/json", `{"query":"x"}`, 415, 0, "must be"},
		{"body without type", "POST", "/api/v1/query", "", "query=x", 415, 0, "needs Content-Type"},
		{"semicolon", "GET", "/api/v1/query?query=x;query=y", "", "", 400, 0, "does not parse"},
		{"another PO named", "GET", "/api/v1/query?query=" + q(`x{po="ealing"}`), "", "", 400, 0, "conflicts with injected matcher"},
		{"not rbkc", "GET", "/api/v1/query?query=" + q(`x{po!="rbkc"}`), "", "", 400, 0, "conflicts"},
		{"regex of all", "GET", "/api/v1/query?query=" + q(`x{po=~".*"}`), "", "", 200, 1, "success"},
		{"bad promql", "GET", "/api/v1/query?query=" + q(`x{`), "", "", 400, 0, "parse"},
		{"series GET", "GET", "/api/v1/series?match[]=" + q(`{__name__=~".+"}`), "", "", 200, 1, "success"},
		{"series no match", "GET", "/api/v1/series", "", "", 200, 1, "success"},
		{"series POST", "POST", "/api/v1/series", form, "match[]=" + q(`x{po="ealing"}`) + "&match[]=y", 200, 1, "success"},
		{"series bad selector", "POST", "/api/v1/series", form, "match[]=" + q(`sum(x)`), 400, 0, "not a series selector"},
		{"labels", "GET", "/api/v1/labels", "", "", 200, 1, "success"},
		{"labels POST", "POST", "/api/v1/labels", form, "match[]=up", 200, 1, "success"},
		{"label values", "GET", "/api/v1/label/po/values", "", "", 200, 1, "success"},
		{"label values match", "GET", "/api/v1/label/__name__/values?match[]=" + q(`{po=~".+"}`), "", "", 200, 1, "success"},
		{"label values POST", "POST", "/api/v1/label/po/values", form, "", 405, 0, "takes GET"},
		{"label values bad name", "GET", "/api/v1/label/po-x/values", "", "", 404, 0, "serves only"},
		{"label values trailing slash", "GET", "/api/v1/label/po/values/", "", "", 404, 0, "serves only"},
		{"query trailing slash", "GET", "/api/v1/query/?query=x", "", "", 404, 0, "serves only"},
		{"query sub-path", "GET", "/api/v1/query/x?query=x", "", "", 404, 0, "serves only"},
		{"dot-dot", "GET", "/api/v1/query/../status/config", "", "", 404, 0, "serves only"},
		{"encoded path", "GET", "/api/v1/%71uery?query=x", "", "", 200, 1, "success"},
		{"federate", "GET", "/federate?match[]=" + q(`{po="rbkc"}`), "", "", 404, 0, "serves only"},
		{"exemplars", "GET", "/api/v1/query_exemplars?query=x", "", "", 404, 0, "serves only"},
		{"metadata", "GET", "/api/v1/metadata", "", "", 404, 0, "serves only"},
		{"targets", "GET", "/api/v1/targets", "", "", 404, 0, "serves only"},
		{"buildinfo", "GET", "/api/v1/status/buildinfo", "", "", 404, 0, "serves only"},
		{"config", "GET", "/api/v1/status/config", "", "", 404, 0, "serves only"},
		{"admin", "POST", "/api/v1/admin/tsdb/delete_series?match[]=x", "", "", 404, 0, "serves only"},
		{"silences", "GET", "/api/v2/silences", "", "", 404, 0, "serves only"},
		{"remote read", "POST", "/api/v1/read", "", "", 404, 0, "serves only"},
		{"metrics", "GET", "/metrics", "", "", 404, 0, "serves only"},
		{"root", "GET", "/", "", "", 404, 0, "serves only"},
		{"DELETE query", "DELETE", "/api/v1/query?query=x", "", "", 405, 0, "takes GET or POST"},
		{"POST rules", "POST", "/api/v1/rules", form, "", 405, 0, "takes GET"},
		{"rules", "GET", "/api/v1/rules?type=alert", "", "", 200, 1, `"groups":[]`}, // filtered: the recorder has no rules
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, hdr := f.do(t, tc.method, tc.path, tc.ctype, tc.body, "rbkc", tok)
			if code != tc.code || !strings.Contains(body, tc.bodyHas) {
				t.Errorf("%d %q; want %d with %q", code, body, tc.code, tc.bodyHas)
			}
			if code == 405 && hdr.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
			reqs := f.up.take()
			if len(reqs) != tc.forwarded {
				t.Errorf("%d requests reached Prometheus; want %d: %+v", len(reqs), tc.forwarded, reqs)
			}
			checkEnforced(t, reqs, "rbkc")
		})
	}
}

func TestProxyAuthentication(t *testing.T) {
	f := newFixture(t)
	path := "/api/v1/query?query=x"
	for _, tc := range []struct {
		name, user, tok string
		code            int
	}{
		{"none", "", "", 401},
		{"wrong token", "rbkc", "guess-0123456789", 401},
		{"another user's token", "rbkc", tokEaling.Reveal(), 401},
		{"unknown user", "barnet", tokRBKC.Reveal(), 401},
		{"token as user", tokRBKC.Reveal(), "", 401},
		{"rbkc", "rbkc", tokRBKC.Reveal(), 200},
		{"ealing", "ealing-officers", tokEaling.Reveal(), 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, hdr := f.do(t, "GET", path, "", "", tc.user, tc.tok)
			if code != tc.code {
				t.Fatalf("%d %s; want %d", code, body, tc.code)
			}
			reqs := f.up.take()
			if code == 401 {
				if !strings.HasPrefix(hdr.Get("WWW-Authenticate"), `Basic realm="slawatch proxy"`) || len(reqs) != 0 {
					t.Errorf("401 with challenge %q, %d forwarded", hdr.Get("WWW-Authenticate"), len(reqs))
				}
				return
			}
			want := map[string]string{"rbkc": "rbkc", "ealing-officers": "ealing"}[tc.user]
			checkEnforced(t, reqs, want)
		})
	}
	// Healthy needs no credential and is not forwarded.
	if code, body, _ := f.do(t, "GET", "/-/healthy", "", "", "", ""); code != 200 || body != "ok\n" || len(f.up.take()) != 0 {
		t.Errorf("/-/healthy: %d %q", code, body)
	}
	// Revocation: new credentials without rbkc.
	cs, err := ParseCredentials("creds.yml", []byte("credentials:\n"+Entry("ealing", "ealing-officers", tokEaling)))
	if err != nil {
		t.Fatal(err)
	}
	f.proxy.SetCredentials(cs)
	if code, _, _ := f.do(t, "GET", path, "", "", "rbkc", tokRBKC.Reveal()); code != 401 {
		t.Errorf("revoked rbkc token: %d; want 401", code)
	}
	if code, _, _ := f.do(t, "GET", path, "", "", "ealing-officers", tokEaling.Reveal()); code != 200 {
		t.Errorf("ealing after the reload: %d", code)
	}
	f.up.take()

	logs := f.logs.String()
	for _, s := range []string{tokRBKC.Reveal(), tokEaling.Reveal(), "guess-0123456789", "barnet"} {
		if strings.Contains(logs, s) {
			t.Errorf("log holds %q: %s", s, logs)
		}
	}
	if !strings.Contains(logs, "unknown user or wrong token") {
		t.Errorf("no log of the failures: %s", logs)
	}
	if got := testutil.ToFloat64(f.proxy.authFail.WithLabelValues("invalid")); got != 5 {
		t.Errorf("invalid auth failures %v; want 5", got)
	}
	if got := testutil.ToFloat64(f.proxy.requests.WithLabelValues("rbkc", "query", "200")); got != 1 {
		t.Errorf("rbkc query 200s %v; want 1", got)
	}
	var exp bytes.Buffer
	mfs, _ := f.reg.Gather()
	for _, mf := range mfs {
		fmt.Fprintln(&exp, mf.String())
	}
	if strings.Contains(exp.String(), tokRBKC.Reveal()) || strings.Contains(exp.String(), HashToken(tokRBKC)) ||
		!strings.Contains(exp.String(), "slawatch_proxy_upstream_") {
		t.Errorf("metrics: %s", exp.String())
	}
}

func TestNewOptions(t *testing.T) {
	cs, _ := ParseCredentials("c", []byte(goodFile()))
	for _, u := range []string{"", "ftp://x", "http://", "127.0.0.1:9090"} {
		pu, _ := url.Parse(u)
		if _, err := New(Options{Upstream: pu, Credentials: cs}); err == nil || !strings.Contains(err.Error(), "http:// or https://") {
			t.Errorf("upstream %q: %v", u, err)
		}
	}
	pu, _ := url.Parse("http://127.0.0.1:9090")
	if _, err := New(Options{Upstream: pu}); err == nil {
		t.Error("no credentials accepted")
	}
}

// FuzzProxyQuery: whatever query, URL and body a client sends, every
// selector that reaches Prometheus carries exactly po="rbkc".
func FuzzProxyQuery(f *testing.F) {
	fx := newFixture(f)
	for _, s := range []string{`x{po="ealing"}`, `{__name__=~".+"}`, `sum by (po) (x) or on() vector(1)`,
		`label_replace(x, "po", "ealing", "", "")`, `x[5m:1m]`, `x unless on() y`, `count({po=~"e.*"})`} {
		f.Add(s, "query="+url.QueryEscape(s), "", false)
		f.Add("time=1", "query="+url.QueryEscape(s), form, true)
		f.Add("match[]="+url.QueryEscape(s), "match[]="+url.QueryEscape(s), form, true)
	}
	tok := tokRBKC.Reveal()
	f.Fuzz(func(t *testing.T, rawQuery, body, ctype string, post bool) {
		method := "GET"
		if post {
			method = "POST"
		}
		for _, path := range []string{"/api/v1/query", "/api/v1/series", "/api/v1/label/po/values"} {
			req, err := http.NewRequest(method, fx.srv.URL+path, strings.NewReader(body))
			if err != nil {
				return
			}
			req.URL.RawQuery = rawQuery
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			req.SetBasicAuth("rbkc", tok)
			resp, err := fx.srv.Client().Do(req)
			if err != nil {
				return // not a valid HTTP request
			}
			resp.Body.Close()
			checkEnforced(t, fx.up.take(), "rbkc")
		}
	})
}
