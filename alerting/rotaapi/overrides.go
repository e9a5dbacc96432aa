package rotaapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

const (
	// pastSlack: a From this little in the past (a clock a bit ahead on
	// the client, a minute typed as "HH:MM") is taken as now.
	pastSlack = 5 * time.Minute
	// maxOverride bounds an override's length.
	maxOverride = 366 * 24 * time.Hour
)

// unprocessable is a 422 naming the field at fault.
type unprocessable struct{ field, msg string }

func (e *unprocessable) Error() string { return e.field + ": " + e.msg }

func invalid(field, format string, args ...any) error {
	return &unprocessable{field, fmt.Sprintf(format, args...)}
}

func (q *request) addOverride() {
	var req OverrideRequest
	if !q.decode(&req) {
		return
	}
	o, notes, err := q.validate(req)
	if err != nil {
		field := ""
		if u := (*unprocessable)(nil); errors.As(err, &u) {
			field = u.field
		}
		writeError(q.w, http.StatusUnprocessableEntity, field, err.Error())
		return
	}
	// The catalogue must accept the change with the history before it.
	trial := o
	trial.ID = maxID(q.hist.all) + 1
	if _, err := apply(q.handler.ov.base, with(q.hist.all, trial)); err != nil {
		writeError(q.w, http.StatusUnprocessableEntity, "", err.Error())
		return
	}
	saved, err := q.handler.store.AddRotaChange(q.r.Context(), o)
	if err != nil {
		q.storeError(err)
		return
	}
	q.handler.log.Info("rota override added", "po", saved.PO, "rota", saved.Rota, "change", saved.ID,
		"person", saved.Person, "from", saved.From, "to", saved.To, "author", saved.Author)
	hist := newHistory(with(q.hist.all, saved))
	resp := OverrideResponse{Change: hist.view(saved, q.rota.Location(), q.now), Immediate: !saved.From.After(q.now)}
	resp.Overlaps, notes = q.overlaps(saved, notes)
	resp.Notes = notes
	resp.OnCallNow = q.onCallNow(hist.all)
	q.w.Header().Set("Location", fmt.Sprintf("%s%s/%s/overrides/%d", Prefix, saved.PO, saved.Rota, saved.ID))
	writeJSON(q.w, http.StatusCreated, resp)
}

// decode reads the JSON body strictly; false when it answered an error.
func (q *request) decode(v any) bool {
	if ct := q.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeError(q.w, http.StatusUnsupportedMediaType, "", "send the body as Content-Type: application/json")
			return false
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(q.w, q.r.Body, MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("more than one JSON value in the body")
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		writeError(q.w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the body is over %d bytes", MaxBody))
	case errors.Is(err, io.EOF):
		writeError(q.w, http.StatusBadRequest, "", `empty body; send {"person": "...", "to": "...", "from": "... (omit for now)", "reason": "..."}`)
	default:
		writeError(q.w, http.StatusBadRequest, "", "body is not a valid override: "+err.Error()+`; fields: person, from, to, reason`)
	}
	return false
}

// validate turns the request into the change to store, with notes.
func (q *request) validate(req OverrideRequest) (store.RotaChange, []string, error) {
	var notes []string
	loc := q.rota.Location()
	if err := q.checkPerson(req.Person); err != nil {
		return store.RotaChange{}, nil, err
	}
	who, _ := q.po.Person(req.Person)
	from := q.now
	if strings.TrimSpace(req.From) != "" {
		t, err := parseTime(req.From, loc)
		if err != nil {
			return store.RotaChange{}, nil, invalid("from", "%v", err)
		}
		switch {
		case t.Before(q.now.Add(-pastSlack)):
			return store.RotaChange{}, nil, invalid("from", "%s is in the past; an override starts now or later (omit from to start now)", t.In(loc).Format(time.RFC3339))
		case t.After(q.now):
			from = t
			notes = append(notes, "pre-dated: takes effect at "+from.In(loc).Format(time.RFC3339))
		}
	}
	if strings.TrimSpace(req.To) == "" {
		return store.RotaChange{}, nil, invalid("to", "missing; give when the override ends (RFC 3339 or \"YYYY-MM-DD HH:MM\" in %s)", loc)
	}
	to, err := parseTime(req.To, loc)
	switch {
	case err != nil:
		return store.RotaChange{}, nil, invalid("to", "%v", err)
	case !to.After(q.now):
		return store.RotaChange{}, nil, invalid("to", "%s is in the past; an override must end after now (%s)", to.In(loc).Format(time.RFC3339), q.now.In(loc).Format(time.RFC3339))
	case !to.After(from):
		return store.RotaChange{}, nil, invalid("to", "%s is not after from (%s); an override must have a length", to.In(loc).Format(time.RFC3339), from.In(loc).Format(time.RFC3339))
	case to.Sub(from) > maxOverride:
		return store.RotaChange{}, nil, invalid("to", "the override would last %s; at most 366 days (change the catalogue's rota for longer)", to.Sub(from).Round(time.Hour))
	}
	switch {
	case len(req.Reason) > store.MaxRotaReasonBytes:
		return store.RotaChange{}, nil, invalid("reason", "is %d bytes; at most %d", len(req.Reason), store.MaxRotaReasonBytes)
	case strings.IndexFunc(req.Reason, unicode.IsControl) >= 0:
		return store.RotaChange{}, nil, invalid("reason", "has control characters; give one line of text")
	}
	if !who.Reachable() {
		notes = append(notes, who.ID+" has no sms, slack or email: nobody is reachable on this rota while the override lasts (a rota gap)")
	}
	return store.RotaChange{PO: q.po.ID, Rota: q.rota.ID, Kind: store.RotaOverride, Person: who.ID, From: from, To: to,
		Reason: strings.TrimSpace(req.Reason), Author: q.caller.Name, Created: q.now}, notes, nil
}

// checkPerson: the person must be one of this PO's people.
func (q *request) checkPerson(id string) error {
	if strings.TrimSpace(id) == "" {
		return invalid("person", "missing; give the person id to put on call, one of: %s", strings.Join(peopleIDs(q.po), ", "))
	}
	if _, ok := q.po.Person(id); ok {
		return nil
	}
	for i := range q.cat.Organisations {
		if other := &q.cat.Organisations[i]; other.ID != q.po.ID {
			if _, ok := other.Person(id); ok {
				return invalid("person", "%q is a person of %s, not of %s; people of %s: %s", id, other.ID, q.po.ID, q.po.ID, strings.Join(peopleIDs(q.po), ", "))
			}
		}
	}
	return invalid("person", "%q is not a person of %s; people: %s", id, q.po.ID, strings.Join(peopleIDs(q.po), ", "))
}

func peopleIDs(p *catalog.PO) []string {
	out := make([]string, 0, len(p.People))
	for _, x := range p.People {
		out = append(out, x.ID)
	}
	if len(out) == 0 {
		return []string{"(none: the catalogue lists no people for " + p.ID + ")"}
	}
	return out
}

// overlaps lists the API overrides (and notes the file's) that o overlaps;
// o wins over all of them where they overlap.
func (q *request) overlaps(o store.RotaChange, notes []string) ([]int64, []string) {
	loc := q.rota.Location()
	var ids []int64
	for _, c := range q.hist.all {
		if c.Kind != store.RotaOverride || c.PO != o.PO || c.Rota != o.Rota {
			continue
		}
		if from, end := q.hist.span(c); from.Before(o.To) && o.From.Before(end) {
			ids = append(ids, c.ID)
			notes = append(notes, fmt.Sprintf("overlaps override %d (%s, %s to %s); this later change wins where they overlap",
				c.ID, c.Person, from.In(loc).Format(time.RFC3339), end.In(loc).Format(time.RFC3339)))
		}
	}
	for _, f := range q.rota.Overrides {
		if from, end := f.From.In(loc), f.To.In(loc); from.Before(o.To) && o.From.Before(end) {
			notes = append(notes, fmt.Sprintf("overlaps the catalogue file's override for %s (%s to %s); this change wins where they overlap",
				f.Person, f.From, f.To))
		}
	}
	return ids, notes
}

func (q *request) onCallNow(changes []store.RotaChange) *string {
	cat, err := apply(q.handler.ov.base, changes)
	if err != nil {
		return nil
	}
	who, ok := cat.OnCall(q.po.ID, q.rota.ID, q.now)
	return personID(who, ok)
}

func (q *request) cancelOverride() {
	id, err := strconv.ParseInt(q.overID, 10, 64)
	o, found := q.hist.byID[id]
	if err != nil || !found || o.PO != q.po.ID || o.Rota != q.rota.ID {
		writeError(q.w, http.StatusNotFound, "", fmt.Sprintf("no change %q on %s/%s; see GET %s%s/%s/changes", q.overID, q.po.ID, q.rota.ID, Prefix, q.po.ID, q.rota.ID))
		return
	}
	loc := q.rota.Location()
	if o.Kind != store.RotaOverride {
		writeError(q.w, http.StatusUnprocessableEntity, "id", fmt.Sprintf("change %d is a cancel, not an override; a cancel cannot be undone (add a new override instead)", id))
		return
	}
	if c, ok := q.hist.cancelledBy[id]; ok {
		writeError(q.w, http.StatusConflict, "id", fmt.Sprintf("override %d was cancelled already, by change %d (%s at %s)", id, c.ID, c.Author, c.Created.In(loc).Format(time.RFC3339)))
		return
	}
	if !o.To.After(q.now) {
		writeError(q.w, http.StatusUnprocessableEntity, "id", fmt.Sprintf("override %d ended at %s; nothing is left to cancel", id, o.To.In(loc).Format(time.RFC3339)))
		return
	}
	reason := strings.TrimSpace(q.r.URL.Query().Get("reason"))
	if len(reason) > store.MaxRotaReasonBytes || strings.IndexFunc(reason, unicode.IsControl) >= 0 {
		writeError(q.w, http.StatusUnprocessableEntity, "reason", fmt.Sprintf("reason: at most %d bytes of one line of text", store.MaxRotaReasonBytes))
		return
	}
	saved, err := q.handler.store.AddRotaChange(q.r.Context(), store.RotaChange{PO: o.PO, Rota: o.Rota, Kind: store.RotaCancel,
		Cancels: id, From: q.now, To: o.To, Reason: reason, Author: q.caller.Name, Created: q.now})
	if err != nil {
		q.storeError(err)
		return
	}
	q.handler.log.Info("rota override cancelled", "po", saved.PO, "rota", saved.Rota, "change", saved.ID,
		"cancels", id, "from", saved.From, "author", saved.Author)
	hist := newHistory(with(q.hist.all, saved))
	cancelled := hist.view(o, loc, q.now)
	writeJSON(q.w, http.StatusOK, OverrideResponse{Change: hist.view(saved, loc, q.now), Cancelled: &cancelled,
		OnCallNow: q.onCallNow(hist.all)})
}

// storeError answers a failed AddRotaChange.
func (q *request) storeError(err error) {
	switch {
	case errors.Is(err, store.ErrRotaChangeCancelled):
		writeError(q.w, http.StatusConflict, "id", err.Error())
	case errors.Is(err, store.ErrNoRotaChange):
		writeError(q.w, http.StatusNotFound, "id", err.Error())
	case errors.Is(err, store.ErrInvalidRotaChange):
		writeError(q.w, http.StatusUnprocessableEntity, "", err.Error())
	default:
		q.handler.log.Error("rota api: store rota change", "po", q.po.ID, "rota", q.rota.ID, "err", err)
		writeError(q.w, http.StatusInternalServerError, "", "could not store the change; see the server log")
	}
}

func maxID(changes []store.RotaChange) int64 {
	var m int64
	for _, c := range changes {
		m = max(m, c.ID)
	}
	return m
}

// with is changes and c, in a new slice.
func with(changes []store.RotaChange, c store.RotaChange) []store.RotaChange {
	return append(append(make([]store.RotaChange, 0, len(changes)+1), changes...), c)
}
