package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestCRMSQLite(t *testing.T) { runCRMSuite(t, sqliteBackend()) }

func TestCRMPostgres(t *testing.T) {
	postgresDSN(t)
	runCRMSuite(t, postgresBackend())
}

func runCRMSuite(t *testing.T, b backend) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, open func() (*Store, error))
	}{
		{"IdempotentBySourceAndID", testCRMIdempotent},
		{"StageBeforeReceipt", testCRMStageFirst},
		{"AnyOrderSameTotals", testCRMAnyOrder},
		{"Gauges", testCRMGauges},
		{"InvalidWritesNothing", testCRMInvalid},
		{"ConcurrentStagesCountOnce", testCRMConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, b.fresh(t)) })
	}
}

// crmBase is a Monday evening, 18:00 UTC.
var crmBase = time.Date(2026, 11, 2, 18, 0, 0, 0, time.UTC)

var dispatchBounds = []float64{60, 120, 300, 600, 900, 1200, 1800, 3600}

func request(id, action string, at time.Time) CRMEvent {
	e := CRMEvent{Source: "webhook", ID: id, Type: CRMRequestCreated, At: at, PO: "barnet", ServiceOption: "noise", Action: action}
	if action == "out_of_scope" {
		e.Category = "parking_fines"
	}
	return e
}

func dispatched(id, ref, channel string, ended time.Time, after time.Duration) CRMEvent {
	return CRMEvent{Source: "webhook", ID: id, Type: CRMReferralDispatched, At: ended.Add(after), PO: "barnet", ServiceOption: "noise",
		Ref: ref, Channel: channel, CallEndedAt: ended, Due: ended.Add(after + 15*time.Minute)}
}

func delivery(id, ref, channel, outcome string, at time.Time) CRMEvent {
	return CRMEvent{Source: "webhook", ID: id, Type: CRMReferralDelivery, At: at, PO: "barnet", ServiceOption: "noise",
		Ref: ref, Channel: channel, Outcome: outcome}
}

func complaint(id, ref, typ string, at time.Time) CRMEvent {
	return CRMEvent{Source: "webhook", ID: id, Type: typ, At: at, PO: "barnet", Ref: ref}
}

func received(id, ref string, at time.Time, urgent, callback bool) CRMEvent {
	e := complaint(id, ref, CRMComplaintReceived, at)
	e.ServiceOption, e.Urgent, e.CallbackRequired = "noise", urgent, callback
	e.Due = at.Add(48 * time.Hour)
	if callback {
		e.CallbackDue = at.Add(time.Hour)
	}
	return e
}

func contact(id, ref, typ string, at time.Time, member bool) CRMEvent {
	e := CRMEvent{Source: "webhook", ID: id, Type: typ, At: at, PO: "barnet", Ref: ref, Channel: "email", MemberEnquiry: member}
	if typ == CRMContactReceived {
		e.Due = at.Add(10 * 24 * time.Hour)
	}
	return e
}

func mustCRM(t *testing.T, s *Store, evs ...CRMEvent) CRMChanges {
	t.Helper()
	ch, err := s.InsertCRMEvents(context.Background(), evs)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Inserted) != len(evs) {
		t.Fatalf("%d flags for %d events", len(ch.Inserted), len(evs))
	}
	return ch
}

func mustCRMTotals(t *testing.T, s *Store) CRMTotals {
	t.Helper()
	tot, err := s.CRMTotals(context.Background(), dispatchBounds, dispatchBounds)
	if err != nil {
		t.Fatal(err)
	}
	return tot
}

// sum folds CRMChanges into totals, as the exporter does.
type crmSum struct{ CRMTotals }

func newCRMSum() *crmSum {
	return &crmSum{CRMTotals{Counts: map[CRMSeries]uint64{}, Histograms: map[CRMSeries]CRMHist{}}}
}

func (c *crmSum) add(ch CRMChanges) {
	for k, n := range ch.Counts {
		c.Counts[k] += n
	}
	for _, o := range ch.Observations {
		h := c.Histograms[o.Series]
		h.Buckets = append([]uint64(nil), h.Buckets...)
		h.Observe(dispatchBounds, o.Nanos)
		c.Histograms[o.Series] = h
	}
}

func ser(metric, so string, labels ...string) CRMSeries {
	k := CRMSeries{Metric: metric, PO: "barnet", ServiceOption: so}
	copy(k.Labels[:], labels)
	return k
}

func testCRMIdempotent(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	evs := []CRMEvent{
		request("r1", "refer", crmBase), request("r2", "out_of_scope", crmBase), request("r1", "signpost", crmBase),
		dispatched("d1", "case-1", "sms", crmBase, 4*time.Minute),
	}
	ch := mustCRM(t, s, evs...)
	if want := []bool{true, true, false, true}; !reflect.DeepEqual(ch.Inserted, want) {
		t.Errorf("inserted %v, want %v (the repeated id in the batch once)", ch.Inserted, want)
	}
	want := map[CRMSeries]uint64{
		ser(CRMServiceRequests, "noise", "refer"): 1, ser(CRMServiceRequests, "noise", "out_of_scope"): 1,
		ser(CRMOutOfScopeCalls, "noise", "parking_fines"): 1,
	}
	if !reflect.DeepEqual(ch.Counts, want) {
		t.Errorf("counts %v, want %v", ch.Counts, want)
	}
	if len(ch.Observations) != 1 || ch.Observations[0].Nanos != int64(4*time.Minute) {
		t.Errorf("observations %v, want one of 4m", ch.Observations)
	}
	// Replayed: nothing new. The same id from another source is another event.
	again := mustCRM(t, s, evs...)
	if countTrue(again.Inserted) != 0 || len(again.Counts) != 0 || len(again.Observations) != 0 {
		t.Errorf("replay added %+v", again)
	}
	other := request("r1", "refer", crmBase)
	other.Source = "crm_db"
	if ch := mustCRM(t, s, other); !ch.Inserted[0] {
		t.Error("the same id from another source was not stored")
	}
	tot := mustCRMTotals(t, s)
	if got := tot.Counts[ser(CRMServiceRequests, "noise", "refer")]; got != 2 {
		t.Errorf("requests refer %d, want 2", got)
	}
	h := tot.Histograms[ser(CRMReferralDispatch, "noise", "sms")]
	if h.Count != 1 || h.SumMillis != (4*time.Minute).Milliseconds() || !reflect.DeepEqual(h.Buckets, []uint64{0, 0, 1, 1, 1, 1, 1, 1}) {
		t.Errorf("dispatch histogram %+v", h)
	}
	// Reopened: the same.
	s.Close()
	s2 := mustOpen(t, open)
	if got := mustCRMTotals(t, s2); !reflect.DeepEqual(got, tot) {
		t.Errorf("after reopening:\n%+v\nwant\n%+v", got, tot)
	}
}

// A report and a resolution arriving before the complaint's receipt are
// counted when the receipt arrives, with its urgency and deadline.
func testCRMStageFirst(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	sum := newCRMSum()
	sum.add(mustCRM(t, s, complaint("c1-rep", "C1", CRMComplaintReported, crmBase.Add(3*time.Hour)),
		complaint("c1-res", "C1", CRMComplaintResolved, crmBase.Add(4*time.Hour))))
	if len(sum.Counts) != 0 {
		t.Fatalf("stages without a receipt counted: %v", sum.Counts)
	}
	ch := mustCRM(t, s, received("c1-rcv", "C1", crmBase, true, false))
	sum.add(ch)
	want := map[CRMSeries]uint64{
		ser(CRMComplaintsReceived, "noise", "urgent"):         1,
		ser(CRMComplaintsReported, "noise", "urgent", "true"): 1,
		ser(CRMComplaintsResolved, "noise", "urgent"):         1,
	}
	if !reflect.DeepEqual(ch.Counts, want) {
		t.Errorf("counts at receipt %v, want %v", ch.Counts, want)
	}
	// A second receipt (another id) and a second report change nothing.
	if ch := mustCRM(t, s, received("c1-rcv2", "C1", crmBase, false, false), complaint("c1-rep2", "C1", CRMComplaintReported, crmBase.Add(99*time.Hour))); len(ch.Counts) != 0 || countTrue(ch.Inserted) != 2 {
		t.Errorf("repeated stages: %+v", ch)
	}
	// A contact answered late, the response stored first.
	sum.add(mustCRM(t, s, contact("m1-resp", "M1", CRMContactResponded, crmBase.Add(11*24*time.Hour), false)))
	sum.add(mustCRM(t, s, contact("m1", "M1", CRMContactReceived, crmBase, true)))
	if got := sum.Counts[CRMSeries{Metric: CRMContactsResponded, PO: "barnet", Labels: [3]string{"email", "member_enquiry", "false"}}]; got != 1 {
		t.Errorf("late member enquiry response counted %d times, want 1: %v", got, sum.Counts)
	}
	if got := mustCRMTotals(t, s); !reflect.DeepEqual(got, sum.CRMTotals) {
		t.Errorf("totals\n%+v\nwant the sum of the changes\n%+v", got, sum.CRMTotals)
	}
}

// randomCRM is a night of events for n cases: every kind of stage, some
// repeated under other ids (at the same time: the first stored event of a
// stage sets its time, so differing repeats would make order matter), some
// stages without a receipt, some responses stamped before the receipt.
func randomCRM(r *rand.Rand, n int) []CRMEvent {
	var evs []CRMEvent
	id := 0
	next := func() string { id++; return fmt.Sprintf("e%05d", id) }
	for i := range n {
		ref := fmt.Sprintf("REF-%04d", i)
		at := crmBase.Add(time.Duration(r.IntN(8*3600)) * time.Second)
		so := []string{"noise", "repairs", ""}[r.IntN(3)]
		switch r.IntN(4) {
		case 0:
			e := request(next(), []string{"refer", "signpost", "out_of_scope", "resolve", "transfer"}[r.IntN(5)], at)
			e.ServiceOption = so
			evs = append(evs, e)
		case 1:
			channel := []string{"phone", "email", "sms", "pager"}[r.IntN(4)]
			d := dispatched(next(), ref, channel, at, time.Duration(r.IntN(1500))*time.Second+time.Duration(r.IntN(1000)))
			evs = append(evs, d)
			if channel != "phone" {
				for range r.IntN(3) {
					evs = append(evs, delivery(next(), ref, channel, []string{"delivered", "failed"}[r.IntN(2)], d.At.Add(time.Minute)))
				}
			}
		case 2:
			if r.IntN(5) > 0 {
				evs = append(evs, received(next(), ref, at, r.IntN(2) == 0, r.IntN(2) == 0))
			}
			for _, typ := range []string{CRMComplaintAcknowledged, CRMComplaintCalledBack, CRMComplaintReported, CRMComplaintResolved} {
				stage := at.Add(time.Duration(r.IntN(96)) * time.Hour)
				for range r.IntN(3) { // repeated under other ids, at the same time
					evs = append(evs, complaint(next(), ref, typ, stage))
				}
			}
		case 3:
			if r.IntN(5) > 0 {
				evs = append(evs, contact(next(), ref, CRMContactReceived, at, r.IntN(3) == 0))
			}
			resp := at.Add(time.Duration(r.IntN(20*24)-24) * time.Hour)
			for range r.IntN(3) {
				evs = append(evs, contact(next(), ref, CRMContactResponded, resp, false))
			}
		}
	}
	return evs
}

// The same events in any order and batching give the same totals, and the
// totals are the sum of the changes each insert returned.
func testCRMAnyOrder(t *testing.T, open func() (*Store, error)) {
	r := rand.New(rand.NewPCG(6, 8))
	evs := randomCRM(r, 400)
	a := mustOpen(t, open)
	sumA := newCRMSum()
	for lo := 0; lo < len(evs); lo += 70 {
		sumA.add(mustCRM(t, a, evs[lo:min(lo+100, len(evs))]...)) // overlapping batches
	}
	totA := mustCRMTotals(t, a)
	if !reflect.DeepEqual(totA, sumA.CRMTotals) {
		t.Fatalf("totals differ from the sum of the changes:\n%+v\n%+v", totA, sumA.CRMTotals)
	}
	if len(totA.Counts) < 20 || len(totA.Histograms) < 5 {
		t.Fatalf("too few series to prove anything: %d counters, %d histograms", len(totA.Counts), len(totA.Histograms))
	}
	// Shuffled into the same store again: all duplicates. Shuffled and
	// batched otherwise as another PO's: the same figures under its id.
	shuffled := append([]CRMEvent(nil), evs...)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if ch := mustCRM(t, a, shuffled...); countTrue(ch.Inserted) != 0 {
		t.Errorf("%d events stored twice", countTrue(ch.Inserted))
	}
	for i := range shuffled {
		shuffled[i].PO, shuffled[i].ID = "camden", "camden-"+shuffled[i].ID
	}
	for lo := 0; lo < len(shuffled); lo += 33 {
		mustCRM(t, a, shuffled[lo:min(lo+33, len(shuffled))]...)
	}
	a.Close()
	b := mustOpen(t, open)
	all := mustCRMTotals(t, b)
	camden := CRMTotals{Counts: map[CRMSeries]uint64{}, Histograms: map[CRMSeries]CRMHist{}}
	for k, n := range all.Counts {
		if k.PO == "camden" {
			k.PO = "barnet"
			camden.Counts[k] = n
		}
	}
	for k, h := range all.Histograms {
		if k.PO == "camden" {
			k.PO = "barnet"
			camden.Histograms[k] = h
		}
	}
	if !reflect.DeepEqual(camden, totA) {
		t.Errorf("the same events in another order give other totals:\n%+v\nwant\n%+v", camden, totA)
	}
}

func testCRMGauges(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	mustCRM(t, s,
		received("c1", "C1", crmBase, false, true), // callback due 19:00, report due +48h
		received("c2", "C2", crmBase, true, true),
		complaint("c2-cb", "C2", CRMComplaintCalledBack, crmBase.Add(30*time.Minute)),
		received("c3", "C3", crmBase, false, true),
		complaint("c3-res", "C3", CRMComplaintResolved, crmBase.Add(10*time.Minute)),
		complaint("c4-rep", "C4", CRMComplaintReported, crmBase), // no receipt: in no gauge
		contact("m1", "M1", CRMContactReceived, crmBase, true),
		contact("m2", "M2", CRMContactReceived, crmBase, false),
		contact("m2-r", "M2", CRMContactResponded, crmBase.Add(time.Hour), false),
		dispatched("d1", "R1", "sms", crmBase, 5*time.Minute), // receipt due 18:20
		dispatched("d2", "R2", "email", crmBase, 5*time.Minute),
		delivery("d2-ok", "R2", "email", "delivered", crmBase.Add(6*time.Minute)),
		delivery("d3-fail", "R3", "pager", "failed", crmBase.Add(time.Minute)), // failed before its dispatch arrived
		dispatched("d4", "R4", "phone", crmBase, time.Minute),                  // no receipts by phone
		dispatched("d5", "R5", "sms", crmBase, time.Minute),
		delivery("d5-fail", "R5", "sms", "failed", crmBase.Add(2*time.Minute)),
		delivery("d5-ok", "R5", "sms", "delivered", crmBase.Add(3*time.Minute)), // failed, then delivered
	)
	since := crmBase.Add(-time.Hour)
	for _, tc := range []struct {
		at   time.Time
		want map[CRMSeries]uint64
	}{
		{crmBase.Add(20 * time.Minute), map[CRMSeries]uint64{ // at the receipt deadline: not yet
			ser(CRMComplaintsOpen, "noise", "normal"): 1, ser(CRMComplaintsOpen, "noise", "urgent"): 1,
			ser(CRMReferralsUndelivered, "noise", "pager"): 1,
		}},
		{crmBase.Add(20*time.Minute + 1), map[CRMSeries]uint64{
			ser(CRMComplaintsOpen, "noise", "normal"): 1, ser(CRMComplaintsOpen, "noise", "urgent"): 1,
			ser(CRMReferralsUndelivered, "noise", "pager"): 1, ser(CRMReferralsUndelivered, "noise", "sms"): 1,
		}},
		{crmBase.Add(time.Hour + 1), map[CRMSeries]uint64{ // C1's callback overdue
			ser(CRMComplaintsOpen, "noise", "normal"): 1, ser(CRMComplaintsOpen, "noise", "urgent"): 1,
			ser(CRMReferralsUndelivered, "noise", "pager"): 1, ser(CRMReferralsUndelivered, "noise", "sms"): 1,
			ser(CRMComplaintsOverdue, "noise", "callback"): 1,
		}},
		{crmBase.Add(48*time.Hour + 1), map[CRMSeries]uint64{ // reports overdue; referrals older than since
			ser(CRMComplaintsOpen, "noise", "normal"): 1, ser(CRMComplaintsOpen, "noise", "urgent"): 1,
			ser(CRMComplaintsOverdue, "noise", "callback"): 1, ser(CRMComplaintsOverdue, "noise", "report"): 3,
		}},
		{crmBase.Add(10*24*time.Hour + 1), map[CRMSeries]uint64{
			ser(CRMComplaintsOpen, "noise", "normal"): 1, ser(CRMComplaintsOpen, "noise", "urgent"): 1,
			ser(CRMComplaintsOverdue, "noise", "callback"): 1, ser(CRMComplaintsOverdue, "noise", "report"): 3,
			{Metric: CRMContactsOverdue, PO: "barnet", Labels: [3]string{"email", "member_enquiry"}}: 1,
		}},
	} {
		sinceAt := since
		if tc.at.Sub(crmBase) > 24*time.Hour {
			sinceAt = tc.at.Add(-24 * time.Hour)
		}
		got, err := s.CRMGauges(ctx, tc.at, sinceAt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("at +%s:\n got %v\nwant %v", tc.at.Sub(crmBase), got, tc.want)
		}
	}
	if _, err := s.CRMGauges(ctx, time.Time{}, since); !errors.Is(err, ErrInvalidCRMEvent) {
		t.Errorf("zero now: %v", err)
	}
}

func testCRMInvalid(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	good := request("ok", "refer", crmBase)
	for _, tc := range []struct {
		name string
		mod  func(e *CRMEvent)
	}{
		{"unknown type", func(e *CRMEvent) { e.Type = "complaint_escalated" }},
		{"no id", func(e *CRMEvent) { e.ID = "" }},
		{"zero time", func(e *CRMEvent) { e.At = time.Time{} }},
		{"no action", func(e *CRMEvent) { e.Action = "" }},
		{"label not a token", func(e *CRMEvent) { e.Action = "Refer Now" }},
		{"complaint without ref", func(e *CRMEvent) { *e = received("x", "", crmBase, false, false) }},
		{"complaint without due", func(e *CRMEvent) { *e = received("x", "C9", crmBase, false, false); e.Due = time.Time{} }},
		{"dispatch before the call ended", func(e *CRMEvent) { *e = dispatched("x", "R9", "sms", crmBase, -time.Second) }},
		{"delivery by phone", func(e *CRMEvent) { *e = delivery("x", "R9", "phone", "delivered", crmBase) }},
		{"ref with a newline", func(e *CRMEvent) { *e = received("x", "C9\nsecret", crmBase, false, false) }},
	} {
		bad := good
		bad.ID = "bad"
		tc.mod(&bad)
		_, err := s.InsertCRMEvents(ctx, []CRMEvent{good, bad})
		if !errors.Is(err, ErrInvalidCRMEvent) {
			t.Errorf("%s: err %v, want ErrInvalidCRMEvent", tc.name, err)
		}
		if err != nil && (containsAny(err.Error(), "C9", "secret")) {
			t.Errorf("%s: the error echoes the ref: %v", tc.name, err)
		}
	}
	if tot := mustCRMTotals(t, s); len(tot.Counts)+len(tot.Histograms) != 0 {
		t.Errorf("an invalid batch wrote %+v", tot)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		for i := 0; i+len(x) <= len(s); i++ {
			if s[i:i+len(x)] == x {
				return true
			}
		}
	}
	return false
}

// Two stores (two processes) insert the receipt and the report of the same
// complaints at once, under different sources: each complaint's report is
// counted exactly once across both.
func testCRMConcurrent(t *testing.T, open func() (*Store, error)) {
	s1, s2 := mustOpen(t, open), mustOpen(t, open)
	const n = 60
	var a, b []CRMEvent
	for i := range n {
		ref := fmt.Sprintf("C%03d", i)
		a = append(a, received("r"+ref, ref, crmBase, false, false))
		rep := complaint("p"+ref, ref, CRMComplaintReported, crmBase.Add(time.Hour))
		rep.Source = "crm_db"
		b = append(b, rep)
	}
	var wg sync.WaitGroup
	sums := [2]*crmSum{newCRMSum(), newCRMSum()}
	errs := make(chan error, 2*n)
	for k, pair := range []struct {
		s   *Store
		evs []CRMEvent
	}{{s1, a}, {s2, b}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range pair.evs {
				ch, err := pair.s.InsertCRMEvents(context.Background(), pair.evs[i:i+1])
				if err != nil {
					errs <- err
					return
				}
				sums[k].add(ch)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	reported := sums[0].Counts[ser(CRMComplaintsReported, "noise", "normal", "true")] + sums[1].Counts[ser(CRMComplaintsReported, "noise", "normal", "true")]
	if reported != n {
		t.Errorf("reports counted %d times across both writers, want %d", reported, n)
	}
	if got := mustCRMTotals(t, s1).Counts[ser(CRMComplaintsReported, "noise", "normal", "true")]; got != n {
		t.Errorf("totals: %d reports, want %d", got, n)
	}
}

// A busy series' sum of response times: 40,000 contacts answered in three
// days each is 1.04e19 ns, past int64; the sum is kept in milliseconds.
func TestCRMHistSumDoesNotOverflow(t *testing.T) {
	var h CRMHist
	ns := int64(72 * time.Hour)
	for range 40000 {
		h.Observe([]float64{3600}, ns)
	}
	if want := 40000 * (72 * time.Hour).Milliseconds(); h.SumMillis != want || h.Count != 40000 || h.Buckets[0] != 0 {
		t.Errorf("sum %d ms, count %d, buckets %v; want %d ms, 40000, [0]", h.SumMillis, h.Count, h.Buckets, want)
	}
}
