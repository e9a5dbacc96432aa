package tenancy

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/internal/secret"
	"github.com/slawatch/slawatch/internal/syncbuf"
	"github.com/slawatch/slawatch/internal/testprom"
)

// The attack target: the same metric names for three POs and a series with
// no po. Each PO's series carry a secret label only its own data has, and
// values of a different magnitude (rbkc 1 and 2, ealing 100s, barnet
// 10000s, no po 1000000), so a leak shows as a marker or a sum.
const attackExposition = `# TYPE slawatch_attack_calls gauge
slawatch_attack_calls{po="rbkc",option="a",secret="s-rbkc"} 1
slawatch_attack_calls{po="rbkc",option="b",secret="s-rbkc"} 1
slawatch_attack_calls{po="ealing",option="a",secret="s-ealing"} 100
slawatch_attack_calls{po="ealing",option="b",secret="s-ealing"} 100
slawatch_attack_calls{po="barnet",option="a",secret="s-barnet"} 10000
slawatch_attack_calls{option="a",secret="s-nopo"} 1000000
# TYPE slawatch_attack_waiting gauge
slawatch_attack_waiting{po="rbkc"} 2
slawatch_attack_waiting{po="ealing"} 200
slawatch_attack_waiting{po="barnet"} 20000
`

// attackRules record and alert per PO, with and without a static po label.
const attackRules = `groups:
  - name: attack
    interval: 1s
    rules:
      - record: po:slawatch_attack_calls:sum
        expr: sum by (po) (slawatch_attack_calls)
      - record: attack:ealing_only
        expr: slawatch_attack_calls{po="ealing"}
        labels: {po: ealing}
      - record: attack:all
        expr: sum(slawatch_attack_calls)
      - alert: AttackWaiting
        expr: slawatch_attack_waiting > 0
        annotations: {summary: "calls waiting at {{ $labels.po }}"}
      - alert: AttackEalingStatic
        expr: slawatch_attack_waiting{po="ealing"} > 0
        labels: {po: ealing}
`

// forbidden are strings only other POs' data holds.
var forbidden = []string{"ealing", "barnet", "s-nopo"}

type promAnswer struct {
	Status string          `json:"status"`
	Error  string          `json:"error"`
	Data   json.RawMessage `json:"data"`
}

type attackCase struct {
	name   string
	method string // GET (default) or POST
	path   string
	params url.Values // the URL's (GET) or the body's (POST)
	url    url.Values // POST only: what goes in the URL as well
	// code is the status wanted; 0 means 200 or a refusal (400) are
	// both fine as long as nothing leaks.
	code int
	// rows, when >= 0, is the number of rows (vector, matrix or list
	// entries) wanted; -1: any.
	rows int
	// check, when set, looks at the data further (rbkc's own data).
	check func(t *testing.T, data json.RawMessage)
}

func TestAttacksAgainstRealPrometheus(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		io.WriteString(w, attackExposition)
	}))
	defer target.Close()
	prom := testprom.Start(t, testprom.Options{
		Config: fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [attack.rules.yml]
scrape_configs:
  - job_name: attack
    static_configs: [{targets: [%q]}]
`, strings.TrimPrefix(target.URL, "http://")),
		Files: map[string]string{"attack.rules.yml": attackRules},
		Args:  []string{"--web.enable-admin-api"},
	})

	// Credentials: rbkc, ealing, and barnet, whose token is revoked below.
	tokBarnet := secret.New("barnet-token-0123456789abcdefghijklmnopqrstu")
	all := "credentials:\n" + Entry("rbkc", "rbkc", tokRBKC) + Entry("ealing", "ealing", tokEaling) + Entry("barnet", "barnet", tokBarnet)
	cs, err := ParseCredentials("creds.yml", []byte(all))
	if err != nil {
		t.Fatal(err)
	}
	up, _ := url.Parse(prom.URL)
	logs := &syncbuf.Buffer{}
	p, err := New(Options{Upstream: up, Credentials: cs, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(p)
	defer proxy.Close()
	client := &http.Client{Timeout: 20 * time.Second}

	// Wait until Prometheus has every PO's series, recorded series and
	// alerts: the test is only worth something when the data is there.
	direct := func(q string) (int, error) {
		resp, err := client.Get(prom.URL + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var a promAnswer
		if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
			return 0, err
		}
		var v struct{ Result []json.RawMessage }
		json.Unmarshal(a.Data, &v)
		return len(v.Result), nil
	}
	ready := map[string]int{
		`slawatch_attack_calls`:                                 6,
		`slawatch_attack_waiting`:                               3,
		`po:slawatch_attack_calls:sum`:                          4,
		`attack:ealing_only`:                                    2,
		`ALERTS{alertname="AttackWaiting",alertstate="firing"}`: 3,
		`ALERTS{alertname="AttackEalingStatic"}`:                1,
		`slawatch_attack_calls offset 3s`:                       6, // history for subqueries and ranges
	}
	deadline := time.Now().Add(90 * time.Second)
	for q, want := range ready {
		for {
			n, err := direct(q)
			if n == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Prometheus never had %d rows for %s (last %d, %v)", want, q, n, err)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}

	// send goes through the proxy as user/token.
	send := func(t *testing.T, c attackCase, user string, tok secret.Secret) (int, []byte) {
		t.Helper()
		method := c.method
		if method == "" {
			method = http.MethodGet
		}
		var req *http.Request
		if method == http.MethodPost {
			req, _ = http.NewRequest(method, proxy.URL+c.path, strings.NewReader(c.params.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.URL.RawQuery = c.url.Encode()
		} else {
			req, _ = http.NewRequest(method, proxy.URL+c.path, nil)
			req.URL.RawQuery = c.params.Encode()
		}
		if user != "" {
			req.SetBasicAuth(user, tok.Reveal())
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}

	// The leak check itself must be able to fail: Prometheus's own answer
	// to the widest query holds every PO.
	if _, b := getDirect(t, client, prom.URL+"/api/v1/query?query="+url.QueryEscape(`{__name__=~".+"}`)); len(leaks(string(b), "")) != len(forbidden) {
		t.Fatalf("the leak check does not see other POs in Prometheus's own answer: %v", leaks(string(b), ""))
	}

	q := func(expr string) url.Values { return url.Values{"query": {expr}} }
	now := strconv.FormatInt(time.Now().Unix(), 10)
	rng := func(expr string) url.Values {
		return url.Values{"query": {expr}, "start": {strconv.FormatInt(time.Now().Add(-5*time.Second).Unix(), 10)}, "end": {now}, "step": {"1"}}
	}
	m := func(sel ...string) url.Values { return url.Values{"match[]": sel} }
	const calls = "slawatch_attack_calls"
	cases := []attackCase{
		// rbkc's own data is there (so the suite can fail).
		{name: "own", path: "/api/v1/query", params: q(calls), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "own range", path: "/api/v1/query_range", params: rng(calls), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "own POST", method: "POST", path: "/api/v1/query", params: q(calls), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "own recorded", path: "/api/v1/query", params: q(`po:slawatch_attack_calls:sum`), code: 200, rows: 1, check: values("2")},
		{name: "own alerts series", path: "/api/v1/query", params: q(`ALERTS`), code: 200, rows: 1, check: allPO("rbkc")},
		// Another PO named.
		{name: "other po", path: "/api/v1/query", params: q(calls + `{po="ealing"}`), code: 400, rows: -1},
		{name: "other po range", path: "/api/v1/query_range", params: rng(calls + `{po="barnet"}`), code: 400, rows: -1},
		{name: "no po", path: "/api/v1/query", params: q(calls + `{po=""}`), code: 400, rows: -1},
		{name: "other recorded", path: "/api/v1/query", params: q(`attack:ealing_only`), code: 200, rows: 0},
		{name: "recorded without po", path: "/api/v1/query", params: q(`attack:all`), code: 200, rows: 0},
		// Regex and negative matchers.
		{name: "regex all", path: "/api/v1/query", params: q(calls + `{po=~".*"}`), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "regex any", path: "/api/v1/query", params: q(calls + `{po=~".+"}`), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "regex two", path: "/api/v1/query", params: q(calls + `{po=~"ealing|rbkc"}`), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "regex other", path: "/api/v1/query", params: q(calls + `{po=~"eal.*"}`), code: 400, rows: -1},
		{name: "not rbkc", path: "/api/v1/query", params: q(calls + `{po!="rbkc"}`), code: 400, rows: -1},
		{name: "not regex rbkc", path: "/api/v1/query", params: q(calls + `{po!~"rbkc"}`), code: 400, rows: -1},
		{name: "secret of another", path: "/api/v1/query", params: q(calls + `{secret="s-ealing"}`), code: 200, rows: 0},
		// Set operators and joins.
		{name: "or other", path: "/api/v1/query", params: q(calls + ` or slawatch_attack_waiting{po="ealing"}`), code: 400, rows: -1},
		{name: "or on()", path: "/api/v1/query", params: q(calls + ` or on() slawatch_attack_waiting`), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "or unfiltered", path: "/api/v1/query", params: q(`slawatch_attack_waiting or ` + calls), code: 200, rows: 3, check: allPO("rbkc")},
		{name: "unless other", path: "/api/v1/query", params: q(`slawatch_attack_waiting unless on(po) ` + calls + `{po="barnet"}`), code: 400, rows: -1},
		{name: "unless on()", path: "/api/v1/query", params: q(`vector(1) unless on() ` + calls), code: 200, rows: 0},
		{name: "and on()", path: "/api/v1/query", params: q(calls + ` and on() vector(1)`), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "and on() other", path: "/api/v1/query", params: q(`vector(1) and on() ` + calls + `{po="ealing"}`), code: 400, rows: -1},
		{name: "group_left", path: "/api/v1/query", params: q(calls + ` * on(po) group_left slawatch_attack_waiting`), code: 200, rows: 2, check: values("2", "2")},
		// Subqueries and functions.
		{name: "subquery", path: "/api/v1/query", params: q(`max_over_time(` + calls + `[5s:1s])`), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "subquery other", path: "/api/v1/query", params: q(`max_over_time({__name__="` + calls + `",po="ealing"}[5s:1s])`), code: 400, rows: -1},
		{name: "nested subquery", path: "/api/v1/query", params: q(`sum(max_over_time(rate(` + calls + `[3s])[5s:1s]))`), code: 200, rows: 1},
		{name: "label_replace po", path: "/api/v1/query", params: q(`label_replace(` + calls + `, "po", "rbkc", "po", ".*")`), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "label_replace from secret", path: "/api/v1/query", params: q(`label_replace(` + calls + `, "po", "$1", "secret", "s-(.*)")`), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "label_replace other inside", path: "/api/v1/query", params: q(`label_replace(` + calls + `{po="ealing"}, "po", "rbkc", "", "")`), code: 400, rows: -1},
		{name: "absent other", path: "/api/v1/query", params: q(`absent(` + calls + `{po="ealing"})`), code: 400, rows: -1},
		{name: "offset and @", path: "/api/v1/query", params: q(calls + ` offset 1s @ end()`), code: 200, rows: 2, check: allPO("rbkc")},
		// Nesting: at the limit (64 operators deep) answered and filtered;
		// one deeper refused before any parse (DefaultMaxNesting).
		{name: "nesting at the limit", path: "/api/v1/query", params: q(strings.Repeat("-", 64) + calls), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "nesting over the limit", path: "/api/v1/query", params: q(strings.Repeat("-", 64) + "(" + calls + ")"), code: 400, rows: -1},
		// Every series.
		{name: "every name", path: "/api/v1/query", params: q(`{__name__=~".+"}`), code: 200, rows: -1, check: allPO("rbkc")},
		{name: "every name range", path: "/api/v1/query_range", params: rng(`{__name__=~".+"}`), code: 200, rows: -1, check: allPO("rbkc")},
		{name: "every name POST", method: "POST", path: "/api/v1/query", params: q(`{__name__=~".+"}`), code: 200, rows: -1, check: allPO("rbkc")},
		{name: "count by po", path: "/api/v1/query", params: q(`count by (po) ({__name__=~".+"})`), code: 200, rows: 1, check: allPO("rbkc")},
		// Aggregations without po: only rbkc's values in them.
		{name: "sum", path: "/api/v1/query", params: q(`sum(` + calls + `)`), code: 200, rows: 1, check: values("2")},
		{name: "count", path: "/api/v1/query", params: q(`count(` + calls + `)`), code: 200, rows: 1, check: values("2")},
		{name: "sum without po", path: "/api/v1/query", params: q(`sum without (po) (` + calls + `)`), code: 200, rows: 2, check: values("1", "1")},
		{name: "sum by secret", path: "/api/v1/query", params: q(`sum by (secret) (` + calls + `)`), code: 200, rows: 1, check: values("2")},
		{name: "max all", path: "/api/v1/query", params: q(`max({__name__=~"slawatch_attack_.*"})`), code: 200, rows: 1, check: values("2")},
		{name: "scalar", path: "/api/v1/query", params: q(`scalar(sum(slawatch_attack_waiting))`), code: 200, rows: -1, check: scalarIs("2")},
		{name: "topk", path: "/api/v1/query", params: q(`topk(100, ` + calls + `)`), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "count_values", path: "/api/v1/query", params: q(`count_values("v", ` + calls + `)`), code: 200, rows: 1, check: values("2")},
		// POST bodies that differ from the URL, several queries.
		{name: "POST body differs from URL", method: "POST", path: "/api/v1/query", params: q(calls + `{po="ealing"}`), url: q(calls), code: 400, rows: -1},
		{name: "POST URL differs from body", method: "POST", path: "/api/v1/query", params: q(calls), url: q(`{__name__=~".+",po="barnet"}`), code: 400, rows: -1},
		{name: "POST range body differs", method: "POST", path: "/api/v1/query_range", params: rng(calls + `{po="ealing"}`), url: url.Values{"query": {calls}}, code: 400, rows: -1},
		{name: "two queries", path: "/api/v1/query", params: url.Values{"query": {calls, calls + `{po="ealing"}`}}, code: 400, rows: -1},
		{name: "two queries POST", method: "POST", path: "/api/v1/query", params: url.Values{"query": {`vector(1)`, `{po="ealing"}`}}, code: 400, rows: -1},
		// Series.
		{name: "series every name", path: "/api/v1/series", params: m(`{__name__=~".+"}`), code: 200, rows: -1, check: allPO("rbkc")},
		{name: "series no match", path: "/api/v1/series", params: url.Values{}, code: 200, rows: -1, check: allPO("rbkc")},
		{name: "series other", path: "/api/v1/series", params: m(calls + `{po="ealing"}`), code: 200, rows: 0},
		{name: "series two, one other", path: "/api/v1/series", params: m(calls, `{po="barnet"}`), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "series POST", method: "POST", path: "/api/v1/series", params: m(calls), code: 200, rows: 2, check: allPO("rbkc")},
		{name: "series POST differs", method: "POST", path: "/api/v1/series", params: m(`{po="ealing"}`), url: m(calls), code: 400, rows: -1},
		{name: "series not a selector", path: "/api/v1/series", params: m(`sum(` + calls + `)`), code: 400, rows: -1},
		// Labels and label values.
		{name: "labels", path: "/api/v1/labels", params: url.Values{}, code: 200, rows: -1, check: contains("po", "secret")},
		{name: "labels other", path: "/api/v1/labels", params: m(`{po="ealing"}`), code: 200, rows: 0},
		{name: "labels POST", method: "POST", path: "/api/v1/labels", params: m(`{__name__=~".+"}`), code: 200, rows: -1, check: contains("po")},
		{name: "po values", path: "/api/v1/label/po/values", params: url.Values{}, code: 200, rows: 1, check: contains("rbkc")},
		{name: "po values every", path: "/api/v1/label/po/values", params: m(`{__name__=~".+"}`), code: 200, rows: 1, check: contains("rbkc")},
		{name: "po values other", path: "/api/v1/label/po/values", params: m(`{po="ealing"}`), code: 200, rows: 0},
		{name: "secret values", path: "/api/v1/label/secret/values", params: url.Values{}, code: 200, rows: 1, check: contains("s-rbkc")},
		{name: "name values", path: "/api/v1/label/__name__/values", params: url.Values{}, code: 200, rows: -1, check: contains(calls, "po:slawatch_attack_calls:sum", "ALERTS")},
		{name: "label values POST", method: "POST", path: "/api/v1/label/po/values", params: url.Values{}, code: 405, rows: -1},
		// Rules and alerts, filtered.
		{name: "rules", path: "/api/v1/rules", params: url.Values{}, code: 200, rows: -1, check: contains("AttackWaiting", "calls waiting at rbkc")},
		{name: "alerting rules", path: "/api/v1/rules", params: url.Values{"type": {"alert"}}, code: 200, rows: -1, check: contains("AttackWaiting")},
		{name: "alerts", path: "/api/v1/alerts", params: url.Values{}, code: 200, rows: 1, check: allPO("rbkc")},
		// Everything else is refused.
		{name: "federate", path: "/federate", params: m(`{po="rbkc"}`), code: 404, rows: -1},
		{name: "exemplars", path: "/api/v1/query_exemplars", params: q(calls), code: 404, rows: -1},
		{name: "metadata", path: "/api/v1/metadata", params: url.Values{}, code: 404, rows: -1},
		{name: "targets", path: "/api/v1/targets", params: url.Values{}, code: 404, rows: -1},
		{name: "targets metadata", path: "/api/v1/targets/metadata", params: url.Values{}, code: 404, rows: -1},
		{name: "tsdb status", path: "/api/v1/status/tsdb", params: url.Values{}, code: 404, rows: -1},
		{name: "config", path: "/api/v1/status/config", params: url.Values{}, code: 404, rows: -1},
		{name: "buildinfo", path: "/api/v1/status/buildinfo", params: url.Values{}, code: 404, rows: -1},
		{name: "admin delete", method: "POST", path: "/api/v1/admin/tsdb/delete_series", params: m(`{po="ealing"}`), code: 404, rows: -1},
		{name: "admin snapshot", method: "POST", path: "/api/v1/admin/tsdb/snapshot", params: url.Values{}, code: 404, rows: -1},
		{name: "format query", path: "/api/v1/format_query", params: q(calls), code: 404, rows: -1},
		{name: "graph", path: "/graph", params: url.Values{}, code: 404, rows: -1},
		{name: "query trailing slash", path: "/api/v1/query/", params: q(calls), code: 404, rows: -1},
		{name: "prometheus metrics", path: "/metrics", params: url.Values{}, code: 404, rows: -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := send(t, c, "rbkc", tokRBKC)
			request := c.params.Encode() + " " + c.url.Encode()
			if l := leaks(string(body), request); len(l) > 0 {
				t.Fatalf("LEAK: the answer holds %v:\n%s", l, testprom.Tail(string(body), 2000))
			}
			if c.code != 0 && code != c.code {
				t.Fatalf("status %d; want %d: %s", code, c.code, testprom.Tail(string(body), 500))
			}
			if code != http.StatusOK {
				return
			}
			var a promAnswer
			if err := json.Unmarshal(body, &a); err != nil || a.Status != "success" {
				t.Fatalf("answer %v: %s", err, testprom.Tail(string(body), 500))
			}
			if n := rowCount(a.Data); c.rows >= 0 && n != c.rows {
				t.Errorf("%d rows; want %d: %s", n, c.rows, testprom.Tail(string(a.Data), 1500))
			}
			if c.check != nil {
				c.check(t, a.Data)
			}
		})
	}

	// ealing's credential sees ealing (the proxy does not just block).
	t.Run("ealing sees ealing", func(t *testing.T) {
		code, body := send(t, attackCase{path: "/api/v1/query", params: q(calls)}, "ealing", tokEaling)
		var a promAnswer
		json.Unmarshal(body, &a)
		if code != 200 || rowCount(a.Data) != 2 || strings.Contains(string(body), "rbkc") {
			t.Errorf("%d %s", code, body)
		}
	})

	// Credentials: none, wrong, another user's, revoked.
	p.SetCredentials(mustParseCreds(t, "credentials:\n"+Entry("rbkc", "rbkc", tokRBKC)+Entry("ealing", "ealing", tokEaling)))
	wide := attackCase{path: "/api/v1/query", params: q(`{__name__=~".+"}`)}
	for _, a := range []struct {
		name, user string
		tok        secret.Secret
	}{
		{"no credential", "", secret.Secret{}},
		{"wrong token", "rbkc", secret.New("rbkc-guess-0123456789abcdefghijklmnopqrstuvw")},
		{"empty token", "rbkc", secret.Secret{}},
		{"rbkc with ealing's token", "rbkc", tokEaling},
		{"ealing with rbkc's token", "ealing", tokRBKC},
		{"revoked", "barnet", tokBarnet},
		{"token as user", tokRBKC.Reveal(), secret.Secret{}},
	} {
		t.Run(a.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/query", "/api/v1/series", "/api/v1/label/po/values", "/api/v1/rules", "/federate"} {
				c := wide
				c.path = path
				code, body := send(t, c, a.user, a.tok)
				if code != http.StatusUnauthorized || len(leaks(string(body), "")) > 0 || strings.Contains(string(body), "rbkc") {
					t.Errorf("%s: %d %s", path, code, testprom.Tail(string(body), 300))
				}
			}
		})
	}
	for _, s := range []string{tokRBKC.Reveal(), tokEaling.Reveal(), tokBarnet.Reveal(), "rbkc-guess"} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the proxy's log holds a token")
		}
	}
}

// leaks are the forbidden strings in an answer that the request did not
// carry itself (an error may quote the query).
func leaks(body, request string) []string {
	var out []string
	for _, f := range forbidden {
		if strings.Contains(body, f) && !strings.Contains(request, f) {
			out = append(out, f)
		}
	}
	return out
}

// rowCount counts a result's rows: vector or matrix series, or list entries
// (series, labels, values), alerts, rule groups' rules.
func rowCount(data json.RawMessage) int {
	var v struct {
		ResultType string            `json:"resultType"`
		Result     []json.RawMessage `json:"result"`
		Alerts     []json.RawMessage `json:"alerts"`
	}
	var list []json.RawMessage
	if json.Unmarshal(data, &list) == nil {
		return len(list)
	}
	json.Unmarshal(data, &v)
	if v.Alerts != nil {
		return len(v.Alerts)
	}
	if v.ResultType == "scalar" || v.ResultType == "string" {
		return 1
	}
	return len(v.Result)
}

// rows are the label sets and values of a vector, matrix, series list or
// alert list.
func rows(t *testing.T, data json.RawMessage) (lsets []map[string]string, vals []string) {
	t.Helper()
	var v struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Value  []any             `json:"value"`
			Values [][]any           `json:"values"`
		} `json:"result"`
		Alerts []struct {
			Labels map[string]string `json:"labels"`
		} `json:"alerts"`
	}
	var list []map[string]string
	if json.Unmarshal(data, &list) == nil {
		return list, nil
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("result: %v", err)
	}
	for _, r := range v.Result {
		lsets = append(lsets, r.Metric)
		if len(r.Value) == 2 {
			vals = append(vals, fmt.Sprint(r.Value[1]))
		}
		for _, pt := range r.Values {
			vals = append(vals, fmt.Sprint(pt[1]))
		}
	}
	for _, a := range v.Alerts {
		lsets = append(lsets, a.Labels)
	}
	return lsets, vals
}

// allPO: every row carries po="want" (or, after label_replace, at least
// no other PO's secret), and there is at least one.
func allPO(want string) func(*testing.T, json.RawMessage) {
	return func(t *testing.T, data json.RawMessage) {
		lsets, _ := rows(t, data)
		if len(lsets) == 0 {
			t.Fatal("no rows: rbkc's own data should be there")
		}
		for _, l := range lsets {
			if l["po"] != want {
				t.Errorf("row %v does not carry po=%q", l, want)
			}
		}
	}
}

// values: the rows' values are exactly these (order aside).
func values(want ...string) func(*testing.T, json.RawMessage) {
	return func(t *testing.T, data json.RawMessage) {
		_, got := rows(t, data)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("values %v; want %v (rbkc's alone)", got, want)
		}
	}
}

func scalarIs(want string) func(*testing.T, json.RawMessage) {
	return func(t *testing.T, data json.RawMessage) {
		var v struct {
			Result []any `json:"result"`
		}
		if json.Unmarshal(data, &v) != nil || len(v.Result) != 2 || fmt.Sprint(v.Result[1]) != want {
			t.Errorf("scalar %s; want %s", data, want)
		}
	}
}

func contains(want ...string) func(*testing.T, json.RawMessage) {
	return func(t *testing.T, data json.RawMessage) {
		for _, w := range want {
			if !strings.Contains(string(data), `"`+w) {
				t.Errorf("answer lacks %q: %s", w, testprom.Tail(string(data), 1500))
			}
		}
	}
}

func getDirect(t *testing.T, c *http.Client, u string) (int, []byte) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func mustParseCreds(t *testing.T, data string) *Credentials {
	t.Helper()
	cs, err := ParseCredentials("creds.yml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
