package rules

import (
	"context"
	"testing"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/promqltest"
)

// The alert LineTestFailed really produces (its expression evaluated by the
// Prometheus engine on the prober's series, plus the rule's labels) is
// matched by the committed alertmanager.yml's inhibit rules: Ealing's main
// line dead silences SLABreached of an option only it serves, not one the
// second line also serves.
func TestLineTestFailedFitsGeneratedInhibitRules(t *testing.T) {
	var failed rule
	for _, r := range parseLinetest(t, lineTestCatalogue) {
		if r.Alert == alertLineTestFailed {
			failed = r
		}
	}
	st := promqltest.LoadedStorage(t, `
load 1m
  linetest_last_run_success{job="linetest",instance="prober:9466",po="ealing",access_number="+442079460001"} 1 1 0 0
  linetest_last_run_success{job="linetest",instance="prober:9466",po="ealing",access_number="+442079460002"} 1 1 1 1
`)
	t.Cleanup(func() { st.Close() })
	eng := promqltest.NewTestEngine(t, false, 0, promqltest.DefaultMaxSamplesPerQuery)
	q, err := eng.NewInstantQuery(context.Background(), st, nil, failed.Expr, time.Unix(180, 0))
	if err != nil {
		t.Fatal(err)
	}
	res := q.Exec(context.Background())
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	vec, err := res.Vector()
	if err != nil {
		t.Fatal(err)
	}
	if len(vec) != 1 {
		t.Fatalf("LineTestFailed gave %d series, want the dead line only: %v", len(vec), vec)
	}
	alert := model.LabelSet{"alertname": model.LabelValue(failed.Alert)}
	vec[0].Metric.Range(func(l labels.Label) { alert[model.LabelName(l.Name)] = model.LabelValue(l.Value) })
	for k, v := range failed.Labels {
		alert[model.LabelName(k)] = model.LabelValue(v)
	}
	if alert["po"] != "ealing" || alert["access_number"] != "+442079460001" || alert["severity"] != "critical" {
		t.Fatalf("alert labels %v", alert)
	}

	cfg, err := amconfig.LoadFile("../alerting/generated/alertmanager.yml")
	if err != nil {
		t.Fatal(err)
	}
	muted := func(target model.LabelSet) bool {
		for _, c := range cfg.InhibitRules {
			ir := inhibit.NewInhibitRule(c)
			if ir.SourceMatchers.Matches(alert) && ir.TargetMatchers.Matches(target) {
				return true
			}
		}
		return false
	}
	sla := func(option string) model.LabelSet {
		return model.LabelSet{"alertname": "SLABreached", "po": "ealing", "service_option": model.LabelValue(option), "severity": "page"}
	}
	if !muted(sla("noise_patrol")) {
		t.Error("the dead main line does not silence SLABreached of noise_patrol, which only it serves")
	}
	if muted(sla("social_services_emergencies")) {
		t.Error("the dead main line silences social_services_emergencies, which the second line also serves")
	}
}
