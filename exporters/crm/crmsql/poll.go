package crmsql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/slawatch/slawatch/exporters/crm"
	"github.com/slawatch/slawatch/store"
)

// position is a row's place in the read order: its cursor value and key,
// as text.
type position struct {
	cursor string
	key    []string
}

// args are a position's query parameters: the cursor, then the key
// columns other than the cursor.
func (t *Table) args(p position) []any {
	a := make([]any, 0, 1+len(t.tiebreak))
	a = append(a, p.cursor)
	for _, i := range t.tiebreak {
		a = append(a, p.key[i])
	}
	return a
}

func (p position) keyText() string {
	b, _ := json.Marshal(p.key)
	return string(b)
}

func decodePosition(t *Table, c store.SourceCursor) (position, error) {
	var key []string
	if err := json.Unmarshal([]byte(c.Key), &key); err != nil || len(key) != len(t.Key) {
		return position{}, fmt.Errorf("saved cursor's key %q is not a JSON list of %d values; "+
			"the key columns changed? delete the cursor to read the table again from the start", c.Key, len(t.Key))
	}
	return position{cursor: c.Cursor, key: key}, nil
}

// pageRow is one row read with its position.
type pageRow struct {
	row
	pos position
}

// pollTable reads a table: first the lag window again (rows committed late
// behind the saved position), then every row after the saved position,
// page by page, saving the position after each page's events are stored.
func (s *Source) pollTable(ctx context.Context, t *Table) error {
	name := s.cursorName(t)
	saved, ok, err := s.o.Cursors.SourceCursor(ctx, name)
	if err != nil {
		return err
	}
	var pos position
	if ok {
		if pos, err = decodePosition(t, saved); err != nil {
			return err
		}
		if err := s.reread(ctx, t, pos); err != nil {
			return err
		}
	}
	for {
		q, args := t.query(queryStart, s.o.Batch), []any(nil)
		if ok {
			q, args = t.query(queryAfter, s.o.Batch), t.args(pos)
		}
		rows, err := s.readPage(ctx, t, q, args)
		if err != nil || len(rows) == 0 {
			return err
		}
		if err := s.deliver(ctx, t, rows); err != nil {
			return err
		}
		s.remember(t, rows)
		pos, ok = rows[len(rows)-1].pos, true
		if err := s.o.Cursors.SaveSourceCursor(ctx, name, store.SourceCursor{Cursor: pos.cursor, Key: pos.keyText()}, s.o.Now()); err != nil {
			return err
		}
		if len(rows) < s.o.Batch {
			return nil
		}
	}
}

// reread reads the lag window behind the saved position and delivers the
// rows this process has not read before: rows whose transaction committed
// after later rows had been read.
func (s *Source) reread(ctx context.Context, t *Table, saved position) error {
	lo, err := t.lagStart(saved.cursor)
	if err != nil || lo == "" {
		return err
	}
	s.forget(t, lo)
	q, args := t.query(queryLagStart, s.o.Batch), append([]any{lo}, t.args(saved)...)
	for {
		rows, err := s.readPage(ctx, t, q, args)
		if err != nil || len(rows) == 0 {
			return err
		}
		seen := s.seen[t.Name]
		var late []pageRow
		for _, r := range rows {
			if c, ok := seen[r.pos.keyText()]; !ok || c != r.pos.cursor {
				late = append(late, r)
			}
		}
		if len(late) > 0 {
			s.m.lateRows.WithLabelValues(t.Name).Add(float64(len(late)))
			if err := s.deliver(ctx, t, late); err != nil {
				return err
			}
			s.remember(t, late)
		}
		if len(rows) < s.o.Batch {
			return nil
		}
		q, args = t.query(queryLagAfter, s.o.Batch), append(t.args(rows[len(rows)-1].pos), t.args(saved)...)
	}
}

// lagStart is the cursor value lag behind c ("" without a lag).
func (t *Table) lagStart(c string) (string, error) {
	switch {
	case t.lag > 0:
		at, err := time.Parse(time.RFC3339Nano, c)
		if err != nil {
			return "", fmt.Errorf("saved cursor %q is not a timestamp; cursor_type changed? delete the cursor to read the table again", c)
		}
		return at.Add(-t.lag).UTC().Format(time.RFC3339Nano), nil
	case t.lagCount > 0:
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return "", fmt.Errorf("saved cursor %q is not an integer; cursor_type changed? delete the cursor to read the table again", c)
		}
		return strconv.FormatInt(n-t.lagCount, 10), nil
	}
	return "", nil
}

// remember notes the rows read, for the lag re-read.
func (s *Source) remember(t *Table, rows []pageRow) {
	if t.lag == 0 && t.lagCount == 0 {
		return
	}
	seen := s.seen[t.Name]
	if seen == nil {
		seen = map[string]string{}
		s.seen[t.Name] = seen
	}
	for _, r := range rows {
		seen[r.pos.keyText()] = r.pos.cursor
	}
}

// forget drops the rows remembered whose cursor is before lo (out of the
// lag window).
func (s *Source) forget(t *Table, lo string) {
	for k, c := range s.seen[t.Name] {
		if cursorLess(t, c, lo) {
			delete(s.seen[t.Name], k)
		}
	}
}

func cursorLess(t *Table, a, b string) bool {
	if t.CursorType == CursorInteger {
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		return x < y
	}
	x, _ := time.Parse(time.RFC3339Nano, a)
	y, _ := time.Parse(time.RFC3339Nano, b)
	return x.Before(y)
}

// readPage runs one page query in a read-only transaction.
func (s *Source) readPage(ctx context.Context, t *Table, q string, args []any) ([]pageRow, error) {
	ctx, cancel := context.WithTimeout(ctx, s.o.QueryTimeout)
	defer cancel()
	tx, err := s.o.DB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin read-only transaction: %w", err)
	}
	defer tx.Rollback()
	rs, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	defer rs.Close()
	types, err := rs.ColumnTypes()
	if err != nil {
		return nil, err
	}
	naive := make([]bool, len(types))
	for i, ct := range types {
		naive[i] = ct.DatabaseTypeName() == "TIMESTAMP"
	}
	var out []pageRow
	for rs.Next() {
		vals := make([]any, len(t.cols))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		r := pageRow{row: row{vals: vals, naive: naive}}
		if r.pos, err = t.position(vals); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	s.m.rows.WithLabelValues(t.Name).Add(float64(len(out)))
	return out, tx.Commit()
}

// position is a row's cursor and key as text, checking the cursor's type.
func (t *Table) position(vals []any) (position, error) {
	c := vals[0]
	switch x := c.(type) {
	case time.Time:
		if t.CursorType != CursorTimestamp {
			return position{}, fmt.Errorf("cursor column %s holds a timestamp; set cursor_type: %s", t.Cursor, CursorTimestamp)
		}
	case int64, int32:
		if t.CursorType != CursorInteger {
			return position{}, fmt.Errorf("cursor column %s holds a number; set cursor_type: %s", t.Cursor, CursorInteger)
		}
	case string:
		if _, err := strconv.ParseInt(x, 10, 64); err != nil || t.CursorType != CursorInteger {
			return position{}, fmt.Errorf("cursor column %s holds %s; want a timestamp or integer column", t.Cursor, valueClass(c))
		}
	default:
		return position{}, fmt.Errorf("cursor column %s holds %s; want a timestamp or integer column", t.Cursor, valueClass(c))
	}
	cur, _ := keyText(c)
	p := position{cursor: cur, key: make([]string, len(t.Key))}
	for i, k := range t.Key {
		var err error
		if p.key[i], err = keyText(vals[t.colIndex[k]]); err != nil {
			return position{}, fmt.Errorf("key column %s %v; the key must be the table's primary key", k, err)
		}
	}
	return p, nil
}

// deliver converts the rows and hands their events to the exporter. The
// exporter's error leaves the position unsaved (the rows are read again);
// rejections are counted and logged with the table, key and column.
func (s *Source) deliver(ctx context.Context, t *Table, rows []pageRow) error {
	var evs []crm.Event
	var origins []origin
	var rejected []crm.EventError
	for _, r := range rows {
		_, e, o, errs, err := t.convert(r.row, s.o.Mapping.loc)
		if err != nil {
			return err
		}
		evs, origins, rejected = append(evs, e...), append(origins, o...), append(rejected, errs...)
	}
	if len(evs) > 0 {
		res, err := s.o.Ingester.Ingest(ctx, Transport, s.o.Mapping.Source, evs)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		for _, e := range res.Errors {
			n, err := strconv.Atoi(e.Item)
			if err != nil || n < 1 || n > len(origins) {
				s.log.Warn("CRM event rejected", "table", t.Name, "code", e.Code, "reason", e.Reason)
				continue
			}
			o := origins[n-1]
			s.log.Warn("CRM event rejected", "table", t.Name, "row", o.item, "type", o.ev.Type,
				"column", o.column(e.Field), "field", e.Field, "code", e.Code, "reason", e.Reason)
		}
		s.log.Debug("CRM rows read", "table", t.Name, "rows", len(rows), "events", len(evs),
			"accepted", res.Accepted, "duplicate", res.Duplicate, "rejected", res.Rejected)
	}
	if len(rejected) > 0 {
		s.o.Ingester.Reject(Transport, rejected...)
		for _, e := range rejected {
			s.log.Warn("CRM event rejected", "table", t.Name, "row", e.Item, "field", e.Field, "code", e.Code, "reason", e.Reason)
		}
	}
	return nil
}
