package simulator

import (
	"fmt"
	"strings"

	"github.com/slawatch/slawatch/catalog"
)

// Scenario kinds.
const (
	// Surge: a major emergency at one PO — many times its usual calls, the
	// queue overwhelmed, long waits and many abandons.
	Surge = "surge"
	// DeadLine: one of the PO's advertised numbers dies (KIND:PO kills its
	// first number, KIND:PO:+44… the one named): its calls never reach the
	// queue, and a test call to it fails.
	DeadLine = "deadline"
	// Overdue: a lone worker of the PO checks in and never checks out; the
	// alarm escalates step by step until someone acknowledges it. It needs
	// the PO's lone-worker staff groups; the demo, not the simulator's
	// traffic, plays it.
	Overdue = "overdue"
)

// Scenario is one situation to simulate, written KIND:PO (e.g. surge:rbkc,
// deadline:enfield, deadline:enfield:+442079460010).
type Scenario struct {
	Kind string
	PO   string
	// Number is the dead number of a DeadLine scenario.
	Number string
}

// ParseScenario reads KIND:PO[:NUMBER] and checks it against the catalogue.
func ParseScenario(s string, c *catalog.Catalog) (Scenario, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 || (parts[0] != Surge && parts[0] != DeadLine && parts[0] != Overdue) || (len(parts) == 3 && parts[0] != DeadLine) {
		return Scenario{}, fmt.Errorf("scenario %q: write KIND:PO (or %s:PO:NUMBER); kinds: %s, %s, %s", s, DeadLine, Surge, DeadLine, Overdue)
	}
	sc := Scenario{Kind: parts[0], PO: parts[1]}
	p, found := c.PO(sc.PO)
	if !found {
		return Scenario{}, fmt.Errorf("scenario %q: no PO %q in %s; POs: %s", s, sc.PO, c.Source, strings.Join(c.POIDs(), ", "))
	}
	if sc.Kind == Overdue && len(p.StaffGroups()) == 0 {
		var with []string
		for _, id := range c.POIDs() {
			if q, _ := c.PO(id); len(q.StaffGroups()) > 0 {
				with = append(with, id)
			}
		}
		return Scenario{}, fmt.Errorf("scenario %q: %s has no lone-worker staff groups in %s; POs with them: %s", s, sc.PO, c.Source, strings.Join(with, ", "))
	}
	if sc.Kind == DeadLine {
		var numbers []string
		for _, n := range p.AccessNumbers {
			numbers = append(numbers, n.Number)
		}
		switch {
		case len(numbers) == 0:
			return Scenario{}, fmt.Errorf("scenario %q: %s has no access number to kill", s, sc.PO)
		case len(parts) == 2:
			sc.Number = numbers[0]
		default:
			sc.Number = parts[2]
			if n, ok := c.Number(sc.Number); !ok || n.PO() != p {
				return Scenario{}, fmt.Errorf("scenario %q: %s is not a number of %s; its numbers: %s", s, sc.Number, sc.PO, strings.Join(numbers, ", "))
			}
		}
	}
	return sc, nil
}
