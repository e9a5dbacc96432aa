package rotaapi

import (
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Change is a rota change as the API shows it. Times are in the rota's
// time zone.
type Change struct {
	ID   int64  `json:"id"`
	PO   string `json:"po"`
	Rota string `json:"rota"`
	// Kind is "override" or "cancel".
	Kind string `json:"kind"`
	// Person is the person id put on call (overrides only).
	Person string    `json:"person,omitempty"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	// Cancels is the override a cancel voids; CancelledBy the cancel of an
	// override.
	Cancels     int64 `json:"cancels,omitempty"`
	CancelledBy int64 `json:"cancelled_by,omitempty"`
	// State of an override at the time of the request: scheduled, active,
	// ended or cancelled.
	State   string    `json:"state,omitempty"`
	Reason  string    `json:"reason"`
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
}

// Override states.
const (
	StateScheduled = "scheduled"
	StateActive    = "active"
	StateEnded     = "ended"
	StateCancelled = "cancelled"
)

// ChangesResponse is GET /api/v1/rotas/{po}/{rota}/changes.
type ChangesResponse struct {
	PO      string   `json:"po"`
	Rota    string   `json:"rota"`
	Changes []Change `json:"changes"`
}

// Handover is the next change of who is on call.
type Handover struct {
	At time.Time `json:"at"`
	// Person is who takes over; null when nobody does.
	Person *string `json:"person"`
}

// RotaStatus is one rota in GET /api/v1/rotas/{po}.
type RotaStatus struct {
	ID             string   `json:"id"`
	TimeZone       string   `json:"time_zone"`
	Rotation       string   `json:"rotation"`
	ServiceOptions []string `json:"service_options"`
	SubCategory    string   `json:"sub_category,omitempty"`
	// OnCall is the person id on call now; null when nobody is.
	OnCall *string `json:"on_call"`
	// Reachable is false when nobody is on call or they have no channel.
	Reachable bool `json:"reachable"`
	// Override is the id of the API override in force, if one is.
	Override int64 `json:"override,omitempty"`
	// NextHandover is null when nobody else comes on call within
	// handoverHorizon.
	NextHandover *Handover `json:"next_handover"`
}

// POResponse is GET /api/v1/rotas/{po}.
type POResponse struct {
	PO    string       `json:"po"`
	At    time.Time    `json:"at"`
	Rotas []RotaStatus `json:"rotas"`
}

// OnCallResponse is GET /api/v1/rotas/{po}/{rota}/oncall.
type OnCallResponse struct {
	PO   string    `json:"po"`
	Rota string    `json:"rota"`
	At   time.Time `json:"at"`
	// Person is null when nobody is on call.
	Person    *string `json:"person"`
	Reachable bool    `json:"reachable"`
	Override  int64   `json:"override,omitempty"`
}

// OverrideRequest is the body of POST .../overrides.
type OverrideRequest struct {
	Person string `json:"person"`
	// From is omitted for "now"; a future time makes a pre-dated override.
	From   string `json:"from,omitempty"`
	To     string `json:"to"`
	Reason string `json:"reason,omitempty"`
}

// OverrideResponse is the answer to POST .../overrides (201) and DELETE
// .../overrides/{id} (200: Change is the cancel, Cancelled the override).
type OverrideResponse struct {
	Change    Change  `json:"change"`
	Cancelled *Change `json:"cancelled,omitempty"`
	// Immediate is true when the override took effect at once.
	Immediate bool `json:"immediate,omitempty"`
	// OnCallNow is who is on call on the rota now, with the change.
	OnCallNow *string `json:"on_call_now"`
	// Overlaps lists the ids of the API overrides this one overlaps (it
	// wins over them where they overlap); Notes say so, and more, in words.
	Overlaps []int64  `json:"overlaps,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// ErrorResponse is every error's body; Field names the request field at
// fault, when one is.
type ErrorResponse struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// history indexes a rota change history.
type history struct {
	all         []store.RotaChange
	byID        map[int64]store.RotaChange
	cancelledBy map[int64]store.RotaChange
}

func newHistory(changes []store.RotaChange) history {
	h := history{all: changes, byID: map[int64]store.RotaChange{}, cancelledBy: map[int64]store.RotaChange{}}
	for _, c := range changes {
		h.byID[c.ID] = c
		if c.Kind == store.RotaCancel {
			h.cancelledBy[c.Cancels] = c
		}
	}
	return h
}

// span is the part of an override in force: [From, end), empty when it
// was cancelled before it began (the catalogue's rule).
func (h history) span(o store.RotaChange) (from, end time.Time) {
	end = o.To
	if c, ok := h.cancelledBy[o.ID]; ok {
		if !c.From.After(o.From) {
			return o.From, o.From
		}
		if c.From.Before(end) {
			end = c.From
		}
	}
	return o.From, end
}

// inForce is the id of the API override in force on the rota at t: the
// latest one covering t (API overrides come after the file's, so they win).
func (h history) inForce(po, rota string, t time.Time) int64 {
	for i := len(h.all) - 1; i >= 0; i-- {
		o := h.all[i]
		if o.Kind != store.RotaOverride || o.PO != po || o.Rota != rota {
			continue
		}
		if from, end := h.span(o); !t.Before(from) && t.Before(end) {
			return o.ID
		}
	}
	return 0
}

func (h history) view(c store.RotaChange, loc *time.Location, now time.Time) Change {
	v := Change{ID: c.ID, PO: c.PO, Rota: c.Rota, Kind: c.Kind, Person: c.Person,
		From: c.From.In(loc), To: c.To.In(loc), Cancels: c.Cancels,
		Reason: c.Reason, Author: c.Author, Created: c.Created.In(loc)}
	if c.Kind != store.RotaOverride {
		return v
	}
	switch cancel, ok := h.cancelledBy[c.ID]; {
	case ok:
		v.CancelledBy, v.State = cancel.ID, StateCancelled
	case now.Before(c.From):
		v.State = StateScheduled
	case now.Before(c.To):
		v.State = StateActive
	default:
		v.State = StateEnded
	}
	return v
}

func personID(p catalog.Person, ok bool) *string {
	if !ok || p.ID == "" {
		return nil
	}
	id := p.ID
	return &id
}
