package rules

import (
	"testing"
	"time"
)

// TestEvaluationCost reports what the long-window rules read for the
// reference catalogue, and checks that no single rule's query comes near
// Prometheus' default --query.max-samples (50 million).
func TestEvaluationCost(t *testing.T) {
	c := loadExample(t)
	const maxSamples = 50_000_000
	tilesPerDay := int((24 * time.Hour) / (5 * time.Minute))
	var options, numbers, worstPO int
	for _, p := range c.Organisations {
		options += len(p.ServiceOptions)
		numbers += len(p.AccessNumbers)
		if len(p.ServiceOptions) > worstPO {
			worstPO = len(p.ServiceOptions)
		}
	}
	// Four counts (offered, abandoned, within, denominator) per series.
	series := 4 * (options + numbers)
	perEval := series * tilesPerDay * (1 + 7 + 30)
	t.Logf("%d service options, %d access numbers: %d tile series; one evaluation of all 1d/7d/30d rules (every 5m) reads %d samples (30d: %d per series)",
		options, numbers, series, perEval, 30*tilesPerDay)
	// The alternative, avg_over_time(x:rate5m[30d]) on series recorded at
	// the demo's 10 s interval, reads 259200 samples per series.
	per10s := 30 * 24 * 360
	t.Logf("avg_over_time over 10 s rate5m series instead: %d samples per 30d series, %d per evaluation (%.0fx)",
		per10s, series*per10s*38/30, float64(per10s)/float64(30*tilesPerDay))
	if worst := worstPO * 30 * tilesPerDay; worst > maxSamples/10 {
		t.Errorf("the largest PO's 30d rule reads %d samples, too close to the %d query limit", worst, maxSamples)
	}
}

func BenchmarkGenerate(b *testing.B) {
	c := loadExample(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(c); err != nil {
			b.Fatal(err)
		}
	}
}
