package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

const incidentColumns = `id, receiver, group_key, fingerprint, alertname, po, service_option, severity,
 labels, annotations, status, starts_at_ns, ends_at_ns, first_seen_ns, last_seen_ns, updated_ns`

type rowScanner interface{ Scan(dest ...any) error }

func scanIncident(r rowScanner, extra ...any) (Incident, error) {
	var inc Incident
	var labels, annotations string
	var starts, first, last, updated int64
	var ends sql.NullInt64
	dest := append([]any{&inc.ID, &inc.Receiver, &inc.GroupKey, &inc.Fingerprint, &inc.AlertName, &inc.PO,
		&inc.ServiceOption, &inc.Severity, &labels, &annotations, &inc.Status, &starts, &ends, &first, &last, &updated}, extra...)
	if err := r.Scan(dest...); err != nil {
		return inc, err
	}
	if err := json.Unmarshal([]byte(labels), &inc.Labels); err != nil {
		return inc, fmt.Errorf("incident %d: labels: %w", inc.ID, err)
	}
	if err := json.Unmarshal([]byte(annotations), &inc.Annotations); err != nil {
		return inc, fmt.Errorf("incident %d: annotations: %w", inc.ID, err)
	}
	inc.StartsAt, inc.FirstSeen, inc.LastSeen, inc.Updated = utcNanos(starts), utcNanos(first), utcNanos(last), utcNanos(updated)
	if ends.Valid {
		inc.EndsAt = utcNanos(ends.Int64)
	}
	return inc, nil
}

func utcNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// latestIncident is the newest incident of a group key and fingerprint.
func (s *Store) latestIncident(ctx context.Context, tx *sql.Tx, groupKey, fingerprint string) (Incident, bool, error) {
	row := tx.QueryRowContext(ctx, s.d.rebind(`SELECT `+incidentColumns+` FROM incidents
 WHERE group_key = ? AND fingerprint = ? ORDER BY starts_at_ns DESC, id DESC LIMIT 1`), groupKey, fingerprint)
	inc, err := scanIncident(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Incident{}, false, nil
	}
	if err != nil {
		return Incident{}, false, fmt.Errorf("read latest incident: %w", err)
	}
	return inc, true, nil
}

// Incident returns one incident with its event count.
func (s *Store) Incident(ctx context.Context, id int64) (Incident, error) {
	var events int
	row := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT `+incidentColumns+`,
 (SELECT COUNT(*) FROM incident_events e WHERE e.incident_id = incidents.id) FROM incidents WHERE id = ?`), id)
	inc, err := scanIncident(row, &events)
	if errors.Is(err, sql.ErrNoRows) {
		return Incident{}, fmt.Errorf("store: incident %d: %w", id, ErrNoIncident)
	}
	if err != nil {
		return Incident{}, fmt.Errorf("store: read incident %d: %w", id, err)
	}
	inc.Events = events
	return inc, nil
}

// ListIncidents returns the incidents that match f, newest first (by
// startsAt, then id), each with its number of audit events.
func (s *Store) ListIncidents(ctx context.Context, f IncidentFilter) ([]Incident, error) {
	switch f.Status {
	case "", IncidentFiring, IncidentResolved:
	default:
		return nil, fmt.Errorf("store: incident status filter %q: want %q, %q or empty for all", f.Status, IncidentFiring, IncidentResolved)
	}
	var where []string
	var args []any
	if f.PO != "" {
		where, args = append(where, "po = ?"), append(args, f.PO)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.GroupKey != "" {
		where, args = append(where, "group_key = ?"), append(args, f.GroupKey)
	}
	if f.Fingerprint != "" {
		where, args = append(where, "fingerprint = ?"), append(args, f.Fingerprint)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "(ends_at_ns IS NULL OR ends_at_ns >= ?)"), append(args, f.Since.UnixNano())
	}
	q := `SELECT ` + incidentColumns + `,
 (SELECT COUNT(*) FROM incident_events e WHERE e.incident_id = incidents.id) FROM incidents`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY starts_at_ns DESC, id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list incidents: %w", err)
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		var events int
		inc, err := scanIncident(rows, &events)
		if err != nil {
			return nil, fmt.Errorf("store: list incidents: %w", err)
		}
		inc.Events = events
		out = append(out, inc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list incidents: %w", err)
	}
	return out, nil
}

// IncidentEvents returns an incident's audit trail in the order it was
// written. An unknown id is ErrNoIncident.
func (s *Store) IncidentEvents(ctx context.Context, id int64) ([]IncidentEvent, error) {
	if _, err := s.Incident(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT id, incident_id, at_ns, kind, detail FROM incident_events
 WHERE incident_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, fmt.Errorf("store: events of incident %d: %w", id, err)
	}
	defer rows.Close()
	var out []IncidentEvent
	for rows.Next() {
		var e IncidentEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.IncidentID, &at, &e.Kind, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: events of incident %d: %w", id, err)
		}
		e.At = utcNanos(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events of incident %d: %w", id, err)
	}
	return out, nil
}
