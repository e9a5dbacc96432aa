package rules

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/catalog"
)

func kpiTestCatalogue(t *testing.T, kpis string) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Parse("k.yaml", []byte(`organisations:
  - id: acme
    name: Acme
    service_options: [{id: noise, standards: [{standard: gold, from: "2026-01-01"}]}]
    access_numbers: [{number: "+442079460901", service_options: ["*"]}]
`+kpis))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGenerateKPINoKPIs(t *testing.T) {
	b, err := GenerateKPI(kpiTestCatalogue(t, ""))
	if err != nil || b != nil {
		t.Fatalf("no KPIs: %q, %v; want nil, nil (no file)", b, err)
	}
}

// TestGenerateKPIRules checks the shape: a PO's KPI carries po on every
// series, lower-is-better compares with <=, information-only KPIs have no
// RAG, and manual KPIs read the exporter's latest return.
func TestGenerateKPIRules(t *testing.T) {
	c := kpiTestCatalogue(t, `kpis:
  - {id: fcr, description: x, po: acme, source: promql, numerator: 'sum(increase(a[$__range]))', denominator: 'sum(increase(b[$__range]))', direction: higher, target: 92.5, minimum: 90, frequency: quarterly}
  - {id: missed, description: x, source: manual, direction: lower, target: 2, minimum: 5, frequency: monthly}
  - {id: info, description: x, source: manual, direction: lower, information_only: true, frequency: annual}
`)
	b, err := GenerateKPI(c)
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Groups) != 2 || f.Groups[0].Name != "slawatch-kpi" || f.Groups[0].Interval != "5m" || f.Groups[1].Name != "slawatch-kpi-manual" || f.Groups[1].Interval != "" {
		t.Fatalf("groups: %+v", f.Groups)
	}
	got := map[string]rule{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			got[r.Labels["kpi"]+" "+r.Record] = r
			if r.Labels["kpi"] == "fcr" && r.Labels["po"] != "acme" {
				t.Errorf("%s of fcr without po=acme: %v", r.Record, r.Labels)
			}
			if r.Labels["kpi"] != "fcr" && r.Labels["po"] != "" {
				t.Errorf("%s of %s has po: %v", r.Record, r.Labels["kpi"], r.Labels)
			}
		}
	}
	for key, want := range map[string]string{
		"fcr kpi:numerator:increase5m":    `sum(sum(increase(a{po="acme"}[5m])))`,
		"fcr kpi:numerator:increase91d":   `sum_over_time(kpi:numerator:increase5m{kpi="fcr"}[91d])`,
		"fcr kpi:denominator:increase91d": `sum_over_time(kpi:denominator:increase5m{kpi="fcr"}[91d])`,
		"fcr kpi:rag:status":              "(kpi:outturn:ratio{kpi=\"fcr\"} >= bool 92.5)\n+\n(kpi:outturn:ratio{kpi=\"fcr\"} >= bool 90)",
		"missed kpi:outturn:ratio":        `max by (kpi) (last_over_time(kpi_return_latest_value{kpi="missed"}[1h]))`,
		"missed kpi:rag:status":           "(kpi:outturn:ratio{kpi=\"missed\"} <= bool 2)\n+\n(kpi:outturn:ratio{kpi=\"missed\"} <= bool 5)",
		"info kpi:outturn:ratio":          `max by (kpi) (last_over_time(kpi_return_latest_value{kpi="info"}[1h]))`,
	} {
		if r, ok := got[key]; !ok || r.Expr != want {
			t.Errorf("%s:\n%s\nwant\n%s", key, r.Expr, want)
		}
	}
	if _, ok := got["info kpi:rag:status"]; ok {
		t.Error("information-only KPI has a kpi:rag:status rule")
	}
}

// A PO's KPI records carry its po label, so its selectors are held to
// that PO: one naming another PO is refused, not recorded as this PO's.
func TestPOKPIHeldToItsPO(t *testing.T) {
	c := kpiTestCatalogue(t, `kpis:
  - {id: fcr, description: x, po: acme, source: promql, numerator: 'sum(increase(a{po="other"}[$__range]))', denominator: 'sum(increase(b[$__range]))', direction: higher, target: 92.5, minimum: 90, frequency: quarterly}
`)
	_, err := GenerateKPI(c)
	if err == nil || !strings.Contains(err.Error(), `KPI fcr (po acme): numerator`) || !strings.Contains(err.Error(), `po="acme"`) {
		t.Fatalf("err %v, want the KPI, its part and the PO it may name", err)
	}
}

func TestKPIConfigInvalid(t *testing.T) {
	c := kpiTestCatalogue(t, `kpis: [{id: m, description: x, source: manual, direction: lower, target: 2, minimum: 5, frequency: monthly}]
`)
	cfg := DefaultKPIConfig()
	cfg.Tile = "7m"
	cfg.ManualLookback = "soon"
	cfg.Windows = map[catalog.Frequency]string{catalog.FreqMonthly: "30d", catalog.FreqQuarterly: "0s", catalog.FreqAnnual: "365d"}
	_, err := GenerateKPIWith(c, cfg)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`KPI rules config: ManualLookback "soon" is not a Prometheus duration`,
		`KPI rules config: Windows[monthly] 30d must be a whole number of tiles (7m)`,
		`KPI rules config: Windows[quarterly] must be above 0, not "0s"`,
		`KPI rules config: Windows[six_monthly] "" is not a Prometheus duration`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestKPIEvaluationCost reports what the KPI windows read: one sample per
// 5m tile per KPI, far below --query.max-samples.
func TestKPIEvaluationCost(t *testing.T) {
	c := loadExample(t)
	cfg := DefaultKPIConfig()
	total := 0
	for _, k := range c.KPIs {
		if k.Manual() {
			continue
		}
		d, _ := time.ParseDuration(strings.TrimSuffix(cfg.Windows[k.Frequency], "d") + "h")
		total += 2 * int(d*24/(5*time.Minute)) // numerator and denominator
	}
	t.Logf("one evaluation of the example's KPI windows (every 5m) reads %d samples", total)
	if total > 5_000_000 {
		t.Errorf("KPI windows read %d samples per evaluation", total)
	}
}
