package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// TestAPIWithRealClient drives every endpoint the lead and Grafana rely on
// through client_golang's Prometheus API client.
func TestAPIWithRealClient(t *testing.T) {
	r, _, dead := demoEngine(t, t.TempDir())
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	client, err := api.NewClient(api.Config{Address: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	prom := v1.NewAPI(client)
	ctx := context.Background()

	// Wait until the data and both firing alert kinds exist.
	waitFor(t, "firing alerts", func() error {
		firing := map[string]int{}
		for _, a := range r.Alerts() {
			if a.State == "firing" {
				firing[a.Name]++
			}
		}
		if firing["DemoCallsSeen"] != 2 || firing["TargetDown"] != 1 {
			return fmt.Errorf("firing = %v", firing)
		}
		return nil
	})
	start := time.Now().Add(-time.Minute)

	t.Run("query", func(t *testing.T) {
		v, _, _, err := prom.Query(ctx, `job_po:demo_calls_offered:sum`, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		vec, ok := v.(model.Vector)
		if !ok || len(vec) != 2 {
			t.Fatalf("Query = %v (%T), want a 2-sample vector", v, v)
		}
		got := map[model.LabelValue]model.SampleValue{}
		for _, s := range vec {
			got[s.Metric["po"]] = s.Value
		}
		if got["po1"] != 42 || got["po2"] != 7 {
			t.Errorf("Query = %v, want po1=42 po2=7", got)
		}
		sc, _, _, err := prom.Query(ctx, `2 * 21`, time.Now())
		if err != nil || sc.Type() != model.ValScalar || sc.(*model.Scalar).Value != 42 {
			t.Errorf("Query(2 * 21) = %v, %v: want scalar 42", sc, err)
		}
	})

	t.Run("query_range", func(t *testing.T) {
		v, _, _, err := prom.QueryRange(ctx, `up{job="telephony"}`, v1.Range{Start: start, End: time.Now(), Step: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		m, ok := v.(model.Matrix)
		if !ok || len(m) != 1 || len(m[0].Values) == 0 {
			t.Fatalf("QueryRange = %v (%T), want one series with points", v, v)
		}
		// Each point is a scrape's verdict: 1, or 0 when a scrape timed out
		// on a loaded machine; the series must hold real scrapes.
		ones := 0
		for _, p := range m[0].Values {
			switch p.Value {
			case 1:
				ones++
			case 0:
			default:
				t.Errorf("up{job=telephony} point %v, want 0 or 1", p)
			}
		}
		if ones == 0 {
			t.Errorf("up{job=telephony} has no successful scrape in %v", m[0].Values)
		}
	})

	t.Run("series", func(t *testing.T) {
		ss, _, _, err := prom.Series(ctx, []string{`demo_calls_offered_total`}, start, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var pos []string
		for _, s := range ss {
			if s["job"] != "telephony" || s["__name__"] != "demo_calls_offered_total" {
				t.Errorf("series %v", s)
			}
			pos = append(pos, string(s["po"]))
		}
		sort.Strings(pos)
		if strings.Join(pos, ",") != "po1,po2" {
			t.Errorf("Series pos = %v, want po1,po2", pos)
		}
	})

	t.Run("labels", func(t *testing.T) {
		names, _, _, err := prom.LabelNames(ctx, nil, start, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []model.LabelName{"__name__", "instance", "job", "po"} {
			if !contains(names, want) {
				t.Errorf("LabelNames = %v, missing %s", names, want)
			}
		}
		jobs, _, _, err := prom.LabelValues(ctx, "job", nil, start, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(jobs) != "[crm telephony]" {
			t.Errorf("LabelValues(job) = %v, want [crm telephony]", jobs)
		}
		pos, _, _, err := prom.LabelValues(ctx, "po", []string{`up`}, start, time.Now())
		if err != nil || len(pos) != 0 {
			t.Errorf("LabelValues(po, match up) = %v, %v: want none", pos, err)
		}
	})

	t.Run("rules", func(t *testing.T) {
		res, err := prom.Rules(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, g := range res.Groups {
			for _, rule := range g.Rules {
				switch rr := rule.(type) {
				case v1.RecordingRule:
					kinds[rr.Name] = "record/" + string(rr.Health)
				case v1.AlertingRule:
					kinds[rr.Name] = "alert/" + rr.State
				default:
					t.Errorf("rule of type %T", rule)
				}
			}
		}
		want := map[string]string{
			"job_po:demo_calls_offered:sum": "record/ok",
			"DemoCallsSeen":                 "alert/firing",
			"DemoCallsSlow":                 "alert/pending",
			"DemoNever":                     "alert/inactive",
			"TargetDown":                    "alert/firing",
		}
		if fmt.Sprint(kinds) != fmt.Sprint(want) {
			t.Errorf("Rules = %v, want %v", kinds, want)
		}
	})

	t.Run("alerts", func(t *testing.T) {
		res, err := prom.Alerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]v1.AlertState{}
		for _, a := range res.Alerts {
			states[string(a.Labels["alertname"])+"/"+string(a.Labels["po"])+string(a.Labels["instance"])] = a.State
		}
		deadInstance := strings.TrimSuffix(strings.TrimPrefix(dead, "http://"), "/metrics")
		want := map[string]v1.AlertState{
			"DemoCallsSeen/po1": v1.AlertStateFiring, "DemoCallsSeen/po2": v1.AlertStateFiring,
			"DemoCallsSlow/po1": v1.AlertStatePending, "DemoCallsSlow/po2": v1.AlertStatePending,
			"TargetDown/" + deadInstance: v1.AlertStateFiring,
		}
		if fmt.Sprint(states) != fmt.Sprint(want) {
			t.Errorf("Alerts = %v, want %v", states, want)
		}
	})

	t.Run("bad PromQL is bad_data", func(t *testing.T) {
		_, _, _, err := prom.Query(ctx, `sum(`, time.Now())
		var apiErr *v1.Error
		if !errors.As(err, &apiErr) || apiErr.Type != v1.ErrBadData {
			t.Errorf("Query(sum() error = %#v, want *v1.Error with type bad_data", err)
		}
		_, _, _, err = prom.QueryRange(ctx, `rate(up)`, v1.Range{Start: start, End: time.Now(), Step: time.Second})
		if !errors.As(err, &apiErr) || apiErr.Type != v1.ErrBadData {
			t.Errorf("QueryRange(rate(up)) error = %#v, want bad_data", err)
		}
		_, _, _, err = prom.Series(ctx, []string{`{`}, start, time.Now())
		if !errors.As(err, &apiErr) || apiErr.Type != v1.ErrBadData {
			t.Errorf("Series({) error = %#v, want bad_data", err)
		}
	})

	// Raw HTTP: GET and POST form, status codes and the JSON envelope.
	t.Run("raw GET and POST", func(t *testing.T) {
		for _, tc := range []struct {
			method, path, form string
			code               int
			status, errType    string
		}{
			{"GET", "/api/v1/query?query=" + url.QueryEscape(`sum(up)`), "", 200, "success", ""},
			{"POST", "/api/v1/query", "query=" + url.QueryEscape(`sum(up)`), 200, "success", ""},
			{"GET", "/api/v1/query?query=" + url.QueryEscape(`sum(`), "", 400, "error", "bad_data"},
			{"POST", "/api/v1/query", "query=" + url.QueryEscape(`sum(`), 400, "error", "bad_data"},
			{"POST", "/api/v1/query_range", "query=up&start=0&end=10&step=1", 200, "success", ""},
			{"GET", "/api/v1/query_range?query=up&start=10&end=0&step=1", "", 400, "error", "bad_data"},
			{"GET", "/api/v1/series?match[]=up", "", 200, "success", ""},
			{"POST", "/api/v1/series", "match[]=up", 200, "success", ""},
			{"POST", "/api/v1/labels", "", 200, "success", ""},
			{"GET", "/api/v1/label/job/values", "", 200, "success", ""},
			{"GET", "/api/v1/rules?type=alert", "", 200, "success", ""},
			{"GET", "/api/v1/alerts", "", 200, "success", ""},
			{"GET", "/api/v1/targets", "", 200, "success", ""},
			{"GET", "/api/v1/status/buildinfo", "", 200, "success", ""},
			{"GET", "/api/v1/metadata", "", 200, "success", ""},
		} {
			code, env := call(t, srv.URL, tc.method, tc.path, tc.form)
			if code != tc.code || env.Status != tc.status || env.ErrorType != tc.errType {
				t.Errorf("%s %s %s: %d %+v, want %d status=%s errorType=%q", tc.method, tc.path, tc.form, code, env, tc.code, tc.status, tc.errType)
			}
		}
		_, env := call(t, srv.URL, "GET", "/api/v1/query?query="+url.QueryEscape(`sum(up)`), "")
		var data struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		}
		if err := json.Unmarshal(env.Data, &data); err != nil || data.ResultType != "vector" || len(data.Result) != 1 || data.Result[0].Value[1] != "1" {
			t.Errorf("GET query sum(up) data = %s (%v), want vector with value \"1\"", env.Data, err)
		}
	})

	t.Run("health", func(t *testing.T) {
		for _, p := range []string{"/-/healthy", "/-/ready"} {
			resp, err := http.Get(srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET %s = %d, want 200", p, resp.StatusCode)
			}
		}
	})
}

// TestAPIUnavailableBeforeRun: the API and /-/ready answer 503 until Run,
// /-/healthy answers 200.
func TestAPIUnavailableBeforeRun(t *testing.T) {
	e, err := New(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	for p, want := range map[string]int{"/-/healthy": 200, "/-/ready": 503, "/api/v1/query?query=up": 503} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", p, resp.StatusCode, want)
		}
	}
}

type envelope struct {
	Status    string          `json:"status"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Data      json.RawMessage `json:"data"`
}

func call(t *testing.T, base, method, path, form string) (int, envelope) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("%s %s: body %q is not JSON: %v", method, path, b, err)
	}
	return resp.StatusCode, env
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
