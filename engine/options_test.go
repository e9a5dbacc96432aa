package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

func TestNewRejectsBadOptions(t *testing.T) {
	rulesDir := t.TempDir()
	badRules := writeRuleFile(t, rulesDir, "bad.yml", "groups:\n  - name: g\n    rules:\n      - record: x:y:z\n        expr: sum(\n")
	unknownField := writeRuleFile(t, rulesDir, "unknown.yml", "groups:\n  - name: g\n    rulez: []\n")
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		o    Options
		want string // substring of the error
	}{
		{"no dir", Options{}, "Options.Dir is empty"},
		{"negative interval", Options{Dir: dir, ScrapeInterval: -time.Second}, "negative duration"},
		{"relative external URL", Options{Dir: dir, ExternalURL: "/prom"}, `Options.ExternalURL "/prom": want an absolute URL`},
		{"target without job", Options{Dir: dir, Targets: []Target{{URL: "http://127.0.0.1:1/metrics"}}}, "Targets[0]"},
		{"target without scheme", Options{Dir: dir, Targets: []Target{{Job: "j", URL: "127.0.0.1:9464/metrics"}}}, `Targets[0] (job "j")`},
		{"ftp target", Options{Dir: dir, Targets: []Target{{Job: "j", URL: "ftp://h/metrics"}}}, "want http(s)://host:port/path"},
		{"target with user", Options{Dir: dir, Targets: []Target{{Job: "j", URL: "http://u:p@h/metrics"}}}, "user info"},
		{"duplicate target", Options{Dir: dir, Targets: []Target{{Job: "j", URL: "http://h/m"}, {Job: "j", URL: "http://h/m"}}}, "Targets[1] duplicates Targets[0]"},
		{"repeated param", Options{Dir: dir, Targets: []Target{{Job: "j", URL: "http://h/m?a=1&a=2"}}}, `query parameter "a" repeated`},
		{"bad glob", Options{Dir: dir, RuleFiles: []string{"[x"}}, "RuleFiles[0]"},
		{"bad PromQL in rule file", Options{Dir: dir, RuleFiles: []string{badRules}}, "bad.yml"},
		{"unknown field in rule file", Options{Dir: dir, RuleFiles: []string{unknownField}}, "rulez"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New(tc.o)
			if err == nil {
				e.Close()
				t.Fatalf("New(%+v) succeeded, want error containing %q", tc.o, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New error = %q, want it to contain %q", err, tc.want)
			}
		})
	}
	// The failed New calls must not leave the TSDB locked.
	e, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatalf("New after failures: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestParseTargets(t *testing.T) {
	lss, err := parseTargets([]Target{
		{Job: "a", URL: "http://127.0.0.1:9464/metrics"},
		{Job: "a", URL: "https://exp.example:8443"},
		{Job: "b", URL: "http://127.0.0.1:9465/probe?module=sip"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(lss)
	want := `[{__address__="127.0.0.1:9464", __metrics_path__="/metrics", __scheme__="http"} ` +
		`{__address__="exp.example:8443", __metrics_path__="/metrics", __scheme__="https"} ` +
		`{__address__="127.0.0.1:9465", __metrics_path__="/probe", __param_module="sip", __scheme__="http"}]`
	if got != want {
		t.Errorf("parseTargets =\n%s\nwant\n%s", got, want)
	}
}

func FuzzParseTargets(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:9464/metrics", "https://h", "http://h/p?x=1", "ftp://x", "::", "http://[::1]:80/m"} {
		f.Add("job", s)
	}
	f.Fuzz(func(t *testing.T, job, raw string) {
		lss, err := parseTargets([]Target{{Job: job, URL: raw}})
		if err != nil {
			if !strings.Contains(err.Error(), "Targets[0]") {
				t.Errorf("error %q does not name the target", err)
			}
			return
		}
		ls := lss[0]
		if ls["__address__"] == "" || (ls["__scheme__"] != "http" && ls["__scheme__"] != "https") || !strings.HasPrefix(string(ls["__metrics_path__"]), "/") {
			t.Errorf("parseTargets(%q) = %v: want address, http(s) scheme and an absolute path", raw, ls)
		}
		if job == "" {
			t.Errorf("empty job accepted")
		}
	})
}

// TestNotifySeamAndSelfMetrics: Options.Notify receives firing alerts, and
// the engine's self-metrics land in Options.Registerer.
func TestNotifySeamAndSelfMetrics(t *testing.T) {
	rulesDir := t.TempDir()
	writeRuleFile(t, rulesDir, "r.yml", "groups:\n  - name: g\n    rules:\n      - alert: Always\n        expr: vector(1)\n        labels: {po: po1}\n")
	var mu sync.Mutex
	var sent []*rules.Alert
	reg := prometheus.NewRegistry()
	r := startEngine(t, Options{
		Dir:          t.TempDir(),
		RuleFiles:    []string{rulesDir + "/r.yml"},
		EvalInterval: testEval,
		Registerer:   reg,
		Logger:       testLogger(t),
		Notify: func(_ context.Context, expr string, alerts ...*rules.Alert) {
			mu.Lock()
			defer mu.Unlock()
			if expr == "vector(1)" {
				sent = append(sent, alerts...)
			}
		},
	})
	waitFor(t, "notified", func() error {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range sent {
			if a.State == rules.StateFiring && a.Labels.Get("alertname") == "Always" && a.Labels.Get("po") == "po1" {
				return nil
			}
		}
		return fmt.Errorf("sent = %v", sent)
	})
	if a := r.Alerts(); len(a) != 1 || a[0].Name != "Always" || a[0].State != "firing" {
		t.Errorf("Alerts() = %+v, want Always firing", a)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	for _, want := range []string{"prometheus_tsdb_head_series", "prometheus_rule_evaluations_total", "prometheus_target_scrape_pools_total"} {
		if !names[want] {
			t.Errorf("self-metric %s not registered", want)
		}
	}
}

// TestGatedAppendable: commits land before shutdown, are dropped after.
func TestGatedAppendable(t *testing.T) {
	db, err := tsdb.Open(t.TempDir(), nil, nil, tsdb.DefaultOptions(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var closed atomic.Bool
	g := gatedAppendable{Appendable: db, closed: &closed}
	appendOne := func(name string) {
		app := g.Appender(context.Background())
		if _, err := app.Append(0, labels.FromStrings("__name__", name), time.Now().UnixMilli(), 1); err != nil {
			t.Fatal(err)
		}
		if err := app.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	appendOne("before")
	closed.Store(true)
	appendOne("after")
	q, err := db.Querier(0, time.Now().Add(time.Hour).UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for name, want := range map[string]int{"before": 1, "after": 0} {
		ss := q.Select(context.Background(), false, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", name))
		n := 0
		for ss.Next() {
			it := ss.At().Iterator(nil)
			for it.Next() != chunkenc.ValNone {
				n++
			}
		}
		if ss.Err() != nil {
			t.Fatal(ss.Err())
		}
		if n != want {
			t.Errorf("samples of %s = %d, want %d", name, n, want)
		}
	}
}
