package crm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// EventsPath is the webhook's path.
const EventsPath = "/api/v1/crm/events"

// DefaultWebhookSource is the store source of webhook events unless the
// request names another with ?source=NAME.
const DefaultWebhookSource = "webhook"

// maxErrorsShown bounds the errors listed in one reply (counts stay exact).
const maxErrorsShown = 1000

// Handler serves
//
//	POST /api/v1/crm/events[?source=NAME]
//
// with one JSON event object or an array of them (Content-Type
// application/json, or none), stored under source NAME (default
// DefaultWebhookSource; 1 to 64 of a-z 0-9 _ . -). Every valid event is
// stored even when others are rejected. Replies, all JSON:
//   - 200 {accepted, duplicate, rejected: 0}: every event stored now or
//     before (a replay is harmless: events are kept once by source and id);
//   - 400 {accepted, duplicate, rejected, errors: [{item, id, field, code,
//     reason}]}: some events were rejected (item is the 1-based position in
//     the array); the valid ones are stored, so resending the whole batch
//     after fixing the bad ones is safe;
//   - 400 {error}: the body is not a JSON object or array, or ?source= is
//     invalid: nothing stored;
//   - 405 for a method other than POST, 413 over Options.MaxBodyBytes,
//     415 for a Content-Type other than application/json,
//     503 {error} when the event store fails (nothing stored; retry).
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(EventsPath, e.serveEvents)
	return mux
}

func (e *Exporter) serveEvents(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed; POST the events", r.Method))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			httpError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q; send application/json", short(ct)))
			return
		}
	}
	source := DefaultWebhookSource
	if q := r.URL.Query(); q.Has("source") {
		source = q.Get("source")
		if !ValidSource(source) {
			httpError(w, http.StatusBadRequest, fmt.Sprintf("source %q is not 1 to 64 of a-z 0-9 _ . -", short(source)))
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, e.o.MaxBodyBytes))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over the limit of %d bytes; send fewer events per request", mbe.Limit))
		return
	case err != nil:
		httpError(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	items, rejected, err := decodeEvents(body)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := e.ingest(r.Context(), TransportWebhook, source, items, rejected)
	if err != nil {
		e.log.Error("storing CRM webhook events", "err", err)
		httpError(w, http.StatusServiceUnavailable, "the event store is unavailable; nothing was stored, retry later")
		return
	}
	if len(res.Errors) > maxErrorsShown {
		res.Errors = res.Errors[:maxErrorsShown]
	}
	status := http.StatusOK
	if res.Rejected > 0 {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, res)
}

// wireEvent decodes an Event with its times as text, so that a bad time
// is reported against its own field.
type wireEvent struct {
	Event
	At          *string `json:"at"`
	CallEndedAt *string `json:"call_ended_at"`
}

// decodeEvents parses a webhook body: one JSON event object or an array of
// them. Each element that is not a valid event object (wrong JSON types, an
// unknown field, a time that is not RFC 3339) becomes an EventError with
// its 1-based position and the rest are returned as items; err is set,
// and nothing returned, when the body as a whole is not an object or an
// array of JSON values.
func decodeEvents(body []byte) (items []item, rejected []EventError, err error) {
	t := bytes.TrimSpace(body)
	var raws []json.RawMessage
	switch {
	case len(t) > 0 && t[0] == '{':
		raws = []json.RawMessage{t}
		if !json.Valid(t) {
			return nil, nil, errors.New("the body is not valid JSON; send one event object or an array of them")
		}
	case len(t) > 0 && t[0] == '[':
		if err := json.Unmarshal(t, &raws); err != nil {
			return nil, nil, errors.New("the body is not a valid JSON array; send one event object or an array of them")
		}
	default:
		return nil, nil, errors.New("the body must be one JSON event object or an array of them")
	}
	for i, raw := range raws {
		ev, rerr := decodeEvent(raw, i+1)
		if rerr != nil {
			rejected = append(rejected, *rerr)
			continue
		}
		items = append(items, item{pos: i + 1, ev: ev})
	}
	return items, rejected, nil
}

func decodeEvent(raw json.RawMessage, pos int) (Event, *EventError) {
	bad := func(field, code, reason string) *EventError {
		return &EventError{Item: itemString(pos), Field: field, Code: code, Reason: reason}
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return Event{}, bad("", ReasonBadJSON, "not a JSON object; each event is an object such as {\"id\": ..., \"type\": ..., \"at\": ...}")
	}
	var w wireEvent
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return Event{}, bad(strings.TrimPrefix(te.Field, "Event."), ReasonBadJSON, fmt.Sprintf("is a JSON %s; want a %s", te.Value, jsonKind(te.Type.Kind().String())))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return Event{}, bad(short(name), ReasonUnknownField, "unknown field; valid: id, type, at, po, service_option, ref, action, category, "+
				"channel, call_ended_at, outcome, urgent, callback_required, member_enquiry")
		default:
			return Event{}, bad("", ReasonBadJSON, "not a valid event object: "+short(err.Error()))
		}
	}
	ev := w.Event
	for _, f := range []struct {
		name string
		s    *string
		t    *time.Time
	}{{"at", w.At, &ev.At}, {"call_ended_at", w.CallEndedAt, &ev.CallEndedAt}} {
		if f.s == nil || *f.s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, *f.s)
		if err != nil {
			return Event{}, bad(f.name, ReasonBadTime, fmt.Sprintf("%q is not an RFC 3339 time; write e.g. 2026-11-02T18:04:05Z or 2026-11-02T18:04:05+00:00", short(*f.s)))
		}
		*f.t = v
	}
	// The id is echoed in errors found later (Validate); keep it.
	return ev, nil
}

func jsonKind(k string) string {
	switch k {
	case "bool":
		return "boolean (true or false)"
	case "string":
		return "string"
	}
	return k
}

func httpError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
