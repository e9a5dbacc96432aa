package rules

import (
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// Names of the target series: constant per PO and service option, for
// boards to draw each option against its own standard.
const (
	TargetRatioName      = "po_service_option:sla_target:ratio"
	AbandonedLimitName   = "po_service_option:sla_abandoned_limit:ratio"
	targetsGroupInterval = "1m"
)

// targetsGroup records, for each service option, the target share of the
// standard in force at generation time (0.8 for 80%) and its abandon cap
// when the standard has one, labelled po, service_option and standard.
// They are catalogue constants: regenerate when a standard changes.
func targetsGroup(p *catalog.PO, now time.Time) group {
	g := group{Name: "slawatch-sla-" + p.ID + "-targets"}
	for i := range p.ServiceOptions {
		so := &p.ServiceOptions[i]
		s, ok := p.StandardAt(so.ID, now)
		if !ok {
			s, _ = p.Standard(so.Standards[0].Standard)
		}
		labels := map[string]string{"po": p.ID, "service_option": so.ID, "standard": s.Tier}
		g.Rules = append(g.Rules, rule{Record: TargetRatioName, Expr: "vector(" + num(s.TargetRatio()) + ")", Labels: labels})
		if s.MaxAbandonPercent != nil {
			g.Rules = append(g.Rules, rule{Record: AbandonedLimitName,
				Expr: "vector(" + num(*s.MaxAbandonPercent/100) + ")", Labels: labels})
		}
	}
	return g
}
