package catalog

import (
	"sort"
	"time"
)

// Gap is a stretch of a rota with nobody reachable: nobody on call (no
// people, not started yet, or an empty slot), or a person with no channel.
type Gap struct {
	PO, Rota string
	From, To time.Time
	// Person is the person on call without a channel; "" when nobody is.
	Person string
	Reason string
}

// Gaps lists, rota by rota in catalogue order, the stretches of [from, to)
// in which the PO's rotas reach nobody. Run it ahead of time (e.g. over the
// next week) so that a gap is raised before the shift starts. Adjacent
// stretches with the same cause are merged.
func (c *Catalog) Gaps(po string, from, to time.Time) []Gap {
	p, ok := c.byPO[po]
	if !ok || !from.Before(to) {
		return nil
	}
	var out []Gap
	for i := range p.Rotas {
		out = append(out, p.Rotas[i].gaps(po, from, to)...)
	}
	return out
}

func (r *Rota) gaps(po string, from, to time.Time) []Gap {
	bounds := append([]time.Time{from, to}, r.handoversBetween(from, to)...)
	for _, o := range r.overrides {
		for _, b := range []time.Time{o.from, o.to} {
			if b.After(from) && b.Before(to) {
				bounds = append(bounds, b)
			}
		}
	}
	sort.Slice(bounds, func(i, j int) bool { return bounds[i].Before(bounds[j]) })
	var out []Gap
	for i := 0; i+1 < len(bounds); i++ {
		a, b := bounds[i], bounds[i+1]
		if !a.Before(b) {
			continue
		}
		g := Gap{PO: po, Rota: r.ID, From: a, To: b}
		switch who := r.at(a); {
		case who == nil && len(r.people) == 0:
			g.Reason = "the rota has no people"
		case who == nil:
			g.Reason = "nobody on call (before the rota's start)"
		case !who.Reachable():
			g.Person, g.Reason = who.ID, who.ID+" has no sms, slack or email"
		default:
			continue
		}
		if n := len(out); n > 0 && out[n-1].To.Equal(a) && out[n-1].Reason == g.Reason {
			out[n-1].To = b
			continue
		}
		out = append(out, g)
	}
	return out
}
