package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// InsertCRMEvents writes evs in one transaction, idempotent on (Source,
// ID): Inserted[i] is false for an event already stored or repeated
// earlier in the batch. Each new event also updates the state of its
// referral (po, ref, channel), complaint or contact (po, ref) in the same
// transaction, whatever order the stages arrive in: a stage stored before
// its complaint_received waits there and is counted when the receipt
// arrives. The first event of each stage sets its time; later ones of the
// same stage (other ids) change nothing. The returned Counts and
// Observations are exactly what the batch added to the crm_* counters and
// histograms. An invalid event fails the whole batch: nothing is written.
func (s *Store) InsertCRMEvents(ctx context.Context, evs []CRMEvent) (CRMChanges, error) {
	ch := CRMChanges{Inserted: make([]bool, len(evs)), Counts: map[CRMSeries]uint64{}}
	if len(evs) == 0 {
		return ch, nil
	}
	for i := range evs {
		if err := validateCRMEvent(i, &evs[i]); err != nil {
			return CRMChanges{}, err
		}
	}
	type key struct{ source, id string }
	first := map[key]bool{}
	uniq := make([]int, 0, len(evs))
	for i, e := range evs {
		if k := (key{e.Source, e.ID}); !first[k] {
			first[k] = true
			uniq = append(uniq, i)
		}
	}
	// Key order: concurrent PostgreSQL writers lock rows in one order.
	slices.SortFunc(uniq, func(x, y int) int {
		return cmp.Or(strings.Compare(evs[x].Source, evs[y].Source), strings.Compare(evs[x].ID, evs[y].ID))
	})

	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return CRMChanges{}, fmt.Errorf("store: begin insert of %d CRM events: %w", len(evs), err)
	}
	defer tx.Rollback()
	ins := s.d.rebind(`INSERT INTO crm_events (source, event_id, type, at_ns, po, service_option, ref, action, category,
 channel, outcome, call_ended_ns, urgent, callback_required, member_enquiry)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, event_id) DO NOTHING`)
	var fresh []int
	for _, i := range uniq {
		e := &evs[i]
		res, err := tx.ExecContext(ctx, ins, e.Source, e.ID, e.Type, e.At.UnixNano(), e.PO, e.ServiceOption, e.Ref,
			e.Action, e.Category, e.Channel, e.Outcome, nullNanos(e.CallEndedAt),
			flag(e.Urgent), flag(e.CallbackRequired), flag(e.MemberEnquiry))
		if err != nil {
			return CRMChanges{}, fmt.Errorf("store: insert CRM event %d (%s %q): %w", i+1, e.Type, e.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return CRMChanges{}, fmt.Errorf("store: insert CRM event %d: %w", i+1, err)
		} else if n == 1 {
			ch.Inserted[i] = true
			fresh = append(fresh, i)
		}
	}
	// The joined state, in (po, ref) order for the same reason.
	slices.SortFunc(fresh, func(x, y int) int {
		return cmp.Or(strings.Compare(evs[x].PO, evs[y].PO), strings.Compare(evs[x].Ref, evs[y].Ref), cmp.Compare(x, y))
	})
	for _, i := range fresh {
		if err := s.applyCRMEvent(ctx, tx, &evs[i], &ch); err != nil {
			return CRMChanges{}, fmt.Errorf("store: CRM event %d (%s %q): %w", i+1, evs[i].Type, evs[i].ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return CRMChanges{}, fmt.Errorf("store: commit %d CRM events: %w", len(evs), err)
	}
	return ch, nil
}

// applyCRMEvent counts a newly stored event and joins it to its case.
func (s *Store) applyCRMEvent(ctx context.Context, tx *sql.Tx, e *CRMEvent, ch *CRMChanges) error {
	series := func(metric string, labels ...string) CRMSeries {
		k := CRMSeries{Metric: metric, PO: e.PO, ServiceOption: e.ServiceOption}
		copy(k.Labels[:], labels)
		return k
	}
	at := e.At.UnixNano()
	switch e.Type {
	case CRMRequestCreated:
		ch.Counts[series(CRMServiceRequests, e.Action)]++
		if e.Action == "out_of_scope" {
			ch.Counts[series(CRMOutOfScopeCalls, e.Category)]++
		}
	case CRMReferralDispatched:
		ch.Observations = append(ch.Observations, CRMObservation{series(CRMReferralDispatch, e.Channel), at - e.CallEndedAt.UnixNano()})
		if !receiptChannel(e.Channel) {
			return nil
		}
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO crm_referrals (po, ref, channel, service_option, dispatched_ns, receipt_due_ns)
 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (po, ref, channel) DO UPDATE SET service_option = excluded.service_option,
 dispatched_ns = excluded.dispatched_ns, receipt_due_ns = excluded.receipt_due_ns WHERE crm_referrals.dispatched_ns IS NULL`),
			e.PO, e.Ref, e.Channel, e.ServiceOption, at, e.Due.UnixNano())
		return err
	case CRMReferralDelivery:
		ch.Counts[series(CRMReferralDeliveries, e.Channel, e.Outcome)]++
		col := "delivered_ns"
		if e.Outcome == "failed" {
			col = "failed_ns"
		}
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO crm_referrals (po, ref, channel, service_option, `+col+`)
 VALUES (?, ?, ?, ?, ?) ON CONFLICT (po, ref, channel) DO UPDATE SET `+col+` = excluded.`+col+`
 WHERE crm_referrals.`+col+` IS NULL`), e.PO, e.Ref, e.Channel, e.ServiceOption, at)
		return err
	case CRMComplaintReceived:
		n, err := crmExec(ctx, tx, s.d.rebind(`INSERT INTO crm_complaints (po, ref, service_option, urgent, callback_required,
 received_ns, callback_due_ns, report_due_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
 ON CONFLICT (po, ref) DO UPDATE SET service_option = excluded.service_option, urgent = excluded.urgent,
 callback_required = excluded.callback_required, received_ns = excluded.received_ns,
 callback_due_ns = excluded.callback_due_ns, report_due_ns = excluded.report_due_ns
 WHERE crm_complaints.received_ns IS NULL`),
			e.PO, e.Ref, e.ServiceOption, flag(e.Urgent), flag(e.CallbackRequired), at, nullNanos(e.CallbackDue), e.Due.UnixNano())
		if err != nil || n == 0 {
			return err
		}
		return s.countComplaint(ctx, tx, e, ch, true, true, true)
	case CRMComplaintAcknowledged, CRMComplaintCalledBack, CRMComplaintReported, CRMComplaintResolved:
		col := map[string]string{CRMComplaintAcknowledged: "acknowledged_ns", CRMComplaintCalledBack: "called_back_ns",
			CRMComplaintReported: "reported_ns", CRMComplaintResolved: "resolved_ns"}[e.Type]
		n, err := crmExec(ctx, tx, s.d.rebind(`INSERT INTO crm_complaints (po, ref, service_option, urgent, callback_required, `+col+`)
 VALUES (?, ?, ?, 0, 0, ?) ON CONFLICT (po, ref) DO UPDATE SET `+col+` = excluded.`+col+`
 WHERE crm_complaints.`+col+` IS NULL`), e.PO, e.Ref, e.ServiceOption, at)
		if err != nil || n == 0 {
			return err
		}
		return s.countComplaint(ctx, tx, e, ch, false, e.Type == CRMComplaintReported, e.Type == CRMComplaintResolved)
	case CRMContactReceived:
		n, err := crmExec(ctx, tx, s.d.rebind(`INSERT INTO crm_contacts (po, ref, service_option, channel, member_enquiry, received_ns, due_ns)
 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (po, ref) DO UPDATE SET service_option = excluded.service_option,
 channel = excluded.channel, member_enquiry = excluded.member_enquiry, received_ns = excluded.received_ns,
 due_ns = excluded.due_ns WHERE crm_contacts.received_ns IS NULL`),
			e.PO, e.Ref, e.ServiceOption, e.Channel, flag(e.MemberEnquiry), at, e.Due.UnixNano())
		if err != nil || n == 0 {
			return err
		}
		return s.countContact(ctx, tx, e, ch, true)
	case CRMContactResponded:
		n, err := crmExec(ctx, tx, s.d.rebind(`INSERT INTO crm_contacts (po, ref, service_option, channel, member_enquiry, responded_ns)
 VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (po, ref) DO UPDATE SET responded_ns = excluded.responded_ns
 WHERE crm_contacts.responded_ns IS NULL`), e.PO, e.Ref, e.ServiceOption, e.Channel, at)
		if err != nil || n == 0 {
			return err
		}
		return s.countContact(ctx, tx, e, ch, false)
	}
	return nil
}

// crmExec runs a statement and returns the rows it changed.
func crmExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// countComplaint counts what a complaint's state change made countable:
// the receipt itself (received), and a report or resolution once both it
// and the receipt are stored, whichever came first.
func (s *Store) countComplaint(ctx context.Context, tx *sql.Tx, e *CRMEvent, ch *CRMChanges, received, reported, resolved bool) error {
	var so string
	var urgent int
	var recv, due, rep, res sql.NullInt64
	err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT service_option, urgent, received_ns, report_due_ns, reported_ns, resolved_ns
 FROM crm_complaints WHERE po = ? AND ref = ?`), e.PO, e.Ref).Scan(&so, &urgent, &recv, &due, &rep, &res)
	if err != nil || !recv.Valid {
		return err
	}
	k := CRMSeries{PO: e.PO, ServiceOption: so}
	k.Labels[0] = urgency(urgent == 1)
	if received {
		k.Metric = CRMComplaintsReceived
		ch.Counts[k]++
	}
	if (received || reported) && rep.Valid {
		r := k
		r.Metric, r.Labels[1] = CRMComplaintsReported, within(rep.Int64 <= due.Int64)
		ch.Counts[r]++
	}
	if (received || resolved) && res.Valid {
		k.Metric = CRMComplaintsResolved
		ch.Counts[k]++
	}
	return nil
}

// countContact counts a contact's receipt, and its response once both are
// stored (the response time is 0 for a response stamped before receipt).
func (s *Store) countContact(ctx context.Context, tx *sql.Tx, e *CRMEvent, ch *CRMChanges, received bool) error {
	var so, channel string
	var member int
	var recv, due, resp sql.NullInt64
	err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT service_option, channel, member_enquiry, received_ns, due_ns, responded_ns
 FROM crm_contacts WHERE po = ? AND ref = ?`), e.PO, e.Ref).Scan(&so, &channel, &member, &recv, &due, &resp)
	if err != nil || !recv.Valid {
		return err
	}
	kind := contactKind(member == 1)
	if received {
		ch.Counts[CRMSeries{Metric: CRMContacts, PO: e.PO, ServiceOption: so, Labels: [3]string{channel, kind}}]++
	}
	if resp.Valid {
		ch.Counts[CRMSeries{Metric: CRMContactsResponded, PO: e.PO, ServiceOption: so,
			Labels: [3]string{channel, kind, within(resp.Int64 <= due.Int64)}}]++
		ch.Observations = append(ch.Observations, CRMObservation{
			CRMSeries{Metric: CRMContactResponse, PO: e.PO, ServiceOption: so, Labels: [3]string{channel}},
			max(resp.Int64-recv.Int64, 0)})
	}
	return nil
}
