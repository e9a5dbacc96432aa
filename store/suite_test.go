package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// backend opens stores on one database for the shared suite. open may be
// called again after Close to check that everything was kept.
type backend struct {
	name string
	// fresh returns an open function bound to a new, empty database.
	fresh func(t *testing.T) (open func() (*Store, error))
}

// base is a Monday evening in winter (GMT = UTC).
var testBase = time.Date(2025, 1, 6, 18, 0, 0, 0, time.UTC)

func mkCall(id string, at time.Time, outcome string, wait float64) Call {
	c := Call{
		Source: "csv", CallID: id, PO: "barnet", ServiceOption: "housing_repairs",
		AccessNumber: "+442083590000", Standard: "gold", Kind: KindPublic, Outcome: outcome,
		QueuedAt: at, WaitSeconds: wait,
	}
	switch outcome {
	case OutcomeAnswered:
		c.AnsweredAt = at.Add(time.Duration(wait * float64(time.Second)))
		c.TalkSeconds = 60
		c.EndedAt = c.AnsweredAt.Add(time.Minute)
		c.WithinTarget = wait <= 20
		c.WithinRest = wait <= 30
	case OutcomeAbandoned:
		c.EndedAt = at.Add(time.Duration(wait * float64(time.Second)))
		c.ShortAbandon = wait <= 5
	case OutcomeIVROnly:
		c.WaitSeconds = 0
		c.EndedAt = at.Add(30 * time.Second)
	}
	return c
}

func mustOpen(t *testing.T, open func() (*Store, error)) *Store {
	t.Helper()
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustInsert(t *testing.T, s *Store, calls []Call) []bool {
	t.Helper()
	ins, err := s.InsertCalls(context.Background(), calls)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != len(calls) {
		t.Fatalf("InsertCalls returned %d flags for %d calls", len(ins), len(calls))
	}
	return ins
}

func countTrue(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

func mustSummary(t *testing.T, s *Store, po string, from, to time.Time) []SummaryRow {
	t.Helper()
	rows, err := s.Summary(context.Background(), po, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func mustIntervals(t *testing.T, s *Store, po string, from, to time.Time) []IntervalRow {
	t.Helper()
	rows, err := s.Intervals(context.Background(), po, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// runSuite is the one test table run against every backend.
func runSuite(t *testing.T, b backend) {
	tests := []struct {
		name string
		run  func(t *testing.T, open func() (*Store, error))
	}{
		{"SummaryExact", testSummaryExact},
		{"DuplicatesWithinAndAcrossBatches", testDuplicates},
		{"ReplayCountsOnce", testReplay},
		{"LateEventLandsInItsInterval", testLateEvent},
		{"IntervalBoundaries", testIntervalBoundaries},
		{"TestCallsNeverOffered", testTestCalls},
		{"TotalsHistogramsExact", testTotals},
		{"SummaryPathsAgree", testSummaryPathsAgree},
		{"ReopenKeepsEverything", testReopen},
		{"ConcurrentOverlappingBatches", testConcurrent},
		{"InvalidCallWritesNothing", testInvalid},
		{"MigrationsRecorded", testMigrations},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, b.fresh(t)) })
	}
}

func testSummaryExact(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	at := testBase.Add(3 * time.Minute)
	a1 := mkCall("a1", at, OutcomeAnswered, 5)
	a1.TalkSeconds, a1.AfterCallWorkSeconds = 100.25, 30
	a2 := mkCall("a2", at, OutcomeAnswered, 25)
	a2.TalkSeconds, a2.AfterCallWorkSeconds = 60, 10.5
	a3 := mkCall("a3", at, OutcomeAnswered, 40)
	a3.TalkSeconds = 1.000001
	t1 := mkCall("t1", at, OutcomeAnswered, 2)
	t1.Kind = KindTest
	t2 := mkCall("t2", at, OutcomeAbandoned, 90)
	t2.Kind = KindTest
	n1 := mkCall("n1", at.Add(20*time.Minute), OutcomeAnswered, 50)
	n1.ServiceOption, n1.Standard, n1.WithinTarget, n1.WithinRest = "noise", "silver", true, true
	other := mkCall("o1", at, OutcomeAnswered, 5)
	other.PO = "camden"
	outside := mkCall("late1", testBase.Add(time.Hour), OutcomeAnswered, 5)
	calls := []Call{a1, a2, a3,
		mkCall("b1", at, OutcomeAbandoned, 3),
		mkCall("b2", at, OutcomeAbandoned, 20),
		mkCall("b3", at, OutcomeAbandoned, 20.5),
		mkCall("b4", at, OutcomeAbandoned, 60),
		mkCall("b5", at, OutcomeAbandoned, 60.001),
		mkCall("i1", at, OutcomeIVROnly, 0),
		t1, t2, n1, other, outside,
	}
	if ins := mustInsert(t, s, calls); countTrue(ins) != len(calls) {
		t.Fatalf("inserted %v, want all", ins)
	}
	want := []SummaryRow{
		{ServiceOption: "housing_repairs", Standard: "gold",
			Offered: 8, Answered: 3, AnsweredWithinTarget: 1, AnsweredWithinRest: 2, Abandoned: 5,
			AbandonedUnder20: 2, Abandoned20To60: 2, AbandonedOver60: 1, ShortAbandons: 1, IVROnly: 1, TestCalls: 2,
			TalkSeconds: 161.250001, AfterCallWorkSeconds: 40.5, AnswerWaitSeconds: 70},
		{ServiceOption: "noise", Standard: "silver",
			Offered: 1, Answered: 1, AnsweredWithinTarget: 1, AnsweredWithinRest: 1,
			TalkSeconds: 60, AnswerWaitSeconds: 50},
	}
	// Aligned period (from the aggregates) and an unaligned one (from the
	// calls) must both give the hand count.
	for _, p := range [][2]time.Time{
		{testBase, testBase.Add(time.Hour)},
		{testBase.Add(time.Second), testBase.Add(59 * time.Minute)},
	} {
		got := mustSummary(t, s, "barnet", p[0], p[1])
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Summary(barnet, %s, %s):\n got %+v\nwant %+v", p[0], p[1], got, want)
		}
	}
	if got := mustSummary(t, s, "nobody", testBase, testBase.Add(time.Hour)); len(got) != 0 {
		t.Errorf("Summary of unknown PO = %+v, want none", got)
	}
	if _, err := s.Summary(context.Background(), "barnet", testBase, testBase.Add(-time.Second)); err == nil ||
		!strings.Contains(err.Error(), "before its start") {
		t.Errorf("Summary with to < from: err = %v, want a period error", err)
	}
}

func testDuplicates(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	at := testBase.Add(time.Minute)
	// Within one batch: x repeated, and a same call_id from another source
	// is a different call.
	other := mkCall("x", at, OutcomeAnswered, 3)
	other.Source = "http"
	ins := mustInsert(t, s, []Call{
		mkCall("x", at, OutcomeAnswered, 3),
		mkCall("y", at, OutcomeAbandoned, 30),
		mkCall("x", at, OutcomeAnswered, 3),
		other,
	})
	if want := []bool{true, true, false, true}; !reflect.DeepEqual(ins, want) {
		t.Fatalf("first batch inserted = %v, want %v", ins, want)
	}
	// Across batches: x and y again (y even with a different outcome: the
	// first write wins), z new.
	ins = mustInsert(t, s, []Call{
		mkCall("z", at, OutcomeAnswered, 10),
		mkCall("y", at, OutcomeAnswered, 1),
		mkCall("x", at, OutcomeAnswered, 3),
	})
	if want := []bool{true, false, false}; !reflect.DeepEqual(ins, want) {
		t.Fatalf("second batch inserted = %v, want %v", ins, want)
	}
	got := mustSummary(t, s, "barnet", testBase, testBase.Add(15*time.Minute))
	if len(got) != 1 || got[0].Offered != 4 || got[0].Answered != 3 || got[0].Abandoned != 1 {
		t.Fatalf("Summary = %+v, want offered 4 (x, http x, z answered; y abandoned)", got)
	}
	// A batch bigger than one statement, with duplicates in different
	// statements and of earlier batches.
	var big []Call
	for i := 0; i < 2*rowsPerInsert+37; i++ {
		big = append(big, mkCall(fmt.Sprintf("big%d", i%(rowsPerInsert+100)), at, OutcomeAnswered, 1))
	}
	big = append(big, mkCall("z", at, OutcomeAnswered, 10))
	ins = mustInsert(t, s, big)
	if n := countTrue(ins); n != rowsPerInsert+100 {
		t.Fatalf("big batch inserted %d, want %d", n, rowsPerInsert+100)
	}
	for i := range big {
		if want := i < rowsPerInsert+100; ins[i] != want {
			t.Fatalf("big batch inserted[%d] = %v, want %v", i, ins[i], want)
		}
	}
	got = mustSummary(t, s, "barnet", testBase, testBase.Add(15*time.Minute))
	if got[0].Offered != 4+rowsPerInsert+100 {
		t.Fatalf("Offered = %d, want %d", got[0].Offered, 4+rowsPerInsert+100)
	}
}

func testReplay(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	batch := randomCalls(rand.New(rand.NewPCG(1, 2)), 700, "replay")
	first := mustInsert(t, s, batch)
	if countTrue(first) != len(batch) {
		t.Fatalf("first insert: %d of %d inserted", countTrue(first), len(batch))
	}
	from, to := testBase.Add(-24*time.Hour), testBase.Add(24*time.Hour)
	sum1 := mustSummary(t, s, "barnet", from, to)
	iv1 := mustIntervals(t, s, "barnet", from, to)
	tot1, err := s.Totals(context.Background(), []float64{20}, []float64{60})
	if err != nil {
		t.Fatal(err)
	}
	again := mustInsert(t, s, batch)
	if n := countTrue(again); n != 0 {
		t.Fatalf("replay inserted %d calls, want 0", n)
	}
	tot2, err := s.Totals(context.Background(), []float64{20}, []float64{60})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sum1, mustSummary(t, s, "barnet", from, to)) ||
		!reflect.DeepEqual(iv1, mustIntervals(t, s, "barnet", from, to)) ||
		!reflect.DeepEqual(tot1, tot2) {
		t.Fatal("replaying a batch changed Summary, Intervals or Totals")
	}
}

func testLateEvent(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	mustInsert(t, s, []Call{mkCall("now1", testBase.Add(2*time.Hour), OutcomeAnswered, 4)})
	// A call queued yesterday arrives now (a late file).
	lateAt := testBase.Add(-20*time.Hour + 7*time.Minute) // 22:07 the day before
	mustInsert(t, s, []Call{mkCall("late", lateAt, OutcomeAbandoned, 45)})
	rows := mustIntervals(t, s, "barnet", testBase.Add(-24*time.Hour), testBase.Add(24*time.Hour))
	if len(rows) != 2 {
		t.Fatalf("Intervals = %+v, want 2 rows", rows)
	}
	if want := time.Date(2025, 1, 5, 22, 0, 0, 0, time.UTC); !rows[0].Start.Equal(want) || rows[0].Abandoned != 1 || rows[0].Abandoned20To60 != 1 {
		t.Errorf("late call row = %+v, want Start %s with one abandon 20-60 s", rows[0], want)
	}
	if want := testBase.Add(2 * time.Hour); !rows[1].Start.Equal(want) || rows[1].Answered != 1 {
		t.Errorf("current call row = %+v, want Start %s with one answer", rows[1], want)
	}
	// Yesterday's report includes the late call; today's does not.
	day := mustSummary(t, s, "barnet", time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC))
	if len(day) != 1 || day[0].Offered != 1 || day[0].Abandoned != 1 {
		t.Errorf("yesterday's Summary = %+v, want the late abandoned call only", day)
	}
}

func testIntervalBoundaries(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	fifteen := time.Date(2025, 1, 6, 15, 0, 0, 0, time.UTC)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	summer := time.Date(2025, 7, 1, 19, 30, 0, 0, london) // 18:30 UTC (BST)
	mustInsert(t, s, []Call{
		mkCall("before", fifteen.Add(-time.Millisecond), OutcomeAnswered, 1), // 14:59:59.999
		mkCall("on", fifteen, OutcomeAnswered, 1),                            // 15:00:00
		mkCall("last", fifteen.Add(15*time.Minute-time.Nanosecond), OutcomeAnswered, 1),
		mkCall("bst", summer, OutcomeAnswered, 1),
	})
	rows := mustIntervals(t, s, "barnet", fifteen.Add(-time.Hour), fifteen.Add(time.Hour))
	if len(rows) != 2 {
		t.Fatalf("Intervals = %+v, want 2", rows)
	}
	if want := fifteen.Add(-15 * time.Minute); !rows[0].Start.Equal(want) || rows[0].Answered != 1 {
		t.Errorf("row 0 = %v answered %d, want %s with 1 (14:59:59.999)", rows[0].Start, rows[0].Answered, want)
	}
	if !rows[1].Start.Equal(fifteen) || rows[1].Answered != 2 {
		t.Errorf("row 1 = %v answered %d, want %s with 2 (15:00:00 and 15:14:59.999999999)", rows[1].Start, rows[1].Answered, fifteen)
	}
	if rows[0].Start.Location() != time.UTC {
		t.Errorf("Start location = %v, want UTC", rows[0].Start.Location())
	}
	// [14:45, 15:00) holds only the 14:59:59.999 call, on both paths.
	for _, p := range [][2]time.Time{{fifteen.Add(-15 * time.Minute), fifteen}, {fifteen.Add(-time.Second), fifteen}} {
		got := mustSummary(t, s, "barnet", p[0], p[1])
		if len(got) != 1 || got[0].Answered != 1 {
			t.Errorf("Summary [%s, %s) = %+v, want 1 answered", p[0], p[1], got)
		}
	}
	bst := mustIntervals(t, s, "barnet", time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 7, 2, 0, 0, 0, 0, time.UTC))
	if want := time.Date(2025, 7, 1, 18, 30, 0, 0, time.UTC); len(bst) != 1 || !bst[0].Start.Equal(want) {
		t.Errorf("BST call intervals = %+v, want one at %s", bst, want)
	}
}

func testTestCalls(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	var calls []Call
	for i, o := range []string{OutcomeAnswered, OutcomeAbandoned, OutcomeIVROnly} {
		c := mkCall(fmt.Sprintf("test%d", i), testBase, o, 70)
		c.Kind = KindTest
		calls = append(calls, c)
	}
	mustInsert(t, s, calls)
	got := mustSummary(t, s, "barnet", testBase, testBase.Add(time.Hour))
	want := []SummaryRow{{ServiceOption: "housing_repairs", Standard: "gold", TestCalls: 3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Summary = %+v, want only TestCalls 3", got)
	}
	tot, err := s.Totals(context.Background(), []float64{20}, []float64{60})
	if err != nil {
		t.Fatal(err)
	}
	if len(tot) != 1 || tot[0].TestCalls != 3 || tot[0].Offered != 0 || tot[0].Answered.Count != 0 || tot[0].Abandoned.Count != 0 || tot[0].IVROnly != 0 {
		t.Errorf("Totals = %+v, want TestCalls 3 and nothing offered", tot)
	}
}

func testTotals(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	at := testBase
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	// Answered waits against bounds 10, 20, 60: 5 → all three; 20 → 20 and 60;
	// 20.0000001 → 60 only; 60 → 60; 61 → none.
	for i, w := range []float64{5, 20, 20.0000001, 60, 61} {
		c := mkCall(fmt.Sprintf("a%d", i), at, OutcomeAnswered, w)
		c.TalkSeconds = []float64{30, 60, 60.5, 300, 600}[i]
		c.AfterCallWorkSeconds = []float64{0, 10, 59.999, 61, 0}[i]
		add(c)
	}
	for i, w := range []float64{0.5, 10, 10.5, 700} {
		add(mkCall(fmt.Sprintf("b%d", i), at, OutcomeAbandoned, w))
	}
	add(mkCall("i0", at, OutcomeIVROnly, 0))
	tc := mkCall("t0", at, OutcomeAnswered, 1)
	tc.Kind = KindTest
	add(tc)
	// Another series (other access number) and another PO.
	o := mkCall("x0", at, OutcomeAnswered, 15)
	o.AccessNumber = "+442083590001"
	add(o)
	p := mkCall("y0", at, OutcomeAbandoned, 25)
	p.PO = "camden"
	add(p)
	// A late call in last year: all-time totals include it.
	add(mkCall("old", at.AddDate(-1, 0, 0), OutcomeAnswered, 9))
	mustInsert(t, s, calls)

	got, err := s.Totals(context.Background(), []float64{10, 20, 60}, []float64{60, 300})
	if err != nil {
		t.Fatal(err)
	}
	key := SeriesKey{"barnet", "housing_repairs", "+442083590000", "gold"}
	want := []SeriesTotals{
		{
			SeriesKey: key,
			Offered:   10, IVROnly: 1, TestCalls: 1,
			// waits 5, 20, 20.0000001, 60, 61, 9
			Answered: Hist{Count: 6, Sum: 175.0000001, Buckets: []uint64{2, 3, 5}},
			// waits 0.5, 10, 10.5, 700
			Abandoned: Hist{Count: 4, Sum: 721, Buckets: []uint64{2, 3, 3}},
			// talk 30, 60, 60.5, 300, 600, 60 (the old call)
			Talk: Hist{Count: 6, Sum: 1110.5, Buckets: []uint64{3, 5}},
			// acw 0, 10, 59.999, 61, 0, 0
			AfterCallWork: Hist{Count: 6, Sum: 130.999, Buckets: []uint64{5, 6}},
		},
		{
			SeriesKey: SeriesKey{"barnet", "housing_repairs", "+442083590001", "gold"},
			Offered:   1,
			Answered:  Hist{Count: 1, Sum: 15, Buckets: []uint64{0, 1, 1}},
			Abandoned: Hist{Buckets: []uint64{0, 0, 0}},
			Talk:      Hist{Count: 1, Sum: 60, Buckets: []uint64{1, 1}}, AfterCallWork: Hist{Count: 1, Buckets: []uint64{1, 1}},
		},
		{
			SeriesKey: SeriesKey{"camden", "housing_repairs", "+442083590000", "gold"},
			Offered:   1,
			Answered:  Hist{Buckets: []uint64{0, 0, 0}},
			Abandoned: Hist{Count: 1, Sum: 25, Buckets: []uint64{0, 0, 1}},
			Talk:      Hist{Buckets: []uint64{0, 0}}, AfterCallWork: Hist{Buckets: []uint64{0, 0}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Totals:\n got %+v\nwant %+v", got, want)
	}
	if _, err := s.Totals(context.Background(), []float64{20, 10}, nil); err == nil || !strings.Contains(err.Error(), "waitBounds[1]") {
		t.Errorf("Totals with unsorted bounds: err = %v, want one naming waitBounds[1]", err)
	}
}

// randomCalls makes n varied calls over two days around testBase.
func randomCalls(r *rand.Rand, n int, prefix string) []Call {
	options := []string{"housing_repairs", "noise", "social_services", "stray_dogs"}
	numbers := []string{"+442083590000", "+442083590001", "+442079740000"}
	standards := []string{"gold", "silver", "bronze"}
	outcomes := []string{OutcomeAnswered, OutcomeAnswered, OutcomeAnswered, OutcomeAbandoned, OutcomeIVROnly}
	calls := make([]Call, n)
	for i := range calls {
		at := testBase.Add(time.Duration(r.Int64N(int64(48*time.Hour))) - 24*time.Hour)
		c := mkCall(fmt.Sprintf("%s-%d", prefix, i), at, outcomes[r.IntN(len(outcomes))], float64(r.IntN(120000))/1000)
		c.ServiceOption = options[r.IntN(len(options))]
		c.AccessNumber = numbers[r.IntN(len(numbers))]
		c.Standard = standards[r.IntN(len(standards))]
		c.TalkSeconds = float64(r.IntN(600000)) / 1000
		c.AfterCallWorkSeconds = r.Float64() * 100
		if r.IntN(20) == 0 {
			c.Kind = KindTest
		}
		if r.IntN(10) == 0 {
			c.PO = "camden"
		}
		calls[i] = c
	}
	return calls
}

func testSummaryPathsAgree(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	calls := randomCalls(rand.New(rand.NewPCG(3, 4)), 3000, "agree")
	mustInsert(t, s, calls)
	ctx := context.Background()
	for _, po := range []string{"barnet", "camden"} {
		from, to := testBase.Add(-6*time.Hour), testBase.Add(9*time.Hour+45*time.Minute)
		agg, err := s.summaryFromIntervals(ctx, po, from, to)
		if err != nil {
			t.Fatal(err)
		}
		direct, err := s.summaryFromCalls(ctx, po, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(agg) == 0 || !reflect.DeepEqual(agg, direct) {
			t.Fatalf("%s: Summary from aggregates\n %+v\ndiffers from counting calls\n %+v", po, agg, direct)
		}
		// And both equal a count in Go of the same calls.
		byKey := map[[2]string]*counts{}
		for i := range calls {
			c := &calls[i]
			if c.PO != po || c.QueuedAt.Before(from) || !c.QueuedAt.Before(to) {
				continue
			}
			k := [2]string{c.ServiceOption, c.Standard}
			if byKey[k] == nil {
				byKey[k] = &counts{}
			}
			byKey[k].add(c)
		}
		if len(byKey) != len(agg) {
			t.Fatalf("%s: %d summary rows, want %d", po, len(agg), len(byKey))
		}
		for _, row := range agg {
			if want := byKey[[2]string{row.ServiceOption, row.Standard}].row(row.ServiceOption, row.Standard); row != want {
				t.Errorf("%s: row %+v, want %+v", po, row, want)
			}
		}
		// Summary over unaligned periods (whole intervals from the
		// aggregates, the partial edges from the calls) equals a count in
		// Go of the same calls.
		for _, p := range [][2]time.Time{
			{from.Add(time.Second), to.Add(-time.Nanosecond)},
			{from.Add(14*time.Minute + 59*time.Second), from.Add(15*time.Minute + time.Second)},
			{from.Add(7 * time.Minute), from.Add(8 * time.Minute)},
			{from.Add(-7 * time.Minute), from.Add(30*time.Minute + 333*time.Millisecond)},
		} {
			want := map[[2]string]*counts{}
			for i := range calls {
				c := &calls[i]
				if c.PO != po || c.QueuedAt.Before(p[0]) || !c.QueuedAt.Before(p[1]) {
					continue
				}
				k := [2]string{c.ServiceOption, c.Standard}
				if want[k] == nil {
					want[k] = &counts{}
				}
				want[k].add(c)
			}
			got := mustSummary(t, s, po, p[0], p[1])
			if len(got) != len(want) {
				t.Fatalf("%s [%s, %s): %d summary rows, want %d", po, p[0], p[1], len(got), len(want))
			}
			for _, row := range got {
				w := want[[2]string{row.ServiceOption, row.Standard}]
				if w == nil || row != w.row(row.ServiceOption, row.Standard) {
					t.Errorf("%s [%s, %s): row %+v, want %+v", po, p[0], p[1], row, w)
				}
			}
		}
		// The intervals add up to the summary.
		sums := map[[2]string]*SummaryRow{}
		for _, iv := range mustIntervals(t, s, po, from, to) {
			k := [2]string{iv.ServiceOption, iv.Standard}
			if sums[k] == nil {
				sums[k] = &SummaryRow{}
			}
			sums[k].Offered += iv.Offered
			sums[k].AnsweredWithinTarget += iv.AnsweredWithinTarget
			sums[k].AbandonedOver60 += iv.AbandonedOver60
		}
		for _, row := range agg {
			got := sums[[2]string{row.ServiceOption, row.Standard}]
			if got.Offered != row.Offered || got.AnsweredWithinTarget != row.AnsweredWithinTarget || got.AbandonedOver60 != row.AbandonedOver60 {
				t.Errorf("%s %s/%s: intervals add up to %+v, summary says %+v", po, row.ServiceOption, row.Standard, got, row)
			}
		}
	}
}

func testReopen(t *testing.T, open func() (*Store, error)) {
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	calls := randomCalls(rand.New(rand.NewPCG(5, 6)), 1200, "reopen")
	mustInsert(t, s, calls)
	from, to := testBase.Add(-24*time.Hour), testBase.Add(24*time.Hour)
	sum := mustSummary(t, s, "barnet", from, to)
	iv := mustIntervals(t, s, "barnet", from, to)
	tot, err := s.Totals(context.Background(), []float64{10, 20}, []float64{60})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := mustOpen(t, open)
	if n := countTrue(mustInsert(t, s2, calls)); n != 0 {
		t.Errorf("after reopen, replay inserted %d calls, want 0", n)
	}
	tot2, err := s2.Totals(context.Background(), []float64{10, 20}, []float64{60})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sum, mustSummary(t, s2, "barnet", from, to)) ||
		!reflect.DeepEqual(iv, mustIntervals(t, s2, "barnet", from, to)) ||
		!reflect.DeepEqual(tot, tot2) {
		t.Error("figures differ after close and reopen")
	}
}

func testConcurrent(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	calls := randomCalls(rand.New(rand.NewPCG(7, 8)), 2000, "conc")
	// Two stores on the same database (two processes, in effect) and one
	// shared store, all writing overlapping batches.
	s2 := mustOpen(t, open)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	errs := make(chan error, 8)
	for w := 0; w < 4; w++ {
		st := s
		if w%2 == 1 {
			st = s2
		}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for lo := w * 250; lo < len(calls); lo += 500 {
				hi := min(lo+700, len(calls))
				ins, err := st.InsertCalls(context.Background(), calls[lo:hi])
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				total += countTrue(ins)
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if total != len(calls) {
		t.Fatalf("concurrent writers inserted %d calls in all, want %d", total, len(calls))
	}
	var offered, want uint64
	for _, r := range mustSummary(t, s, "barnet", testBase.Add(-24*time.Hour), testBase.Add(24*time.Hour)) {
		offered += r.Offered
	}
	for i := range calls {
		if c := &calls[i]; c.PO == "barnet" && c.Kind == KindPublic && c.Outcome != OutcomeIVROnly {
			want++
		}
	}
	if offered != want {
		t.Errorf("Offered = %d after concurrent writes, want %d", offered, want)
	}
}

func testInvalid(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	good := mkCall("good", testBase, OutcomeAnswered, 1)
	cases := []struct {
		mutate func(c *Call)
		want   string
	}{
		{func(c *Call) { c.Source = "" }, "Source is empty"},
		{func(c *Call) { c.CallID = "" }, "CallID is empty"},
		{func(c *Call) { c.PO = "" }, "PO is empty"},
		{func(c *Call) { c.Kind = "robot" }, `Kind is "robot"; want "public" or "test"`},
		{func(c *Call) { c.Outcome = "lost" }, `Outcome is "lost"`},
		{func(c *Call) { c.QueuedAt = time.Time{} }, "QueuedAt is zero"},
		{func(c *Call) { c.WaitSeconds = -1 }, "WaitSeconds is -1"},
		{func(c *Call) { c.TalkSeconds = nan() }, "TalkSeconds is NaN"},
	}
	for _, tc := range cases {
		bad := mkCall("bad", testBase, OutcomeAnswered, 1)
		tc.mutate(&bad)
		_, err := s.InsertCalls(context.Background(), []Call{good, bad})
		if err == nil || !strings.Contains(err.Error(), "calls[1]") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want one naming calls[1] and %q", err, tc.want)
		}
	}
	if got := mustSummary(t, s, "barnet", testBase, testBase.Add(time.Hour)); len(got) != 0 {
		t.Errorf("a rejected batch wrote %+v", got)
	}
}

func testMigrations(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var n, latest int
	if err := s.db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &latest); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || latest != ms[len(ms)-1].version {
		t.Fatalf("schema_migrations has %d rows up to %d, want %d up to %d", n, latest, len(ms), ms[len(ms)-1].version)
	}
	// Opening again applies nothing twice.
	s2 := mustOpen(t, open)
	if err := s2.db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(ms) {
		t.Fatalf("after reopen schema_migrations has %d rows (err %v), want %d", n, err, len(ms))
	}
	// A database from a newer binary is refused.
	if _, err := s.db.Exec(s.d.rebind(`INSERT INTO schema_migrations (version, name, applied_at_ns) VALUES (?, ?, ?)`), 9999, "9999_future.sql", 0); err != nil {
		t.Fatal(err)
	}
	if s3, err := open(); err == nil {
		s3.Close()
		t.Fatal("Open of a database at a newer schema version succeeded")
	} else if !strings.Contains(err.Error(), "version 9999") {
		t.Fatalf("err = %v, want it to name version 9999", err)
	}
}
