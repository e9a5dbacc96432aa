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
	pub := fmt.Sprintf("(flags & %d) = 0", flagTest)
	ans := fmt.Sprintf("%s AND outcome = %d", pub, codeAnswered)
	ab := fmt.Sprintf("%s AND outcome = %d", pub, codeAbandoned)
	count := func(cond string) string {
		return "CAST(COALESCE(SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END), 0) AS BIGINT)"
	}
	sum := func(cond, col string) string {
		return "CAST(COALESCE(SUM(CASE WHEN " + cond + " THEN " + col + " ELSE 0 END), 0) AS BIGINT)"
	}
	return strings.Join([]string{
		count(fmt.Sprintf("%s AND outcome IN (%d, %d)", pub, codeAnswered, codeAbandoned)),
		count(ans),
		count(ans + " AND (flags & 1) <> 0"),
		count(ans + " AND (flags & 2) <> 0"),
		count(ab),
		count(ab + " AND wait_ns <= 20000000000"),
		count(ab + " AND wait_ns > 20000000000 AND wait_ns <= 60000000000"),
		count(ab + " AND wait_ns > 60000000000"),
		count(ab + " AND (flags & 4) <> 0"),
		count(fmt.Sprintf("%s AND outcome = %d", pub, codeIVROnly)),
		count(fmt.Sprintf("(flags & %d) <> 0", flagTest)),
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
// po queued in [from, to), sorted by service option then standard. Whole
// 15-minute intervals are read from the interval aggregates; only the calls
// in the partial intervals at the edges of an unaligned period are counted
// one by one. Both give the same figures.
func (s *Store) Summary(ctx context.Context, po string, from, to time.Time) ([]SummaryRow, error) {
	if err := checkPeriod("Summary", from, to); err != nil {
		return nil, err
	}
	f, t := from.UnixNano(), to.UnixNano()
	lo, hi := intervalStart(from), intervalStart(to) // whole intervals: [lo, hi)
	if lo < f {
		lo += int64(IntervalLength)
	}
	acc := summaryAcc{}
	if lo < f || lo >= hi {
		// Within one or two partial intervals (or at the far end of the
		// time range, where lo overflowed): count the calls.
		if err := s.summaryCalls(ctx, acc, po, f, t); err != nil {
			return nil, err
		}
		return acc.rows(), nil
	}
	if err := s.summaryIntervals(ctx, acc, po, lo, hi); err != nil {
		return nil, err
	}
	if f < lo {
		if err := s.summaryCalls(ctx, acc, po, f, lo); err != nil {
			return nil, err
		}
	}
	if hi < t {
		if err := s.summaryCalls(ctx, acc, po, hi, t); err != nil {
			return nil, err
		}
	}
	return acc.rows(), nil
}

// summaryAcc adds up counts per service option and standard.
type summaryAcc map[[2]string]*counts

// rows returns the sums, sorted in Go: database collations differ
// (PostgreSQL's locale order is not SQLite's byte order) and results must
// be identical.
func (a summaryAcc) rows() []SummaryRow {
	var out []SummaryRow
	for k, n := range a {
		out = append(out, n.row(k[0], k[1]))
	}
	slices.SortFunc(out, func(a, b SummaryRow) int {
		if c := strings.Compare(a.ServiceOption, b.ServiceOption); c != 0 {
			return c
		}
		return strings.Compare(a.Standard, b.Standard)
	})
	return out
}

// summaryFromIntervals is Summary from the aggregates alone (from and to
// on interval boundaries).
func (s *Store) summaryFromIntervals(ctx context.Context, po string, from, to time.Time) ([]SummaryRow, error) {
	acc := summaryAcc{}
	if err := s.summaryIntervals(ctx, acc, po, from.UnixNano(), to.UnixNano()); err != nil {
		return nil, err
	}
	return acc.rows(), nil
}

// summaryFromCalls is Summary from the calls alone.
func (s *Store) summaryFromCalls(ctx context.Context, po string, from, to time.Time) ([]SummaryRow, error) {
	acc := summaryAcc{}
	if err := s.summaryCalls(ctx, acc, po, from.UnixNano(), to.UnixNano()); err != nil {
		return nil, err
	}
	return acc.rows(), nil
}

func (s *Store) summaryIntervals(ctx context.Context, acc summaryAcc, po string, from, to int64) error {
	q := `SELECT s.service_option, s.standard, ` + intervalSumsSQL() + `
FROM call_intervals i JOIN series s ON s.id = i.series_id
WHERE s.po = ? AND i.interval_start_ns >= ? AND i.interval_start_ns < ?
GROUP BY s.service_option, s.standard`
	return s.querySummary(ctx, acc, q, po, from, to)
}

func (s *Store) summaryCalls(ctx context.Context, acc summaryAcc, po string, from, to int64) error {
	q := `SELECT s.service_option, s.standard,
  ` + callCountsSQL() + `
FROM calls c JOIN series s ON s.id = c.series_id
WHERE s.po = ? AND c.queued_at_ns >= ? AND c.queued_at_ns < ?
GROUP BY s.service_option, s.standard`
	return s.querySummary(ctx, acc, q, po, from, to)
}

func (s *Store) querySummary(ctx context.Context, acc summaryAcc, q, po string, from, to int64) error {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), po, from, to)
	if err != nil {
		return fmt.Errorf("store: Summary of %q: %w", po, err)
	}
	defer rows.Close()
	for rows.Next() {
		var so, std string
		var n counts
		if err := rows.Scan(append([]any{&so, &std}, countDest(&n)...)...); err != nil {
			return fmt.Errorf("store: Summary of %q: %w", po, err)
		}
		k := [2]string{so, std}
		if acc[k] == nil {
			acc[k] = &counts{}
		}
		acc[k].merge(&n)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: Summary of %q: %w", po, err)
	}
	return nil
}

// Intervals returns the 15-minute aggregate rows of po whose Start is in
// [from, to), sorted by Start, access number, service option, standard.
// Intervals without calls have no row.
func (s *Store) Intervals(ctx context.Context, po string, from, to time.Time) ([]IntervalRow, error) {
	if err := checkPeriod("Intervals", from, to); err != nil {
		return nil, err
	}
	q := `SELECT i.interval_start_ns, s.access_number, s.service_option, s.standard, ` + strings.Join(intervalCountColumns(), ", ") + `
FROM call_intervals i JOIN series s ON s.id = i.series_id
WHERE s.po = ? AND i.interval_start_ns >= ? AND i.interval_start_ns < ?`
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
