package catalog

import (
	"sort"
	"time"
)

// Tiers are the standard labels, best first.
func Tiers() []string { return []string{"platinum", "gold", "silver", "bronze"} }

// Location is the catalogue's time zone (each PO may have its own).
func (c *Catalog) Location() *time.Location { return c.loc }

// Location is the PO's time zone: its hours, dates and standards' dates.
func (p *PO) Location() *time.Location { return p.loc }

// PO returns the organisation with the id.
func (c *Catalog) PO(id string) (*PO, bool) { p, ok := c.byPO[id]; return p, ok }

// Number returns the access number (E.164) wherever it is in the catalogue.
func (c *Catalog) Number(e164 string) (*AccessNumber, bool) { n, ok := c.byNum[e164]; return n, ok }

// Queue returns the Asterisk queue mapping by queue name.
func (c *Catalog) Queue(name string) (*Queue, bool) { q, ok := c.byQueue[name]; return q, ok }

// Buckets are the histogram bucket bounds in seconds: the default set and
// every threshold the catalogue uses, sorted, so that "answered within N s"
// is always an exact bucket and never interpolated.
func (c *Catalog) Buckets() []float64 { return append([]float64(nil), c.buckets...) }

// Standard is the PO's resolved definition of a tier.
func (p *PO) Standard(tier string) (Standard, bool) { s, ok := p.standards[tier]; return s, ok }

// Formula is the PO's SLA formula.
func (p *PO) Formula() SLAFormula { return p.formula }

// MinVolume is the PO's alert volume guard: calls offered in an hour.
func (p *PO) MinVolume() int { return p.minCalls }

// Option returns the PO's service option.
func (p *PO) Option(id string) (*ServiceOption, bool) {
	i, ok := p.optIndex[id]
	if !ok {
		return nil, false
	}
	return &p.ServiceOptions[i], true
}

// TiersUsed lists the tiers that any service option of the PO has ever
// been under, in Tiers order.
func (p *PO) TiersUsed() []string {
	used := map[string]bool{}
	for _, so := range p.ServiceOptions {
		for _, ch := range so.Standards {
			used[ch.Standard] = true
		}
	}
	var out []string
	for _, t := range Tiers() {
		if used[t] {
			out = append(out, t)
		}
	}
	return out
}

// StandardAt is the standard in force for the service option at t (the
// latest choice whose date, at local midnight, is not after t).
func (p *PO) StandardAt(serviceOption string, t time.Time) (Standard, bool) {
	so, ok := p.Option(serviceOption)
	if !ok {
		return Standard{}, false
	}
	tier := ""
	for _, ch := range so.Standards { // validated: ascending dates
		if !ch.From.In(p.loc).After(t) {
			tier = ch.Standard
		}
	}
	if tier == "" {
		return Standard{}, false
	}
	return p.Standard(tier)
}

// PO is the organisation the number belongs to.
func (a *AccessNumber) PO() *PO { return a.po }

// Options are the service options the number serves, resolved from "*".
func (a *AccessNumber) Options() []string {
	if len(a.ServiceOptions) == 1 && a.ServiceOptions[0] == "*" {
		out := make([]string, 0, len(a.po.ServiceOptions))
		for _, so := range a.po.ServiceOptions {
			out = append(out, so.ID)
		}
		return out
	}
	return append([]string(nil), a.ServiceOptions...)
}

// Serves reports whether the number serves the service option (on every
// call record: a map lookup, no allocation).
func (a *AccessNumber) Serves(serviceOption string) bool { return a.serves[serviceOption] }

// PO is the organisation the queue belongs to.
func (q *Queue) PO() *PO { return q.po }

// POIDs lists organisation ids in catalogue order.
func (c *Catalog) POIDs() []string {
	out := make([]string, 0, len(c.Organisations))
	for _, p := range c.Organisations {
		out = append(out, p.ID)
	}
	return out
}

func sortedUnique(xs []float64) []float64 {
	sort.Float64s(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
