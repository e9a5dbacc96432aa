package board

import (
	"context"
	"fmt"
)

// byLabel runs expr and returns its values keyed by one label ("" for a
// query summed to one series).
func byLabel(ctx context.Context, src Source, expr, label string) (map[string]float64, error) {
	samples, err := src.Query(ctx, expr)
	if err != nil {
		return nil, fmt.Errorf("board query %s: %w", expr, err)
	}
	out := map[string]float64{}
	for _, s := range samples {
		if s.Value == s.Value { // NaN: nothing to show
			out[s.Labels[label]] += s.Value
		}
	}
	return out, nil
}

// total is the sum of a byLabel result.
func total(m map[string]float64) float64 {
	t := 0.0
	for _, v := range m {
		t += v
	}
	return t
}
