package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// UpsertAlerts stores the alerts of one webhook in one transaction and
// reports, per alert, the incident and what changed. It is idempotent on
// (group key, fingerprint): the same webhook delivered twice changes
// nothing and records no second event (only last_seen moves, which says
// when Alertmanager last spoke of the incident).
//
// Per alert, against the latest incident of its group key and fingerprint:
//   - firing, none yet: a new incident is opened.
//   - firing, latest firing: annotations that changed are an update;
//     anything else is a repeat.
//   - firing, latest resolved: a later startsAt is a new episode and opens
//     a new incident (the resolved one keeps its own pages and end); the
//     same or an earlier startsAt is a late retry of an old delivery and is
//     ignored, so it never reopens what has resolved.
//   - resolved, latest firing: the incident is resolved (ends_at = endsAt,
//     or now when Alertmanager sent none); a resolve of an earlier episode
//     is ignored.
//   - resolved, latest resolved: a repeat.
//   - resolved, none: stored as a resolved incident (the firing webhook was
//     never received), with a resolved event.
//
// Every change appends an event to the incident's audit trail. Nothing is
// written if any alert is invalid or the database fails.
func (s *Store) UpsertAlerts(ctx context.Context, alerts []IncidentAlert, now time.Time) ([]AlertResult, error) {
	for i := range alerts {
		if err := validateIncidentAlert(i, &alerts[i]); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin upsert of %d alerts: %w", len(alerts), err)
	}
	defer tx.Rollback()
	out := make([]AlertResult, len(alerts))
	for i := range alerts {
		if out[i], err = s.upsertAlert(ctx, tx, &alerts[i], now.UTC()); err != nil {
			return nil, fmt.Errorf("store: alert %d (%s, fingerprint %s): %w", i, alerts[i].Receiver, alerts[i].Fingerprint, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: commit %d alerts: %w", len(alerts), err)
	}
	return out, nil
}

// UpsertAlert is UpsertAlerts for one alert.
func (s *Store) UpsertAlert(ctx context.Context, a IncidentAlert, now time.Time) (Incident, bool, error) {
	r, err := s.UpsertAlerts(ctx, []IncidentAlert{a}, now)
	if err != nil {
		return Incident{}, false, err
	}
	return r[0].Incident, r[0].Changed(), nil
}

func (s *Store) upsertAlert(ctx context.Context, tx *sql.Tx, a *IncidentAlert, now time.Time) (AlertResult, error) {
	labels, err := jsonObject(a.Labels)
	if err != nil {
		return AlertResult{}, err
	}
	annotations, err := jsonObject(a.Annotations)
	if err != nil {
		return AlertResult{}, err
	}
	latest, found, err := s.latestIncident(ctx, tx, a.GroupKey, a.Fingerprint)
	if err != nil {
		return AlertResult{}, err
	}
	starts := a.StartsAt.UTC()
	switch {
	case !found || (a.Status == IncidentFiring && latest.Status == IncidentResolved && starts.After(latest.StartsAt)):
		inc := Incident{
			Receiver: a.Receiver, GroupKey: a.GroupKey, Fingerprint: a.Fingerprint,
			AlertName: a.Labels["alertname"], PO: a.Labels["po"], ServiceOption: a.Labels["service_option"],
			Severity: a.Labels["severity"], Labels: a.Labels, Annotations: a.Annotations,
			Status: a.Status, StartsAt: starts, FirstSeen: now, LastSeen: now, Updated: now,
		}
		kind, detail := EventOpened, "firing since "+starts.Format(time.RFC3339)
		if found {
			detail += fmt.Sprintf("; fired again after incident %d resolved", latest.ID)
		}
		if a.Status == IncidentResolved {
			inc.EndsAt = endOf(a, now)
			kind, detail = EventResolved, "first seen resolved: the firing notification was never received"
		}
		if err := s.insertIncident(ctx, tx, &inc, labels, annotations); err != nil {
			return AlertResult{}, err
		}
		return AlertResult{inc, kind}, s.addEvent(ctx, tx, inc.ID, now, kind, detail)

	case latest.Status == IncidentFiring && a.Status == IncidentResolved && !starts.Before(latest.StartsAt):
		latest.Status, latest.EndsAt, latest.LastSeen, latest.Updated = IncidentResolved, endOf(a, now), now, now
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE incidents SET status = ?, ends_at_ns = ?, annotations = ?,
 last_seen_ns = ?, updated_ns = ? WHERE id = ?`),
			IncidentResolved, latest.EndsAt.UnixNano(), annotations, now.UnixNano(), now.UnixNano(), latest.ID); err != nil {
			return AlertResult{}, fmt.Errorf("resolve incident %d: %w", latest.ID, err)
		}
		latest.Annotations = a.Annotations
		return AlertResult{latest, EventResolved}, s.addEvent(ctx, tx, latest.ID, now, EventResolved,
			"resolved at "+latest.EndsAt.Format(time.RFC3339))

	case latest.Status == IncidentFiring && a.Status == IncidentFiring && annotations != mustJSON(latest.Annotations):
		latest.Annotations, latest.LastSeen, latest.Updated = a.Annotations, now, now
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE incidents SET annotations = ?, last_seen_ns = ?, updated_ns = ? WHERE id = ?`),
			annotations, now.UnixNano(), now.UnixNano(), latest.ID); err != nil {
			return AlertResult{}, fmt.Errorf("update incident %d: %w", latest.ID, err)
		}
		return AlertResult{latest, EventUpdated}, s.addEvent(ctx, tx, latest.ID, now, EventUpdated, "annotations changed: "+annotations)
	}
	// A repeat or a late delivery: only note that Alertmanager spoke of it.
	if (a.Status == latest.Status) && now.After(latest.LastSeen) {
		latest.LastSeen = now
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE incidents SET last_seen_ns = ? WHERE id = ?`), now.UnixNano(), latest.ID); err != nil {
			return AlertResult{}, fmt.Errorf("touch incident %d: %w", latest.ID, err)
		}
	}
	return AlertResult{latest, ""}, nil
}

// endOf is the alert's end, or now when a resolved alert carries none.
func endOf(a *IncidentAlert, now time.Time) time.Time {
	if a.EndsAt.IsZero() {
		return now
	}
	return a.EndsAt.UTC()
}

func (s *Store) insertIncident(ctx context.Context, tx *sql.Tx, inc *Incident, labels, annotations string) error {
	var ends any
	if !inc.EndsAt.IsZero() {
		ends = inc.EndsAt.UnixNano()
	}
	err := tx.QueryRowContext(ctx, s.d.rebind(`INSERT INTO incidents (receiver, group_key, fingerprint, alertname, po,
 service_option, severity, labels, annotations, status, starts_at_ns, ends_at_ns, first_seen_ns, last_seen_ns, updated_ns)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		inc.Receiver, inc.GroupKey, inc.Fingerprint, inc.AlertName, inc.PO, inc.ServiceOption, inc.Severity,
		labels, annotations, inc.Status, inc.StartsAt.UnixNano(), ends,
		inc.FirstSeen.UnixNano(), inc.LastSeen.UnixNano(), inc.Updated.UnixNano()).Scan(&inc.ID)
	if err != nil {
		return fmt.Errorf("insert incident: %w", err)
	}
	return nil
}

// AddIncidentEvent appends an event (EventNotified or EventNotifyFailed,
// typically) to an incident's audit trail.
func (s *Store) AddIncidentEvent(ctx context.Context, id int64, at time.Time, kind, detail string) error {
	switch kind {
	case EventOpened, EventUpdated, EventResolved, EventNotified, EventNotifyFailed:
	default:
		return fmt.Errorf("store: incident event kind %q: want one of %s, %s, %s, %s, %s",
			kind, EventOpened, EventUpdated, EventResolved, EventNotified, EventNotifyFailed)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM incidents WHERE id = ?`), id).Scan(&n); err != nil {
		return fmt.Errorf("store: find incident %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: incident %d: %w", id, ErrNoIncident)
	}
	if _, err := s.db.ExecContext(ctx, s.d.rebind(`INSERT INTO incident_events (incident_id, at_ns, kind, detail) VALUES (?, ?, ?, ?)`),
		id, at.UnixNano(), kind, detail); err != nil {
		return fmt.Errorf("store: add %s event to incident %d: %w", kind, id, err)
	}
	return nil
}

// ErrNoIncident is returned for an incident id that does not exist.
var ErrNoIncident = errors.New("no such incident")

func (s *Store) addEvent(ctx context.Context, tx *sql.Tx, id int64, at time.Time, kind, detail string) error {
	if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO incident_events (incident_id, at_ns, kind, detail) VALUES (?, ?, ?, ?)`),
		id, at.UnixNano(), kind, detail); err != nil {
		return fmt.Errorf("add %s event to incident %d: %w", kind, id, err)
	}
	return nil
}

func jsonObject(m map[string]string) (string, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m) // keys sorted: equal maps give equal text
	return string(b), err
}

func mustJSON(m map[string]string) string {
	s, _ := jsonObject(m)
	return s
}
