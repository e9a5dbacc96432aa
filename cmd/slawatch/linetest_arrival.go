package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// testCallArrival makes the telephony exporter see a simulated test call
// arrive on the number: a call record posted to its webhook from the
// provider's line-test caller number, which the exporter recognises as a
// test call. It is the simulated dialer's OnConnect (demo, --sim).
func testCallArrival(cat *catalog.Catalog, exporterURL string, client *http.Client) func(ctx context.Context, to string, at time.Time) error {
	return func(ctx context.Context, to string, at time.Time) error {
		n, ok := cat.Number(to)
		if !ok || len(n.Options()) == 0 || len(cat.Provider.LineTestCallers) == 0 {
			return fmt.Errorf("test call to %s: not a catalogue number with a service option, or no line-test caller", to)
		}
		at = at.UTC()
		rec := map[string]any{
			"call_id": fmt.Sprintf("linetest-%s-%d", to, at.UnixNano()), "access_number": to, "service_option": n.Options()[0],
			"queued_at": at.Format(time.RFC3339Nano), "answered_at": at.Add(2 * time.Second).Format(time.RFC3339Nano),
			"ended_at": at.Add(10 * time.Second).Format(time.RFC3339Nano), "outcome": "answered",
			"caller_number": cat.Provider.LineTestCallers[0],
		}
		body, _ := json.Marshal(rec)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, exporterURL+"/api/v1/calls", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("test call to %s: post to the exporter: %w", to, err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("test call to %s: the exporter answered %s", to, resp.Status)
		}
		return nil
	}
}
