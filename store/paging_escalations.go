package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrNoEscalation is returned for an incident that has no escalation.
var ErrNoEscalation = errors.New("no escalation for this incident")

const escalationColumns = `incident_id, po, service_option, policy, state, started_ns, next_step, next_at_ns,
 acked_by, acked_via, acked_ns, updated_ns`

func scanEscalation(r rowScanner) (Escalation, error) {
	var e Escalation
	var started, updated int64
	var next, acked sql.NullInt64
	if err := r.Scan(&e.IncidentID, &e.PO, &e.ServiceOption, &e.Policy, &e.State, &started, &e.NextStep, &next,
		&e.AckedBy, &e.AckedVia, &acked, &updated); err != nil {
		return e, err
	}
	e.Started, e.Updated = utcNanos(started), utcNanos(updated)
	if next.Valid {
		e.NextAt = utcNanos(next.Int64)
	}
	if acked.Valid {
		e.Acked = utcNanos(acked.Int64)
	}
	return e, nil
}

// StartEscalation starts escalating an incident: its first step is due at
// now. policy names the PO's escalation policy to follow ("" for the
// service option's own). Starting one that exists changes nothing (started
// is false), so a retried webhook never pages twice.
func (s *Store) StartEscalation(ctx context.Context, incidentID int64, po, serviceOption, policy string, now time.Time) (started bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: begin escalation of incident %d: %w", incidentID, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO escalations (incident_id, po, service_option, policy, state, started_ns,
 next_step, next_at_ns, acked_by, acked_via, acked_ns, updated_ns) VALUES (?, ?, ?, ?, ?, ?, 0, ?, '', '', NULL, ?)
 ON CONFLICT (incident_id) DO NOTHING`), incidentID, po, serviceOption, policy, EscalationActive, now.UnixNano(), now.UnixNano(), now.UnixNano())
	if err != nil {
		return false, fmt.Errorf("store: start escalation of incident %d: %w", incidentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := s.addEscEvents(ctx, tx, []EscalationEvent{{IncidentID: incidentID, At: now, Kind: EscStarted, Detail: "escalation started"}}); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: commit escalation of incident %d: %w", incidentID, err)
	}
	return true, nil
}

// Escalation returns the escalation of an incident (ErrNoEscalation if none).
func (s *Store) Escalation(ctx context.Context, incidentID int64) (Escalation, error) {
	e, err := scanEscalation(s.db.QueryRowContext(ctx, s.d.rebind(`SELECT `+escalationColumns+` FROM escalations WHERE incident_id = ?`), incidentID))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("store: incident %d: %w", incidentID, ErrNoEscalation)
	}
	if err != nil {
		return e, fmt.Errorf("store: read escalation of incident %d: %w", incidentID, err)
	}
	return e, nil
}

// DueEscalations are the active escalations whose next step is due at now.
func (s *Store) DueEscalations(ctx context.Context, now time.Time) ([]Escalation, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+escalationColumns+` FROM escalations
 WHERE state = ? AND next_at_ns <= ? ORDER BY next_at_ns, incident_id`), EscalationActive, now.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("store: due escalations: %w", err)
	}
	defer rows.Close()
	var out []Escalation
	for rows.Next() {
		e, err := scanEscalation(rows)
		if err != nil {
			return nil, fmt.Errorf("store: due escalations: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Advance moves an escalation from step From to step Next, due at NextAt
// (zero: the steps are exhausted), and queues the step's pages, in one
// transaction.
type Advance struct {
	IncidentID int64
	From, Next int
	NextAt     time.Time
	// Policy is the policy followed from now on (the escalation's own,
	// or "" when its named policy has left the catalogue).
	Policy string
	Pages  []Page
	Events []EscalationEvent
	Now    time.Time
}

// AdvanceEscalation applies a if the escalation is still active at step
// a.From; claimed is false when another process (or an acknowledgement)
// got there first, and then nothing is written.
func (s *Store) AdvanceEscalation(ctx context.Context, a Advance) (claimed bool, err error) {
	for i := range a.Pages {
		if err := validatePage(i, &a.Pages[i]); err != nil {
			return false, err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: begin step %d of incident %d: %w", a.From, a.IncidentID, err)
	}
	defer tx.Rollback()
	state := EscalationActive
	if a.NextAt.IsZero() {
		state = EscalationExhausted
	}
	res, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE escalations SET next_step = ?, next_at_ns = ?, state = ?, policy = ?, updated_ns = ?
 WHERE incident_id = ? AND next_step = ? AND state = ?`),
		a.Next, nullableNanos(a.NextAt), state, a.Policy, a.Now.UnixNano(), a.IncidentID, a.From, EscalationActive)
	if err != nil {
		return false, fmt.Errorf("store: advance incident %d: %w", a.IncidentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := s.insertPages(ctx, tx, a.Pages, a.Now); err != nil {
		return false, err
	}
	if err := s.addEscEvents(ctx, tx, a.Events); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: commit step %d of incident %d: %w", a.From, a.IncidentID, err)
	}
	return true, nil
}

// End stops an escalation: acknowledged (By, Via say who and how) or
// resolved.
type End struct {
	IncidentID int64
	State      string // EscalationAcknowledged or EscalationResolved
	By, Via    string
	Detail     string
	Now        time.Time
}

// EndEscalation ends an escalation that is still running (or, for a
// resolve, acknowledged), cancels its pages not yet sent, and returns the
// pages that did go out so the caller can tell those people. changed is
// false when the escalation had already ended that way (nothing written).
func (s *Store) EndEscalation(ctx context.Context, e End) (changed bool, paged []Page, err error) {
	from := []any{EscalationActive, EscalationExhausted, EscalationActive}
	switch e.State {
	case EscalationAcknowledged:
	case EscalationResolved:
		from[2] = EscalationAcknowledged
	default:
		return false, nil, fmt.Errorf("store: end escalation of incident %d: state %q: want acknowledged or resolved", e.IncidentID, e.State)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, nil, fmt.Errorf("store: begin end of incident %d: %w", e.IncidentID, err)
	}
	defer tx.Rollback()
	now := e.Now.UnixNano()
	q := `UPDATE escalations SET state = ?, next_at_ns = NULL, updated_ns = ?`
	args := []any{e.State, now}
	if e.State == EscalationAcknowledged {
		q += `, acked_by = ?, acked_via = ?, acked_ns = ?`
		args = append(args, e.By, e.Via, now)
	}
	args = append(append(args, e.IncidentID), from...)
	res, err := tx.ExecContext(ctx, s.d.rebind(q+` WHERE incident_id = ? AND state IN (?, ?, ?)`), args...)
	if err != nil {
		return false, nil, fmt.Errorf("store: end escalation of incident %d: %w", e.IncidentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil, nil
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE pages SET status = ?, done_ns = ?, detail = ?
 WHERE incident_id = ? AND kind = ? AND status = ?`),
		PageCancelled, now, "not sent: "+e.State, e.IncidentID, PageKindPage, PagePending); err != nil {
		return false, nil, fmt.Errorf("store: cancel pages of incident %d: %w", e.IncidentID, err)
	}
	paged, err = s.queryPages(ctx, tx, `WHERE incident_id = ? AND kind = ? AND status IN (?, ?, ?) ORDER BY id`,
		e.IncidentID, PageKindPage, PageSending, PageSent, PageDelivered)
	if err != nil {
		return false, nil, err
	}
	kind := EscResolved
	if e.State == EscalationAcknowledged {
		kind = EscAcknowledged
	}
	ev := EscalationEvent{IncidentID: e.IncidentID, At: e.Now, Kind: kind, Person: e.By, Channel: e.Via, Detail: e.Detail}
	if err := s.addEscEvents(ctx, tx, []EscalationEvent{ev}); err != nil {
		return false, nil, err
	}
	if err := tx.Commit(); err != nil {
		return false, nil, fmt.Errorf("store: commit end of incident %d: %w", e.IncidentID, err)
	}
	return true, paged, nil
}

// EscalateNow makes an active escalation's next step due at now (the
// Escalate button). false when the escalation is not active.
func (s *Store) EscalateNow(ctx context.Context, incidentID int64, by, via string, now time.Time) (bool, error) {
	return s.EscalateNowFrom(ctx, incidentID, -1, by, via, now)
}

// EscalateNowFrom is EscalateNow only while the escalation's next step is
// nextStep (a fallback for a step that has since been followed by
// another must not cut the later step's wait); nextStep < 0: any.
func (s *Store) EscalateNowFrom(ctx context.Context, incidentID int64, nextStep int, by, via string, now time.Time) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: begin escalate incident %d: %w", incidentID, err)
	}
	defer tx.Rollback()
	q := `UPDATE escalations SET next_at_ns = ?, updated_ns = ? WHERE incident_id = ? AND state = ?`
	args := []any{now.UnixNano(), now.UnixNano(), incidentID, EscalationActive}
	if nextStep >= 0 {
		q += ` AND next_step = ?`
		args = append(args, nextStep)
	}
	res, err := tx.ExecContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return false, fmt.Errorf("store: escalate incident %d: %w", incidentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	detail := "escalated by hand"
	if nextStep >= 0 {
		detail = "escalated: nobody of the step was reached"
	}
	ev := EscalationEvent{IncidentID: incidentID, At: now, Kind: EscEscalated, Person: by, Channel: via, Detail: detail}
	if err := s.addEscEvents(ctx, tx, []EscalationEvent{ev}); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// AddEscalationEvents appends to the escalation audit trail.
func (s *Store) AddEscalationEvents(ctx context.Context, events ...EscalationEvent) error {
	if len(events) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin escalation events: %w", err)
	}
	defer tx.Rollback()
	if err := s.addEscEvents(ctx, tx, events); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) addEscEvents(ctx context.Context, tx *sql.Tx, events []EscalationEvent) error {
	for _, e := range events {
		if e.Kind == "" {
			return fmt.Errorf("store: escalation event of incident %d: kind is empty", e.IncidentID)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO escalation_events (incident_id, at_ns, kind, step, person, channel, detail)
 VALUES (?, ?, ?, ?, ?, ?, ?)`), e.IncidentID, e.At.UnixNano(), e.Kind, e.Step, e.Person, e.Channel, e.Detail); err != nil {
			return fmt.Errorf("store: add %s event to incident %d: %w", e.Kind, e.IncidentID, err)
		}
	}
	return nil
}

// EscalationEvents is an incident's escalation audit trail, oldest first.
func (s *Store) EscalationEvents(ctx context.Context, incidentID int64) ([]EscalationEvent, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT id, incident_id, at_ns, kind, step, person, channel, detail
 FROM escalation_events WHERE incident_id = ? ORDER BY id`), incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: escalation events of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []EscalationEvent
	for rows.Next() {
		var e EscalationEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.IncidentID, &at, &e.Kind, &e.Step, &e.Person, &e.Channel, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: escalation events of incident %d: %w", incidentID, err)
		}
		e.At = utcNanos(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Unescalated lists firing incidents that should be escalating but have
// no escalation: the intake stored them and then failed to start it (a
// transient fault after the commit). Warnings (posted, not escalated) and
// the Watchdog are left out.
func (s *Store) Unescalated(ctx context.Context, limit int) ([]Incident, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+incidentColumns+` FROM incidents
 WHERE status = ? AND severity <> 'warning' AND receiver <> 'watchdog'
 AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.incident_id = incidents.id) ORDER BY id LIMIT ?`), IncidentFiring, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unescalated incidents: %w", err)
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unescalated incidents: %w", err)
		}
		out = append(out, inc)
	}
	return out, rows.Err()
}
