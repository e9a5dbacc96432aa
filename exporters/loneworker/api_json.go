package loneworker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/slawatch/slawatch/store"
)

// APIMaxBody bounds a request body of the lone-worker API.
const APIMaxBody = 16 << 10

// CheckInRequest is the body of POST …/sessions. Minutes and Until are
// exclusive; without either the session lasts the staff group's default.
// Unknown fields are refused.
type CheckInRequest struct {
	// PO may be left out by a credential scoped to one PO (its PO).
	PO         string `json:"po"`
	StaffGroup string `json:"staff_group"`
	Officer    string `json:"officer"`
	Location   string `json:"location"`
	UPRN       string `json:"uprn"`
	Minutes    *int   `json:"minutes"`
	// Until is the deadline, RFC 3339 (e.g. 2026-11-20T22:30:00Z).
	Until string `json:"until"`
	// Phone is the callback number, E.164; default the officer's SMS number.
	Phone string `json:"phone"`
}

// ExtendRequest is the body of POST …/sessions/{id}/extend.
type ExtendRequest struct {
	Minutes int `json:"minutes"`
}

// NoteRequest is the body of POST …/sessions/{id}/notes.
type NoteRequest struct {
	Text string `json:"text"`
}

// SessionJSON is a session as the API shows it, to a caller allowed its
// PO only: Officer, Phone and Location are personal data. Times are UTC,
// RFC 3339; Reminder and CheckedOut are null when there is none.
type SessionJSON struct {
	ID          int64      `json:"id"`
	PO          string     `json:"po"`
	StaffGroup  string     `json:"staff_group"`
	Officer     string     `json:"officer"`
	Phone       string     `json:"phone"`
	Location    string     `json:"location"`
	UPRN        string     `json:"uprn"`
	Started     time.Time  `json:"started"`
	Deadline    time.Time  `json:"deadline"`
	Reminder    *time.Time `json:"reminder"`
	State       string     `json:"state"`
	Extensions  int        `json:"extensions"`
	AlarmRaised bool       `json:"alarm_raised"`
	AckedBy     string     `json:"acked_by"`
	CheckedOut  *time.Time `json:"checked_out"`
	// Changed is set on the answer to a check-out or an acknowledgement:
	// false when the session was checked out (acknowledged) already, so a
	// retried request is harmless.
	Changed *bool `json:"changed,omitempty"`
	// Events is the audit trail, oldest first (GET …/sessions/{id} and
	// the answer to a note).
	Events []EventJSON `json:"events,omitempty"`
}

// EventJSON is one entry of a session's audit trail.
type EventJSON struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Via    string    `json:"via"`
	By     string    `json:"by"`
	Detail string    `json:"detail"`
}

// SessionList is the answer to GET …/sessions.
type SessionList struct {
	Sessions []SessionJSON `json:"sessions"`
}

// APIError is every error answer: what went wrong and what would be valid;
// Session names the session concerned (the officer's open session on a
// refused check-in).
type APIError struct {
	Error   string `json:"error"`
	Session int64  `json:"session,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// sessionJSON reveals the personal fields: call it only for a caller
// allowed the session's PO.
func sessionJSON(s store.LoneWorkerSession) SessionJSON {
	return SessionJSON{ID: s.ID, PO: s.PO, StaffGroup: s.StaffGroup, Officer: s.Officer.Reveal(), Phone: s.OfficerPhone.Reveal(),
		Location: s.Location.Reveal(), UPRN: s.UPRN, Started: s.Started.UTC(), Deadline: s.Deadline.UTC(),
		Reminder: optTime(s.Reminder), State: s.State, Extensions: s.Extensions, AlarmRaised: s.AlarmRaised,
		AckedBy: s.AckedBy, CheckedOut: optTime(s.CheckedOut)}
}

func eventsJSON(ev []store.LoneWorkerEvent) []EventJSON {
	out := make([]EventJSON, 0, len(ev))
	for _, e := range ev {
		out = append(out, EventJSON{At: e.At.UTC(), Kind: e.Kind, Via: e.Via, By: e.By, Detail: e.Detail})
	}
	return out
}

// errBody is a request body that is not what the route takes (400).
type errBody struct{ msg string }

func (e *errBody) Error() string { return e.msg }

// decodeBody decodes one JSON object into v, refusing unknown fields,
// trailing data and bodies over APIMaxBody. An empty body is an error
// unless emptyOK. The messages say what is wrong, never echoing values.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, emptyOK bool) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, APIMaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &errBody{fmt.Sprintf("request body over %d bytes", APIMaxBody)}
		}
		return &errBody{"could not read the request body"}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if emptyOK {
			return nil
		}
		return &errBody{"empty body; send a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &errBody{jsonProblem(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &errBody{"malformed JSON: more data after the object; send one JSON object"}
	}
	return nil
}

// jsonProblem explains a decoding error without repeating the body.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d; send one JSON object", syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("field %q must be a JSON %s", typ.Field, jsonKind(typ.Type.Kind().String()))
	case errors.As(err, &typ):
		return "want a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: the body ends early; send one complete JSON object"
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + clip(f) + "; not one of the fields this request takes"
	}
	return "malformed JSON; send one JSON object"
}

func jsonKind(k string) string {
	if strings.HasPrefix(k, "int") {
		return "integer"
	}
	return k
}
