package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// callColumns are the columns of one call row, in the order callArgs
// appends them.
const callColumns = "source_id, call_id, series_id, " +
	"queued_at_ns, answered_at_ns, ended_at_ns, wait_ns, talk_ns, acw_ns, outcome, flags"

const callColumnCount = 11

// rowsPerInsert is the number of rows in one full multi-row statement.
const rowsPerInsert = 500

// chunkSizes splits n rows into full statements and then power-of-two
// tails, so that at most a dozen statement sizes ever exist and all stay
// prepared.
func chunkSizes(n int) []int {
	var sizes []int
	for ; n >= rowsPerInsert; n -= rowsPerInsert {
		sizes = append(sizes, rowsPerInsert)
	}
	for p := 256; p > 0; p /= 2 {
		if n >= p {
			sizes = append(sizes, p)
			n -= p
		}
	}
	return sizes
}

func appendCallArgs(args []any, c *Call, sourceID, seriesID int64) []any {
	return append(args,
		sourceID, c.CallID, seriesID,
		c.QueuedAt.UnixNano(), unixNanoOrNil(c.AnsweredAt), unixNanoOrNil(c.EndedAt),
		nanos(c.WaitSeconds), nanos(c.TalkSeconds), nanos(c.AfterCallWorkSeconds), outcomeCode(c.Outcome), callFlags(c),
	)
}

// insertCallsSQL is a multi-row insert of n calls that skips calls already
// stored; with returning, it returns the keys of those it inserted.
func (d dialect) insertCallsSQL(n int, returning bool) string {
	var b strings.Builder
	b.WriteString("INSERT INTO calls (" + callColumns + ") VALUES ")
	next := 1
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		d.tuple(&b, callColumnCount, &next)
	}
	b.WriteString(" ON CONFLICT (source_id, call_id) DO NOTHING")
	if returning {
		b.WriteString(" RETURNING source_id, call_id")
	}
	return b.String()
}

// stmtKey names a cached statement: its kind and its row count.
type stmtKey struct {
	kind string
	rows int
}

// cachedStmt returns a prepared statement, cached by kind and row count
// (few: see chunkSizes). s.mu is held.
func (s *Store) cachedStmt(ctx context.Context, k stmtKey, query func() string) (*sql.Stmt, error) {
	if st, ok := s.stmts[k]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query())
	if err != nil {
		return nil, fmt.Errorf("store: prepare %s of %d rows: %w", k.kind, k.rows, err)
	}
	s.stmts[k] = st
	return st, nil
}

// callKey is the identity of a call.
type callKey struct {
	sourceID int64
	callID   string
}

// batch is one InsertCalls call's working data.
type batch struct {
	calls    []Call
	sourceID []int64 // of calls[i]
	seriesID []int64 // of calls[i]
	first    map[callKey]int
	inserted []bool
}

// InsertCalls writes calls in one transaction, idempotent on (source,
// call_id): inserted[i] is false for a call already stored or repeated
// earlier in the same batch, so a replayed file or a duplicated webhook
// never counts twice. For inserted calls it also maintains the 15-minute
// aggregates (keyed by QueuedAt truncated to 15 minutes UTC, po,
// service_option, access_number, standard) in the same transaction; late
// events land in the interval of their own QueuedAt. An invalid call fails
// the whole batch and nothing is written.
func (s *Store) InsertCalls(ctx context.Context, calls []Call) (inserted []bool, err error) {
	inserted = make([]bool, len(calls))
	if len(calls) == 0 {
		return inserted, nil
	}
	for i := range calls {
		if err := validateCall(i, &calls[i]); err != nil {
			return nil, err
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin insert of %d calls: %w", len(calls), err)
	}
	defer tx.Rollback()

	b := &batch{calls: calls, sourceID: make([]int64, len(calls)), seriesID: make([]int64, len(calls)), inserted: inserted}
	learnt, err := s.resolveIDs(ctx, tx, calls, b.sourceID, b.seriesID)
	if err != nil {
		return nil, err
	}
	b.first = make(map[callKey]int, len(calls))
	uniq := make([]int, 0, len(calls))
	for i := range calls {
		k := callKey{b.sourceID[i], calls[i].CallID}
		if _, dup := b.first[k]; dup {
			continue
		}
		b.first[k] = i
		uniq = append(uniq, i)
	}
	// Insert in key order: concurrent PostgreSQL writers then take row
	// locks in the same order (no deadlock), and SQLite's primary-key
	// b-tree is filled sequentially.
	slices.SortFunc(uniq, func(x, y int) int {
		return cmp.Or(cmp.Compare(b.sourceID[x], b.sourceID[y]), strings.Compare(calls[x].CallID, calls[y].CallID))
	})

	lo := 0
	for _, n := range chunkSizes(len(uniq)) {
		if err := s.insertChunk(ctx, tx, b, uniq[lo:lo+n]); err != nil {
			return nil, err
		}
		lo += n
	}
	aggs := make(map[aggKey]*counts)
	for i := range calls {
		if !inserted[i] {
			continue
		}
		c := &calls[i]
		k := aggKey{b.seriesID[i], intervalStart(c.QueuedAt)}
		n := aggs[k]
		if n == nil {
			n = &counts{}
			aggs[k] = n
		}
		n.add(c)
	}
	if err := s.upsertIntervals(ctx, tx, aggs); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: commit %d calls: %w", len(calls), err)
	}
	s.commitIDs(learnt)
	return inserted, nil
}

// insertChunk inserts calls[idx...] with one statement and marks those
// actually inserted. Fresh calls are the common case: it first inserts
// without RETURNING and checks the count; only when some calls were already
// stored does it roll back to a savepoint and insert again with RETURNING
// to learn which.
func (s *Store) insertChunk(ctx context.Context, tx *sql.Tx, b *batch, idx []int) error {
	n := len(idx)
	fail := func(what string, err error) error {
		return fmt.Errorf("store: insert calls[%d..]: %s: %w", idx[0], what, err)
	}
	plain, err := s.cachedStmt(ctx, stmtKey{"insert_calls", n}, func() string { return s.d.insertCallsSQL(n, false) })
	if err != nil {
		return err
	}
	args := s.args[:0]
	for _, i := range idx {
		args = appendCallArgs(args, &b.calls[i], b.sourceID[i], b.seriesID[i])
	}
	s.args = args
	defer clear(args) // do not keep the strings alive between batches

	if _, err := tx.ExecContext(ctx, "SAVEPOINT insert_chunk"); err != nil {
		return fail("savepoint", err)
	}
	res, err := tx.StmtContext(ctx, plain).ExecContext(ctx, args...)
	if err != nil {
		return fail("insert", err)
	}
	affected, err := res.RowsAffected()
	if err != nil {
		return fail("count inserted", err)
	}
	if affected == int64(n) {
		for _, i := range idx {
			b.inserted[i] = true
		}
		if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT insert_chunk"); err != nil {
			return fail("release savepoint", err)
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT insert_chunk"); err != nil {
		return fail("rollback to savepoint", err)
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT insert_chunk"); err != nil {
		return fail("release savepoint", err)
	}
	ret, err := s.cachedStmt(ctx, stmtKey{"insert_calls_returning", n}, func() string { return s.d.insertCallsSQL(n, true) })
	if err != nil {
		return err
	}
	rows, err := tx.StmtContext(ctx, ret).QueryContext(ctx, args...)
	if err != nil {
		return fail("insert", err)
	}
	defer rows.Close()
	var k callKey
	for rows.Next() {
		if err := rows.Scan(&k.sourceID, &k.callID); err != nil {
			return fail("read inserted keys", err)
		}
		i, ok := b.first[k]
		if !ok {
			return fail("read inserted keys", fmt.Errorf("database returned key (source %d, %q) that was not in the batch", k.sourceID, k.callID))
		}
		b.inserted[i] = true
	}
	if err := rows.Err(); err != nil {
		return fail("insert", err)
	}
	return rows.Close()
}
