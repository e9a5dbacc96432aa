package rules

import "time"

// Burn is one alert's burn-rate threshold on the (1 - target) budget:
// the alert fires while the ratio over both the 1h and 5m windows is below
// 1 - Rate*(1 - target), for For.
type Burn struct {
	Rate float64
	For  string
}

// Config tunes the generator; DefaultConfig is what `slawatch generate
// rules` uses.
type Config struct {
	// Breach pages (severity page): the hour is below target and it is
	// still happening.
	Breach Burn
	// AtRisk warns duty managers (severity warning).
	AtRisk Burn
	// Now picks the standard in force, used only for a PO whose tiers have
	// different target percents (the thresholds then follow each option's
	// current standard; regenerate on the date of a change).
	Now func() time.Time
}

// DefaultConfig: page at burn rate 1 (below target over 1h and 5m) for 1m,
// warn at burn rate 0.5 for 2m. Both reachable for any target 1-99%.
func DefaultConfig() Config {
	return Config{
		Breach: Burn{Rate: 1, For: "1m"},
		AtRisk: Burn{Rate: 0.5, For: "2m"},
		Now:    time.Now,
	}
}
