package verify

import (
	"context"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Prometheus is the part of Prometheus's HTTP API the checks use.
type Prometheus interface {
	// Query runs an instant query at ts.
	Query(ctx context.Context, expr string, ts time.Time) (model.Value, error)
	// QueryRange runs a range query.
	QueryRange(ctx context.Context, expr string, r v1.Range) (model.Value, error)
	// LabelValues lists a label's values over series matching matches
	// (all series when empty) between start and end.
	LabelValues(ctx context.Context, label string, matches []string, start, end time.Time) ([]string, error)
	// LabelNames lists label names likewise.
	LabelNames(ctx context.Context, matches []string, start, end time.Time) ([]string, error)
}

// FromAPI adapts client_golang's API client (warnings and infos dropped:
// the checks judge errors and results).
func FromAPI(api v1.API) Prometheus { return apiAdapter{api} }

type apiAdapter struct{ api v1.API }

func (a apiAdapter) Query(ctx context.Context, expr string, ts time.Time) (model.Value, error) {
	v, _, _, err := a.api.Query(ctx, expr, ts)
	return v, err
}

func (a apiAdapter) QueryRange(ctx context.Context, expr string, r v1.Range) (model.Value, error) {
	v, _, _, err := a.api.QueryRange(ctx, expr, r)
	return v, err
}

func (a apiAdapter) LabelValues(ctx context.Context, label string, matches []string, start, end time.Time) ([]string, error) {
	vs, _, _, err := a.api.LabelValues(ctx, label, matches, start, end)
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out, err
}

func (a apiAdapter) LabelNames(ctx context.Context, matches []string, start, end time.Time) ([]string, error) {
	ns, _, _, err := a.api.LabelNames(ctx, matches, start, end)
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = string(n)
	}
	return out, err
}
