package simulator

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/slawatch/slawatch/exporters/crm"
)

// crmBatch bounds the events of one POST (well under the webhook's 1 MiB).
const crmBatch = 500

// CRMFeed posts CRM events to the CRM exporter's webhook
// (POST /api/v1/crm/events), as a CRM that pushes would.
type CRMFeed struct {
	BaseURL string // e.g. http://127.0.0.1:9470
	Client  *http.Client
	Logger  *slog.Logger
	// Retries of a batch on a transient failure (5xx, connection refused).
	Retries int
}

// Send posts evs in batches of up to 500; a 4xx is permanent (a batch the
// exporter rejected, in part or whole: its reply is in the error), a 5xx
// or a network error is retried with backoff. Replaying a batch is safe:
// the exporter keeps events once by id.
func (f *CRMFeed) Send(ctx context.Context, evs []crm.Event) error {
	feed := &Feed{BaseURL: f.BaseURL, Client: f.Client, Logger: f.Logger, Retries: f.Retries}
	if feed.Client == nil {
		feed.Client = http.DefaultClient
	}
	if feed.Logger == nil {
		feed.Logger = slog.New(slog.DiscardHandler)
	}
	for lo := 0; lo < len(evs); lo += crmBatch {
		body, err := json.Marshal(evs[lo:min(lo+crmBatch, len(evs))])
		if err != nil {
			return err
		}
		if err := feed.post(ctx, crm.EventsPath, body); err != nil {
			return err
		}
	}
	return nil
}

// DriveCRM advances the CRM simulation every tick on the clock now until
// ctx ends, posting the events that happened.
func DriveCRM(ctx context.Context, s *CRMSim, f *CRMFeed, now func() time.Time, tick time.Duration) error {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := f.Send(ctx, s.Advance(now())); err != nil && ctx.Err() == nil && f.Logger != nil {
			f.Logger.Error("simulator: CRM events not delivered", "err", err)
		}
	}
}
