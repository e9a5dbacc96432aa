package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
)

// checkBounds requires strictly increasing, non-NaN bucket bounds.
func checkBounds(name string, bounds []float64) error {
	for i, b := range bounds {
		if math.IsNaN(b) {
			return fmt.Errorf("store: Totals: %s[%d] is NaN; want a number of seconds", name, i)
		}
		if i > 0 && b <= bounds[i-1] {
			return fmt.Errorf("store: Totals: %s[%d] = %v is not above %s[%d] = %v; want strictly increasing bounds", name, i, b, name, i-1, bounds[i-1])
		}
	}
	return nil
}

// Totals returns all-time totals per series, sorted by PO, service option,
// access number and standard, for restoring exporter counters at start.
// Histogram buckets compare the exact stored seconds with each bound (value
// <= bound), as the exporters' histograms do; sums are exact to the
// nanosecond.
func (s *Store) Totals(ctx context.Context, waitBounds, durationBounds []float64) ([]SeriesTotals, error) {
	if err := checkBounds("waitBounds", waitBounds); err != nil {
		return nil, err
	}
	if err := checkBounds("durationBounds", durationBounds); err != nil {
		return nil, err
	}
	var cols []string
	var args []any
	bucketCols := func(col string, bounds []float64) {
		for _, b := range bounds {
			cols = append(cols, "CAST(SUM(CASE WHEN "+col+" <= ? THEN 1 ELSE 0 END) AS BIGINT)")
			args = append(args, boundNanos(b))
		}
	}
	bucketCols("wait_ns", waitBounds)
	bucketCols("talk_ns", durationBounds)
	bucketCols("acw_ns", durationBounds)
	test := fmt.Sprintf("flags & %d", flagTest)
	q := `SELECT series_id, outcome, ` + test + `, COUNT(*),
  CAST(SUM(wait_ns) AS BIGINT), CAST(SUM(talk_ns) AS BIGINT), CAST(SUM(acw_ns) AS BIGINT)`
	if len(cols) > 0 {
		q += ",\n  " + strings.Join(cols, ",\n  ")
	}
	q += `
FROM calls
GROUP BY series_id, outcome, ` + test
	names, err := s.seriesNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: Totals: read series: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: Totals: %w", err)
	}
	defer rows.Close()

	bySeries := map[SeriesKey]*SeriesTotals{}
	nb := len(waitBounds) + 2*len(durationBounds)
	for rows.Next() {
		var id, outcome, test int64
		var n int64u
		var waitNS, talkNS, acwNS int64
		buckets := make([]int64u, nb)
		dest := []any{&id, &outcome, &test, &n, &waitNS, &talkNS, &acwNS}
		for i := range buckets {
			dest = append(dest, &buckets[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: Totals: %w", err)
		}
		k, ok := names[id]
		if !ok {
			return nil, fmt.Errorf("store: Totals: stored calls have series id %d, which is not in the series table", id)
		}
		t := bySeries[k]
		if t == nil {
			t = &SeriesTotals{SeriesKey: k,
				Answered: newHist(len(waitBounds)), Abandoned: newHist(len(waitBounds)),
				Talk: newHist(len(durationBounds)), AfterCallWork: newHist(len(durationBounds))}
			bySeries[k] = t
		}
		wb, tb, ab := buckets[:len(waitBounds)], buckets[len(waitBounds):len(waitBounds)+len(durationBounds)], buckets[len(waitBounds)+len(durationBounds):]
		switch {
		case test != 0:
			t.TestCalls += uint64(n)
		case outcome == codeAnswered:
			t.Offered += uint64(n)
			t.Answered.add(uint64(n), waitNS, wb)
			t.Talk.add(uint64(n), talkNS, tb)
			t.AfterCallWork.add(uint64(n), acwNS, ab)
		case outcome == codeAbandoned:
			t.Offered += uint64(n)
			t.Abandoned.add(uint64(n), waitNS, wb)
		case outcome == codeIVROnly:
			t.IVROnly += uint64(n)
		default:
			return nil, fmt.Errorf("store: Totals: stored calls of %v have outcome code %d; the database holds rows this version does not know (want %d, %d or %d)",
				k, outcome, codeAnswered, codeAbandoned, codeIVROnly)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: Totals: %w", err)
	}
	out := make([]SeriesTotals, 0, len(bySeries))
	for _, t := range bySeries {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b SeriesTotals) int { return compareSeries(a.SeriesKey, b.SeriesKey) })
	return out, nil
}

func newHist(n int) Hist { return Hist{Buckets: make([]uint64, n)} }

// boundNanos is the largest whole number of nanoseconds <= bound seconds, so
// that value_ns <= boundNanos(b) exactly when value <= b.
func boundNanos(b float64) int64 {
	switch ns := math.Floor(b * 1e9); {
	case ns >= math.MaxInt64:
		return math.MaxInt64
	case ns <= math.MinInt64:
		return math.MinInt64
	default:
		return int64(ns)
	}
}

// add merges one group of n values summing to sumNS nanoseconds. Each
// histogram gets at most one group (one kind and outcome per series).
func (h *Hist) add(n uint64, sumNS int64, buckets []int64u) {
	h.Count += n
	h.Sum = seconds(sumNS)
	for i, b := range buckets {
		h.Buckets[i] += uint64(b)
	}
}
