package engine

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// demoEngine starts an engine scraping a live exporter (po1=42, po2=7
// calls) and a dead target, with testRules loaded.
func demoEngine(t *testing.T, dir string) (*running, *exporter, string) {
	t.Helper()
	exp := newExporter(t)
	exp.offered.WithLabelValues("po1").Add(42)
	exp.offered.WithLabelValues("po2").Add(7)
	dead := deadURL(t)
	rulesDir := t.TempDir()
	writeRuleFile(t, rulesDir, "demo.rules.yml", testRules)
	r := startEngine(t, Options{
		Dir:            dir,
		Targets:        []Target{{Job: "telephony", URL: exp.srv.URL + "/metrics"}, {Job: "crm", URL: dead}},
		RuleFiles:      []string{rulesDir + "/*.yml"},
		ScrapeInterval: testScrape,
		EvalInterval:   testEval,
		Logger:         testLogger(t),
	})
	return r, exp, dead
}

func TestScrapeRecordAndAlert(t *testing.T) {
	r, exp, dead := demoEngine(t, t.TempDir())
	ctx := context.Background()

	// up is recorded for both targets: 1 for the exporter, 0 for the dead one.
	waitFor(t, "up for both targets", func() error {
		v, err := r.Query(ctx, "up", time.Now())
		if err != nil {
			return err
		}
		got := sampleByLabel(v, "job")
		if len(v) != 2 || got["telephony"] != 1 || got["crm"] != 0 {
			return fmt.Errorf("up = %v", v)
		}
		return nil
	})

	// The recording rule sums the scraped counter per po.
	waitFor(t, "recorded series", func() error {
		v, err := r.Query(ctx, `job_po:demo_calls_offered:sum{job="telephony"}`, time.Now())
		if err != nil {
			return err
		}
		got := sampleByLabel(v, "po")
		if len(v) != 2 || got["po1"] != 42 || got["po2"] != 7 {
			return fmt.Errorf("recorded = %v", v)
		}
		return nil
	})

	// New samples flow through: the exporter's counter moves, the record follows.
	exp.offered.WithLabelValues("po1").Add(8)
	waitFor(t, "recorded series follows the counter", func() error {
		v, err := r.Query(ctx, `job_po:demo_calls_offered:sum{po="po1"}`, time.Now())
		if err != nil {
			return err
		}
		if len(v) != 1 || v[0].F != 50 {
			return fmt.Errorf("recorded = %v", v)
		}
		return nil
	})

	// Alerts: DemoCallsSeen firing per po, DemoCallsSlow pending, TargetDown
	// firing for the dead target only, DemoNever absent.
	waitFor(t, "alerts", func() error {
		states := map[string]string{}
		for _, a := range r.Alerts() {
			key := a.Name + "/" + a.Labels.Get("po") + a.Labels.Get("instance")
			states[key] = a.State
			if a.Name == "DemoCallsSeen" && a.Labels.Get("severity") != "info" {
				return fmt.Errorf("DemoCallsSeen labels = %s, want severity=info", a.Labels)
			}
		}
		deadInstance := dead[len("http://") : len(dead)-len("/metrics")]
		want := map[string]string{
			"DemoCallsSeen/po1":          "firing",
			"DemoCallsSeen/po2":          "firing",
			"DemoCallsSlow/po1":          "pending",
			"DemoCallsSlow/po2":          "pending",
			"TargetDown/" + deadInstance: "firing",
		}
		if fmt.Sprint(states) != fmt.Sprint(want) {
			return fmt.Errorf("alert states = %v, want %v", states, want)
		}
		return nil
	})
	for _, a := range r.Alerts() {
		if a.Name == "DemoCallsSeen" && a.Labels.Get("po") == "po1" {
			if a.ActiveAt.IsZero() || a.FiredAt.IsZero() || a.Value <= 0 {
				t.Errorf("DemoCallsSeen po1 = %+v: want ActiveAt, FiredAt and a positive value", a)
			}
			if got := a.Annotations.Get("summary"); got != "po1 has 50 calls" && got != "po1 has 42 calls" {
				t.Errorf("summary annotation = %q, want the templated po and value", got)
			}
		}
	}
}

func TestDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	r, _, _ := demoEngine(t, dir)
	ctx := context.Background()
	waitFor(t, "both targets scraped and the rule recorded", func() error {
		v, err := r.Query(ctx, `count(up) + count(job_po:demo_calls_offered:sum)`, time.Now())
		if err != nil {
			return err
		}
		if len(v) != 1 || v[0].F != 4 {
			return fmt.Errorf("count = %v", v)
		}
		return nil
	})
	r.stop(t)
	stoppedAt := time.Now()

	// Reopen on the same Dir with nothing to scrape and no rules: the WAL
	// replay must bring back both the scraped and the recorded series.
	e, err := New(Options{Dir: dir, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	for q, want := range map[string]float64{
		`job_po:demo_calls_offered:sum{po="po1"}`:           42,
		`demo_calls_offered_total{po="po2"}`:                7,
		`up{job="telephony"}`:                               1,
		`count(last_over_time(up{job="crm"}[1h]))`:          1,
		`max_over_time(up{job="crm"}[1h])`:                  0,
		`count(job_po:demo_calls_offered:sum) or vector(0)`: 2,
	} {
		v, err := e.Query(ctx, q, stoppedAt)
		if err != nil {
			t.Errorf("Query(%s): %v", q, err)
			continue
		}
		if len(v) != 1 || v[0].F != want {
			t.Errorf("after reopen Query(%s) = %v, want one sample %v", q, v, want)
		}
	}
}

func TestQueryResultKinds(t *testing.T) {
	e, err := New(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()

	v, err := e.Query(ctx, "1 + 2", time.Now())
	if err != nil || len(v) != 1 || v[0].F != 3 || !v[0].Metric.IsEmpty() {
		t.Errorf(`Query("1 + 2") = %v, %v: want one unlabelled sample 3`, v, err)
	}
	if v, err := e.Query(ctx, "vector(5) * 2", time.Now()); err != nil || len(v) != 1 || v[0].F != 10 {
		t.Errorf(`Query("vector(5) * 2") = %v, %v: want 10`, v, err)
	}
	if v, err := e.Query(ctx, "up", time.Now()); err != nil || len(v) != 0 {
		t.Errorf(`Query("up") on an empty TSDB = %v, %v: want empty`, v, err)
	}
	for _, q := range []string{`up[5m]`, `"text"`, `sum(`, `rate(up)`} {
		if _, err := e.Query(ctx, q, time.Now()); err == nil {
			t.Errorf("Query(%s): want an error", q)
		}
	}
}
