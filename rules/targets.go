package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// target is the percentage a set of series is held to. When every tier a
// PO uses has the same percent (the usual case: all 80%), one target with
// no values covers the whole PO and the rules do not depend on the date.
// Otherwise the series are grouped by the percent of the standard in force
// at generation time, listed in values (service options or access numbers).
type target struct {
	pct    int
	label  string
	values []string // nil: every series of the PO
}

// matchers is the extra selector matcher restricting a rule to the target.
func (t target) matchers() []string {
	if t.values == nil {
		return nil
	}
	q := make([]string, len(t.values))
	for i, v := range t.values {
		q[i] = regexp.QuoteMeta(v)
	}
	return []string{fmt.Sprintf("%s=~%q", t.label, strings.Join(q, "|"))}
}

// ratio is the target as a fraction.
func (t target) ratio() float64 { return float64(t.pct) / 100 }

// uniformPercent is the percent shared by every tier the PO uses, or 0.
func uniformPercent(p *catalog.PO) int {
	pct := 0
	for _, tier := range p.TiersUsed() {
		s, _ := p.Standard(tier)
		if pct != 0 && s.TargetPercent != pct {
			return 0
		}
		pct = s.TargetPercent
	}
	return pct
}

// optionPercent is the percent of the option's standard in force at now,
// or of its first standard when none is in force yet.
func optionPercent(p *catalog.PO, so *catalog.ServiceOption, now time.Time) int {
	if s, ok := p.StandardAt(so.ID, now); ok {
		return s.TargetPercent
	}
	s, _ := p.Standard(so.Standards[0].Standard)
	return s.TargetPercent
}

// optionTargets groups the PO's service options by target percent.
func optionTargets(p *catalog.PO, now time.Time) []target {
	if pct := uniformPercent(p); pct != 0 {
		return []target{{pct: pct, label: "service_option"}}
	}
	by := map[int][]string{}
	for i := range p.ServiceOptions {
		so := &p.ServiceOptions[i]
		pct := optionPercent(p, so, now)
		by[pct] = append(by[pct], so.ID)
	}
	return groupTargets(by, "service_option")
}

// numberTargets groups the PO's access numbers by the strictest target of
// the service options each serves.
func numberTargets(p *catalog.PO, now time.Time) []target {
	if pct := uniformPercent(p); pct != 0 {
		return []target{{pct: pct, label: "access_number"}}
	}
	by := map[int][]string{}
	for i := range p.AccessNumbers {
		n := &p.AccessNumbers[i]
		max := 0
		for _, id := range n.Options() {
			if so, ok := p.Option(id); ok {
				if pct := optionPercent(p, so, now); pct > max {
					max = pct
				}
			}
		}
		by[max] = append(by[max], n.Number)
	}
	return groupTargets(by, "access_number")
}

func groupTargets(by map[int][]string, label string) []target {
	out := make([]target, 0, len(by))
	for pct, vs := range by {
		sort.Strings(vs)
		out = append(out, target{pct: pct, label: label, values: vs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pct < out[j].pct })
	return out
}
