package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// alertGroup holds SLABreached and SLAAtRisk for one PO, per service
// option. Every alert is guarded by volume: at least po.MinVolume() calls
// offered in the last hour, so one slow call at 03:00 pages nobody.
func alertGroup(p *catalog.PO, cfg Config, now time.Time) group {
	g := group{Name: "slawatch-sla-" + p.ID + "-alerts"}
	l := levelOption
	guard := fmt.Sprintf("%s >= %d", sel(l.name(fOffered, "increase1h"), p.ID), p.MinVolume())
	standards := describeStandards(p)
	for _, t := range optionTargets(p, now) {
		m := t.matchers()
		burning := func(rate float64) string {
			th := num(ratioThreshold(t.pct, rate))
			return fmt.Sprintf("%s < %s\nand\n%s < %s\nand\n%s",
				sel(l.name(fWithin, "ratio_rate1h"), p.ID, m...), th,
				sel(l.name(fWithin, "ratio_rate5m"), p.ID, m...), th,
				guard)
		}
		g.Rules = append(g.Rules,
			rule{
				Alert:  "SLABreached",
				Expr:   burning(cfg.Breach.Rate),
				For:    cfg.Breach.For,
				Labels: map[string]string{"severity": "page"},
				Annotations: map[string]string{
					"summary": "{{ $labels.po }} {{ $labels.service_option }}: SLA breached, {{ $value | humanizePercentage }} answered within target in the last hour",
					"description": fmt.Sprintf("Answered within target over the last hour: {{ $value | humanizePercentage }}, below the %d%% target, "+
						"and still below it over the last 5 minutes (burn rate above %s on the %d%% budget), "+
						"with at least %d calls offered in the hour. %s", t.pct, num(cfg.Breach.Rate), 100-t.pct, p.MinVolume(), standards),
				},
			},
			rule{
				Alert:  "SLAAtRisk",
				Expr:   burning(cfg.AtRisk.Rate),
				For:    cfg.AtRisk.For,
				Labels: map[string]string{"severity": "warning", "reason": "burn_rate"},
				Annotations: map[string]string{
					"summary": "{{ $labels.po }} {{ $labels.service_option }}: SLA at risk, {{ $value | humanizePercentage }} answered within target in the last hour",
					"description": fmt.Sprintf("Answered within target over the last hour: {{ $value | humanizePercentage }}, "+
						"under %s over both the last hour and 5 minutes (burn rate above %s on the %d%% budget of the %d%% target), "+
						"with at least %d calls offered in the hour. %s",
						num(100-cfg.AtRisk.Rate*float64(100-t.pct))+"%", num(cfg.AtRisk.Rate), 100-t.pct, t.pct, p.MinVolume(), standards),
				},
			},
			rule{
				Alert: "SLAAtRisk",
				Expr: fmt.Sprintf("%s <= 0\nand\n%s",
					sel(l.name(fBudget, "calls_30d"), p.ID, m...), guard),
				For:    cfg.AtRisk.For,
				Labels: map[string]string{"severity": "warning", "reason": "budget_spent"},
				Annotations: map[string]string{
					"summary": "{{ $labels.po }} {{ $labels.service_option }}: 30-day late-call budget spent ({{ $value }} calls)",
					"description": fmt.Sprintf("Over the last 30 days the option is at or below its %d%% target: "+
						"late-call budget left {{ $value }} calls (negative: that many calls over). "+
						"Calls are still arriving (at least %d offered in the last hour). %s", t.pct, p.MinVolume(), standards),
				},
			},
		)
	}
	return g
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
