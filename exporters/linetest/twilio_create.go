package linetest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	twilio "github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// twilioEvents are the status callbacks asked for; the final status
// comes under "completed" whatever it is.
var twilioEvents = []string{"initiated", "ringing", "answered", "completed"}

// createParams is the CreateCall request for c.
func (d *TwilioDialer) createParams(c Call, ring time.Duration, token string) *openapi.CreateCallParams {
	p := &openapi.CreateCallParams{}
	p.SetTo(c.To)
	p.SetFrom(c.From)
	p.SetTwiml(d.o.TwiML)
	p.SetTimeout(int((ring + time.Second - 1) / time.Second))
	p.SetStatusCallback(d.CallbackURL() + "?" + twilioTokenParam + "=" + token)
	p.SetStatusCallbackMethod(http.MethodPost)
	p.SetStatusCallbackEvent(twilioEvents)
	if d.o.MachineDetection != "off" {
		p.SetMachineDetection(d.o.MachineDetection)
	}
	return p
}

// create places the call, trying transient failures again within ctx,
// and returns its SID. The error is a *TwilioError (wrapped) for a
// failed attempt.
func (d *TwilioDialer) create(ctx context.Context, c Call, ring time.Duration, token string) (string, error) {
	p := d.createParams(c, ring, token)
	wait := d.o.Backoff
	for attempt := 1; ; attempt++ {
		call, res, err := d.attempt(ctx, p)
		if err == nil {
			if call == nil || call.Sid == nil || *call.Sid == "" {
				return "", fmt.Errorf("Twilio accepted the call but returned no SID")
			}
			d.log.LogAttrs(ctx, slog.LevelDebug, "line-test call placed",
				slog.Int64("run_id", c.RunID), slog.String("call_sid", *call.Sid), slog.Int("attempt", attempt))
			return *call.Sid, nil
		}
		f := classifyTwilio(ctx, err, res)
		err = fmt.Errorf("placing the Twilio call: attempt %d of %d: %w", attempt, d.o.Attempts, f)
		d.log.LogAttrs(ctx, slog.LevelWarn, "line-test call not placed",
			slog.Int64("run_id", c.RunID), slog.Int("attempt", attempt),
			slog.Int("http_status", f.Status), slog.Int("twilio_code", f.Code),
			slog.Bool("retry", f.Retry), slog.String("error", f.Error()))
		if !f.Retry || attempt >= d.o.Attempts || ctx.Err() != nil {
			return "", err
		}
		w := min(max(wait, f.RetryAfter), twilioMaxRetryWait)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < w {
			return "", fmt.Errorf("%w (no time left for another attempt)", err)
		}
		t := time.NewTimer(w)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("%w (then, waiting to try again: %w)", err, context.Cause(ctx))
		}
		wait *= 2
	}
}

// attempt makes one CreateCall bounded by Timeout and ctx. twilio-go has
// no context, so each attempt gets its own client whose transport
// carries ctx (and points at BaseURL) and records the HTTP status.
func (d *TwilioDialer) attempt(ctx context.Context, p *openapi.CreateCallParams) (*openapi.ApiV2010Call, twilioAnswer, error) {
	ctx, cancel := context.WithTimeout(ctx, d.o.Timeout)
	defer cancel()
	rt := &twilioTransport{ctx: ctx, next: d.transport, base: d.base}
	c := &client.Client{
		Credentials: client.NewCredentials(d.o.AccountSID, d.o.AuthToken.Reveal()),
		HTTPClient: &http.Client{
			Transport: rt,
			Timeout:   d.o.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
	c.SetAccountSid(d.o.AccountSID)
	rc := twilio.NewRestClientWithParams(twilio.ClientParams{Client: c})
	// Not TWILIO_EDGE / TWILIO_REGION from the environment: the host is ours.
	rc.SetEdge("")
	rc.SetRegion("")
	call, err := rc.Api.CreateCall(p)
	return call, rt.res, err
}
