package twiliofake

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// event is one status change waiting to be reported.
type event struct {
	msg       *Message
	status    string
	errorCode int
}

// Callback is a status change the fake has applied, and what became of
// its status callback.
type Callback struct {
	SID, Status string
	ErrorCode   int
	// URL is the StatusCallback posted to, "" when the message had none.
	URL string
	// HTTPStatus is the webhook's answer (0 when not posted).
	HTTPStatus int
}

// schedule queues msg's status changes for d; s.mu is held.
func (s *Server) schedule(msg *Message, d Delivery) {
	var seq []event
	add := func(status string, code int) { seq = append(seq, event{msg, status, code}) }
	switch d.Outcome {
	case Silent:
		return
	case Fail:
		add("queued", 0)
		add("failed", orDefault(d.ErrorCode, 30008))
	case Undeliver:
		add("queued", 0)
		add("sent", 0)
		add("undelivered", orDefault(d.ErrorCode, 30003))
	default:
		add("queued", 0)
		add("sent", 0)
		add("delivered", 0)
	}
	if d.OutOfOrder {
		n := len(seq)
		seq[n-2], seq[n-1] = seq[n-1], seq[n-2]
	}
	s.pending = append(s.pending, seq...)
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

// Pending is how many status changes wait to be stepped.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Step applies the oldest pending status change (all messages in one
// queue, in the order they were sent) and posts its signed status
// callback. ok is false when nothing was pending. err is a callback that
// could not be posted or was not answered 2xx; the change is applied
// anyway, as Twilio does not retry status callbacks.
func (s *Server) Step(ctx context.Context) (cb Callback, ok bool, err error) {
	s.mu.Lock()
	if len(s.pending) == 0 {
		s.mu.Unlock()
		return Callback{}, false, nil
	}
	e := s.pending[0]
	s.pending = s.pending[1:]
	e.msg.Status, e.msg.ErrorCode = e.status, e.errorCode
	m := *e.msg
	s.mu.Unlock()

	cb = Callback{SID: m.SID, Status: e.status, ErrorCode: e.errorCode, URL: m.StatusCallback}
	if m.StatusCallback == "" {
		return cb, true, nil
	}
	form := url.Values{
		"AccountSid":    {m.AccountSID},
		"ApiVersion":    {"2010-04-01"},
		"From":          {m.From},
		"MessageSid":    {m.SID},
		"MessageStatus": {e.status},
		"SmsSid":        {m.SID},
		"SmsStatus":     {e.status},
		"To":            {m.To},
	}
	if m.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", m.MessagingServiceSID)
	}
	if e.errorCode != 0 {
		form.Set("ErrorCode", strconv.Itoa(e.errorCode))
	}
	status, _, err := PostSigned(ctx, s.cfg.Client, s.cfg.AuthToken, m.StatusCallback, form)
	cb.HTTPStatus = status
	if err == nil && (status < 200 || status > 299) {
		err = fmt.Errorf("twiliofake: status callback for %s (%s) answered HTTP %d", m.SID, e.status, status)
	}
	return cb, true, err
}

// Flush steps until nothing is pending, returning the callbacks in the
// order they were sent and the first error.
func (s *Server) Flush(ctx context.Context) ([]Callback, error) {
	var out []Callback
	var first error
	for {
		cb, ok, err := s.Step(ctx)
		if !ok {
			return out, first
		}
		out = append(out, cb)
		if err != nil && first == nil {
			first = err
		}
	}
}
