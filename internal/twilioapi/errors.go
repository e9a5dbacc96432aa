package twilioapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/twilio/twilio-go/client"
)

// Error is a failed attempt to create a resource (send a message, place
// a call): what Twilio answered, if anything, and whether trying again
// may help. Its text never holds a phone number (Twilio's own messages
// do, so they are not kept).
type Error struct {
	// Status is the HTTP status (0: no answer: timeout, refused, reset).
	Status int
	// Code is Twilio's error code (e.g. 21211), 0 when none.
	Code int
	// Retry is true for transient failures: no answer, 408, 429, 5xx.
	Retry bool
	// RetryAfter is the wait Twilio asked for, if it did.
	RetryAfter time.Duration
	what       string // "message", "call": what was being created
	err        error
}

func (e *Error) Error() string {
	switch {
	case e.Status == 0:
		return "no answer from Twilio: " + bareURLErr(e.err).Error()
	case e.Code != 0:
		return fmt.Sprintf("Twilio answered HTTP %d, error %d (%s)", e.Status, e.Code, Describe(e.Code))
	case e.Status >= 200 && e.Status < 300:
		return fmt.Sprintf("Twilio answered HTTP %d but the %s could not be read: %v", e.Status, e.what, bareURLErr(e.err))
	default:
		return fmt.Sprintf("Twilio answered HTTP %d without a Twilio error", e.Status)
	}
}

// Unwrap gives the underlying error (context.DeadlineExceeded, …).
func (e *Error) Unwrap() error { return e.err }

// bareURLErr drops the request URL a *url.Error carries.
func bareURLErr(err error) error {
	if err == nil {
		return errors.New("no error recorded")
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Classify turns twilio-go's error and what the transport saw into an
// Error, deciding retry once: no answer, 408, 429 (or code 20429) and 5xx
// are transient; any other answer is permanent, a 2xx that could not be
// read too (the message may well have gone, the call been placed). what
// names the resource ("message", "call") in the text of that last case.
// Twilio's own error message is dropped: it may name the number.
func Classify(ctx context.Context, err error, ans Answer, what string) *Error {
	e := &Error{Status: ans.Status, RetryAfter: ans.RetryAfter, what: what, err: err}
	var rest *client.TwilioRestError
	var v1 *client.RestErrorV1
	switch {
	case errors.As(err, &rest):
		e.Code = rest.Code
		if e.Status == 0 {
			e.Status = rest.Status // refused by twilio-go itself (bad credentials)
		}
		e.err = fmt.Errorf("Twilio error %d", rest.Code)
	case errors.As(err, &v1):
		e.Code = v1.Code
		if e.Status == 0 {
			e.Status = v1.HttpStatusCode
		}
		e.err = fmt.Errorf("Twilio error %d", v1.Code)
	}
	switch {
	case e.Status == 0:
		e.Retry = true
		if e.err == nil {
			e.err = context.Cause(ctx)
		}
	case e.Code == CodeTooManyRequests || e.Status == 429 || e.Status == 408 || e.Status >= 500:
		e.Retry = true
	}
	return e
}
