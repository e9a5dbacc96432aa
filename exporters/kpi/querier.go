package kpi

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Querier evaluates an instant PromQL query that yields at most one
// number. ok is false when the query yields no series (nothing counted).
type Querier interface {
	Query(ctx context.Context, expr string, at time.Time) (value float64, ok bool, err error)
}

// PromQuerier is a Querier over a Prometheus-compatible HTTP query API
// (client_golang's api/prometheus/v1): Prometheus, VictoriaMetrics, or
// the demo's embedded engine.
type PromQuerier struct{ API v1.API }

// NewPromQuerier queries the Prometheus at url (e.g. http://127.0.0.1:9490)
// with client; nil client is http.DefaultClient.
func NewPromQuerier(url string, client *http.Client) (PromQuerier, error) {
	cfg := api.Config{Address: url}
	if client != nil {
		cfg.Client = client
	}
	c, err := api.NewClient(cfg)
	if err != nil {
		return PromQuerier{}, fmt.Errorf("kpi: Prometheus URL %q: %w", url, err)
	}
	return PromQuerier{API: v1.NewAPI(c)}, nil
}

// Query implements Querier.
func (q PromQuerier) Query(ctx context.Context, expr string, at time.Time) (float64, bool, error) {
	v, _, _, err := q.API.Query(ctx, expr, at)
	if err != nil {
		return 0, false, err
	}
	switch v := v.(type) {
	case model.Vector:
		switch len(v) {
		case 0:
			return 0, false, nil
		case 1:
			f := float64(v[0].Value)
			return f, !math.IsNaN(f), nil
		}
		return 0, false, fmt.Errorf("the query yields %d series; want one number (wrap it in sum())", len(v))
	case *model.Scalar:
		f := float64(v.Value)
		return f, !math.IsNaN(f), nil
	}
	return 0, false, fmt.Errorf("the query yields a %s; want an instant vector", v.Type())
}
