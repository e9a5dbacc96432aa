package simulator

import (
	"fmt"
	"slices"
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
	// SlowReferrals: the PO's referrals to on-call staff are dispatched
	// after its limit (the CRM traffic, simulator/crm.go).
	SlowReferrals = "slowreferrals"
	// Harmful: harmful or offensive items turn up in a mail-room business
	// unit (KIND:BUSINESS_UNIT, not a PO; simulator/mailroom.go).
	Harmful = "harmful"
)

// Kinds lists the scenario kinds.
func Kinds() []string { return []string{Surge, DeadLine, Overdue, SlowReferrals, Harmful} }

// Scenario is one situation to simulate, written KIND:PO (e.g. surge:rbkc,
// deadline:enfield, deadline:enfield:+442079460010; harmful:BUSINESS_UNIT).
type Scenario struct {
	Kind string
	PO   string
	// Number is the dead number of a DeadLine scenario.
	Number string
}

// ParseScenario reads KIND:PO[:NUMBER] and checks it against the catalogue.
func ParseScenario(s string, c *catalog.Catalog) (Scenario, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 || !slices.Contains(Kinds(), parts[0]) || (len(parts) == 3 && parts[0] != DeadLine) {
		return Scenario{}, fmt.Errorf("scenario %q: write KIND:PO (or %s:PO:NUMBER); kinds: %s", s, DeadLine, strings.Join(Kinds(), ", "))
	}
	sc := Scenario{Kind: parts[0], PO: parts[1]}
	if sc.Kind == Harmful {
		return sc, checkBusinessUnit(s, sc.PO, c)
	}
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

// checkBusinessUnit checks the unit of a harmful scenario (held in PO).
func checkBusinessUnit(s, id string, c *catalog.Catalog) error {
	if c.MailRoom == nil {
		return fmt.Errorf("scenario %q: %s has no mail_room: section", s, c.Source)
	}
	var ids []string
	for _, bu := range c.MailRoom.BusinessUnits {
		if bu.ID == id {
			return nil
		}
		ids = append(ids, bu.ID)
	}
	return fmt.Errorf("scenario %q: no business unit %q in %s; business units: %s", s, id, c.Source, strings.Join(ids, ", "))
}
