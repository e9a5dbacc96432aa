package twiliofake

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// callEvent is one call status change waiting to be applied.
type callEvent struct {
	call   *Call
	status string // Twilio's CallStatus
	seq    int    // SequenceNumber: the order Twilio generated it in
	sip    int    // SipResponseCode, 0 for none
	// answered: applying this change means the call was answered.
	answered bool
}

// callbackEvent is the StatusCallbackEvent a CallStatus belongs to.
func callbackEvent(status string) string {
	switch status {
	case "initiated", "ringing":
		return status
	case "in-progress":
		return "answered"
	default:
		return "completed"
	}
}

// scheduleCall queues c's status changes for l; s.mu is held.
func (s *Server) scheduleCall(c *Call, l Line) {
	var seq []callEvent
	add := func(status string, sip int, answered bool) {
		seq = append(seq, callEvent{call: c, status: status, seq: len(seq), sip: sip, answered: answered})
	}
	final := func(def int) int {
		if l.SIPCode != 0 {
			return l.SIPCode
		}
		return def
	}
	switch l.Outcome {
	case CallSilent:
		return
	case CallBusy:
		add("initiated", 0, false)
		add("busy", final(486), false)
	case CallNoAnswer:
		add("initiated", 0, false)
		add("ringing", 0, false)
		add("no-answer", final(487), false)
	case CallFail:
		add("initiated", 0, false)
		add("failed", final(404), false)
	default:
		rings := 1
		if l.Outcome == CallSlow {
			rings = l.Rings
			if rings <= 0 {
				rings = 3
			}
		}
		add("initiated", 0, false)
		for range rings {
			add("ringing", 0, false)
		}
		add("in-progress", 200, true)
		add("completed", final(200), true)
	}
	if l.OutOfOrder && len(seq) >= 2 {
		n := len(seq)
		seq[n-2], seq[n-1] = seq[n-1], seq[n-2]
	}
	s.voice.pending = append(s.voice.pending, seq...)
	// What an answered call reports, fixed now so callbacks agree.
	if amd := c.MachineDetection; amd == "Enable" || amd == "DetectMessageEnd" {
		c.AnsweredBy = l.AnsweredBy
		if c.AnsweredBy == "" {
			c.AnsweredBy = "human"
		}
	}
	c.Duration = l.Duration
	if c.Duration <= 0 {
		c.Duration = 10
	}
}

// PendingCalls is how many call status changes wait to be stepped.
func (s *Server) PendingCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.voice.pending)
}

// StepCall applies the oldest pending call status change (all calls in
// one queue, in the order they were placed) and posts its signed status
// callback when the call asked for that event (the final status always
// is). ok is false when nothing was pending. err is a callback that could
// not be posted or was not answered 2xx; the change is applied anyway.
// The Callback's URL is "" when nothing was posted.
func (s *Server) StepCall(ctx context.Context) (cb Callback, ok bool, err error) {
	s.mu.Lock()
	if len(s.voice.pending) == 0 {
		s.mu.Unlock()
		return Callback{}, false, nil
	}
	e := s.voice.pending[0]
	s.voice.pending = s.voice.pending[1:]
	c := e.call
	var hook func(string)
	if e.answered && !c.Answered {
		c.Answered = true
		hook = s.voice.onAnswer
	}
	// A late answer after the end does not reopen the call.
	if !isFinal(c.Status) {
		c.Status = e.status
	}
	snap := *c
	s.mu.Unlock()
	if hook != nil {
		hook(snap.To)
	}
	cb = Callback{SID: snap.SID, Status: e.status}
	ev := callbackEvent(e.status)
	if snap.StatusCallback == "" || (ev != "completed" && !slices.Contains(snap.StatusCallbackEvents, ev)) {
		return cb, true, nil
	}
	cb.URL = snap.StatusCallback
	status, _, err := PostSigned(ctx, s.cfg.Client, s.cfg.AuthToken, snap.StatusCallback, callForm(snap, e, s.cfg.Now()))
	cb.HTTPStatus = status
	if err == nil && (status < 200 || status > 299) {
		err = fmt.Errorf("twiliofake: status callback for %s (%s) answered HTTP %d", snap.SID, e.status, status)
	}
	return cb, true, err
}

// FlushCalls steps call status changes until none is pending, returning
// the callbacks in the order they were sent and the first error.
func (s *Server) FlushCalls(ctx context.Context) ([]Callback, error) {
	var out []Callback
	var first error
	for {
		cb, ok, err := s.StepCall(ctx)
		if !ok {
			return out, first
		}
		out = append(out, cb)
		if err != nil && first == nil {
			first = err
		}
	}
}

func isFinal(status string) bool {
	switch status {
	case "completed", "busy", "no-answer", "failed", "canceled":
		return true
	}
	return false
}

// callForm is the status callback Twilio posts for e.
func callForm(c Call, e callEvent, now time.Time) url.Values {
	form := url.Values{
		"AccountSid":     {c.AccountSID},
		"ApiVersion":     {"2010-04-01"},
		"CallSid":        {c.SID},
		"CallStatus":     {e.status},
		"CallbackSource": {"call-progress-events"},
		"Called":         {c.To},
		"Caller":         {c.From},
		"Direction":      {"outbound-api"},
		"From":           {c.From},
		"SequenceNumber": {strconv.Itoa(e.seq)},
		"Timestamp":      {now.UTC().Format(time.RFC1123Z)},
		"To":             {c.To},
	}
	if e.sip != 0 {
		form.Set("SipResponseCode", strconv.Itoa(e.sip))
	}
	if e.answered && c.AnsweredBy != "" {
		form.Set("AnsweredBy", c.AnsweredBy)
	}
	if isFinal(e.status) {
		d := 0
		if e.answered {
			d = c.Duration
		}
		form.Set("CallDuration", strconv.Itoa(d))
		form.Set("Duration", strconv.Itoa((d+59)/60))
	}
	return form
}
