package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSourceCursorsSQLite(t *testing.T) { runSourceCursorSuite(t, sqliteBackend()) }

func TestSourceCursorsPostgres(t *testing.T) {
	postgresDSN(t)
	runSourceCursorSuite(t, postgresBackend())
}

func runSourceCursorSuite(t *testing.T, b backend) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, open func() (*Store, error))
	}{
		{"SaveReadReplaceReopen", testSourceCursorSave},
		{"Invalid", testSourceCursorInvalid},
		{"Delete", testSourceCursorDelete},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, b.fresh(t)) })
	}
}

var cursorBase = time.Date(2026, 11, 22, 9, 0, 0, 123456789, time.UTC)

func mustCursor(t *testing.T, s *Store, name string) (SourceCursor, bool) {
	t.Helper()
	c, ok, err := s.SourceCursor(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return c, ok
}

func testSourceCursorSave(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	s := mustOpen(t, open)
	if c, ok := mustCursor(t, s, "crm-sql/complaints"); ok {
		t.Fatalf("a fresh store has cursor %+v", c)
	}
	first := SourceCursor{Cursor: "2026-11-22T08:59:59.5Z", Key: `["41"]`, Columns: "updated_at [id]"}
	if err := s.SaveSourceCursor(ctx, "crm-sql/complaints", first, cursorBase); err != nil {
		t.Fatal(err)
	}
	other := SourceCursor{Cursor: "1234", Key: `["a","b"]`, Columns: "seq [a,b]"}
	if err := s.SaveSourceCursor(ctx, "crm-sql/receipts", other, cursorBase); err != nil {
		t.Fatal(err)
	}
	second := SourceCursor{Cursor: "2026-11-22T09:00:00Z", Key: `["42"]`, Columns: "modified_at [id]"}
	if err := s.SaveSourceCursor(ctx, "crm-sql/complaints", second, cursorBase.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = mustOpen(t, open)
	got, ok := mustCursor(t, s, "crm-sql/complaints")
	want := SourceCursor{Cursor: second.Cursor, Key: second.Key, Columns: second.Columns, Updated: cursorBase.Add(time.Minute)}
	if !ok || got != want {
		t.Errorf("complaints cursor after reopen = %+v, %v; want %+v", got, ok, want)
	}
	got, ok = mustCursor(t, s, "crm-sql/receipts")
	want = SourceCursor{Cursor: other.Cursor, Key: other.Key, Columns: other.Columns, Updated: cursorBase}
	if !ok || got != want {
		t.Errorf("receipts cursor = %+v, %v; want %+v", got, ok, want)
	}
}

func testSourceCursorInvalid(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	s := mustOpen(t, open)
	long := strings.Repeat("x", MaxSourceCursorValueBytes+1)
	for _, tc := range []struct {
		name, src string
		c         SourceCursor
		now       time.Time
		want      string
	}{
		{"empty name", "", SourceCursor{Cursor: "1", Columns: "c"}, cursorBase, "name is empty"},
		{"long name", strings.Repeat("n", MaxSourceCursorNameBytes+1), SourceCursor{Cursor: "1", Columns: "c"}, cursorBase, "name is empty, over 200 bytes"},
		{"empty cursor", "a", SourceCursor{Key: "1", Columns: "c"}, cursorBase, "Cursor is empty"},
		{"long cursor", "a", SourceCursor{Cursor: long, Columns: "c"}, cursorBase, "Cursor is empty, over 2000 bytes"},
		{"bad utf8 key", "a", SourceCursor{Cursor: "1", Key: "\xff", Columns: "c"}, cursorBase, "Key is over 2000 bytes or not UTF-8"},
		{"no columns", "a", SourceCursor{Cursor: "1", Key: "1"}, cursorBase, "Columns is empty"},
		{"zero time", "a", SourceCursor{Cursor: "1", Columns: "c"}, time.Time{}, "time is zero"},
	} {
		err := s.SaveSourceCursor(ctx, tc.src, tc.c, tc.now)
		if !errors.Is(err, ErrInvalidSourceCursor) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ErrInvalidSourceCursor containing %q", tc.name, err, tc.want)
		}
	}
	if c, ok := mustCursor(t, s, "a"); ok {
		t.Errorf("an invalid save stored %+v", c)
	}
}

func testSourceCursorDelete(t *testing.T, open func() (*Store, error)) {
	ctx := context.Background()
	s := mustOpen(t, open)
	if deleted, err := s.DeleteSourceCursor(ctx, "never-saved"); err != nil || deleted {
		t.Fatalf("deleting a cursor never saved: %v, %v; want false, nil", deleted, err)
	}
	for _, n := range []string{"a", "b"} {
		if err := s.SaveSourceCursor(ctx, n, SourceCursor{Cursor: "7", Key: "x", Columns: "c"}, cursorBase); err != nil {
			t.Fatal(err)
		}
	}
	if deleted, err := s.DeleteSourceCursor(ctx, "a"); err != nil || !deleted {
		t.Fatalf("DeleteSourceCursor(a) = %v, %v; want true, nil", deleted, err)
	}
	if _, ok := mustCursor(t, s, "a"); ok {
		t.Error("cursor a still there after DeleteSourceCursor")
	}
	if _, ok := mustCursor(t, s, "b"); !ok {
		t.Error("DeleteSourceCursor(a) removed b too")
	}
}
