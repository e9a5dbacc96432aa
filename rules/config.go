package rules

import "time"

// Burn is one alert's burn-rate threshold on the (1 - target) budget:
// the alert fires while the ratio over the last hour, and the latest 5m
// ratio there is (see alerts.go), are below 1 - Rate*(1 - target), for For.
type Burn struct {
	Rate float64
	For  string
}

// Daily is the daily-window warning: the option's last 24 hours (a rolling
// window, not the calendar day) are below target with at least MinCalls
// calls offered in them, for For.
type Daily struct {
	MinCalls int
	For      string
}

// Config tunes the generator; DefaultConfig is what `slawatch generate
// rules` uses.
type Config struct {
	// Breach pages (severity page): the hour is below target and it is
	// still happening. Guarded by the PO's min_calls_per_hour.
	Breach Burn
	// AtRisk warns duty managers (severity warning, reason burn_rate).
	// Guarded by the PO's min_calls_per_hour.
	AtRisk Burn
	// Daily warns (SLAAtRisk, reason daily) on a low-volume option whose
	// day is below target, which the hourly guard never lets through.
	Daily Daily
	// BudgetMinCalls is how many calls the option must have been offered
	// over 30 days before a spent 30-day budget warns (SLAAtRisk, reason
	// budget_spent).
	BudgetMinCalls int
	// Now picks the standard in force, used only for a PO whose tiers have
	// different target percents (the thresholds then follow each option's
	// current standard; regenerate on the date of a change).
	Now func() time.Time
}

// DefaultConfig: page at burn rate 1 (below target over 1h and 5m) for 10s
// (two evaluations at the demo's 10 s; breach to SMS under 30 s at 5 s),
// warn at burn rate 0.5 for 2m; both reachable for any target 1-99%.
// Warn when the last 24 hours are below target with at least 20 calls, for
// 15m, and when the 30-day budget is spent with at least 20 calls in the
// 30 days.
//
// Why 20: it does not depend on the catalogue's volumes, and it is the
// smallest count at which one call moves the ratio by no more than 5
// points, so a handful of slow calls on a quiet option (one slow call at
// 03:00) warns nobody, while an option taking about 3 calls an hour reaches
// it within an evening. Below it an option's day or month is left to the
// contract report from the event store.
func DefaultConfig() Config {
	return Config{
		Breach:         Burn{Rate: 1, For: "10s"},
		AtRisk:         Burn{Rate: 0.5, For: "2m"},
		Daily:          Daily{MinCalls: 20, For: "15m"},
		BudgetMinCalls: 20,
		Now:            time.Now,
	}
}
