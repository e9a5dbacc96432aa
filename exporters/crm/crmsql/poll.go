package crmsql

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

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

// positionColumns names the columns a saved position is in: the cursor,
// its type and the key columns.
func (t *Table) positionColumns() string {
	b, _ := json.Marshal(struct {
		Cursor string   `json:"cursor"`
		Type   string   `json:"cursor_type"`
		Key    []string `json:"key"`
	}{t.Cursor, t.CursorType, t.Key})
	return string(b)
}

// decodePosition is a saved cursor as a position of t, refused when it was
// saved for other columns.
func (s *Source) decodePosition(t *Table, c store.SourceCursor) (position, error) {
	if want := t.positionColumns(); c.Columns != want {
		return position{}, fmt.Errorf("the saved position is in the columns %s, but the mapping now reads %s: "+
			"a position in other columns cannot be resumed. To read the table again from the start (the store ignores "+
			"the events it already holds): stop slawatch, run `slawatch crm reset-cursor --store STORE --source %s --table %s`, start it again",
			c.Columns, want, s.o.Mapping.Source, t.Name)
	}
	var key []string
	if err := json.Unmarshal([]byte(c.Key), &key); err != nil || len(key) != len(t.Key) {
		return position{}, fmt.Errorf("saved cursor's key %q is not a JSON list of %d values; reset it with "+
			"`slawatch crm reset-cursor --source %s --table %s` to read the table again from the start", c.Key, len(t.Key), s.o.Mapping.Source, t.Name)
	}
	return position{cursor: c.Cursor, key: key}, nil
}

// pageRow is one row read with its position.
type pageRow struct {
	row
	pos position
}

func (s *Source) tableState(t *Table) *tableState {
	st := s.state[t.Name]
	if st == nil {
		st = &tableState{}
		s.state[t.Name] = st
	}
	return st
}

// horizon is the newest cursor value read now: now plus the clock skew,
// as wall-clock time in the mapping's zone for a cursor without a zone.
func (s *Source) horizon(st *tableState, now time.Time) string {
	h := now.Add(s.o.ClockSkew)
	if st.naive {
		return h.In(s.o.Mapping.loc).Format("2006-01-02T15:04:05.999999999")
	}
	return h.UTC().Format(time.RFC3339Nano)
}

// pollTable reads a table: first the lag window again (rows committed late
// behind the saved position), then every row after the saved position up
// to the horizon, page by page, saving the position after each page's
// events are stored.
func (s *Source) pollTable(ctx context.Context, t *Table) error {
	st := s.tableState(t)
	if !st.described {
		if err := s.describe(ctx, t, st); err != nil {
			return err
		}
	}
	name := s.cursorName(t)
	saved, ok, err := s.o.Cursors.SourceCursor(ctx, name)
	if err != nil {
		return err
	}
	now := s.o.Now()
	var pos position
	if !ok {
		st.reread = true // every row read from the start is this process's own: none is "new" to a re-read
	} else {
		if pos, err = s.decodePosition(t, saved); err != nil {
			return err
		}
		if err := s.reread(ctx, t, st, pos, now); err != nil {
			return err
		}
	}
	for {
		q, args := t.query(queryStart, s.o.Batch), []any(nil)
		if ok {
			q, args = t.query(queryAfter, s.o.Batch), t.args(pos)
		}
		if t.bounded() {
			args = append(args, s.horizon(st, now))
		}
		rows, rowErr, err := s.readPage(ctx, t, q, args)
		if err != nil {
			return err
		}
		n, wait, err := s.deliver(ctx, t, rows, now)
		if err != nil {
			return err
		}
		if n > 0 {
			s.remember(t, rows[:n])
			pos, ok = rows[n-1].pos, true
			c := store.SourceCursor{Cursor: pos.cursor, Key: pos.keyText(), Columns: t.positionColumns()}
			if err := s.o.Cursors.SaveSourceCursor(ctx, name, c, s.o.Now()); err != nil {
				return err
			}
		}
		switch {
		case wait:
		case rowErr != nil:
			return rowErr
		case len(rows) == s.o.Batch:
			continue
		}
		if t.bounded() || wait {
			return s.countHeld(ctx, t, st, pos, ok)
		}
		s.m.held.WithLabelValues(t.Name).Set(0)
		return nil
	}
}

// countHeld counts the rows after the position the poll stopped at (rows
// held back until their time comes) into the held gauge, logging a change.
func (s *Source) countHeld(ctx context.Context, t *Table, st *tableState, pos position, ok bool) error {
	ctx, cancel := context.WithTimeout(ctx, s.o.QueryTimeout)
	defer cancel()
	var args []any
	if ok {
		args = t.args(pos)
	}
	var n int
	if err := s.o.DB.QueryRowContext(ctx, t.heldQuery(!ok), args...).Scan(&n); err != nil {
		return fmt.Errorf("count the rows held back: %w", err)
	}
	s.m.held.WithLabelValues(t.Name).Set(float64(n))
	switch {
	case n > 0 && n != st.held:
		s.log.Warn("CRM rows held back: a cursor or event time is in the future; they are read when their time comes "+
			"(check the CRM's clock, and time_zone for columns without a time zone)",
			"table", t.Name, "rows", n, "horizon", s.o.Now().Add(s.o.ClockSkew).UTC().Format(time.RFC3339))
	case n == 0 && st.held > 0:
		s.log.Info("CRM rows held back are read", "table", t.Name)
	}
	st.held = n
	return nil
}

// reread reads the lag window behind the saved position and delivers the
// rows this process has not read before: rows whose transaction committed
// after later rows had been read. The first re-read in a process finds
// every row of the window unread; those are delivered (duplicates, ignored
// by the store) but not counted as late.
func (s *Source) reread(ctx context.Context, t *Table, st *tableState, saved position, now time.Time) error {
	lo, err := t.lagStart(saved.cursor)
	if err != nil || lo == "" {
		return err
	}
	s.forget(t, lo)
	q, args := t.query(queryLagStart, s.o.Batch), append([]any{lo}, t.args(saved)...)
	for {
		rows, rowErr, err := s.readPage(ctx, t, q, args)
		if err != nil {
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
			n, wait, err := s.deliver(ctx, t, late, now)
			if err != nil {
				return err
			}
			if st.reread {
				s.m.lateRows.WithLabelValues(t.Name).Add(float64(n))
			}
			s.remember(t, late[:n])
			if wait {
				return nil // the rest of the window waits with it, for the next poll
			}
		}
		switch {
		case rowErr != nil:
			return rowErr
		case len(rows) < s.o.Batch:
			st.reread = true
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
			return "", fmt.Errorf("saved cursor %q is not a timestamp; reset it with `slawatch crm reset-cursor --table %s`", c, t.Name)
		}
		return at.Add(-t.lag).UTC().Format(time.RFC3339Nano), nil
	case t.lagCount > 0:
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return "", fmt.Errorf("saved cursor %q is not an integer; reset it with `slawatch crm reset-cursor --table %s`", c, t.Name)
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
