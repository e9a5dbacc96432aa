package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// Reasons of SLAAtRisk (its reason label).
const (
	reasonBurnRate    = "burn_rate"
	reasonDaily       = "daily"
	reasonBudgetSpent = "budget_spent"
)

// alertGroup holds SLABreached and SLAAtRisk for one PO, per service
// option. Every alert is guarded by the volume of its own window, so one
// slow call at 03:00 pages and warns nobody:
//   - SLABreached and SLAAtRisk{reason="burn_rate"}: the last hour below
//     the threshold with at least po.MinVolume() calls offered in the hour;
//   - SLAAtRisk{reason="daily"}: the last 24 hours below target with at
//     least cfg.Daily.MinCalls calls offered in them (low-volume options,
//     which never reach the hourly guard);
//   - SLAAtRisk{reason="budget_spent"}: the 30-day budget spent with at
//     least cfg.BudgetMinCalls calls offered in the 30 days.
func alertGroup(p *catalog.PO, cfg Config, now time.Time) group {
	g := group{Name: "slawatch-sla-" + p.ID + "-alerts"}
	standards := describeStandards(p)
	for _, t := range optionTargets(p, now) {
		g.Rules = append(g.Rules,
			breachRule(p, cfg, t, standards),
			burnRateRule(p, cfg, t, standards),
			dailyRule(p, cfg, t, standards),
			budgetSpentRule(p, cfg, t, standards),
		)
	}
	return g
}

// burning: the hour's ratio is under the threshold, so is the latest 5m
// ratio of the hour, and the hour had real volume. The 5m ratio has no
// sample while no call is offered (0/0); last_over_time keeps its last
// value through such a quiet spell, so an alert neither resolves in the
// spell and pages again when calls resume, nor starts during one after
// the calls had recovered. Good calls (a 5m ratio back at threshold)
// resolve it. (keep_firing_for would do the first half, but vmalert 1.79,
// Debian's, rejects it.)
func burning(p *catalog.PO, t target, rate float64) string {
	l := levelOption
	m := t.matchers()
	th := num(ratioThreshold(t.pct, rate))
	return fmt.Sprintf("%s < %s\nand\nlast_over_time(%s[1h]) < %s\nand\n%s >= %d",
		sel(l.name(fWithin, "ratio_rate1h"), p.ID, m...), th,
		sel(l.name(fWithin, "ratio_rate5m"), p.ID, m...), th,
		sel(l.name(fOffered, "increase1h"), p.ID, m...), p.MinVolume())
}

func breachRule(p *catalog.PO, cfg Config, t target, standards string) rule {
	return rule{
		Alert:  "SLABreached",
		Expr:   burning(p, t, cfg.Breach.Rate),
		For:    cfg.Breach.For,
		Labels: map[string]string{"severity": "page"},
		Annotations: map[string]string{
			"summary": "{{ $labels.po }} {{ $labels.service_option }}: SLA breached, {{ $value | humanizePercentage }} answered within target in the last hour",
			"description": fmt.Sprintf("Answered within target over the last hour: {{ $value | humanizePercentage }}, below the %d%% target, "+
				"and still below it over the latest 5 minutes with calls (burn rate above %s on the %d%% budget), "+
				"with at least %d calls offered in the hour. %s", t.pct, num(cfg.Breach.Rate), 100-t.pct, p.MinVolume(), standards),
		},
	}
}

func burnRateRule(p *catalog.PO, cfg Config, t target, standards string) rule {
	return rule{
		Alert:  "SLAAtRisk",
		Expr:   burning(p, t, cfg.AtRisk.Rate),
		For:    cfg.AtRisk.For,
		Labels: map[string]string{"severity": "warning", "reason": reasonBurnRate},
		Annotations: map[string]string{
			"summary": "{{ $labels.po }} {{ $labels.service_option }}: SLA at risk, {{ $value | humanizePercentage }} answered within target in the last hour",
			"description": fmt.Sprintf("Answered within target over the last hour: {{ $value | humanizePercentage }}, "+
				"under %s over both the last hour and the latest 5 minutes with calls (burn rate above %s on the %d%% budget of the %d%% target), "+
				"with at least %d calls offered in the hour. %s",
				num(100-cfg.AtRisk.Rate*float64(100-t.pct))+"%", num(cfg.AtRisk.Rate), 100-t.pct, t.pct, p.MinVolume(), standards),
		},
	}
}

// dailyRule: the last 24 hours below target. It reads the long group's
// figures, refreshed every 5 minutes.
func dailyRule(p *catalog.PO, cfg Config, t target, standards string) rule {
	l := levelOption
	m := t.matchers()
	return rule{
		Alert: "SLAAtRisk",
		Expr: fmt.Sprintf("%s < %s\nand\n%s >= %d",
			sel(l.name(fWithin, "ratio_rate1d"), p.ID, m...), num(t.ratio()),
			sel(l.name(fOffered, "increase1d"), p.ID, m...), cfg.Daily.MinCalls),
		For:    cfg.Daily.For,
		Labels: map[string]string{"severity": "warning", "reason": reasonDaily},
		Annotations: map[string]string{
			"summary": "{{ $labels.po }} {{ $labels.service_option }}: SLA at risk, {{ $value | humanizePercentage }} answered within target in the last 24 hours",
			"description": fmt.Sprintf("Answered within target over the last 24 hours: {{ $value | humanizePercentage }}, below the %d%% target, "+
				"with at least %d calls offered in the 24 hours (too few an hour for the hourly alerts). "+
				"Live estimate; the contract figure comes from the event store. %s", t.pct, cfg.Daily.MinCalls, standards),
		},
	}
}

func budgetSpentRule(p *catalog.PO, cfg Config, t target, standards string) rule {
	l := levelOption
	m := t.matchers()
	return rule{
		Alert: "SLAAtRisk",
		Expr: fmt.Sprintf("%s <= 0\nand\n%s >= %d",
			sel(l.name(fBudget, "calls_30d"), p.ID, m...),
			sel(l.name(fOffered, "increase30d"), p.ID, m...), cfg.BudgetMinCalls),
		For:    cfg.AtRisk.For,
		Labels: map[string]string{"severity": "warning", "reason": reasonBudgetSpent},
		Annotations: map[string]string{
			"summary": "{{ $labels.po }} {{ $labels.service_option }}: 30-day late-call budget spent ({{ $value }} calls)",
			"description": fmt.Sprintf("Over the last 30 days the option is at or below its %d%% target: "+
				"late-call budget left {{ $value }} calls (negative: that many calls over), "+
				"with at least %d calls offered in the 30 days. "+
				"Live estimate, can be a call out; the contract figure comes from the event store. %s", t.pct, cfg.BudgetMinCalls, standards),
		},
	}
}

// describeStandards lists the PO's tiers for alert descriptions.
func describeStandards(p *catalog.PO) string {
	var parts []string
	for _, tier := range p.TiersUsed() {
		s, _ := p.Standard(tier)
		parts = append(parts, fmt.Sprintf("%s %d%% within %d s", tier, s.TargetPercent, s.TargetSeconds))
	}
	return "Standards of this PO (each call judged by the one in force when it arrived): " + strings.Join(parts, "; ") + "."
}
