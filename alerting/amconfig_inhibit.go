package alerting

import (
	"fmt"
	"sort"
	"strings"

	"github.com/slawatch/slawatch/catalog"
)

// inhibitRules: a dead line silences the SLA alerts it explains, a down
// exporter silences its stale-data alerts, the lone-worker service down
// silences its stalled timers, a breach silences its warning.
//
// A line is dead when LineTestFailed{po, access_number} fires. It silences
// SLABreached and SLAAtRisk only for the service options that no other
// number of the PO serves: calls for an option that another line also
// carries still arrive, so its SLA alerts may have a cause of their own
// and must not be hidden (a page too many beats a page never sent). When
// both lines of such an option are dead, both LineTestFailed alerts and its
// SLA alerts page.
func inhibitRules(c *catalog.Catalog) []amInhibitRule {
	var out []amInhibitRule
	for i := range c.Organisations {
		p := &c.Organisations[i]
		for _, n := range p.AccessNumbers {
			only, shared := exclusiveOptions(p, n.Number)
			if len(only) == 0 {
				continue
			}
			note := fmt.Sprintf("%s: %s dead silences the SLA alerts of the %d option(s) only it serves", p.Name, n.Number, len(only))
			if len(shared) > 0 {
				note += fmt.Sprintf(" (not %s: another number serves it too)", strings.Join(shared, ", "))
			}
			out = append(out, amInhibitRule{
				SourceMatchers: []string{eq("alertname", "LineTestFailed"), eq("po", p.ID), eq("access_number", n.Number)},
				TargetMatchers: []string{re("alertname", "SLABreached", "SLAAtRisk"), eq("po", p.ID), re("service_option", only...)},
				comment:        note + ".",
			})
		}
	}
	out = append(out,
		amInhibitRule{
			SourceMatchers: []string{re("alertname", "ExporterDown", "ExporterAbsent")},
			TargetMatchers: []string{eq("alertname", "SourceSilent")},
			Equal:          []string{"job"},
			comment:        "An exporter down or absent explains why its sources are silent.",
		},
		amInhibitRule{
			SourceMatchers: []string{eq("alertname", "LoneWorkerServiceDown")},
			TargetMatchers: []string{re("alertname", "LoneWorkerTimersStalled", "LoneWorkerAlarmNotRaised", "LoneWorkerTickErrors")},
			comment:        "The lone-worker service down explains its timers stalling: one page, not two.",
		},
		amInhibitRule{
			SourceMatchers: []string{eq("alertname", "SLABreached")},
			TargetMatchers: []string{eq("alertname", "SLAAtRisk")},
			Equal:          []string{"po", "service_option"},
			comment:        "A breach page makes the at-risk warning of the same option redundant.",
		},
	)
	return out
}

// exclusiveOptions splits the options the number serves into those no
// other number of the PO serves and those shared with another number,
// each sorted.
func exclusiveOptions(p *catalog.PO, number string) (only, shared []string) {
	var self *catalog.AccessNumber
	for i := range p.AccessNumbers {
		if p.AccessNumbers[i].Number == number {
			self = &p.AccessNumbers[i]
		}
	}
	if self == nil {
		return nil, nil
	}
	for _, so := range self.Options() {
		other := false
		for i := range p.AccessNumbers {
			n := &p.AccessNumbers[i]
			if n.Number != number && n.Serves(so) {
				other = true
				break
			}
		}
		if other {
			shared = append(shared, so)
		} else {
			only = append(only, so)
		}
	}
	sort.Strings(only)
	sort.Strings(shared)
	return only, shared
}
