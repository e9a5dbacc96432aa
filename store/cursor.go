package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Limits on a source cursor's text fields.
const (
	MaxSourceCursorNameBytes  = 200
	MaxSourceCursorValueBytes = 2000
)

// ErrInvalidSourceCursor is matched (errors.Is) by every validation error
// of SaveSourceCursor; the message names the field and what is valid.
var ErrInvalidSourceCursor = errors.New("invalid source cursor")

type invalidSourceCursor struct{ msg string }

func (e *invalidSourceCursor) Error() string        { return e.msg }
func (e *invalidSourceCursor) Is(target error) bool { return target == ErrInvalidSourceCursor }

// SourceCursor is where an incremental source stopped reading: the cursor
// column's value of the last row read and that row's key (the tiebreak
// among rows with the same cursor value), as text in the source's format,
// and the columns they were read from.
type SourceCursor struct {
	Cursor string
	Key    string
	// Columns names the columns Cursor and Key were read from, in the
	// source's own format (the CRM SQL source: the cursor column, its type
	// and the key columns), so that a source can refuse to resume from a
	// position in other columns.
	Columns string
	// Updated is when the cursor was last saved (set by SaveSourceCursor).
	Updated time.Time
}

// SourceCursor returns the saved cursor of the source name; ok is false
// when none was saved yet (read from the beginning).
func (s *Store) SourceCursor(ctx context.Context, name string) (c SourceCursor, ok bool, err error) {
	var ns int64
	err = s.db.QueryRowContext(ctx, s.d.rebind(`SELECT cursor_value, row_key, position_columns, updated_ns FROM source_cursors WHERE name = ?`), name).
		Scan(&c.Cursor, &c.Key, &c.Columns, &ns)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return SourceCursor{}, false, nil
	case err != nil:
		return SourceCursor{}, false, fmt.Errorf("store: read source cursor %q: %w", name, err)
	}
	c.Updated = time.Unix(0, ns).UTC()
	return c, true, nil
}

// SaveSourceCursor sets the cursor of the source name, replacing the one
// saved before, at time now. Call it only once the events of the rows up to
// the cursor are in the store.
func (s *Store) SaveSourceCursor(ctx context.Context, name string, c SourceCursor, now time.Time) error {
	bad := func(field, format string, args ...any) error {
		return &invalidSourceCursor{fmt.Sprintf("store: source cursor %q: %s %s", name, field, fmt.Sprintf(format, args...))}
	}
	switch {
	case name == "" || len(name) > MaxSourceCursorNameBytes || !utf8.ValidString(name):
		return bad("name", "is empty, over %d bytes or not UTF-8; want the source's name, e.g. crm-sql/complaints", MaxSourceCursorNameBytes)
	case c.Cursor == "" || len(c.Cursor) > MaxSourceCursorValueBytes || !utf8.ValidString(c.Cursor):
		return bad("Cursor", "is empty, over %d bytes or not UTF-8; want the last row's cursor value as text", MaxSourceCursorValueBytes)
	case len(c.Key) > MaxSourceCursorValueBytes || !utf8.ValidString(c.Key):
		return bad("Key", "is over %d bytes or not UTF-8; want the last row's key as text", MaxSourceCursorValueBytes)
	case c.Columns == "" || len(c.Columns) > MaxSourceCursorValueBytes || !utf8.ValidString(c.Columns):
		return bad("Columns", "is empty, over %d bytes or not UTF-8; want the names of the columns Cursor and Key were read from", MaxSourceCursorValueBytes)
	case !inNanoRange(now):
		return bad("time", "is zero or out of range; want the current time")
	}
	_, err := s.db.ExecContext(ctx, s.d.rebind(`INSERT INTO source_cursors (name, cursor_value, row_key, position_columns, updated_ns) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET cursor_value = excluded.cursor_value, row_key = excluded.row_key,
	position_columns = excluded.position_columns, updated_ns = excluded.updated_ns`),
		name, c.Cursor, c.Key, c.Columns, now.UnixNano())
	if err != nil {
		return fmt.Errorf("store: save source cursor %q: %w", name, err)
	}
	return nil
}

// DeleteSourceCursor forgets the cursor of the source name, so that the
// source reads from the beginning again (the store ignores the events it
// already holds). deleted is false when none was saved (not an error).
func (s *Store) DeleteSourceCursor(ctx context.Context, name string) (deleted bool, err error) {
	res, err := s.db.ExecContext(ctx, s.d.rebind(`DELETE FROM source_cursors WHERE name = ?`), name)
	if err != nil {
		return false, fmt.Errorf("store: delete source cursor %q: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: delete source cursor %q: %w", name, err)
	}
	return n > 0, nil
}
