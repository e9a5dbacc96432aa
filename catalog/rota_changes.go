package catalog

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Rota change kinds: what a RotaChange does.
const (
	// ChangeOverride puts Person on call from From to To.
	ChangeOverride = "override"
	// ChangeCancel voids the override Cancels from From on (all of it when
	// From is at or before its start, or zero).
	ChangeCancel = "cancel"
)

// RotaChange is a change to a rota made after the catalogue file was
// written: an override or the cancel of one, kept in the event store and
// made through the rota API. IDs order the changes: a later override wins
// over an earlier one where they overlap, as in the file.
type RotaChange struct {
	ID       int64
	PO, Rota string
	// Kind is ChangeOverride or ChangeCancel.
	Kind string
	// Person is the person id put on call ("" for a cancel).
	Person string
	// From and To bound an override; a cancel takes effect at From.
	From, To time.Time
	// Cancels is the id of the override a cancel voids.
	Cancels int64
}

// WithRotaChanges returns a catalogue in which each rota's overrides are
// the file's followed by the changes' overrides in ID order, less what the
// cancels void; OnCall, Plan, Gaps and NextOnCallChange on it see the changes.
// c itself is not changed (other goroutines may be reading it); the result
// shares everything that the changes do not touch. An unknown PO, rota or
// person, or a cancel of an id that is not an earlier override of the same
// rota, is an error naming the change and what would be valid.
func (c *Catalog) WithRotaChanges(changes []RotaChange) (*Catalog, error) {
	sorted := append([]RotaChange(nil), changes...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	type key struct{ po, rota string }
	added := map[key][]override{}
	// where finds an override change in added by id, to apply its cancel.
	type slot struct {
		k key
		i int
	}
	where := map[int64]slot{}
	cancelled := map[int64]int64{}
	for i, ch := range sorted {
		if i > 0 && ch.ID == sorted[i-1].ID {
			return nil, fmt.Errorf("rota change %d is listed twice; ids are unique", ch.ID)
		}
		p, ok := c.byPO[ch.PO]
		if !ok {
			return nil, fmt.Errorf("rota change %d: PO %q is not in the catalogue; POs: %s", ch.ID, ch.PO, strings.Join(c.POIDs(), ", "))
		}
		if _, ok := p.Rota(ch.Rota); !ok {
			return nil, fmt.Errorf("rota change %d: %q is not a rota of %s; rotas: %s", ch.ID, ch.Rota, p.ID, strings.Join(rotaIDs(p), ", "))
		}
		k := key{ch.PO, ch.Rota}
		switch ch.Kind {
		case ChangeOverride:
			who, ok := p.Person(ch.Person)
			if !ok {
				return nil, fmt.Errorf("rota change %d: %q is not a person of %s; people: %s", ch.ID, ch.Person, p.ID, strings.Join(personIDs(p), ", "))
			}
			if !ch.To.After(ch.From) {
				return nil, fmt.Errorf("rota change %d: to (%s) is not after from (%s); an override must have a length",
					ch.ID, ch.To.Format(time.RFC3339), ch.From.Format(time.RFC3339))
			}
			where[ch.ID] = slot{k, len(added[k])}
			added[k] = append(added[k], override{from: ch.From, to: ch.To, person: who})
		case ChangeCancel:
			s, ok := where[ch.Cancels]
			switch {
			case !ok:
				return nil, fmt.Errorf("rota change %d cancels %d, which is not an earlier override in the changes", ch.ID, ch.Cancels)
			case s.k != k:
				return nil, fmt.Errorf("rota change %d cancels %d, an override of %s/%s, not of %s/%s", ch.ID, ch.Cancels, s.k.po, s.k.rota, ch.PO, ch.Rota)
			case cancelled[ch.Cancels] != 0:
				return nil, fmt.Errorf("rota change %d cancels %d, which change %d cancelled already", ch.ID, ch.Cancels, cancelled[ch.Cancels])
			}
			cancelled[ch.Cancels] = ch.ID
			o := &added[k][s.i]
			if !ch.From.IsZero() && ch.From.After(o.from) && ch.From.Before(o.to) {
				o.to = ch.From // the part already served stays history
			} else if ch.From.IsZero() || !ch.From.After(o.from) {
				o.person = nil // void: dropped below
			}
		default:
			return nil, fmt.Errorf("rota change %d: unknown kind %q; want %s or %s", ch.ID, ch.Kind, ChangeOverride, ChangeCancel)
		}
	}

	out := *c
	out.Organisations = append([]PO(nil), c.Organisations...)
	out.byPO = make(map[string]*PO, len(c.byPO))
	out.byNum = make(map[string]*AccessNumber, len(c.byNum))
	out.byQueue = make(map[string]*Queue, len(c.byQueue))
	for i := range out.Organisations {
		p := &out.Organisations[i]
		if c.byPO[p.ID] == &c.Organisations[i] {
			out.byPO[p.ID] = p
		}
		// Access numbers and queues point back at their PO: copy them so
		// that Number(n).PO() is the new PO.
		p.AccessNumbers = append([]AccessNumber(nil), p.AccessNumbers...)
		for j := range p.AccessNumbers {
			a := &p.AccessNumbers[j]
			a.po = p
			if c.byNum[a.Number] == &c.Organisations[i].AccessNumbers[j] {
				out.byNum[a.Number] = a
			}
		}
		p.Queues = append([]Queue(nil), p.Queues...)
		for j := range p.Queues {
			q := &p.Queues[j]
			q.po = p
			if c.byQueue[q.Name] == &c.Organisations[i].Queues[j] {
				out.byQueue[q.Name] = q
			}
		}
		p.Rotas = append([]Rota(nil), p.Rotas...)
		p.rotaIndex = make(map[string]*Rota, len(p.Rotas))
		for j := range p.Rotas {
			r := &p.Rotas[j]
			if c.Organisations[i].rotaIndex[r.ID] == &c.Organisations[i].Rotas[j] {
				p.rotaIndex[r.ID] = r
			}
			extra := added[key{p.ID, r.ID}]
			if len(extra) == 0 {
				continue
			}
			ovs := append([]override(nil), r.overrides...)
			for _, o := range extra {
				if o.person != nil {
					ovs = append(ovs, o)
				}
			}
			r.overrides = ovs
		}
	}
	return &out, nil
}

// NextOnCallChange is the first instant after t, and before t+within, at
// which someone else is on call on the PO's rota (a handover of the rotation or
// the start or end of an override), and who that is: next.ID is "" when
// nobody is. ok is false for an unknown PO or rota, or when nothing
// changes in that time.
func (c *Catalog) NextOnCallChange(po, rotaID string, t time.Time, within time.Duration) (at time.Time, next Person, ok bool) {
	r, found := c.rota(po, rotaID)
	if !found || within <= 0 {
		return time.Time{}, Person{}, false
	}
	end := t.Add(within)
	bounds := r.handoversBetween(t, end)
	for _, o := range r.overrides {
		for _, b := range []time.Time{o.from, o.to} {
			if b.After(t) && b.Before(end) {
				bounds = append(bounds, b)
			}
		}
	}
	sort.Slice(bounds, func(i, j int) bool { return bounds[i].Before(bounds[j]) })
	cur := r.at(t)
	for _, b := range bounds {
		if who := r.at(b); who != cur {
			if who == nil {
				return b, Person{}, true
			}
			return b, *who, true
		}
	}
	return time.Time{}, Person{}, false
}
