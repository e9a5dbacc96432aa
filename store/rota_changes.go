package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Rota change kinds (rota_changes.kind).
const (
	// RotaOverride puts a person on call from From to To.
	RotaOverride = "override"
	// RotaCancel voids an earlier override from its From on.
	RotaCancel = "cancel"
)

// Limits on the free-text fields of a rota change.
const (
	MaxRotaReasonBytes = 500
	maxRotaIDBytes     = 200
)

// RotaChange is one row of the rota change history: an override made
// through the rota API, or the cancel of one. Rows are only appended.
type RotaChange struct {
	ID       int64
	PO, Rota string
	// Kind is RotaOverride or RotaCancel.
	Kind string
	// Person is the catalogue person id put on call ("" for a cancel).
	Person string
	// From and To bound the override. For a cancel, From is when the
	// cancel takes effect (AddRotaChange moves it up to the override's own
	// start when earlier) and To repeats the override's end.
	From, To time.Time
	// Cancels is the id of the override a cancel voids (0 for an override).
	Cancels int64
	// Reason is free text (at most MaxRotaReasonBytes, no control
	// characters); it is not expected to hold personal data.
	Reason string
	// Author is who made the change: the API credential's name.
	Author string
	// Created is when the change was made.
	Created time.Time
}

var (
	// ErrInvalidRotaChange is matched (errors.Is) by every validation error
	// of AddRotaChange; the message names the field and what is valid.
	ErrInvalidRotaChange = errors.New("invalid rota change")
	// ErrNoRotaChange is returned for a cancel of an id that does not exist.
	ErrNoRotaChange = errors.New("no such rota change")
	// ErrRotaChangeCancelled is returned for a second cancel of an override.
	ErrRotaChangeCancelled = errors.New("rota change already cancelled")
)

type invalidRotaChange struct{ msg string }

func (e *invalidRotaChange) Error() string        { return e.msg }
func (e *invalidRotaChange) Is(target error) bool { return target == ErrInvalidRotaChange }

func validateRotaChange(c *RotaChange) error {
	bad := func(field, format string, args ...any) error {
		return &invalidRotaChange{fmt.Sprintf("store: rota change (%s/%s): %s %s", c.PO, c.Rota, field, fmt.Sprintf(format, args...))}
	}
	minTime, maxTime := time.Unix(0, math.MinInt64+1), time.Unix(0, math.MaxInt64)
	outOfRange := func(t time.Time) bool { return t.Before(minTime) || t.After(maxTime) }
	switch {
	case c.ID != 0:
		return bad("ID", "is %d; leave it 0, the store assigns it", c.ID)
	case c.PO == "" || len(c.PO) > maxRotaIDBytes:
		return bad("PO", "is empty or too long; want a catalogue PO id")
	case c.Rota == "" || len(c.Rota) > maxRotaIDBytes:
		return bad("Rota", "is empty or too long; want a rota id of the PO")
	case strings.TrimSpace(c.Author) == "" || len(c.Author) > maxRotaIDBytes:
		return bad("Author", "is empty or too long; want the name of the API credential that made the change")
	case c.Created.IsZero() || outOfRange(c.Created):
		return bad("Created", "is zero or out of range; want when the change was made")
	case len(c.Reason) > MaxRotaReasonBytes:
		return bad("Reason", "is %d bytes; at most %d", len(c.Reason), MaxRotaReasonBytes)
	case !utf8.ValidString(c.Reason) || strings.IndexFunc(c.Reason, unicode.IsControl) >= 0:
		return bad("Reason", "has control characters or invalid UTF-8; want one line of text")
	case c.From.IsZero() || outOfRange(c.From):
		return bad("From", "is zero or out of range; want when the %s takes effect", c.Kind)
	}
	switch c.Kind {
	case RotaOverride:
		switch {
		case c.Person == "" || len(c.Person) > maxRotaIDBytes:
			return bad("Person", "is empty or too long; want the catalogue id of the person put on call")
		case c.Cancels != 0:
			return bad("Cancels", "is %d; an override cancels nothing (want 0)", c.Cancels)
		case c.To.IsZero() || outOfRange(c.To):
			return bad("To", "is zero or out of range; want when the override ends")
		case !c.To.After(c.From):
			return bad("To", "(%s) is not after From (%s); an override must have a length",
				c.To.UTC().Format(time.RFC3339), c.From.UTC().Format(time.RFC3339))
		}
	case RotaCancel:
		switch {
		case c.Person != "":
			return bad("Person", "is %q; a cancel names no person (want \"\")", c.Person)
		case c.Cancels <= 0:
			return bad("Cancels", "is %d; want the id of the override to cancel", c.Cancels)
		}
	default:
		return bad("Kind", "is %q; want %q or %q", c.Kind, RotaOverride, RotaCancel)
	}
	return nil
}

// AddRotaChange appends a change to the rota change history and returns it
// with its ID. An override needs PO, Rota, Person, From < To, Author and
// Created. A cancel needs PO, Rota, Cancels (an override of the same PO and
// rota, not cancelled yet, not ended by From), From, Author and Created;
// its From is moved up to the override's start when earlier, and its To is
// set to the override's end. Errors match ErrInvalidRotaChange,
// ErrNoRotaChange or ErrRotaChangeCancelled (errors.Is) when the change is
// at fault. Whether the PO, rota and person exist is the catalogue's
// business (catalog.WithRotaChanges), not the store's.
func (s *Store) AddRotaChange(ctx context.Context, c RotaChange) (RotaChange, error) {
	if err := validateRotaChange(&c); err != nil {
		return RotaChange{}, err
	}
	c.From, c.To, c.Created = c.From.UTC(), c.To.UTC(), c.Created.UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return RotaChange{}, fmt.Errorf("store: begin rota change: %w", err)
	}
	defer tx.Rollback()
	var cancels any
	if c.Kind == RotaCancel {
		if err := s.checkCancel(ctx, tx, &c); err != nil {
			return RotaChange{}, err
		}
		cancels = c.Cancels
	}
	err = tx.QueryRowContext(ctx, s.d.rebind(`INSERT INTO rota_changes (po, rota, kind, person, from_ns, to_ns, cancels,
 reason, author, created_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		c.PO, c.Rota, c.Kind, c.Person, c.From.UnixNano(), c.To.UnixNano(), cancels,
		c.Reason, c.Author, c.Created.UnixNano()).Scan(&c.ID)
	if err != nil {
		return RotaChange{}, fmt.Errorf("store: insert rota change (%s/%s): %w", c.PO, c.Rota, err)
	}
	if err := tx.Commit(); err != nil {
		return RotaChange{}, fmt.Errorf("store: commit rota change (%s/%s): %w", c.PO, c.Rota, err)
	}
	return c, nil
}

// checkCancel checks the override a cancel voids and fills in the cancel's
// From and To from it.
func (s *Store) checkCancel(ctx context.Context, tx *sql.Tx, c *RotaChange) error {
	target, err := scanRotaChange(tx.QueryRowContext(ctx, s.d.rebind(`SELECT `+rotaChangeColumns+` FROM rota_changes WHERE id = ?`), c.Cancels))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: cancel of rota change %d (%s/%s): %w", c.Cancels, c.PO, c.Rota, ErrNoRotaChange)
	}
	if err != nil {
		return fmt.Errorf("store: read rota change %d: %w", c.Cancels, err)
	}
	bad := func(format string, args ...any) error {
		return &invalidRotaChange{fmt.Sprintf("store: cancel of rota change %d: %s", c.Cancels, fmt.Sprintf(format, args...))}
	}
	switch {
	case target.Kind != RotaOverride:
		return bad("it is a %s, not an override; cancel the override itself", target.Kind)
	case target.PO != c.PO || target.Rota != c.Rota:
		return bad("it is an override of %s/%s, not of %s/%s", target.PO, target.Rota, c.PO, c.Rota)
	case !c.From.Before(target.To):
		return bad("the override ended at %s, not after the cancel's From (%s); nothing is left to cancel",
			target.To.Format(time.RFC3339), c.From.UTC().Format(time.RFC3339))
	}
	var by int64
	err = tx.QueryRowContext(ctx, s.d.rebind(`SELECT id FROM rota_changes WHERE cancels = ?`), c.Cancels).Scan(&by)
	switch {
	case err == nil:
		return fmt.Errorf("store: cancel of rota change %d: cancelled already by change %d: %w", c.Cancels, by, ErrRotaChangeCancelled)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: read cancels of rota change %d: %w", c.Cancels, err)
	}
	if c.From.Before(target.From) {
		c.From = target.From
	}
	c.To = target.To
	return nil
}

const rotaChangeColumns = `id, po, rota, kind, person, from_ns, to_ns, cancels, reason, author, created_ns`

func scanRotaChange(r rowScanner) (RotaChange, error) {
	var c RotaChange
	var from, to, created int64
	var cancels sql.NullInt64
	if err := r.Scan(&c.ID, &c.PO, &c.Rota, &c.Kind, &c.Person, &from, &to, &cancels, &c.Reason, &c.Author, &created); err != nil {
		return c, err
	}
	c.From, c.To, c.Created = utcNanos(from), utcNanos(to), utcNanos(created)
	c.Cancels = cancels.Int64
	return c, nil
}

// RotaChanges returns the PO's whole rota change history in id order (the
// order they were made), cancelled overrides and cancels included; po ""
// returns every PO's.
func (s *Store) RotaChanges(ctx context.Context, po string) ([]RotaChange, error) {
	q, args := `SELECT `+rotaChangeColumns+` FROM rota_changes ORDER BY id`, []any(nil)
	if po != "" {
		q, args = `SELECT `+rotaChangeColumns+` FROM rota_changes WHERE po = ? ORDER BY id`, []any{po}
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list rota changes: %w", err)
	}
	defer rows.Close()
	var out []RotaChange
	for rows.Next() {
		c, err := scanRotaChange(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read rota change: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list rota changes: %w", err)
	}
	return out, nil
}
