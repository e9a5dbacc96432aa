package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/promql"
)

// Query evaluates an instant PromQL query at ts against the local TSDB. A
// scalar result is returned as a one-sample vector without labels; string
// and range-vector results are errors (use the HTTP API for those).
// The returned vector does not alias engine memory.
func (e *Engine) Query(ctx context.Context, q string, ts time.Time) (promql.Vector, error) {
	qry, err := e.queryEng.NewInstantQuery(ctx, e.db, nil, q, ts)
	if err != nil {
		return nil, fmt.Errorf("engine: query %q: %w", q, err)
	}
	defer qry.Close()
	res := qry.Exec(ctx)
	if res.Err != nil {
		return nil, fmt.Errorf("engine: query %q: %w", q, res.Err)
	}
	switch v := res.Value.(type) {
	case promql.Vector:
		out := make(promql.Vector, len(v))
		for i, s := range v {
			out[i] = s
			if s.H != nil {
				out[i].H = s.H.Copy()
			}
		}
		return out, nil
	case promql.Scalar:
		return promql.Vector{{T: v.T, F: v.V}}, nil
	default:
		return nil, fmt.Errorf("engine: query %q returned a %s: want an instant vector or a scalar", q, res.Value.Type())
	}
}
