package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// callCountsSQL are the aggregate expressions over calls that give the
// intervalCountColumns. Keep in step with counts.add.
func callCountsSQL() string {
	pub := "kind = 'public'"
	ans := pub + " AND outcome = 'answered'"
	ab := pub + " AND outcome = 'abandoned'"
	count := func(cond string) string {
		return "CAST(COALESCE(SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END), 0) AS BIGINT)"
	}
	sum := func(cond, col string) string {
		return "CAST(COALESCE(SUM(CASE WHEN " + cond + " THEN " + col + " ELSE 0 END), 0) AS BIGINT)"
	}
	return strings.Join([]string{
		count(pub + " AND outcome IN ('answered', 'abandoned')"),
		count(ans),
		count(ans + " AND (flags & 1) <> 0"),
		count(ans + " AND (flags & 2) <> 0"),
		count(ab),
		count(ab + " AND wait_ns <= 20000000000"),
		count(ab + " AND wait_ns > 20000000000 AND wait_ns <= 60000000000"),
		count(ab + " AND wait_ns > 60000000000"),
		count(ab + " AND (flags & 4) <> 0"),
		count(pub + " AND outcome = 'ivr_only'"),
		count("kind = 'test'"),
		sum(ans, "wait_ns"),
		sum(ans, "talk_ns"),
		sum(ans, "acw_ns"),
	}, ",\n  ")
}

// intervalSumsSQL sums the count columns of call_intervals.
func intervalSumsSQL() string {
	var parts []string
	for _, c := range intervalCountColumns() {
		parts = append(parts, "CAST(SUM("+c+") AS BIGINT)")
	}
	return strings.Join(parts, ", ")
}

// countDest returns scan destinations for the intervalCountColumns order.
func countDest(n *counts) []any {
	return []any{
		(*int64u)(&n.offered), (*int64u)(&n.answered), (*int64u)(&n.answeredWithinTarget), (*int64u)(&n.answeredWithinRest),
		(*int64u)(&n.abandoned), (*int64u)(&n.abandonedUnder20), (*int64u)(&n.abandoned20To60), (*int64u)(&n.abandonedOver60),
		(*int64u)(&n.shortAbandons), (*int64u)(&n.ivrOnly), (*int64u)(&n.testCalls),
		&n.answerWaitNS, &n.talkNS, &n.acwNS,
	}
}

// int64u scans a non-negative SQL integer into a uint64.
type int64u uint64

func (u *int64u) Scan(src any) error {
	var v sql.NullInt64
	if err := v.Scan(src); err != nil {
		return err
	}
	if v.Int64 < 0 {
		return fmt.Errorf("count %d is negative", v.Int64)
	}
	*u = int64u(v.Int64)
	return nil
}

// checkPeriod validates [from, to).
func checkPeriod(what string, from, to time.Time) error {
	if to.Before(from) {
		return fmt.Errorf("store: %s: period end %s is before its start %s; want from <= to",
			what, to.UTC().Format(time.RFC3339Nano), from.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// Summary returns exact figures per service option and standard for calls of
// po queued in [from, to), sorted by service option then standard. When from
// and to are on 15-minute boundaries it reads the interval aggregates;
// otherwise it counts the calls themselves. Both give the same figures.
func (s *Store) Summary(ctx context.Context, po string, from, to time.Time) ([]SummaryRow, error) {
	if err := checkPeriod("Summary", from, to); err != nil {
		return nil, err
	}
	if aligned(from) && aligned(to) {
		return s.summaryFromIntervals(ctx, po, from, to)
	}
	return s.summaryFromCalls(ctx, po, from, to)
}

func (s *Store) summaryFromIntervals(ctx context.Context, po string, from, to time.Time) ([]SummaryRow, error) {
	q := `SELECT service_option, standard, ` + intervalSumsSQL() + `
FROM call_intervals
WHERE po = ? AND interval_start_ns >= ? AND interval_start_ns < ?
GROUP BY service_option, standard`
	return s.querySummary(ctx, q, po, from, to)
}

func (s *Store) summaryFromCalls(ctx context.Context, po string, from, to time.Time) ([]SummaryRow, error) {
	q := `SELECT service_option, standard,
  ` + callCountsSQL() + `
FROM calls
WHERE po = ? AND queued_at_ns >= ? AND queued_at_ns < ?
GROUP BY service_option, standard`
	return s.querySummary(ctx, q, po, from, to)
}

func (s *Store) querySummary(ctx context.Context, q, po string, from, to time.Time) ([]SummaryRow, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), po, from.UnixNano(), to.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("store: Summary of %q: %w", po, err)
	}
	defer rows.Close()
	var out []SummaryRow
	for rows.Next() {
		var so, std string
		var n counts
		if err := rows.Scan(append([]any{&so, &std}, countDest(&n)...)...); err != nil {
			return nil, fmt.Errorf("store: Summary of %q: %w", po, err)
		}
		out = append(out, n.row(so, std))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: Summary of %q: %w", po, err)
	}
	// Sort in Go: database collations differ (PostgreSQL's locale order
	// is not SQLite's byte order) and results must be identical.
	slices.SortFunc(out, func(a, b SummaryRow) int {
		if c := strings.Compare(a.ServiceOption, b.ServiceOption); c != 0 {
			return c
		}
		return strings.Compare(a.Standard, b.Standard)
	})
	return out, nil
}

// Intervals returns the 15-minute aggregate rows of po whose Start is in
// [from, to), sorted by Start, access number, service option, standard.
// Intervals without calls have no row.
func (s *Store) Intervals(ctx context.Context, po string, from, to time.Time) ([]IntervalRow, error) {
	if err := checkPeriod("Intervals", from, to); err != nil {
		return nil, err
	}
	q := `SELECT interval_start_ns, access_number, service_option, standard, ` + strings.Join(intervalCountColumns(), ", ") + `
FROM call_intervals
WHERE po = ? AND interval_start_ns >= ? AND interval_start_ns < ?`
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), po, from.UnixNano(), to.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("store: Intervals of %q: %w", po, err)
	}
	defer rows.Close()
	var out []IntervalRow
	for rows.Next() {
		var start int64
		var an, so, std string
		var n counts
		if err := rows.Scan(append([]any{&start, &an, &so, &std}, countDest(&n)...)...); err != nil {
			return nil, fmt.Errorf("store: Intervals of %q: %w", po, err)
		}
		out = append(out, IntervalRow{Start: time.Unix(0, start).UTC(), AccessNumber: an, SummaryRow: n.row(so, std)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: Intervals of %q: %w", po, err)
	}
	slices.SortFunc(out, func(a, b IntervalRow) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := strings.Compare(a.AccessNumber, b.AccessNumber); c != 0 {
			return c
		}
		if c := strings.Compare(a.ServiceOption, b.ServiceOption); c != 0 {
			return c
		}
		return strings.Compare(a.Standard, b.Standard)
	})
	return out, nil
}
