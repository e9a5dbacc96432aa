package rules

import (
	"os"
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

// acme has two referral limits (noise 5m, the rest the PO's 15m) and its
// own CRM deadlines; bravo has the defaults.
const crmRulesCatalogue = `
version: 1
time_zone: Europe/London
defaults:
  referral_limit: 10m
  crm: {complaint_report_working_days: 4}
organisations:
  - id: acme
    name: Acme Borough
    referral_limit: 15m
    crm: {complaint_callback: 30m, referral_receipt_timeout: 20m}
    service_options:
      - {id: noise, standards: [{standard: gold, from: "2026-01-01"}], referral_limit: 5m}
      - {id: repairs, standards: [{standard: gold, from: "2026-01-01"}]}
      - {id: trees, standards: [{standard: gold, from: "2026-01-01"}]}
    access_numbers:
      - {number: "+442079460901", service_options: ["*"]}
  - id: bravo
    name: Bravo Homes
    service_options:
      - {id: repairs, standards: [{standard: silver, from: "2026-01-01"}]}
    access_numbers:
      - {number: "+442079460902", service_options: ["*"]}
`

func parseCRM(t *testing.T, c *catalog.Catalog) (string, ruleFile) {
	t.Helper()
	out, err := GenerateCRM(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), generatedMarker+filepath.Base(c.Source)+"; do not edit\n") {
		t.Errorf("header: %q", strings.SplitN(string(out), "\n", 2)[0])
	}
	var f ruleFile
	if err := yaml.Unmarshal(out, &f); err != nil {
		t.Fatal(err)
	}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if _, err := parser.ParseExpr(r.Expr); err != nil {
				t.Errorf("%s%s: %v\n%s", r.Record, r.Alert, err, r.Expr)
			}
		}
	}
	return string(out), f
}

// The rules follow the catalogue: a recording rule and an over-limit alert
// per PO and limit with the exact bucket, the limit's options selected
// (the PO's limit: every option but those with their own), and per PO the
// three gauge alerts naming its deadlines.
func TestGenerateCRMFollowsTheCatalogue(t *testing.T) {
	c, err := catalog.Parse("crm.yaml", []byte(crmRulesCatalogue))
	if err != nil {
		t.Fatal(err)
	}
	text, f := parseCRM(t, c)
	if len(f.Groups) != 2 {
		t.Fatalf("%d groups", len(f.Groups))
	}
	recs := f.Groups[0].Rules
	wantRecs := []struct{ po, limit, sel, le string }{
		{"acme", "5m", `po="acme",service_option=~"noise"`, `le=~"300(\\.0)?"`},
		{"acme", "15m", `po="acme",service_option!~"noise"`, `le=~"900(\\.0)?"`},
		{"bravo", "10m", `po="bravo"}`, `le=~"600(\\.0)?"`},
	}
	if len(recs) != len(wantRecs) {
		t.Fatalf("%d recording rules, want %d", len(recs), len(wantRecs))
	}
	for i, w := range wantRecs {
		r := recs[i]
		if r.Record != recCRMOverLimit || r.Labels["po"] != w.po || r.Labels["referral_limit"] != w.limit ||
			!strings.Contains(r.Expr, w.sel) || !strings.Contains(r.Expr, w.le) || !strings.Contains(r.Expr, `action="refer"`) {
			t.Errorf("recording rule %d: %+v\nwant po %s, limit %s, %s, %s", i, r, w.po, w.limit, w.sel, w.le)
		}
	}
	byPO := map[string]map[string]int{}
	for _, r := range f.Groups[1].Rules {
		po := r.Labels["po"]
		if byPO[po] == nil {
			byPO[po] = map[string]int{}
		}
		byPO[po][r.Alert]++
		if !strings.Contains(r.Expr, `po="`+po+`"`) {
			t.Errorf("%s for %s does not select its po: %s", r.Alert, po, r.Expr)
		}
		want := map[string]string{alertCRMOverLimit: "warning", alertCRMNotDelivered: "critical",
			alertCRMCallbackOverdue: "page", alertCRMReportOverdue: "warning"}[r.Alert]
		if r.Labels["severity"] != want {
			t.Errorf("%s severity %s, want %s", r.Alert, r.Labels["severity"], want)
		}
	}
	if got := byPO["acme"]; got[alertCRMOverLimit] != 2 || got[alertCRMNotDelivered] != 1 || got[alertCRMCallbackOverdue] != 1 || got[alertCRMReportOverdue] != 1 {
		t.Errorf("acme's alerts: %v", got)
	}
	if got := byPO["bravo"]; got[alertCRMOverLimit] != 1 {
		t.Errorf("bravo's alerts: %v", got)
	}
	for _, s := range []string{
		"not called back within 30m", "no delivered receipt 20m after dispatch", // acme's own
		"not called back within 1h", "no delivered receipt 15m after dispatch", // bravo: defaults
		"4 working day(s) after receipt", // defaults.crm
		"#   acme                 referral limits 5m (1 option(s)), 15m (2 option(s)); receipt timeout 20m; callback 30m; report 4 working day(s), urgent 1",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the file lacks %q", s)
		}
	}
	if out, err := GenerateCRM(&catalog.Catalog{}); out != nil || err != nil {
		t.Errorf("a catalogue without POs: %q, %v; want nil, nil", out, err)
	}
	if _, err := GenerateCRMWith(c, CRMConfig{OverLimitWindow: "soon"}); err == nil {
		t.Error("a bad window accepted")
	}
}

// The committed generated file is what the reference catalogue gives.
func TestGeneratedCRMIsTheCatalogues(t *testing.T) {
	c := loadExample(t)
	out, err := GenerateCRM(c)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("generated/" + CRMFileName)
	if err != nil {
		t.Fatalf("%v (run: go test ./rules -update)", err)
	}
	if string(have) != string(out) {
		t.Errorf("generated/%s is not what the catalogue gives (run: go test ./rules -update)", CRMFileName)
	}
}

// Every CRM alert reaches its PO's receiver through the generated
// alertmanager.yml (Alertmanager's own route matching).
func TestCRMAlertsRouteToTheirPO(t *testing.T) {
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
	_, f := parseCRM(t, c)
	for _, r := range f.Groups[1].Rules {
		ls := model.LabelSet{"alertname": model.LabelValue(r.Alert), "service_option": "trees", "channel": "sms"}
		for k, v := range r.Labels {
			ls[model.LabelName(k)] = model.LabelValue(v)
		}
		routes := tree.Match(ls)
		if len(routes) != 1 || routes[0].RouteOpts.Receiver != alerting.POReceiver(r.Labels["po"]) {
			var got []string
			for _, rt := range routes {
				got = append(got, rt.RouteOpts.Receiver)
			}
			t.Errorf("%s of %s routes to %v, want only %s", r.Alert, r.Labels["po"], got, alerting.POReceiver(r.Labels["po"]))
		}
	}
}
