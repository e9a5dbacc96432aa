package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// CRMTotals returns the all-time crm_* counters and histograms from the
// stored events and joined states: what the exporter restores at start.
// They equal the sum of every CRMChanges InsertCRMEvents has returned
// (histogram buckets by dispatchBounds and responseBounds, in seconds,
// compared as CRMHist.Observe does).
func (s *Store) CRMTotals(ctx context.Context, dispatchBounds, responseBounds []float64) (CRMTotals, error) {
	if err := checkBounds("dispatchBounds", dispatchBounds); err != nil {
		return CRMTotals{}, err
	}
	if err := checkBounds("responseBounds", responseBounds); err != nil {
		return CRMTotals{}, err
	}
	t := CRMTotals{Counts: map[CRMSeries]uint64{}, Histograms: map[CRMSeries]CRMHist{}}
	counts := []struct {
		metric string
		query  string
		labels int
		derive func(l []string) [3]string
	}{
		{CRMServiceRequests, `SELECT po, service_option, action, COUNT(*) FROM crm_events
 WHERE type = 'request_created' GROUP BY po, service_option, action`, 1, nil},
		{CRMOutOfScopeCalls, `SELECT po, service_option, category, COUNT(*) FROM crm_events
 WHERE type = 'request_created' AND action = 'out_of_scope' GROUP BY po, service_option, category`, 1, nil},
		{CRMReferralDeliveries, `SELECT po, service_option, channel, outcome, COUNT(*) FROM crm_events
 WHERE type = 'referral_delivery' GROUP BY po, service_option, channel, outcome`, 2, nil},
		{CRMComplaintsReceived, `SELECT po, service_option, CAST(urgent AS TEXT), COUNT(*) FROM crm_complaints
 WHERE received_ns IS NOT NULL GROUP BY po, service_option, urgent`, 1, urgencyLabel},
		{CRMComplaintsResolved, `SELECT po, service_option, CAST(urgent AS TEXT), COUNT(*) FROM crm_complaints
 WHERE received_ns IS NOT NULL AND resolved_ns IS NOT NULL GROUP BY po, service_option, urgent`, 1, urgencyLabel},
		{CRMComplaintsReported, `SELECT po, service_option, CAST(urgent AS TEXT),
 CASE WHEN reported_ns <= report_due_ns THEN 'true' ELSE 'false' END AS w, COUNT(*) FROM crm_complaints
 WHERE received_ns IS NOT NULL AND reported_ns IS NOT NULL GROUP BY po, service_option, urgent, w`, 2, urgencyLabel},
		{CRMContacts, `SELECT po, service_option, channel, CAST(member_enquiry AS TEXT), COUNT(*) FROM crm_contacts
 WHERE received_ns IS NOT NULL GROUP BY po, service_option, channel, member_enquiry`, 2, kindLabel},
		{CRMContactsResponded, `SELECT po, service_option, channel, CAST(member_enquiry AS TEXT),
 CASE WHEN responded_ns <= due_ns THEN 'true' ELSE 'false' END AS w, COUNT(*) FROM crm_contacts
 WHERE received_ns IS NOT NULL AND responded_ns IS NOT NULL GROUP BY po, service_option, channel, member_enquiry, w`, 3, kindLabel},
	}
	for _, c := range counts {
		err := s.crmRows(ctx, c.query, nil, c.labels, 1, func(k CRMSeries, l []string, n []int64) {
			if c.derive != nil {
				k.Labels = c.derive(l)
			}
			k.Metric = c.metric
			t.Counts[k] += uint64(n[0])
		})
		if err != nil {
			return CRMTotals{}, fmt.Errorf("store: CRMTotals %s: %w", c.metric, err)
		}
	}
	hists := []struct {
		metric, value, from, where, channel string
		bounds                              []float64
	}{
		{CRMReferralDispatch, "at_ns - call_ended_ns", "crm_events", "type = 'referral_dispatched'", "channel", dispatchBounds},
		{CRMContactResponse, "CASE WHEN responded_ns > received_ns THEN responded_ns - received_ns ELSE 0 END", "crm_contacts",
			"received_ns IS NOT NULL AND responded_ns IS NOT NULL", "channel", responseBounds},
	}
	for _, h := range hists {
		// Each value truncated to the millisecond, as CRMHist.Observe does
		// (both integer divisions truncate; values are never negative).
		cols := []string{"COUNT(*)", "CAST(SUM((" + h.value + ") / 1000000) AS BIGINT)"}
		var args []any
		for _, b := range h.bounds {
			cols = append(cols, "CAST(SUM(CASE WHEN "+h.value+" <= ? THEN 1 ELSE 0 END) AS BIGINT)")
			args = append(args, boundNanos(b))
		}
		q := "SELECT po, service_option, " + h.channel + ", " + strings.Join(cols, ", ") +
			" FROM " + h.from + " WHERE " + h.where + " GROUP BY po, service_option, " + h.channel
		err := s.crmRows(ctx, q, args, 1, 2+len(h.bounds), func(k CRMSeries, _ []string, n []int64) {
			k.Metric = h.metric
			hist := CRMHist{Count: uint64(n[0]), SumMillis: n[1], Buckets: make([]uint64, len(h.bounds))}
			for i := range h.bounds {
				hist.Buckets[i] = uint64(n[2+i])
			}
			t.Histograms[k] = hist
		})
		if err != nil {
			return CRMTotals{}, fmt.Errorf("store: CRMTotals %s: %w", h.metric, err)
		}
	}
	return t, nil
}

func urgencyLabel(l []string) [3]string {
	out := [3]string{urgency(l[0] == "1")}
	copy(out[1:], l[1:])
	return out
}

func kindLabel(l []string) [3]string {
	out := [3]string{l[0], contactKind(l[1] == "1")}
	copy(out[2:], l[2:])
	return out
}

// crmRows runs q, whose columns are po, service_option, labels text
// columns and nums integers, and calls f for each row.
func (s *Store) crmRows(ctx context.Context, q string, args []any, labels, nums int, f func(k CRMSeries, l []string, n []int64)) error {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k CRMSeries
		l := make([]string, labels)
		n := make([]sql.NullInt64, nums)
		dest := []any{&k.PO, &k.ServiceOption}
		for i := range l {
			dest = append(dest, &l[i])
		}
		for i := range n {
			dest = append(dest, &n[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		copy(k.Labels[:], l)
		v := make([]int64, nums)
		for i := range n {
			v[i] = n[i].Int64
		}
		f(k, l, v)
	}
	return rows.Err()
}

// CRMGauges returns the crm_* gauges at now, each series with its count
// (series at zero are left out):
//   - crm_complaints_open{urgency}: received, not resolved;
//   - crm_complaints_overdue{stage="callback"}: received with a callback
//     required, not called back nor resolved, now past the callback
//     deadline; {stage="report"}: received, not reported, now past the
//     report deadline (a resolution does not excuse the report);
//   - crm_contacts_overdue{channel,kind}: received, not responded, now past
//     the response deadline;
//   - crm_referrals_undelivered{channel}: sent by email, sms or pager with
//     no delivered receipt, and either a failed receipt or now past the
//     receipt deadline, dispatched (or failed) at or after since (so a
//     referral nobody ever confirms stops counting after a while).
func (s *Store) CRMGauges(ctx context.Context, now, since time.Time) (map[CRMSeries]uint64, error) {
	if !inNanoRange(now) || !inNanoRange(since) {
		return nil, &invalidCRM{"store: CRMGauges: now and since must be set and in range"}
	}
	n, from := now.UnixNano(), since.UnixNano()
	out := map[CRMSeries]uint64{}
	queries := []struct {
		metric, q string
		args      []any
		labels    int
		derive    func(l []string) [3]string
	}{
		{CRMComplaintsOpen, `SELECT po, service_option, CAST(urgent AS TEXT), COUNT(*) FROM crm_complaints
 WHERE resolved_ns IS NULL AND received_ns IS NOT NULL GROUP BY po, service_option, urgent`, nil, 1, urgencyLabel},
		{CRMComplaintsOverdue, `SELECT po, service_option, 'callback', COUNT(*) FROM crm_complaints
 WHERE resolved_ns IS NULL AND received_ns IS NOT NULL AND callback_required = 1 AND called_back_ns IS NULL
 AND callback_due_ns < ? GROUP BY po, service_option`, []any{n}, 1, nil},
		{CRMComplaintsOverdue, `SELECT po, service_option, 'report', COUNT(*) FROM crm_complaints
 WHERE received_ns IS NOT NULL AND reported_ns IS NULL AND report_due_ns < ? GROUP BY po, service_option`, []any{n}, 1, nil},
		{CRMContactsOverdue, `SELECT po, service_option, channel, CAST(member_enquiry AS TEXT), COUNT(*) FROM crm_contacts
 WHERE responded_ns IS NULL AND received_ns IS NOT NULL AND due_ns < ? GROUP BY po, service_option, channel, member_enquiry`,
			[]any{n}, 2, kindLabel},
		{CRMReferralsUndelivered, `SELECT po, service_option, channel, COUNT(*) FROM crm_referrals
 WHERE delivered_ns IS NULL AND (failed_ns IS NOT NULL AND failed_ns >= ? OR receipt_due_ns < ? AND dispatched_ns >= ?)
 GROUP BY po, service_option, channel`, []any{from, n, from}, 1, nil},
	}
	for _, g := range queries {
		err := s.crmRows(ctx, g.q, g.args, g.labels, 1, func(k CRMSeries, l []string, c []int64) {
			if g.derive != nil {
				k.Labels = g.derive(l)
			}
			k.Metric = g.metric
			out[k] += uint64(c[0])
		})
		if err != nil {
			return nil, fmt.Errorf("store: CRMGauges %s: %w", g.metric, err)
		}
	}
	return out, nil
}
