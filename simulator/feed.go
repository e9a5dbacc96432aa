package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Feed posts the simulation to an exporter's HTTP ingest API, as a real
// telephony source would: calls when they end, queue snapshots as they go.
type Feed struct {
	BaseURL string // e.g. http://127.0.0.1:9464
	Client  *http.Client
	Logger  *slog.Logger
	// Retries of a batch on a transient failure (5xx, connection refused).
	Retries int
}

// PostCalls sends one batch; a 4xx is permanent (the batch is wrong), a 5xx
// or a network error is retried with backoff.
func (f *Feed) PostCalls(ctx context.Context, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	body, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	return f.post(ctx, "/api/v1/calls", body)
}

// PostQueue sends the live queue and channel use.
func (f *Feed) PostQueue(ctx context.Context, q []Waiting, inUse, capacity int) error {
	body, err := json.Marshal(struct {
		Queues           []Waiting `json:"queues"`
		ChannelsInUse    int       `json:"channels_in_use"`
		ChannelsCapacity int       `json:"channels_capacity"`
	}{q, inUse, capacity})
	if err != nil {
		return err
	}
	return f.post(ctx, "/api/v1/queue", body)
}

func (f *Feed) post(ctx context.Context, path string, body []byte) error {
	backoff := 200 * time.Millisecond
	var last error
	for attempt := 0; attempt <= f.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(backoff):
			}
			backoff *= 2
		}
		retry, err := f.once(ctx, path, body)
		if err == nil || !retry {
			return err
		}
		last = err
		f.Logger.Warn("simulator: post failed, retrying", "path", path, "attempt", attempt+1, "err", err)
	}
	return last
}

func (f *Feed) once(ctx context.Context, path string, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.Client.Do(req)
	if err != nil {
		return ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode >= 500:
		return true, fmt.Errorf("POST %s: %s: %s", path, resp.Status, bytes.TrimSpace(msg))
	default:
		return false, fmt.Errorf("POST %s: %s: %s", path, resp.Status, bytes.TrimSpace(msg))
	}
}

// Drive advances the simulation every tick on the clock now until ctx ends,
// posting the calls that ended and the live queue.
func Drive(ctx context.Context, s *Sim, f *Feed, now func() time.Time, tick time.Duration, channels int) error {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		at := now()
		if err := f.PostCalls(ctx, s.Advance(at)); err != nil && ctx.Err() == nil {
			f.Logger.Error("simulator: calls not delivered", "err", err)
		}
		if err := f.PostQueue(ctx, s.Queue(at), s.InCall(at), channels); err != nil && ctx.Err() == nil {
			f.Logger.Error("simulator: queue snapshot not delivered", "err", err)
		}
	}
}
