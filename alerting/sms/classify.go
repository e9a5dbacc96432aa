package sms

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/twilio/twilio-go/client"
)

// Error is a failed attempt to send: what Twilio answered, if anything,
// and whether trying again may help. Its text never holds the phone
// number (Twilio's own messages do, so they are not kept).
type Error struct {
	// Status is the HTTP status (0: no answer: timeout, refused, reset).
	Status int
	// Code is Twilio's error code (e.g. 21211), 0 when none.
	Code int
	// Retry is true for transient failures: no answer, 5xx, 429.
	Retry bool
	// RetryAfter is the wait Twilio asked for, if it did.
	RetryAfter time.Duration
	err        error
}

// Twilio error codes that decide what to do.
const (
	CodeAuthenticate    = 20003
	CodeNotFound        = 20404
	CodeTooManyRequests = 20429
	CodeInvalidTo       = 21211
	CodeNoPermission    = 21408
	CodeBodyRequired    = 21602
	CodeNotSMSCapable   = 21606
	CodeUnsubscribed    = 21610
	CodeCannotRoute     = 21612
	CodeNotMobile       = 21614
)

// codeText says what Twilio's error codes mean, in our words.
var codeText = map[int]string{
	CodeAuthenticate:    "authentication failed: check the account SID and auth token",
	CodeNotFound:        "no such resource: check the account SID",
	CodeTooManyRequests: "too many requests",
	CodeInvalidTo:       "the 'To' number is not a valid phone number",
	CodeNoPermission:    "the account has no permission to send to that region",
	CodeBodyRequired:    "the message body is empty",
	CodeNotSMSCapable:   "the 'From' number cannot send SMS for this account",
	CodeUnsubscribed:    "the recipient has replied STOP (unsubscribed)",
	CodeCannotRoute:     "the 'To' number cannot be reached by SMS",
	CodeNotMobile:       "the 'To' number is not a mobile number",
	20500:               "Twilio internal error",
	20503:               "Twilio service unavailable",
	30001:               "queue overflow",
	30002:               "account suspended",
	30003:               "unreachable destination handset",
	30004:               "message blocked",
	30005:               "unknown destination handset",
	30006:               "landline or unreachable carrier",
	30007:               "message filtered by the carrier",
	30008:               "unknown error",
}

func describe(code int) string {
	if t, ok := codeText[code]; ok {
		return t
	}
	return fmt.Sprintf("see https://www.twilio.com/docs/errors/%d", code)
}

func (e *Error) Error() string {
	switch {
	case e.Status == 0:
		return "no answer from Twilio: " + bareErr(e.err).Error()
	case e.Code != 0:
		return fmt.Sprintf("Twilio answered HTTP %d, error %d (%s)", e.Status, e.Code, describe(e.Code))
	case e.Status >= 200 && e.Status < 300:
		return fmt.Sprintf("Twilio answered HTTP %d but the message could not be read: %v", e.Status, bareErr(e.err))
	default:
		return fmt.Sprintf("Twilio answered HTTP %d without a Twilio error", e.Status)
	}
}

// Unwrap gives the underlying error (context.DeadlineExceeded, …).
func (e *Error) Unwrap() error { return e.err }

// bareErr drops the request URL a *url.Error carries.
func bareErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// classify turns twilio-go's error and what the transport saw into an
// Error, deciding retry once: no answer, 408, 429 (or code 20429) and
// 5xx are transient; any other answer is permanent. A 2xx that could not
// be read is permanent too: the message may well have gone.
func classify(ctx context.Context, err error, res *callResult) *Error {
	e := &Error{Status: res.Status, RetryAfter: res.RetryAfter, err: err}
	var rest *client.TwilioRestError
	var v1 *client.RestErrorV1
	switch {
	case errors.As(err, &rest):
		e.Code = rest.Code
		if e.Status == 0 {
			e.Status = rest.Status // refused by twilio-go itself (bad credentials)
		}
	case errors.As(err, &v1):
		e.Code = v1.Code
		if e.Status == 0 {
			e.Status = v1.HttpStatusCode
		}
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
