package crmsql

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/exporters/crm"
	"github.com/slawatch/slawatch/store"
)

// fakeIngester stands in for the CRM exporter until it is built: it keeps
// each (source, id) once, and rejects a PO outside the catalogue's.
type fakeIngester struct {
	mu        sync.Mutex
	events    map[string]crm.Event
	accepted  int
	duplicate int
	rejected  int
}

var testPOs = []string{"ealing", "peabody", "havering", "haringey", "tower_hamlets", "homes_for_haringey",
	"enfield", "wandle", "barnet", "waltham_forest", "rbkc"}

func newTestIngester(t *testing.T, _ *store.Store, _ prometheus.Registerer, _ *slog.Logger) storedIngester {
	return &fakeIngester{events: map[string]crm.Event{}}
}

func (f *fakeIngester) Ingest(_ context.Context, transport, source string, evs []crm.Event) (crm.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var res crm.Result
	for i, e := range evs {
		if !slices.Contains(testPOs, e.PO) {
			res.Rejected++
			res.Errors = append(res.Errors, crm.EventError{Item: strconv.Itoa(i + 1), ID: e.ID, Field: "po", Code: "unknown_po",
				Reason: fmt.Sprintf("po %q is not in the catalogue", e.PO)})
			continue
		}
		k := source + "\x00" + e.ID
		if _, dup := f.events[k]; dup {
			res.Duplicate++
			continue
		}
		f.events[k] = e
		res.Accepted++
	}
	f.accepted += res.Accepted
	f.duplicate += res.Duplicate
	f.rejected += res.Rejected
	return res, nil
}

func (f *fakeIngester) Reject(transport string, errs ...crm.EventError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejected += len(errs)
}

func (f *fakeIngester) stored() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, e := range f.events {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	return ids
}
