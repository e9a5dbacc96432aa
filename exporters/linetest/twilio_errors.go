package linetest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/twilio/twilio-go/client"
)

// TwilioError is a failed attempt to place a call: what Twilio answered,
// if anything, and whether trying again may help. Its text never holds
// a phone number (Twilio's own messages do, so they are not kept).
type TwilioError struct {
	// Status is the HTTP status (0: no answer: timeout, refused, reset).
	Status int
	// Code is Twilio's error code (e.g. 21217), 0 when none.
	Code int
	// Retry is true for transient failures: no answer, 408, 429, 5xx.
	Retry bool
	// RetryAfter is the wait Twilio asked for, if it did.
	RetryAfter time.Duration
	err        error
}

// twilioCodeText says what the Calls API's error codes mean.
var twilioCodeText = map[int]string{
	20003: "authentication failed: check the account SID and auth token",
	20404: "no such resource: check the account SID",
	20429: "too many requests",
	20500: "Twilio internal error",
	20503: "Twilio service unavailable",
	21201: "no 'To' number given",
	21205: "no TwiML or Url given",
	21210: "the 'From' number is not a verified caller ID of the account",
	21211: "the 'To' number is not a valid phone number",
	21212: "the 'From' number is not a valid phone number",
	21213: "no 'From' number given",
	21214: "the 'To' number cannot be reached",
	21215: "the account's geo permissions do not allow calling that number",
	21216: "the account is not allowed to call that number",
	21217: "the 'To' number does not appear to be a valid phone number",
}

func (e *TwilioError) Error() string {
	switch {
	case e.Status == 0:
		return "no answer from Twilio: " + bareURLErr(e.err).Error()
	case e.Code != 0:
		t, ok := twilioCodeText[e.Code]
		if !ok {
			t = fmt.Sprintf("see https://www.twilio.com/docs/errors/%d", e.Code)
		}
		return fmt.Sprintf("Twilio answered HTTP %d, error %d (%s)", e.Status, e.Code, t)
	case e.Status >= 200 && e.Status < 300:
		return fmt.Sprintf("Twilio answered HTTP %d but the call could not be read: %v", e.Status, bareURLErr(e.err))
	default:
		return fmt.Sprintf("Twilio answered HTTP %d without a Twilio error", e.Status)
	}
}

// Unwrap gives the underlying error (context.DeadlineExceeded, …).
func (e *TwilioError) Unwrap() error { return e.err }

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

// classifyTwilio turns twilio-go's error and what the transport saw into
// a TwilioError, deciding retry once: no answer, 408, 429 (or code
// 20429) and 5xx are transient; any other answer is permanent, a 2xx
// that could not be read too (the call may well have been placed).
func classifyTwilio(ctx context.Context, err error, res twilioAnswer) *TwilioError {
	e := &TwilioError{Status: res.Status, RetryAfter: res.RetryAfter, err: err}
	var rest *client.TwilioRestError
	var v1 *client.RestErrorV1
	switch {
	case errors.As(err, &rest):
		e.Code = rest.Code
		if e.Status == 0 {
			e.Status = rest.Status // refused by twilio-go itself
		}
		e.err = fmt.Errorf("Twilio error %d", rest.Code) // its Message may name the number
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
	case e.Code == 20429 || e.Status == 429 || e.Status == 408 || e.Status >= 500:
		e.Retry = true
	}
	return e
}
