package rules

import (
	"path/filepath"
	"strings"
	"testing"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
)

const noLoneWorkerCatalogue = `
version: 1
time_zone: Europe/London
organisations:
  - id: quiet
    name: Quiet Council
    kind: borough
    service_options:
      - {id: a, standards: [{standard: gold, from: "2020-01-01"}]}
    access_numbers:
      - {number: "+442079460099", service_options: ["*"]}
`

func parseLoneworker(t *testing.T, c *catalog.Catalog, cfg LoneworkerConfig) (string, []rule) {
	t.Helper()
	out, err := GenerateLoneworker(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if !strings.HasPrefix(s, generatedMarker+filepath.Base(c.Source)+"; do not edit\n") {
		t.Errorf("header: %q", strings.SplitN(s, "\n", 2)[0])
	}
	var f ruleFile
	if err := yaml.Unmarshal(out, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Groups) != 1 {
		t.Fatalf("%d groups, want 1", len(f.Groups))
	}
	for _, r := range f.Groups[0].Rules {
		if _, err := parser.ParseExpr(r.Expr); err != nil {
			t.Errorf("%s: %v\n%s", r.Alert, err, r.Expr)
		}
	}
	return s, f.Groups[0].Rules
}

func byAlert(rules []rule) map[string]rule {
	m := map[string]rule{}
	for _, r := range rules {
		m[r.Alert] = r
	}
	return m
}

// The reference catalogue has lone-worker staff groups: all five alerts,
// critical, with no po label and no officer anywhere in the file.
func TestLoneworkerRulesReferenceCatalogue(t *testing.T) {
	c := loadExample(t)
	s, rules := parseLoneworker(t, c, DefaultLoneworkerConfig())
	got := byAlert(rules)
	if len(rules) != 5 || len(got) != 5 {
		t.Fatalf("%d rules (%d names), want the five lone-worker alerts", len(rules), len(got))
	}
	for _, name := range []string{alertLWTimersStalled, alertLWServiceDown, alertLWAlarmNotRaised, alertLWTickErrors, alertLWMetricsAbsent} {
		r, ok := got[name]
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		if r.Labels["severity"] != "critical" || len(r.Labels) != 1 || r.For == "" {
			t.Errorf("%s: labels %v, for %q; want only severity critical, and a for", name, r.Labels, r.For)
		}
	}
	for _, w := range []string{"last_over_time(loneworker_sessions[1h])", "last_over_time(loneworker_last_tick_timestamp_seconds[1h])) > 60"} {
		if !strings.Contains(got[alertLWTimersStalled].Expr, w) {
			t.Errorf("LoneWorkerTimersStalled lacks %q:\n%s", w, got[alertLWTimersStalled].Expr)
		}
	}
	if e := got[alertLWServiceDown].Expr; !strings.Contains(e, `up{job="notifier"} == 0`) {
		t.Errorf("LoneWorkerServiceDown should watch the notifier's scrape:\n%s", e)
	}
	for _, p := range c.Organisations {
		for _, g := range p.StaffGroups() {
			if !strings.Contains(s, g.ID) {
				t.Errorf("the header does not list staff group %s/%s", p.ID, g.ID)
			}
			for _, o := range g.Officers {
				if strings.Contains(s, o) {
					t.Errorf("officer %s appears in the rule file", o)
				}
			}
		}
	}
}

// Without any lone-worker staff group nothing can be absent:
// LoneWorkerMetricsAbsent is not generated and the header says so.
func TestLoneworkerNoStaffGroupsNoAbsentAlert(t *testing.T) {
	c, err := catalog.Parse("quiet.yaml", []byte(noLoneWorkerCatalogue))
	if err != nil {
		t.Fatal(err)
	}
	s, rules := parseLoneworker(t, c, DefaultLoneworkerConfig())
	got := byAlert(rules)
	if _, ok := got[alertLWMetricsAbsent]; ok || len(rules) != 4 {
		t.Errorf("%d rules, MetricsAbsent present %v; want 4 without it", len(rules), ok)
	}
	if !strings.Contains(s, "no lone-worker staff group: LoneWorkerMetricsAbsent is not generated") {
		t.Error("the header does not say why LoneWorkerMetricsAbsent is missing")
	}
}

// The configured thresholds reach the expressions, the for clauses and
// the header.
func TestLoneworkerConfigReachesRules(t *testing.T) {
	cfg := DefaultLoneworkerConfig()
	cfg.Job, cfg.Window, cfg.TickStale, cfg.StalledFor = "slawatch_notify", "2h", "2m", "45s"
	cfg.TickErrorsWindow, cfg.AbsentFor = "5m", "15m"
	s, rules := parseLoneworker(t, loadExample(t), cfg)
	got := byAlert(rules)
	checks := []struct{ alert, want string }{
		{alertLWTimersStalled, "loneworker_last_tick_timestamp_seconds[2h])) > 120"},
		{alertLWTimersStalled, "last_over_time(loneworker_sessions[2h])"},
		{alertLWServiceDown, `up{job="slawatch_notify"} == 0`},
		{alertLWServiceDown, "max_over_time(loneworker_sessions[2h])"},
		{alertLWTickErrors, "loneworker_tick_errors_total[5m]"},
	}
	for _, c := range checks {
		if !strings.Contains(got[c.alert].Expr, c.want) {
			t.Errorf("%s lacks %q:\n%s", c.alert, c.want, got[c.alert].Expr)
		}
	}
	if got[alertLWTimersStalled].For != "45s" || got[alertLWMetricsAbsent].For != "15m" {
		t.Errorf("for: stalled %q, absent %q; want 45s, 15m", got[alertLWTimersStalled].For, got[alertLWMetricsAbsent].For)
	}
	if !strings.Contains(s, "over 2m old, for 45s") || !strings.Contains(got[alertLWTimersStalled].Annotations["description"], "for over 2m45s") {
		t.Error("the header or the description does not follow the configured thresholds")
	}
}

func TestGenerateLoneworkerRejectsBadConfig(t *testing.T) {
	cfg := DefaultLoneworkerConfig()
	cfg.Job = "notify me"
	cfg.OverdueFor = "a minute"
	cfg.Window = "1m"
	_, err := GenerateLoneworker(loadExample(t), cfg)
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, w := range []string{`Job "notify me"`, `OverdueFor "a minute"`, `Window 1m must be longer than TickStale + StalledFor (1m30s)`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not name %s:\n%v", w, err)
		}
	}
	cfg = DefaultLoneworkerConfig()
	cfg.StalledFor = "0s"
	if _, err := GenerateLoneworker(loadExample(t), cfg); err == nil || !strings.Contains(err.Error(), "StalledFor must be above 0") {
		t.Errorf("StalledFor 0s: err = %v", err)
	}
}

// Every lone-worker alert reaches the provider's duty managers through
// the generated alertmanager.yml (Alertmanager's own route matching): it
// has no po label, so no PO's route claims it.
func TestLoneworkerAlertsRouteToProvider(t *testing.T) {
	c := loadExample(t)
	data, err := alerting.GenerateAlertmanager(c, alerting.AMConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := amconfig.Load(string(data))
	if err != nil {
		t.Fatal(err)
	}
	tree := dispatch.NewRoute(cfg.Route, nil)
	_, rules := parseLoneworker(t, c, DefaultLoneworkerConfig())
	for _, r := range rules {
		// The series labels an alert may keep: job and instance (from up).
		ls := model.LabelSet{"alertname": model.LabelValue(r.Alert), "job": "notifier", "instance": "n:9095"}
		for k, v := range r.Labels {
			ls[model.LabelName(k)] = model.LabelValue(v)
		}
		routes := tree.Match(ls)
		if len(routes) != 1 || routes[0].RouteOpts.Receiver != alerting.ProviderReceiver {
			var got []string
			for _, rt := range routes {
				got = append(got, rt.RouteOpts.Receiver)
			}
			t.Errorf("%s routes to %v, want only %s", r.Alert, got, alerting.ProviderReceiver)
		}
	}
}
