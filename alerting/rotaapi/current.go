package rotaapi

import (
	"context"
	"fmt"
	"sync"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Store is what the rota API needs of the event store (*store.Store has
// both methods). RotaChanges with po "" lists every PO's changes.
type Store interface {
	AddRotaChange(ctx context.Context, c store.RotaChange) (store.RotaChange, error)
	RotaChanges(ctx context.Context, po string) ([]store.RotaChange, error)
}

// Current is the catalogue with every stored rota change applied: what
// the pager resolves rotas and escalation plans on. cat is not changed.
func Current(ctx context.Context, cat *catalog.Catalog, st Store) (*catalog.Catalog, error) {
	changes, err := st.RotaChanges(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("rota changes: %w", err)
	}
	return apply(cat, changes)
}

// Cached is Current as a function that applies the changes again only
// when the history has grown: the pager calls it on every tick.
func Cached(cat *catalog.Catalog, st Store) func(context.Context) (*catalog.Catalog, error) {
	o := &overlay{base: cat, st: st}
	return func(ctx context.Context) (*catalog.Catalog, error) {
		c, _, err := o.current(ctx)
		return c, err
	}
}

func apply(cat *catalog.Catalog, changes []store.RotaChange) (*catalog.Catalog, error) {
	out, err := cat.WithRotaChanges(toCatalog(changes))
	if err != nil {
		return nil, fmt.Errorf("apply stored rota changes to the catalogue: %w", err)
	}
	return out, nil
}

func toCatalog(changes []store.RotaChange) []catalog.RotaChange {
	out := make([]catalog.RotaChange, len(changes))
	for i, c := range changes {
		out[i] = catalog.RotaChange{ID: c.ID, PO: c.PO, Rota: c.Rota, Kind: c.Kind, Person: c.Person,
			From: c.From, To: c.To, Cancels: c.Cancels}
	}
	return out
}

// overlay caches the catalogue with the changes applied. The history is
// append-only, so its length and last id identify it.
type overlay struct {
	base *catalog.Catalog
	st   Store

	mu   sync.Mutex
	n    int
	last int64
	cat  *catalog.Catalog
}

// current reads the whole history and returns it with the catalogue that
// has it applied.
func (o *overlay) current(ctx context.Context) (*catalog.Catalog, []store.RotaChange, error) {
	changes, err := o.st.RotaChanges(ctx, "")
	if err != nil {
		return nil, nil, fmt.Errorf("rota changes: %w", err)
	}
	var last int64
	if len(changes) > 0 {
		last = changes[len(changes)-1].ID
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cat != nil && o.n == len(changes) && o.last == last {
		return o.cat, changes, nil
	}
	cat, err := apply(o.base, changes)
	if err != nil {
		return nil, nil, err
	}
	o.cat, o.n, o.last = cat, len(changes), last
	return cat, changes, nil
}
