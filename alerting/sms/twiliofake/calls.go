package twiliofake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

var callsPath = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)/Calls\.json$`)

// CallOutcome is what becomes of a call to a number.
type CallOutcome int

// Call outcomes and the status changes each goes through (Twilio's
// CallStatus values; "in-progress" is the answer).
const (
	CallAnswer   CallOutcome = iota // initiated, ringing, in-progress, completed
	CallBusy                        // initiated, busy (SIP 486)
	CallNoAnswer                    // initiated, ringing, no-answer (SIP 487)
	CallFail                        // initiated, failed (SIP 404 unless Line.SIPCode)
	CallSlow                        // initiated, ringing × Line.Rings, in-progress, completed
	CallSilent                      // no status change at all: the call stays queued
)

// Line is how calls to one number fare. The zero Line answers.
type Line struct {
	Outcome CallOutcome
	// Rings is how many ringing changes CallSlow goes through (default 3).
	Rings int
	// AnsweredBy is reported when the call asked for MachineDetection
	// (default "human"; "machine_start", "fax", … as Twilio reports).
	AnsweredBy string
	// Duration is how long an answered call lasts, in seconds (default 10).
	Duration int
	// SIPCode overrides the SipResponseCode of the final status.
	SIPCode int
	// OutOfOrder swaps the last two status callbacks (completed before
	// the answer, busy before initiated, …), as Twilio may deliver them.
	OutOfOrder bool
}

// Call is a call the fake accepted, as it stands now.
type Call struct {
	SID, AccountSID, To, From string
	// Twiml, URL and ApplicationSID are what the call was told to run.
	Twiml, URL, ApplicationSID string
	StatusCallback             string
	// StatusCallbackEvents are the events asked for (initiated, ringing,
	// answered, completed); the final status is always reported.
	StatusCallbackEvents []string
	// Timeout is the ringing time asked for, in seconds (Twilio's
	// default 60, at most 600).
	Timeout          int
	MachineDetection string
	// Status is the CallStatus now; AnsweredBy and Duration (seconds)
	// are set once the call is answered and once it has ended.
	Status     string
	AnsweredBy string
	Duration   int
	// Answered is true once the call has been answered.
	Answered    bool
	DateCreated time.Time
}

// voice is the Calls API's state, guarded by Server.mu.
type voice struct {
	calls    []*Call
	pending  []callEvent
	lines    map[string]Line
	onAnswer func(to string)
	// placed is closed (and forgotten) when a call is accepted.
	placed chan struct{}
}

// SetLine sets how calls to number fare from now on.
func (s *Server) SetLine(number string, l Line) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.voice.lines == nil {
		s.voice.lines = map[string]Line{}
	}
	s.voice.lines[number] = l
}

// OnAnswer sets a hook called with the called number when a call is
// answered (as the status change is stepped, even when its callback is
// delivered out of order), outside the fake's lock; nil removes it.
func (s *Server) OnAnswer(f func(to string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.voice.onAnswer = f
}

// Calls are the calls accepted so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.copyCalls()
}

func (s *Server) copyCalls() []Call {
	out := make([]Call, len(s.voice.calls))
	for i, c := range s.voice.calls {
		out[i] = *c
		out[i].StatusCallbackEvents = append([]string(nil), c.StatusCallbackEvents...)
	}
	return out
}

// WaitForCalls blocks until at least n calls have been accepted, or ctx
// ends, and returns the calls accepted so far.
func (s *Server) WaitForCalls(ctx context.Context, n int) ([]Call, error) {
	for {
		s.mu.Lock()
		if len(s.voice.calls) >= n {
			out := s.copyCalls()
			s.mu.Unlock()
			return out, nil
		}
		if s.voice.placed == nil {
			s.voice.placed = make(chan struct{})
		}
		ch := s.voice.placed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("twiliofake: waiting for %d calls: %w", n, context.Cause(ctx))
		}
	}
}

// createCall is POST …/Calls.json; the caller has authenticated it.
func (s *Server) createCall(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 20001, "Could not parse the request body")
		return
	}
	f := r.PostForm
	to, from := f.Get("To"), f.Get("From")
	switch {
	case to == "":
		writeError(w, http.StatusBadRequest, 21201, "No 'To' number is specified")
		return
	case from == "":
		writeError(w, http.StatusBadRequest, 21213, "Caller phone number is required")
		return
	case f.Get("Url") == "" && f.Get("Twiml") == "" && f.Get("ApplicationSid") == "":
		writeError(w, http.StatusBadRequest, 21205, "Url parameter is required.")
		return
	case !e164.MatchString(to):
		// Twilio's messages name the number: callers must not pass them on.
		writeError(w, http.StatusBadRequest, 21217, fmt.Sprintf("Phone number %s does not appear to be valid", to))
		return
	case !e164.MatchString(from):
		writeError(w, http.StatusBadRequest, 21212, fmt.Sprintf("The From phone number %s is not a valid phone number.", from))
		return
	}
	timeout := 60
	if v := f.Get("Timeout"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, 21208, "Timeout must be a positive integer")
			return
		}
		timeout = min(n, 600)
	}
	c := &Call{
		SID: newSID("CA"), AccountSID: s.cfg.AccountSID, To: to, From: from,
		Twiml: f.Get("Twiml"), URL: f.Get("Url"), ApplicationSID: f.Get("ApplicationSid"),
		StatusCallback: f.Get("StatusCallback"), StatusCallbackEvents: f["StatusCallbackEvent"],
		Timeout: timeout, MachineDetection: f.Get("MachineDetection"),
		Status: "queued", DateCreated: s.cfg.Now().UTC().Truncate(time.Second),
	}
	s.mu.Lock()
	s.voice.calls = append(s.voice.calls, c)
	s.scheduleCall(c, s.voice.lines[to])
	if s.voice.placed != nil {
		close(s.voice.placed)
		s.voice.placed = nil
	}
	out := callResource(c)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(out)
}

// callResource is the call's JSON as Twilio's API returns it.
func callResource(c *Call) map[string]any {
	uri := fmt.Sprintf("/2010-04-01/Accounts/%s/Calls/%s", c.AccountSID, c.SID)
	date := c.DateCreated.Format(time.RFC1123Z)
	sub := map[string]string{}
	for _, k := range []string{"events", "notifications", "recordings", "payments", "siprec", "streams", "user_defined_messages", "user_defined_message_subscriptions"} {
		sub[k] = uri + "/" + k + ".json"
	}
	return map[string]any{
		"account_sid":      c.AccountSID,
		"annotation":       nil,
		"answered_by":      nil,
		"api_version":      "2010-04-01",
		"caller_name":      nil,
		"date_created":     date,
		"date_updated":     date,
		"direction":        "outbound-api",
		"duration":         nil,
		"end_time":         nil,
		"forwarded_from":   nil,
		"from":             c.From,
		"from_formatted":   c.From,
		"group_sid":        nil,
		"parent_call_sid":  nil,
		"phone_number_sid": newSID("PN"),
		"price":            nil,
		"price_unit":       "USD",
		"queue_time":       "0",
		"sid":              c.SID,
		"start_time":       nil,
		"status":           c.Status,
		"subresource_uris": sub,
		"to":               c.To,
		"to_formatted":     c.To,
		"trunk_sid":        nil,
		"uri":              uri + ".json",
	}
}
