package dashboards

import (
	"fmt"
	"strings"
)

// Query helpers. Every SLA figure comes from the recording rules
// (rules/generated/sla_<po>.rules.yml), which keep po and service_option
// (or po and access_number): the boards never average a ratio across
// options, POs or numbers. Selectors never name a job or an instance
// (deployments lay targets out differently).

// Recording-rule levels.
const (
	lvOption = "po_service_option"
	lvNumber = "po_access_number"
)

// Recorded series the boards read, by name (level:metric:operation).
func rec(level, metric, op string) string { return level + ":" + metric + ":" + op }

// Names of the per-option constants the SLA rules record for boards.
var (
	targetRatio  = rec(lvOption, "sla_target", "ratio")
	abandonLimit = rec(lvOption, "sla_abandoned_limit", "ratio")
)

// matchers renders label matchers from name/value pairs; a pair whose
// value is empty is left out, a value is quoted as given (so "$po" stays
// a Grafana variable).
func matchers(pairs ...string) string {
	var ms []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			continue
		}
		ms = append(ms, fmt.Sprintf("%s=%q", pairs[i], pairs[i+1]))
	}
	return strings.Join(ms, ",")
}

// sel is a selector: metric{m} (m from matchers, extra matchers appended).
func sel(metric, m string, extra ...string) string {
	all := m
	for _, e := range extra {
		if all != "" {
			all += ","
		}
		all += e
	}
	if all == "" {
		return metric
	}
	return metric + "{" + all + "}"
}

// scope is the label filter of one board or panel: a PO (literal on a PO
// board, "$po" on the service-option board, "" across POs) and optionally
// a service option.
type scope struct{ PO, Option string }

func (s scope) m() string { return matchers("po", s.PO, "service_option", s.Option) }

// slaRatio is answered within target ÷ the PO's denominator over a
// recorded window (1h, 1d, 7d, 30d), per po and service_option.
func (s scope) slaRatio(window string) string {
	return sel(rec(lvOption, "sla_answered_within_target", "ratio_rate"+window), s.m())
}

// abandonRatio is abandoned ÷ offered over a recorded window.
func (s scope) abandonRatio(window string) string {
	return sel(rec(lvOption, "sla_abandoned", "ratio_rate"+window), s.m())
}

// todayRatio is a ratio of two recorded 5-minute tile series summed over
// the panel's range (the panel's time is "now/d": today so far). Tiles
// follow one another without overlap, so the sums are the day's counts.
func (s scope) todayRatio(num, den string) string {
	n := fmt.Sprintf("sum_over_time(%s[$__range])", sel(rec(lvOption, num, "increase5m"), s.m()))
	d := fmt.Sprintf("sum_over_time(%s[$__range])", sel(rec(lvOption, den, "increase5m"), s.m()))
	return fmt.Sprintf("(%s or 0 * %s) / (%s > 0)", n, d, d)
}

// slaToday and abandonToday are today's ratios (today so far).
func (s scope) slaToday() string {
	return s.todayRatio("sla_answered_within_target", "sla_denominator")
}

func (s scope) abandonToday() string {
	return s.todayRatio("telephony_calls_abandoned", "telephony_calls_offered")
}

// target is the share of the standard in force per option (0.8).
func (s scope) target() string { return sel(targetRatio, s.m()) }

// orNoCalls keeps one row per service option: the ratio, or NaN (shown as
// "no calls") where the window had no calls, so a quiet option is a row
// that says so instead of a missing one. Labels: po, service_option.
func (s scope) orNoCalls(ratio string) string {
	return fmt.Sprintf("sum by (po, service_option) ((%s) or on (po, service_option) (%s * NaN))", ratio, s.target())
}

// vsTarget is a per-option ratio minus that option's target: below zero
// means under target. NaN where there were no calls.
func (s scope) vsTarget(ratio string) string {
	return fmt.Sprintf("%s - on (po, service_option) %s", s.orNoCalls(ratio), s.target())
}

// vsAbandonCap is a per-option abandon ratio minus that option's abandon
// cap: above zero means over the cap. Options whose standard has no cap
// have no cap series and drop out; NaN where there were no calls.
func (s scope) vsAbandonCap(ratio string) string {
	return fmt.Sprintf("%s - on (po, service_option) %s", s.orNoCalls(ratio), sel(abandonLimit, s.m()))
}

// budget is how many more calls may miss the target before the 30-day
// figure drops below it (negative: calls over).
func (s scope) budget() string {
	return sel(rec(lvOption, "sla_late_call_budget_remaining", "calls_30d"), s.m())
}

// bands are the abandoned calls of a window and their split by wait.
type bands struct{ Abandoned, Within20, From20To60, Over60 string }

// abandonBands are the abandoned calls of the panel's range split by
// wait: within 20 s, 20–60 s and over 60 s. Like the abandoned count
// (counts(..., "today")) they sum the SLA rules' recorded 5-minute tiles
// over $__range, the tiles of calls abandoned within 20 s and within 60 s
// (abandon-wait buckets the catalogue always has), so the three add up to
// Abandoned exactly. by is the grouping; "" gives one total each, 0 when
// nothing was abandoned.
func (s scope) abandonBands(by string) bands {
	agg, wrap := "sum", orZero
	if by != "" {
		agg, wrap = "sum by ("+by+")", func(e string) string { return e }
	}
	sum := func(metric string) string {
		return fmt.Sprintf("%s (sum_over_time(%s[$__range]))", agg, sel(rec(lvOption, metric, "increase5m"), s.m()))
	}
	all, w20, w60 := sum("telephony_calls_abandoned"), sum("telephony_calls_abandoned_within_20s"), sum("telephony_calls_abandoned_within_60s")
	return bands{Abandoned: wrap(all), Within20: wrap(w20), From20To60: wrap(w60 + " - " + w20), Over60: wrap(all + " - " + w60)}
}

// orZero makes an aggregate that may legitimately match nothing (no alert
// firing, no page sent) one row with 0; "on ()" adds it only when expr is
// empty, whatever labels expr's rows have.
func orZero(expr string) string { return "(" + expr + ") or on () vector(0)" }

// orNaN is orZero for a figure that has no value when nothing happened
// (a percentile of no deliveries): one row with NaN, shown as text.
func orNaN(expr string) string { return "(" + expr + ") or on () vector(NaN)" }

// age is now minus a Unix-seconds gauge, ignoring 0 (never happened).
func age(expr string) string { return fmt.Sprintf("time() - (%s > 0)", expr) }

// byStandard sums a per-option count by the standard each option is on
// now (the standard label of the target series). The counts themselves
// judge every call by the standard it arrived under; only the grouping
// uses today's standard (they differ only after a standard change).
func (s scope) byStandard(counts string) string {
	return fmt.Sprintf("sum by (standard) ((%s) * on (po, service_option) group_left (standard) (%s ^ 0))", counts, s.target())
}

// optionsPerStandard is how many service options are on each standard now.
func (s scope) optionsPerStandard() string {
	return fmt.Sprintf("count by (standard) (%s)", s.target())
}

// underTargetPerStandard is how many options of each standard have ratio
// (per option) below their target, 0 for a standard with none (options
// without calls are not under target).
func (s scope) underTargetPerStandard(ratio string) string {
	return fmt.Sprintf("count by (standard) ((%s < 0) * on (po, service_option) group_left (standard) (%s ^ 0)) or sum by (standard) (%s * 0)",
		s.vsTarget(ratio), s.target(), s.target())
}

// counts of one recorded metric over a window: the recorded 1d/7d/30d
// sums, or today's tiles summed over the panel's range ("today").
func (s scope) counts(level, metric, window string) string {
	m := matchers("po", s.PO, "service_option", s.Option)
	if window == "today" {
		return fmt.Sprintf("sum_over_time(%s[$__range])", sel(rec(level, metric, "increase5m"), m))
	}
	return sel(rec(level, metric, "increase"+window), m)
}
