package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MaxMailroomItemBatch bounds the items of one InsertMailroomItems call.
const MaxMailroomItemBatch = 1000

// MailroomItem is one item event from a scanner or sorting station, stored
// once by ID (the source's id, unique across every source: a station
// prefixes its own, e.g. "sort-2:000123"). Kind and Detail are the
// exporter's contract; Quantity (>= 1) is how many items the event stands
// for, Pages the scanned pages of a completed scanning job.
type MailroomItem struct {
	ID                   string
	At                   time.Time
	BusinessUnit, Region string
	Kind, Detail         string
	Quantity, Pages      int64
}

// MailroomItemTotal is the sum of the stored items of one business unit,
// region, kind and detail.
type MailroomItemTotal struct {
	BusinessUnit, Region, Kind, Detail string
	Quantity, Pages                    int64
}

func validateMailroomItem(i int, it *MailroomItem) error {
	what := fmt.Sprintf("item %d", i+1)
	switch {
	case it.ID == "" || len(it.ID) > maxMailroomIDBytes || !validText(it.ID):
		return badMailroom("%s: ID is empty, over %d bytes or not one line of text", what, maxMailroomIDBytes)
	case !inNanoRange(it.At):
		return badMailroom("%s: At is zero or out of range", what)
	case !validToken(it.BusinessUnit) || !validToken(it.Region):
		return badMailroom("%s: BusinessUnit %q / Region %q are not catalogue ids (1 to 64 of a-z 0-9 _ -)", what, it.BusinessUnit, it.Region)
	case !validToken(it.Kind) || (it.Detail != "" && !validToken(it.Detail)):
		return badMailroom("%s: Kind %q / Detail %q are not tokens (1 to 64 of a-z 0-9 _ -; Detail may be empty)", what, it.Kind, it.Detail)
	case it.Quantity < 1 || it.Quantity > MaxMailroomCount:
		return badMailroom("%s: Quantity is %d; want 1 to %d", what, it.Quantity, MaxMailroomCount)
	case it.Pages < 0 || it.Pages > MaxMailroomCount:
		return badMailroom("%s: Pages is %d; want 0 to %d", what, it.Pages, MaxMailroomCount)
	}
	return nil
}

// InsertMailroomItems stores the items in one transaction, each once by
// ID, and reports which were new (an ID stored before, or twice in the
// batch, is not). received is when they arrived. Validation errors match
// ErrInvalidMailroom and store nothing.
func (s *Store) InsertMailroomItems(ctx context.Context, items []MailroomItem, received time.Time) ([]bool, error) {
	if len(items) > MaxMailroomItemBatch {
		return nil, badMailroom("%d items in one batch; at most %d", len(items), MaxMailroomItemBatch)
	}
	if !inNanoRange(received) {
		return nil, badMailroom("received time is zero or out of range")
	}
	for i := range items {
		if err := validateMailroomItem(i, &items[i]); err != nil {
			return nil, err
		}
	}
	inserted := make([]bool, len(items))
	if len(items) == 0 {
		return inserted, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin mail-room items: %w", err)
	}
	defer tx.Rollback()
	q := s.d.rebind(`INSERT INTO mailroom_items (item_id, at_ns, business_unit, region, kind, detail, quantity, pages, received_ns)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO NOTHING RETURNING id`)
	for i, it := range items {
		var id int64
		err := tx.QueryRowContext(ctx, q, it.ID, it.At.UnixNano(), it.BusinessUnit, it.Region, it.Kind, it.Detail,
			it.Quantity, it.Pages, received.UnixNano()).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("store: insert mail-room item %d: %w", i+1, err)
		default:
			inserted[i] = true
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: commit mail-room items: %w", err)
	}
	return inserted, nil
}

// MailroomItemTotals sums the stored items by business unit, region, kind
// and detail (in that order): what the exporter's counters restore.
func (s *Store) MailroomItemTotals(ctx context.Context) ([]MailroomItemTotal, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT business_unit, region, kind, detail, CAST(SUM(quantity) AS BIGINT), CAST(SUM(pages) AS BIGINT)
 FROM mailroom_items GROUP BY business_unit, region, kind, detail ORDER BY business_unit, region, kind, detail`)
	if err != nil {
		return nil, fmt.Errorf("store: mail-room item totals: %w", err)
	}
	defer rows.Close()
	var out []MailroomItemTotal
	for rows.Next() {
		var t MailroomItemTotal
		if err := rows.Scan(&t.BusinessUnit, &t.Region, &t.Kind, &t.Detail, &t.Quantity, &t.Pages); err != nil {
			return nil, fmt.Errorf("store: mail-room item totals: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: mail-room item totals: %w", err)
	}
	return out, nil
}
