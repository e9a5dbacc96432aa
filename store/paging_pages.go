package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

func (s *Store) insertPages(ctx context.Context, tx *sql.Tx, pages []Page, now time.Time) error {
	for i := range pages {
		p := &pages[i]
		if p.Status == "" {
			p.Status = PagePending
		}
		var fallback any
		if p.FallbackOf != 0 {
			fallback = p.FallbackOf
		}
		p.Created = now
		if err := tx.QueryRowContext(ctx, s.d.rebind(`INSERT INTO pages (incident_id, kind, step, person, channel, slack_channel,
 ack_code, status, attempts, due_ns, created_ns, sent_ns, done_ns, provider_ref, update_ref, detail, fallback_of)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, NULL, NULL, '', ?, ?, ?) RETURNING id`),
			p.IncidentID, p.Kind, p.Step, p.Person, p.Channel, p.SlackChannel, p.AckCode, p.Status,
			p.Due.UnixNano(), now.UnixNano(), p.UpdateRef, p.Detail, fallback).Scan(&p.ID); err != nil {
			return fmt.Errorf("store: queue %s page of incident %d: %w", p.Channel, p.IncidentID, err)
		}
	}
	return nil
}

// AddPages queues pages (notices, fallbacks) with their audit events in one
// transaction and returns them with their ids.
func (s *Store) AddPages(ctx context.Context, pages []Page, events []EscalationEvent, now time.Time) ([]Page, error) {
	for i := range pages {
		if err := validatePage(i, &pages[i]); err != nil {
			return nil, err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin queue of %d pages: %w", len(pages), err)
	}
	defer tx.Rollback()
	if err := s.insertPages(ctx, tx, pages, now); err != nil {
		return nil, err
	}
	if err := s.addEscEvents(ctx, tx, events); err != nil {
		return nil, err
	}
	return pages, tx.Commit()
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) queryPages(ctx context.Context, q querier, where string, args ...any) ([]Page, error) {
	rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT `+pageColumns+` FROM pages `+where), args...)
	if err != nil {
		return nil, fmt.Errorf("store: read pages: %w", err)
	}
	defer rows.Close()
	var out []Page
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read pages: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Pages are an incident's pages in the order they were queued.
func (s *Store) Pages(ctx context.Context, incidentID int64) ([]Page, error) {
	return s.queryPages(ctx, s.db, `WHERE incident_id = ? ORDER BY id`, incidentID)
}

// PagesByAckCode are the pages carrying an acknowledgement code.
func (s *Store) PagesByAckCode(ctx context.Context, code string) ([]Page, error) {
	if code == "" {
		return nil, nil
	}
	return s.queryPages(ctx, s.db, `WHERE ack_code = ? ORDER BY id`, code)
}

// PagesByRef are the pages a provider reference names.
func (s *Store) PagesByRef(ctx context.Context, channel, ref string) ([]Page, error) {
	if ref == "" {
		return nil, nil
	}
	return s.queryPages(ctx, s.db, `WHERE channel = ? AND provider_ref = ? ORDER BY id`, channel, ref)
}

// DuePages are the pages to send at now: pending and due, or left
// "sending" before staleBefore by a process that stopped mid-send (sent
// again: a page twice is better than none).
func (s *Store) DuePages(ctx context.Context, now, staleBefore time.Time, limit int) ([]Page, error) {
	return s.queryPages(ctx, s.db, `WHERE (status = ? AND due_ns <= ?) OR (status = ? AND due_ns <= ?) ORDER BY due_ns, id LIMIT ?`,
		PagePending, now.UnixNano(), PageSending, staleBefore.UnixNano(), limit)
}

// ClaimPages marks pages as being sent by this process (attempts + 1) and
// returns the ids it got; another process may have claimed the others.
func (s *Store) ClaimPages(ctx context.Context, ids []int64, now, staleBefore time.Time) ([]int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin claim of %d pages: %w", len(ids), err)
	}
	defer tx.Rollback()
	var got []int64
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE pages SET status = ?, attempts = attempts + 1, due_ns = ?
 WHERE id = ? AND (status = ? OR (status = ? AND due_ns <= ?))`),
			PageSending, now.UnixNano(), id, PagePending, PageSending, staleBefore.UnixNano())
		if err != nil {
			return nil, fmt.Errorf("store: claim page %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			got = append(got, id)
		}
	}
	return got, tx.Commit()
}

// Sent is what became of one send of one or more claimed pages (several
// when bundled into one SMS).
type Sent struct {
	IDs []int64
	// Ref is the provider's id; Delivered when acceptance is delivery.
	Ref       string
	Delivered bool
	// Err is set when the send failed; RetryAt, when not zero, puts the
	// pages back as pending until then, else they have failed for good.
	Err     string
	RetryAt time.Time
	Events  []EscalationEvent
	Now     time.Time
}

// RecordSent writes the outcome of a send and its audit events.
func (s *Store) RecordSent(ctx context.Context, r Sent) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin record of %d pages: %w", len(r.IDs), err)
	}
	defer tx.Rollback()
	now := r.Now.UnixNano()
	for _, id := range r.IDs {
		var q string
		var args []any
		switch {
		case r.Err == "" && r.Delivered:
			q, args = `status = ?, sent_ns = ?, done_ns = ?, provider_ref = ?`, []any{PageDelivered, now, now, r.Ref}
		case r.Err == "":
			q, args = `status = ?, sent_ns = ?, provider_ref = ?`, []any{PageSent, now, r.Ref}
		case !r.RetryAt.IsZero():
			q, args = `status = ?, due_ns = ?, detail = ?`, []any{PagePending, r.RetryAt.UnixNano(), r.Err}
		default:
			q, args = `status = ?, done_ns = ?, detail = ?`, []any{PageFailed, now, r.Err}
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE pages SET `+q+` WHERE id = ? AND status = ?`),
			append(args, id, PageSending)...); err != nil {
			return fmt.Errorf("store: record page %d: %w", id, err)
		}
	}
	if err := s.addEscEvents(ctx, tx, r.Events); err != nil {
		return err
	}
	return tx.Commit()
}

// RecordReceipt applies a provider's status for the message ref and returns
// the pages whose status changed. queued and sent only confirm a page is
// sent; delivered, failed and undelivered are final, except that a
// delivered report after a timeout ("undelivered" by the notifier) is
// kept: the person did get it.
func (s *Store) RecordReceipt(ctx context.Context, channel, ref, status string, at time.Time, detail string) ([]Page, error) {
	var to string
	var from []string
	switch status {
	case "queued", "accepted", "scheduled", "sending", PageSent:
		to, from = PageSent, []string{PageSending}
	case PageDelivered, "read":
		to, from = PageDelivered, []string{PageSending, PageSent, PageUndelivered}
	case PageFailed, PageUndelivered, "canceled":
		to, from = status, []string{PageSending, PageSent}
		if status == "canceled" {
			to = PageFailed
		}
	default:
		return nil, fmt.Errorf("store: receipt for %s: unknown status %q; want queued, sent, delivered, undelivered or failed", ref, status)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin receipt for %s: %w", ref, err)
	}
	defer tx.Rollback()
	in := "?" + strings.Repeat(", ?", len(from)-1)
	args := []any{channel, ref}
	for _, f := range from {
		args = append(args, f)
	}
	pages, err := s.queryPages(ctx, tx, `WHERE channel = ? AND provider_ref = ? AND status IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	for i := range pages {
		p := &pages[i]
		set, vals := `status = ?`, []any{to}
		if to != PageSent {
			set += `, done_ns = ?, detail = ?`
			vals = append(vals, at.UnixNano(), detail)
			p.Done, p.Detail = at.UTC(), detail
		}
		p.Status = to
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE pages SET `+set+` WHERE id = ?`), append(vals, p.ID)...); err != nil {
			return nil, fmt.Errorf("store: receipt for page %d: %w", p.ID, err)
		}
	}
	return pages, tx.Commit()
}

// ExpireUndelivered marks the channel's pages still only "sent" before
// sentBefore as undelivered (no receipt in time) and returns them.
func (s *Store) ExpireUndelivered(ctx context.Context, channel string, sentBefore, now time.Time) ([]Page, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin expiry of %s pages: %w", channel, err)
	}
	defer tx.Rollback()
	pages, err := s.queryPages(ctx, tx, `WHERE channel = ? AND kind = ? AND status = ? AND sent_ns < ? ORDER BY id`,
		channel, PageKindPage, PageSent, sentBefore.UnixNano())
	if err != nil {
		return nil, err
	}
	for i := range pages {
		pages[i].Status, pages[i].Done = PageUndelivered, now.UTC()
		pages[i].Detail = "no delivery receipt in time"
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE pages SET status = ?, done_ns = ?, detail = ? WHERE id = ? AND status = ?`),
			PageUndelivered, now.UnixNano(), pages[i].Detail, pages[i].ID, PageSent); err != nil {
			return nil, fmt.Errorf("store: expire page %d: %w", pages[i].ID, err)
		}
	}
	return pages, tx.Commit()
}

// SetOptOut records a person's STOP (stopped) or START on a channel.
func (s *Store) SetOptOut(ctx context.Context, channel, person string, stopped bool, at time.Time) error {
	v := 0
	if stopped {
		v = 1
	}
	if _, err := s.db.ExecContext(ctx, s.d.rebind(`INSERT INTO optouts (channel, person, stopped, at_ns) VALUES (?, ?, ?, ?)
 ON CONFLICT (channel, person) DO UPDATE SET stopped = excluded.stopped, at_ns = excluded.at_ns`),
		channel, person, v, at.UnixNano()); err != nil {
		return fmt.Errorf("store: opt-out of %s on %s: %w", person, channel, err)
	}
	return nil
}

// OptedOut reports whether the person has stopped the channel.
func (s *Store) OptedOut(ctx context.Context, channel, person string) (bool, error) {
	var v int
	err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT stopped FROM optouts WHERE channel = ? AND person = ?`), channel, person).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: opt-out of %s on %s: %w", person, channel, err)
	}
	return v == 1, nil
}

// CancelPages marks claimed pages as not sent (their escalation ended while
// they waited, e.g. a page left half-sent by a crash), with the reason.
func (s *Store) CancelPages(ctx context.Context, ids []int64, reason string, now time.Time) error {
	for _, id := range ids {
		if _, err := s.db.ExecContext(ctx, s.d.rebind(`UPDATE pages SET status = ?, done_ns = ?, detail = ? WHERE id = ? AND status IN (?, ?)`),
			PageCancelled, now.UnixNano(), reason, id, PagePending, PageSending); err != nil {
			return fmt.Errorf("store: cancel page %d: %w", id, err)
		}
	}
	return nil
}
