package linetest

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// CallCounter counts the calls the telephony source saw on a number:
// public (offered and IVR-only) and test calls queued in [from, to). The
// event store is one (the prober in the exporter's process, or sharing
// its database); PromCalls is the other, for a prober that runs apart
// from the telephony exporter and reads its figures from Prometheus.
type CallCounter interface {
	CallsOnNumber(ctx context.Context, accessNumber string, from, to time.Time) (public, test int, err error)
}

// PromCalls counts calls from the telephony exporter's counters through
// Prometheus's HTTP API (client_golang's API client): the increase of
// telephony_calls_offered_total and telephony_ivr_only_calls_total, and of
// telephony_test_calls_received_total, on the number over the window,
// rounded to whole calls. The figures lag by up to a scrape interval and
// increase() extrapolates at the window's edges: good enough to decide
// whether a number is quiet and whether a test call arrived; contract
// figures still come from the store.
type PromCalls struct {
	API v1.API
	// Now caps the end of a window that runs into the future; nil: time.Now.
	Now func() time.Time
}

// CallsOnNumber implements CallCounter.
func (p PromCalls) CallsOnNumber(ctx context.Context, accessNumber string, from, to time.Time) (public, test int, err error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	if n := now(); to.After(n) {
		to = n
	}
	secs := int64(math.Ceil(to.Sub(from).Seconds()))
	if secs < 1 {
		return 0, 0, nil
	}
	sel := fmt.Sprintf(`{access_number=%s}[%ds]`, strconv.Quote(accessNumber), secs)
	var counts [3]int
	for i, m := range []string{"telephony_calls_offered_total", "telephony_ivr_only_calls_total", "telephony_test_calls_received_total"} {
		if counts[i], err = p.count(ctx, m+sel, to); err != nil {
			return 0, 0, err
		}
	}
	return counts[0] + counts[1], counts[2], nil
}

// count evaluates sum(increase(<inner>)) at t; no series is 0.
func (p PromCalls) count(ctx context.Context, inner string, t time.Time) (int, error) {
	q := "sum(increase(" + inner + "))"
	v, _, _, err := p.API.Query(ctx, q, t)
	if err != nil {
		return 0, fmt.Errorf("linetest: prometheus query %s: %w", q, err)
	}
	vec, ok := v.(model.Vector)
	if !ok {
		return 0, fmt.Errorf("linetest: prometheus query %s: got a %s, want a vector", q, v.Type())
	}
	if len(vec) == 0 || math.IsNaN(float64(vec[0].Value)) {
		return 0, nil
	}
	return int(math.Round(float64(vec[0].Value))), nil
}
