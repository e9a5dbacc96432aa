package tenancy

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestNestingLimit: a query or match[] nesting deeper than the limit is
// answered 400 in the Prometheus API's error shape, naming the limit,
// and nothing reaches Prometheus; at the limit it is served; brackets
// in strings do not count.
func TestNestingLimit(t *testing.T) {
	f := newFixture(t)
	tok := tokRBKC.Reveal()
	minus := func(n int) string { return strings.Repeat("-", n) + "x" }
	parens := func(n int) string { return strings.Repeat("(", n) + "x" + strings.Repeat(")", n) }
	runRefusals(t, f, tok, `over the limit of 64`, []refusalCase{
		{"unary chain at the limit", "POST", "/api/v1/query", "query=" + url.QueryEscape(minus(64)), 200, 1},
		{"unary chain over the limit", "POST", "/api/v1/query", "query=" + url.QueryEscape(minus(65)), 400, 0},
		{"worst 16 KiB query", "POST", "/api/v1/query", "query=" + url.QueryEscape(minus(MaxExprLen-1)), 400, 0},
		{"parentheses at the limit (GET)", "GET", "/api/v1/query_range?query=" + url.QueryEscape(parens(64)) + "&start=1&end=2&step=1", "", 200, 1},
		{"parentheses over the limit (GET)", "GET", "/api/v1/query_range?query=" + url.QueryEscape(parens(65)) + "&start=1&end=2&step=1", "", 400, 0},
		{"sum chain over the limit", "GET", "/api/v1/query?query=" + url.QueryEscape(strings.Repeat("x+", 65)+"x"), "", 400, 0},
		{"brackets in a string", "GET", "/api/v1/query?query=" + url.QueryEscape(`x{a="`+strings.Repeat("(", 500)+`"}`), "", 200, 1},
		{"match[] over the limit", "GET", "/api/v1/series?match[]=up&match[]=" + url.QueryEscape(parens(65)), "", 400, 0},
		{"rules match[] over the limit", "GET", "/api/v1/rules?match[]=" + url.QueryEscape(parens(65)), "", 400, 0},
	})
	if n := testutil.ToFloat64(f.proxy.requests.WithLabelValues("rbkc", "query", "400")); n != 3 {
		t.Errorf("slawatch_proxy_requests_total{po=rbkc,endpoint=query,code=400} = %v; want 3", n)
	}
	if !strings.Contains(f.logs.String(), "over the limit of 64") {
		t.Errorf("the refusal is not logged: %s", f.logs.String())
	}
}

// TestMaxNestingOption: Options.MaxNesting replaces the default.
func TestMaxNestingOption(t *testing.T) {
	up := &recorder{}
	upSrv := httptest.NewServer(up)
	defer upSrv.Close()
	u, _ := url.Parse(upSrv.URL)
	cs, err := ParseCredentials("creds.yml", []byte(goodFile()))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Options{Upstream: u, Credentials: cs, Registerer: prometheus.NewRegistry(), MaxNesting: 3})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	defer srv.Close()
	f := &fixture{proxy: p, srv: srv, up: up}
	tok := tokRBKC.Reveal()
	for q, want := range map[string]int{`sum(rate(x[5m]))`: 200, `sum(rate(x[5m])) * 2`: 400} {
		code, body, _ := f.do(t, "GET", "/api/v1/query?query="+url.QueryEscape(q), "", "", "rbkc", tok)
		if code != want || want == 400 && !strings.Contains(body, "nesting 4 deep is over the limit of 3") {
			t.Errorf("%s: %d %s; want %d", q, code, body, want)
		}
	}
}

// refusalCase is a request and what should come of it: its status and
// how many requests reach Prometheus.
type refusalCase struct {
	name, method, path, body string
	code, forwarded          int
}

// runRefusals sends each case as rbkc; a 400 must be a Prometheus
// bad_data error (JSON) whose message contains want.
func runRefusals(t *testing.T, f *fixture, tok, want string, cases []refusalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctype := ""
			if tc.method == "POST" {
				ctype = form
			}
			code, body, hdr := f.do(t, tc.method, tc.path, ctype, tc.body, "rbkc", tok)
			if code != tc.code {
				t.Errorf("%d %.300s; want %d", code, body, tc.code)
			}
			if reqs := f.up.take(); len(reqs) != tc.forwarded {
				t.Errorf("%d requests reached Prometheus; want %d", len(reqs), tc.forwarded)
			}
			if tc.code != 400 {
				return
			}
			var e struct{ Status, ErrorType, Error string }
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Status != "error" || e.ErrorType != "bad_data" ||
				!strings.Contains(e.Error, want) || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
				t.Errorf("refusal %q (%s); want a Prometheus bad_data error containing %q", body, hdr.Get("Content-Type"), want)
			}
		})
	}
}
