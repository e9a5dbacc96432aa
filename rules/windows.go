package rules

import (
	"fmt"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// Windows of the fast group (raw rates, global interval) and of the long
// group (sums of 5-minute tiles, evaluated every tileInterval).
var (
	fastWindows = []string{"5m", "1h"}
	longWindows = []string{"1d", "7d", "30d"}
)

const tileInterval = "5m"

// Figures recorded at each level and window.
const (
	fOffered     = "telephony_calls_offered"
	fAbandoned   = "telephony_calls_abandoned"
	fWithin      = "sla_answered_within_target"
	fDenominator = "sla_denominator"
	fAbandonRate = "sla_abandoned"
	fBudget      = "sla_late_call_budget_remaining"
)

// abandonBandSeconds are the upper bounds of SPEC's abandon bands (within
// 20 s, 20–60 s, over 60 s): the long group records a tile of the
// abandon-wait bucket at each, so boards can split the abandoned tiles'
// sum into bands that add up to it exactly.
func abandonBandSeconds() []int { return []int{20, 60} }

// abandonedWithin names the figure of calls abandoned within sec seconds.
func abandonedWithin(sec int) string { return fmt.Sprintf("%s_within_%ds", fAbandoned, sec) }

// counters are the four per-window counts every ratio is built from.
func counters(l level, fn string, p *catalog.PO, window string) []struct{ metric, expr string } {
	return []struct{ metric, expr string }{
		{fOffered, counterExpr(l, fn, mOffered, p.ID, window)},
		{fAbandoned, counterExpr(l, fn, mAbandonCount, p.ID, window)},
		{fWithin, withinExpr(l, fn, p, window)},
		{fDenominator, denominatorExpr(l, fn, p, window)},
	}
}

// ratios records the answered-within-target and abandoned ratios of a
// window from the counts recorded under op (rate5m, increase30d, ...).
func ratios(l level, p *catalog.PO, op, window string) []rule {
	return []rule{
		record(l.name(fWithin, "ratio_rate"+window), ratioExpr(l.name(fWithin, op), l.name(fDenominator, op), p.ID)),
		record(l.name(fAbandonRate, "ratio_rate"+window), ratioExpr(l.name(fAbandoned, op), l.name(fOffered, op), p.ID)),
	}
}

// fastGroup holds the 5m and 1h figures. It has no interval on purpose:
// the embedded demo evaluates every 10 s, a production Prometheus at its
// own global interval, and the alerts need the freshest figures.
func fastGroup(p *catalog.PO) group {
	g := group{Name: "slawatch-sla-" + p.ID + "-fast"}
	for _, l := range levels() {
		for _, w := range fastWindows {
			for _, c := range counters(l, "rate", p, w) {
				g.Rules = append(g.Rules, record(l.name(c.metric, "rate"+w), c.expr))
			}
			g.Rules = append(g.Rules, ratios(l, p, "rate"+w, w)...)
		}
		g.Rules = append(g.Rules, record(l.name(fOffered, "increase1h"),
			sel(l.name(fOffered, "rate1h"), p.ID)+" * 3600"))
	}
	return g
}

// longGroup holds the 1d, 7d and 30d figures. Every 5 minutes it records
// increase(x[5m]) of the raw counters (a tile); tiles follow one another
// without overlap, so sum_over_time(tile[30d]) estimates the count over 30
// days and a ratio of two such sums is a ratio of sums, never an average of
// ratios. increase() extrapolates to its window's edges, so the counts are
// close to, not exactly, the calls; contract figures come from the store.
// Per service option it also records tiles of the calls abandoned within
// each abandon band's bound (abandonBandSeconds), for the boards.
func longGroup(p *catalog.PO, now time.Time) group {
	g := group{Name: "slawatch-sla-" + p.ID + "-long", Interval: tileInterval}
	tile := "increase" + tileInterval
	for _, l := range levels() {
		for _, c := range counters(l, "increase", p, tileInterval) {
			g.Rules = append(g.Rules, record(l.name(c.metric, tile), c.expr))
		}
		if l == levelOption {
			for _, sec := range abandonBandSeconds() {
				g.Rules = append(g.Rules, record(l.name(abandonedWithin(sec), tile),
					counterExpr(l, "increase", mAbandonBkt, p.ID, tileInterval, leMatcher(sec))))
			}
		}
		for _, w := range longWindows {
			for _, m := range []string{fOffered, fAbandoned, fWithin, fDenominator} {
				g.Rules = append(g.Rules, record(l.name(m, "increase"+w),
					fmt.Sprintf("sum_over_time(%s[%s])", sel(l.name(m, tile), p.ID), w)))
			}
			g.Rules = append(g.Rules, ratios(l, p, "increase"+w, w)...)
		}
		targets := optionTargets(p, now)
		if l == levelNumber {
			targets = numberTargets(p, now)
		}
		for _, t := range targets {
			g.Rules = append(g.Rules, budgetRule(l, p, t))
		}
	}
	return g
}

// budgetRule: how many more calls may miss the target before the 30-day
// figure drops below it. within/denominator >= pct/100 holds while
// k <= within*100/pct - denominator; computed as (100*within - pct*den)/pct
// so whole counts give whole results; the counts are estimates (see
// longGroup) and floor() rounds down, so the budget can be a call out.
func budgetRule(l level, p *catalog.PO, t target) rule {
	m := t.matchers()
	within := sel(l.name(fWithin, "increase30d"), p.ID, m...)
	den := sel(l.name(fDenominator, "increase30d"), p.ID, m...)
	return record(l.name(fBudget, "calls_30d"),
		fmt.Sprintf("floor(\n  (100 * (%s or 0 * %s) - %d * %s)\n  /\n  %d\n)", within, den, t.pct, den, t.pct))
}
