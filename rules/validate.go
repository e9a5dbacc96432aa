package rules

import (
	"errors"
	"fmt"
	"slices"

	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/catalog"
)

// validate checks that every alert threshold can be reached and every
// threshold the rules select is an exact histogram bucket. Each error names
// the PO and the standard.
func validate(c *catalog.Catalog, cfg Config) error {
	errs := validateConfig(cfg)
	buckets := c.Buckets()
	errs = append(errs, validateAbandonBands(c.Source, buckets)...)
	for i := range c.Organisations {
		p := &c.Organisations[i]
		for _, tier := range p.TiersUsed() {
			s, ok := p.Standard(tier)
			if !ok {
				errs = append(errs, fmt.Errorf("%s: po %q: standard %q is used by a service option but not defined", c.Source, p.ID, tier))
				continue
			}
			for _, b := range []struct {
				name string
				burn Burn
			}{{"SLABreached", cfg.Breach}, {"SLAAtRisk", cfg.AtRisk}} {
				if err := reachable(s, b.burn.Rate); err != nil {
					errs = append(errs, fmt.Errorf("%s: po %q standard %q: %s burn-rate threshold: %w", c.Source, p.ID, tier, b.name, err))
				}
			}
			if !slices.Contains(buckets, float64(s.TargetSeconds)) {
				errs = append(errs, fmt.Errorf("%s: po %q standard %q: target %d s is not a histogram bucket (buckets: %v)", c.Source, p.ID, tier, s.TargetSeconds, buckets))
			}
		}
		if f := p.Formula(); f.Denominator == catalog.DenomOfferedMinusShortAbandons &&
			!slices.Contains(buckets, float64(f.ShortAbandonSeconds)) {
			errs = append(errs, fmt.Errorf("%s: po %q: short_abandon_seconds %d is not a histogram bucket (buckets: %v)", c.Source, p.ID, f.ShortAbandonSeconds, buckets))
		}
	}
	return errors.Join(errs...)
}

// validateAbandonBands checks that every abandon band bound is an exact
// histogram bucket (the catalogue always adds 20 and 60 s: its default
// buckets; this guards the rules against a catalogue that stops doing so).
func validateAbandonBands(source string, buckets []float64) []error {
	var errs []error
	for _, sec := range abandonBandSeconds() {
		if !slices.Contains(buckets, float64(sec)) {
			errs = append(errs, fmt.Errorf("%s: abandon band bound %d s is not a histogram bucket (buckets: %v): abandoned calls are reported within 20 s, 20–60 s and over 60 s", source, sec, buckets))
		}
	}
	return errs
}

// validateConfig checks the volume guards and the for durations.
func validateConfig(cfg Config) []error {
	var errs []error
	for _, g := range []struct {
		field string
		n     int
	}{{"Daily.MinCalls", cfg.Daily.MinCalls}, {"BudgetMinCalls", cfg.BudgetMinCalls}} {
		if g.n < 1 {
			errs = append(errs, fmt.Errorf("rules config: %s must be 1 or more calls, not %d", g.field, g.n))
		}
	}
	for _, f := range []struct{ field, v string }{
		{"Breach.For", cfg.Breach.For}, {"AtRisk.For", cfg.AtRisk.For}, {"Daily.For", cfg.Daily.For},
	} {
		if _, err := model.ParseDuration(f.v); err != nil {
			errs = append(errs, fmt.Errorf("rules config: %s %q is not a Prometheus duration (such as 1m, 15m, 1h): %w", f.field, f.v, err))
		}
	}
	return errs
}

// reachable: with target t the burn rate (1-ratio)/(1-t) is at most
// 1/(1-t) (every call late), and the alert compares ratio < 1-rate*(1-t),
// so it can fire only when rate < 1/(1-t).
func reachable(s catalog.Standard, rate float64) error {
	budget := 100 - s.TargetPercent
	max := 100 / float64(budget)
	switch {
	case !(rate > 0):
		return fmt.Errorf("%g must be above 0", rate)
	case rate*float64(budget) >= 100:
		return fmt.Errorf("%g is unreachable: a %d%% target leaves a %d%% budget, so the burn rate is at most 1/(1-%s) = %s; use a threshold below %s",
			rate, s.TargetPercent, budget, num(s.TargetRatio()), num(max), num(max))
	}
	return nil
}

// ratioThreshold is the answered-within-target ratio at which the burn
// rate reaches rate: 1 - rate*(1 - pct/100), computed in percent to avoid
// float noise.
func ratioThreshold(pct int, rate float64) float64 {
	return (100 - rate*float64(100-pct)) / 100
}
