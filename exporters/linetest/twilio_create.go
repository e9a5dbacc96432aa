package linetest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	twilio "github.com/twilio/twilio-go"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/slawatch/slawatch/internal/twilioapi"
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
	call, attempts, err := twilioapi.Create(ctx, d.api, func(rc *twilio.RestClient) (*openapi.ApiV2010Call, error) {
		return rc.Api.CreateCall(p)
	}, func(attempt int, f *twilioapi.Error) {
		d.log.LogAttrs(ctx, slog.LevelWarn, "line-test call not placed",
			slog.Int64("run_id", c.RunID), slog.Int("attempt", attempt),
			slog.Int("http_status", f.Status), slog.Int("twilio_code", f.Code),
			slog.Bool("retry", f.Retry), slog.String("error", f.Error()))
	})
	if err != nil {
		return "", fmt.Errorf("placing the Twilio call: %w", err)
	}
	if call == nil || call.Sid == nil || *call.Sid == "" {
		return "", fmt.Errorf("Twilio accepted the call but returned no SID")
	}
	d.log.LogAttrs(ctx, slog.LevelDebug, "line-test call placed",
		slog.Int64("run_id", c.RunID), slog.String("call_sid", *call.Sid), slog.Int("attempt", attempts))
	return *call.Sid, nil
}
