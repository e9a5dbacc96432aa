package rules

import (
	"strings"
	"testing"

	"github.com/slawatch/slawatch/catalog"
)

const ninetyPercentSilver = `
version: 1
time_zone: Europe/London
organisations:
  - id: strict
    name: Strict Borough
    kind: borough
    standards:
      silver: {target_percent: 90}
      gold: {target_percent: 99}
      platinum: {target_percent: 99}
    service_options:
      - {id: noise_patrol, standards: [{standard: silver, from: "2020-01-01"}]}
      - {id: stray_dogs, standards: [{standard: gold, from: "2020-01-01"}]}
    access_numbers:
      - {number: "+442079460099", service_options: ["*"]}
`

func TestGenerateRejectsUnreachableBurnRate(t *testing.T) {
	c, err := catalog.Parse("strict.yaml", []byte(ninetyPercentSilver))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(c); err != nil {
		t.Fatalf("default thresholds must be reachable: %v", err)
	}
	// 14.4 (the classic 99.9% page) can never happen on a 90% target
	// (at most 1/(1-0.9) = 10) but can on 99% (at most 100).
	cfg := DefaultConfig()
	cfg.Breach.Rate = 14.4
	_, err = GenerateWith(c, cfg)
	if err == nil {
		t.Fatal("burn rate 14.4 on a 90% target was accepted")
	}
	msg := err.Error()
	for _, want := range []string{`strict.yaml: po "strict" standard "silver": SLABreached`, "14.4 is unreachable", "at most 1/(1-0.9) = 10"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, `standard "gold"`) {
		t.Errorf("gold (99%%, max burn 100) was wrongly rejected: %s", msg)
	}
	// Exactly the maximum is unreachable too: the ratio would have to be
	// below 0.
	cfg.Breach.Rate = 10
	if _, err := GenerateWith(c, cfg); err == nil || !strings.Contains(err.Error(), `standard "silver"`) {
		t.Errorf("burn rate 10 on a 90%% target: got %v", err)
	}
	cfg = DefaultConfig()
	cfg.AtRisk.Rate = 0
	if _, err := GenerateWith(c, cfg); err == nil || !strings.Contains(err.Error(), "SLAAtRisk burn-rate threshold: 0 must be above 0") {
		t.Errorf("burn rate 0: got %v", err)
	}
}

func TestReferenceCatalogueRejects14point4(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AtRisk.Rate = 14.4
	_, err := GenerateWith(loadExample(t), cfg)
	if err == nil {
		t.Fatal("14.4 on 80% targets was accepted")
	}
	if !strings.Contains(err.Error(), `po "havering" standard "silver": SLAAtRisk burn-rate threshold: 14.4 is unreachable: a 80% target leaves a 20% budget, so the burn rate is at most 1/(1-0.8) = 5`) {
		t.Errorf("error does not name havering/silver: %v", err)
	}
}

func TestRatioThreshold(t *testing.T) {
	for _, tc := range []struct {
		pct  int
		rate float64
		want string
	}{{80, 1, "0.8"}, {80, 0.5, "0.9"}, {90, 2, "0.8"}, {95, 0.5, "0.975"}} {
		if got := num(ratioThreshold(tc.pct, tc.rate)); got != tc.want {
			t.Errorf("ratioThreshold(%d, %g) = %s, want %s", tc.pct, tc.rate, got, tc.want)
		}
	}
}

func TestGenerateRejectsBadVolumeGuardsAndDurations(t *testing.T) {
	c, err := catalog.Parse("strict.yaml", []byte(ninetyPercentSilver))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Daily.MinCalls = 0
	cfg.BudgetMinCalls = -1
	cfg.Daily.For = "15 minutes"
	_, err = GenerateWith(c, cfg)
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{
		"Daily.MinCalls must be 1 or more calls, not 0",
		"BudgetMinCalls must be 1 or more calls, not -1",
		`Daily.For "15 minutes" is not a Prometheus duration`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// The configured guards reach the generated PromQL.
func TestGenerateUsesConfiguredVolumeGuards(t *testing.T) {
	c, err := catalog.Parse("strict.yaml", []byte(ninetyPercentSilver))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Daily = Daily{MinCalls: 33, For: "20m"}
	cfg.BudgetMinCalls = 44
	files, err := GenerateWith(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(files["sla_strict.rules.yml"])
	for _, want := range []string{
		"po_service_option:telephony_calls_offered:increase1d{po=\"strict\",service_option=~\"noise_patrol\"} >= 33",
		"po_service_option:telephony_calls_offered:increase30d{po=\"strict\",service_option=~\"stray_dogs\"} >= 44",
		"for: 20m",
		"reason: daily",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("generated file lacks %q", want)
		}
	}
}

// The abandon bands need buckets at 20 and 60 s. Every catalogue has them
// (its default buckets); the guard names each one that is missing.
func TestAbandonBandBucketsAlwaysThere(t *testing.T) {
	c, err := catalog.Parse("strict.yaml", []byte(ninetyPercentSilver))
	if err != nil {
		t.Fatal(err)
	}
	if errs := validateAbandonBands(c.Source, c.Buckets()); errs != nil {
		t.Errorf("a catalogue without 20 s or 60 s thresholds of its own: %v", errs)
	}
	errs := validateAbandonBands("x.yaml", []float64{10, 20, 30})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "x.yaml: abandon band bound 60 s is not a histogram bucket (buckets: [10 20 30])") {
		t.Errorf("buckets without 60: got %v", errs)
	}
}
