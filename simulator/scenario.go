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
)

// Scenario is one situation to simulate, written KIND:PO (e.g. surge:rbkc).
type Scenario struct {
	Kind string
	PO   string
}

// ParseScenario reads KIND:PO and checks the PO is in the catalogue.
func ParseScenario(s string, c *catalog.Catalog) (Scenario, error) {
	kind, po, ok := strings.Cut(s, ":")
	if !ok || kind != Surge {
		return Scenario{}, fmt.Errorf("scenario %q: write KIND:PO; kinds: %s", s, Surge)
	}
	if _, found := c.PO(po); !found {
		return Scenario{}, fmt.Errorf("scenario %q: no PO %q in %s; POs: %s", s, po, c.Source, strings.Join(c.POIDs(), ", "))
	}
	return Scenario{Kind: kind, PO: po}, nil
}
