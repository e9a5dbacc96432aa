package store

import (
	"context"
	"fmt"
)

// LoneWorkerFeedEvent is one lone-worker event with its session's PO and
// staff group, for counting (no personal data).
type LoneWorkerFeedEvent struct {
	ID             int64
	Kind           string // LWCheckIn, …
	PO, StaffGroup string
}

// LoneWorkerEventsAfter are the lone-worker events with id > after, oldest
// first, at most limit: a cursor that lets every process count every
// action once, whoever wrote it. Events of purged sessions are gone.
func (st *Store) LoneWorkerEventsAfter(ctx context.Context, after int64, limit int) ([]LoneWorkerFeedEvent, error) {
	rows, err := st.db.QueryContext(ctx, st.d.rebind(`SELECT e.id, e.kind, s.po, s.staff_group
 FROM loneworker_events e JOIN loneworker_sessions s ON s.id = e.session_id WHERE e.id > ? ORDER BY e.id LIMIT ?`), after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: lone-worker events after %d: %w", after, err)
	}
	defer rows.Close()
	var out []LoneWorkerFeedEvent
	for rows.Next() {
		var e LoneWorkerFeedEvent
		if err := rows.Scan(&e.ID, &e.Kind, &e.PO, &e.StaffGroup); err != nil {
			return nil, fmt.Errorf("store: lone-worker events after %d: %w", after, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// LastLoneWorkerEventID is the id of the latest lone-worker event (0 when
// none): where a new process starts counting.
func (st *Store) LastLoneWorkerEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := st.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM loneworker_events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: last lone-worker event: %w", err)
	}
	return id, nil
}
