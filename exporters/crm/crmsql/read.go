package crmsql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Cursor column types (DatabaseTypeName) each cursor_type accepts.
var cursorColumnTypes = map[string][]string{
	CursorInteger:   {"INT2", "INT4", "INT8", "NUMERIC"},
	CursorTimestamp: {"TIMESTAMP", "TIMESTAMPTZ", "DATE"},
}

// describe checks the column types of a table once per process: the
// cursor column must be of a type that sorts as its cursor_type (a text
// column of digits sorts alphabetically: "10" < "9", and rows would be
// lost). It warns of a date cursor (coarse: see lag) and of columns
// without a time zone read with time_zone defaulted.
func (s *Source) describe(ctx context.Context, t *Table, st *tableState) error {
	ctx, cancel := context.WithTimeout(ctx, s.o.QueryTimeout)
	defer cancel()
	tx, err := s.o.DB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read-only transaction: %w", err)
	}
	defer tx.Rollback()
	rs, err := tx.QueryContext(ctx, t.describeQuery())
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	types, err := rs.ColumnTypes()
	rs.Close()
	if err != nil {
		return fmt.Errorf("read the column types: %w", err)
	}
	dbType := types[0].DatabaseTypeName()
	if !slices.Contains(cursorColumnTypes[t.CursorType], dbType) {
		hint := "a text or other column does not sort as its values grow, so rows would be lost; use a timestamp or integer column (a view may cast one)"
		for _, ct := range []string{CursorTimestamp, CursorInteger} {
			if ct != t.CursorType && slices.Contains(cursorColumnTypes[ct], dbType) {
				hint = "set cursor_type: " + ct
			}
		}
		return fmt.Errorf("table %s: the cursor column %s is of type %s, but cursor_type %s needs %s; %s",
			t.Name, t.Cursor, strings.ToLower(dbType), t.CursorType, strings.ToLower(strings.Join(cursorColumnTypes[t.CursorType], ", ")), hint)
	}
	st.naive = dbType == "TIMESTAMP" || dbType == "DATE"
	if dbType == "DATE" {
		s.log.Warn("CRM cursor column is a date: rows written on the same day as rows already read, with a lower key, are missed unless lag covers the day",
			"table", t.Name, "cursor", t.Cursor, "lag", t.lag)
	}
	if s.o.Mapping.zoneDefaulted {
		var naive []string
		for i, ct := range types {
			if ct.DatabaseTypeName() == "TIMESTAMP" && t.timeColumn(t.cols[i]) {
				naive = append(naive, t.cols[i])
			}
		}
		if len(naive) > 0 {
			s.log.Warn("CRM columns without a time zone are read as UTC because the mapping sets no time_zone; if the CRM writes "+
				"local time, set time_zone (e.g. Europe/London), or its events are an hour late in summer",
				"table", t.Name, "columns", strings.Join(naive, ","))
		}
	}
	st.described = true
	return tx.Commit()
}

// timeColumn reports whether the table reads column c as a time (the
// cursor, an event's time or call_ended_at).
func (t *Table) timeColumn(c string) bool {
	if c == t.Cursor && t.CursorType == CursorTimestamp {
		return true
	}
	for i := range t.Events {
		e := &t.Events[i]
		if e.Time == c || (e.CallEndedAt != nil && e.CallEndedAt.Column == c) {
			return true
		}
	}
	return false
}

// readPage runs one page query in a read-only transaction. err is a failed
// query: nothing was read. rowErr is a row that could not be read: rows
// holds the rows before it, to be delivered (the page ends there).
func (s *Source) readPage(ctx context.Context, t *Table, q string, args []any) (rows []pageRow, rowErr, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.o.QueryTimeout)
	defer cancel()
	tx, err := s.o.DB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, fmt.Errorf("begin read-only transaction: %w", err)
	}
	defer tx.Rollback()
	rs, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("read: %w", err)
	}
	defer rs.Close()
	types, err := rs.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	naive := make([]bool, len(types))
	for i, ct := range types {
		naive[i] = ct.DatabaseTypeName() == "TIMESTAMP"
	}
	defer func() { s.m.rows.WithLabelValues(t.Name).Add(float64(len(rows))) }()
	after := func() string {
		if len(rows) == 0 {
			return "the saved position"
		}
		return t.item(rows[len(rows)-1].pos.key)
	}
	for rs.Next() {
		vals := make([]any, len(t.cols))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return rows, fmt.Errorf("the row after %s cannot be read (%w); the rows before it were read, the table waits at it", after(), err), nil
		}
		r := pageRow{row: row{vals: vals, naive: naive}}
		if r.pos, err = t.position(vals); err != nil {
			return rows, fmt.Errorf("the row after %s: %w; the rows before it were read, the table waits at it", after(), err), nil
		}
		rows = append(rows, r)
	}
	if err := rs.Err(); err != nil {
		return rows, fmt.Errorf("read after %s: %w", after(), err), nil
	}
	if err := tx.Commit(); err != nil {
		return rows, fmt.Errorf("read after %s: %w", after(), err), nil
	}
	return rows, nil, nil
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
			return position{}, fmt.Errorf("cursor column %s holds %s; want a timestamp or a whole number", t.Cursor, valueClass(c))
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
