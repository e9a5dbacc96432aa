package twilioapi

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"
)

func TestClassify(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json", Err: errors.New("connection refused")}
	tests := []struct {
		name  string
		err   error
		ans   Answer
		retry bool
		code  int
		text  string
	}{
		{"no answer", refused, Answer{}, true, 0, "no answer from Twilio: connection refused"},
		{"rest error", &client.TwilioRestError{Code: CodeInvalidTo, Status: 400, Message: "The 'To' number " + testPhone + " is not valid"}, Answer{Status: 400}, false, CodeInvalidTo, "error 21211 (the 'To' number is not a valid phone number)"},
		{"status from twilio-go", &client.TwilioRestError{Code: CodeAuthenticate, Status: 401}, Answer{}, false, CodeAuthenticate, "HTTP 401"},
		{"rate limited", &client.TwilioRestError{Code: CodeTooManyRequests, Status: 429}, Answer{Status: 429, RetryAfter: time.Second}, true, CodeTooManyRequests, "too many requests"},
		{"5xx without code", errors.New("bad gateway"), Answer{Status: 502}, true, 0, "HTTP 502 without a Twilio error"},
		{"408", errors.New("timeout"), Answer{Status: 408}, true, 0, "HTTP 408"},
		{"2xx unreadable", errors.New("unexpected EOF"), Answer{Status: 201}, false, 0, "HTTP 201 but the call could not be read"},
		{"unknown code", &client.TwilioRestError{Code: 99999, Status: 400}, Answer{Status: 400}, false, 99999, "twilio.com/docs/errors/99999"},
	}
	for _, tc := range tests {
		e := Classify(context.Background(), tc.err, tc.ans, "call")
		if e.Retry != tc.retry || e.Code != tc.code || !strings.Contains(e.Error(), tc.text) {
			t.Errorf("%s: Classify = %+v %q; want retry %v, code %d, text with %q", tc.name, e, e, tc.retry, tc.code, tc.text)
		}
		if strings.Contains(e.Error(), testPhone) {
			t.Errorf("%s: names the number: %q", tc.name, e)
		}
	}
	if e := Classify(context.Background(), &client.TwilioRestError{Code: 21211, Message: testPhone}, Answer{Status: 400}, "call"); strings.Contains(e.Unwrap().Error(), testPhone) {
		t.Errorf("Twilio's message kept: %v", e.Unwrap())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if e := Classify(ctx, nil, Answer{}, "call"); !errors.Is(e, context.Canceled) || !e.Retry {
		t.Errorf("Classify(no error, cancelled ctx) = %v", e)
	}
}
