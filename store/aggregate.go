package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

const intervalKeyColumns = "series_id, interval_start_ns"

// intervalCountColumns are the additive columns of call_intervals, in the
// order appendCountArgs appends them and scanCounts reads them.
func intervalCountColumns() []string {
	return []string{
		"offered", "answered", "answered_within_target", "answered_within_rest",
		"abandoned", "abandoned_under_20", "abandoned_20_to_60", "abandoned_over_60",
		"short_abandons", "ivr_only", "test_calls", "answer_wait_ns", "talk_ns", "acw_ns",
	}
}

func appendCountArgs(args []any, n *counts) []any {
	return append(args,
		int64(n.offered), int64(n.answered), int64(n.answeredWithinTarget), int64(n.answeredWithinRest),
		int64(n.abandoned), int64(n.abandonedUnder20), int64(n.abandoned20To60), int64(n.abandonedOver60),
		int64(n.shortAbandons), int64(n.ivrOnly), int64(n.testCalls), n.answerWaitNS, n.talkNS, n.acwNS,
	)
}

// upsertIntervalsSQL adds n rows of counts to call_intervals.
func (d dialect) upsertIntervalsSQL(n int) string {
	cols := intervalCountColumns()
	var b strings.Builder
	b.WriteString("INSERT INTO call_intervals (" + intervalKeyColumns + ", " + strings.Join(cols, ", ") + ") VALUES ")
	next := 1
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		d.tuple(&b, 2+len(cols), &next)
	}
	b.WriteString(" ON CONFLICT (" + intervalKeyColumns + ") DO UPDATE SET ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = call_intervals." + c + " + excluded." + c)
	}
	return b.String()
}

// upsertIntervals adds the counts of the calls just inserted to their
// intervals, inside the inserting transaction. Rows are written in key order
// so that concurrent writers (PostgreSQL) lock them in the same order.
func (s *Store) upsertIntervals(ctx context.Context, tx *sql.Tx, aggs map[aggKey]*counts) error {
	if len(aggs) == 0 {
		return nil
	}
	keys := make([]aggKey, 0, len(aggs))
	for k := range aggs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b aggKey) int {
		return cmp.Or(cmp.Compare(a.seriesID, b.seriesID), cmp.Compare(a.start, b.start))
	})
	args := make([]any, 0, min(len(keys), rowsPerInsert)*(2+14))
	lo := 0
	for _, n := range chunkSizes(len(keys)) {
		args = args[:0]
		for _, k := range keys[lo : lo+n] {
			args = append(args, k.seriesID, k.start)
			args = appendCountArgs(args, aggs[k])
		}
		lo += n
		st, err := s.cachedStmt(ctx, stmtKey{"upsert_intervals", n}, func() string { return s.d.upsertIntervalsSQL(n) })
		if err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("store: update 15-minute aggregates (%d rows): %w", n, err)
		}
	}
	return nil
}
