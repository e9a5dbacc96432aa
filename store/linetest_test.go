package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLineTestsSQLite(t *testing.T) { runLineTestSuite(t, sqliteBackend()) }

func TestLineTestsPostgres(t *testing.T) {
	postgresDSN(t)
	runLineTestSuite(t, postgresBackend())
}

func runLineTestSuite(t *testing.T, b backend) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, open func() (*Store, error))
	}{
		{"StartAndList", testLineTestStartList},
		{"DialedThenFinishOnce", testLineTestDialFinish},
		{"InvalidWritesNothing", testLineTestInvalid},
		{"SchemaRefusesBadRows", testLineTestSchema},
		{"AbandonRunning", testLineTestAbandon},
		{"CallsOnNumber", testCallsOnNumber},
		{"CallsOnNumberAnyWindow", testCallsOnNumberRandom},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, b.fresh(t)) })
	}
}

// ltBase is a quiet Tuesday night, 03:10:00.5 UTC.
var ltBase = time.Date(2026, 11, 3, 3, 10, 0, 500_000_000, time.UTC)

func ltRun(po, number, trigger string, started time.Time) LineTestRun {
	return LineTestRun{PO: po, AccessNumber: number, Trigger: trigger, Started: started}
}

func mustStartLT(t *testing.T, s *Store, r LineTestRun) LineTestRun {
	t.Helper()
	got, err := s.StartLineTestRun(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mustRuns(t *testing.T, s *Store, f LineTestFilter) []LineTestRun {
	t.Helper()
	got, err := s.LineTestRuns(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func runIDs(rs []LineTestRun) []int64 {
	var ids []int64
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

func testLineTestStartList(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// Started out of insertion order; b and c start at the same instant.
	a := mustStartLT(t, s, ltRun("enfield", "+442079460010", "low_demand", ltBase.Add(30*time.Minute).In(london)))
	b := mustStartLT(t, s, ltRun("enfield", "+442079460009", "handover", ltBase))
	c := mustStartLT(t, s, ltRun("enfield", "+442079460010", "manual", ltBase))
	d := mustStartLT(t, s, ltRun("rbkc", "+442079460015", "low_demand", ltBase.Add(time.Hour)))
	if !(a.ID > 0 && b.ID > a.ID && c.ID > b.ID && d.ID > c.ID) {
		t.Fatalf("ids not increasing: %d %d %d %d", a.ID, b.ID, c.ID, d.ID)
	}
	if a.Result != LineTestRunning || a.Started.Location() != time.UTC || !a.Started.Equal(ltBase.Add(30*time.Minute)) {
		t.Fatalf("started run = %+v; want running, UTC", a)
	}
	all := mustRuns(t, s, LineTestFilter{})
	if !reflect.DeepEqual(all, []LineTestRun{b, c, a, d}) {
		t.Fatalf("all runs = %+v\nwant by started then id: %d %d %d %d", all, b.ID, c.ID, a.ID, d.ID)
	}
	for _, tc := range []struct {
		name string
		f    LineTestFilter
		want []int64
	}{
		{"po", LineTestFilter{PO: "enfield"}, []int64{b.ID, c.ID, a.ID}},
		{"number", LineTestFilter{AccessNumber: "+442079460010"}, []int64{c.ID, a.ID}},
		{"from is inclusive", LineTestFilter{From: ltBase.Add(30 * time.Minute)}, []int64{a.ID, d.ID}},
		{"to is exclusive", LineTestFilter{To: ltBase.Add(30 * time.Minute)}, []int64{b.ID, c.ID}},
		{"a nanosecond later", LineTestFilter{To: ltBase.Add(30*time.Minute + 1)}, []int64{b.ID, c.ID, a.ID}},
		{"window and po", LineTestFilter{PO: "rbkc", From: ltBase, To: ltBase.Add(2 * time.Hour)}, []int64{d.ID}},
		{"empty window", LineTestFilter{From: ltBase, To: ltBase}, nil},
		{"result", LineTestFilter{Result: LineTestRunning, AccessNumber: "+442079460009"}, []int64{b.ID}},
		{"no pass yet", LineTestFilter{Result: LineTestPass}, nil},
	} {
		if got := runIDs(mustRuns(t, s, tc.f)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ids = %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, f := range []LineTestFilter{
		{Result: "passed"},
		{From: ltBase, To: ltBase.Add(-time.Nanosecond)},
	} {
		if _, err := s.LineTestRuns(context.Background(), f); !errors.Is(err, ErrInvalidLineTest) {
			t.Errorf("LineTestRuns(%+v) err = %v; want ErrInvalidLineTest", f, err)
		}
	}
	// Kept across a reopen.
	s2 := mustOpen(t, open)
	if again := mustRuns(t, s2, LineTestFilter{}); !reflect.DeepEqual(again, all) {
		t.Fatalf("after reopen: %+v", again)
	}
}

func testLineTestDialFinish(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	r := mustStartLT(t, s, ltRun("enfield", "+442079460010", "low_demand", ltBase))
	r2 := mustStartLT(t, s, ltRun("enfield", "+442079460009", "low_demand", ltBase))
	dialed := ltBase.Add(41 * time.Second)
	if err := s.DialedLineTestRun(ctx, r.ID, "completed", "CA0123456789abcdef0123456789abcdef", dialed, 38*time.Second+250*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	got := mustRuns(t, s, LineTestFilter{AccessNumber: r.AccessNumber})
	want := r
	want.DialStatus, want.Ref, want.Dialed, want.Duration = "completed", "CA0123456789abcdef0123456789abcdef", dialed, 38*time.Second+250*time.Millisecond
	if len(got) != 1 || got[0] != want {
		t.Fatalf("after DialedLineTestRun: %+v\nwant %+v (still running)", got, want)
	}
	// The verdict: the call never reached the queue.
	ended := ltBase.Add(2 * time.Minute)
	ok, err := s.FinishLineTestRun(ctx, r.ID, LineTestFail, "connected but never reached the queue", ended)
	if err != nil || !ok {
		t.Fatalf("FinishLineTestRun = %v, %v; want true", ok, err)
	}
	want.Result, want.Reason, want.Ended = LineTestFail, "connected but never reached the queue", ended
	if got := mustRuns(t, s, LineTestFilter{AccessNumber: r.AccessNumber}); len(got) != 1 || got[0] != want {
		t.Fatalf("after finish: %+v\nwant %+v", got, want)
	}
	// A late or repeated finish, and a late dial, change nothing.
	if ok, err := s.FinishLineTestRun(ctx, r.ID, LineTestPass, "late arrival", ended.Add(time.Minute)); err != nil || ok {
		t.Fatalf("second finish = %v, %v; want false, nil", ok, err)
	}
	if err := s.DialedLineTestRun(ctx, r.ID, "busy", "CAx", dialed, 0); !errors.Is(err, ErrLineTestNotRunning) || !strings.Contains(err.Error(), "fail") {
		t.Fatalf("dial of a finished run: %v; want ErrLineTestNotRunning naming its result", err)
	}
	if got := mustRuns(t, s, LineTestFilter{AccessNumber: r.AccessNumber}); len(got) != 1 || got[0] != want {
		t.Fatalf("a finished run changed: %+v\nwant %+v", got, want)
	}
	// Finished without a dial (the dialer failed): the dial fields stay empty.
	if ok, err := s.FinishLineTestRun(ctx, r2.ID, LineTestError, "dialer: twilio 503", ltBase.Add(time.Second)); err != nil || !ok {
		t.Fatalf("finish r2 = %v, %v", ok, err)
	}
	if got := mustRuns(t, s, LineTestFilter{Result: LineTestError}); len(got) != 1 || got[0].ID != r2.ID || !got[0].Dialed.IsZero() || got[0].DialStatus != "" {
		t.Fatalf("error runs = %+v", got)
	}
	// Unknown ids and bad arguments.
	if ok, err := s.FinishLineTestRun(ctx, 9999, LineTestPass, "", ended); ok || !errors.Is(err, ErrNoLineTestRun) {
		t.Errorf("finish of unknown run = %v, %v; want ErrNoLineTestRun", ok, err)
	}
	if err := s.DialedLineTestRun(ctx, 9999, "completed", "", dialed, 0); !errors.Is(err, ErrNoLineTestRun) {
		t.Errorf("dial of unknown run = %v; want ErrNoLineTestRun", err)
	}
	r3 := mustStartLT(t, s, ltRun("rbkc", "+442079460015", "manual", ltBase))
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"finish running", func() error {
			_, err := s.FinishLineTestRun(ctx, r3.ID, LineTestRunning, "", ended)
			return err
		}(), `result is "running"; want pass, fail or error`},
		{"finish no time", func() error { _, err := s.FinishLineTestRun(ctx, r3.ID, LineTestPass, "", time.Time{}); return err }(), "ended is zero"},
		{"finish reason newline", func() error {
			_, err := s.FinishLineTestRun(ctx, r3.ID, LineTestPass, "a\nb", ended)
			return err
		}(), "reason has control characters"},
		{"dial empty status", s.DialedLineTestRun(ctx, r3.ID, "", "", dialed, 0), `dial status is ""`},
		{"dial negative", s.DialedLineTestRun(ctx, r3.ID, "completed", "", dialed, -time.Second), "duration is -1s"},
		{"dial no time", s.DialedLineTestRun(ctx, r3.ID, "completed", "", time.Time{}, 0), "dialed is zero"},
	} {
		if !errors.Is(tc.err, ErrInvalidLineTest) || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: err = %v; want ErrInvalidLineTest containing %q", tc.name, tc.err, tc.want)
		}
	}
	if got := mustRuns(t, s, LineTestFilter{PO: "rbkc"}); len(got) != 1 || got[0] != r3 {
		t.Errorf("rejected calls wrote to the run: %+v", got)
	}
}

func testLineTestInvalid(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ok := ltRun("enfield", "+442079460010", "low_demand", ltBase)
	with := func(f func(r *LineTestRun)) LineTestRun { r := ok; f(&r); return r }
	for _, tc := range []struct {
		r    LineTestRun
		want string
	}{
		{with(func(r *LineTestRun) { r.ID = 7 }), "ID is 7; leave it 0"},
		{with(func(r *LineTestRun) { r.PO = "" }), "PO is empty"},
		{with(func(r *LineTestRun) { r.AccessNumber = "020 7946 0010" }), "AccessNumber is not E.164"},
		{with(func(r *LineTestRun) { r.AccessNumber = "" }), "AccessNumber is not E.164"},
		{with(func(r *LineTestRun) { r.Trigger = "Low Demand" }), `Trigger is "Low Demand"; want low_demand, handover or manual`},
		{with(func(r *LineTestRun) { r.Result = LineTestPass }), `Result is "pass"; a run starts "running"`},
		{with(func(r *LineTestRun) { r.DialStatus = "completed" }), "must be empty at the start"},
		{with(func(r *LineTestRun) { r.Duration = time.Second }), "must be empty at the start"},
		{with(func(r *LineTestRun) { r.Ended = ltBase }), "Ended must be zero"},
		{with(func(r *LineTestRun) { r.Started = time.Time{} }), "Started is zero"},
		{with(func(r *LineTestRun) { r.Started = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }), "Started is zero or out of range"},
		{with(func(r *LineTestRun) { r.Reason = strings.Repeat("x", MaxLineTestReasonBytes+1) }), "Reason is 501 bytes; at most 500"},
	} {
		_, err := s.StartLineTestRun(context.Background(), tc.r)
		if !errors.Is(err, ErrInvalidLineTest) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("StartLineTestRun(%+v) err = %v; want ErrInvalidLineTest containing %q", tc.r, err, tc.want)
		}
	}
	if got := mustRuns(t, s, LineTestFilter{}); len(got) != 0 {
		t.Fatalf("invalid runs were written: %+v", got)
	}
	// A running run may carry a reason (why it was started by hand).
	r := mustStartLT(t, s, with(func(r *LineTestRun) { r.Trigger, r.Reason = "manual", "after the BT repair" }))
	if r.Reason != "after the BT repair" || r.Result != LineTestRunning {
		t.Fatalf("run = %+v", r)
	}
}

// The schema itself refuses what the methods never write.
func testLineTestSchema(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ins := `INSERT INTO linetest_runs (po, access_number, trigger, result, reason, dial_status, ref, started_ns, dialed_ns, ended_ns, duration_ns)
 VALUES ('p', '+442079460010', 'manual', ?, '', '', '', 1, NULL, ?, 0)`
	for _, tc := range []struct {
		result string
		ended  any
	}{{"maybe", 2}, {"pass", nil}, {"running", 2}} {
		if _, err := s.db.Exec(s.d.rebind(ins), tc.result, tc.ended); err == nil {
			t.Errorf("the schema accepted result %q with ended_ns %v", tc.result, tc.ended)
		}
	}
	if _, err := s.db.Exec(s.d.rebind(ins), "pass", 2); err != nil {
		t.Fatalf("a valid row was refused: %v", err)
	}
}

func testLineTestAbandon(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	old := mustStartLT(t, s, ltRun("enfield", "+442079460010", "low_demand", ltBase.Add(-2*time.Hour)))
	dialedOld := mustStartLT(t, s, ltRun("enfield", "+442079460009", "handover", ltBase.Add(-time.Hour)))
	if err := s.DialedLineTestRun(ctx, dialedOld.ID, "completed", "CA1", ltBase.Add(-time.Hour+time.Minute), time.Minute); err != nil {
		t.Fatal(err)
	}
	finished := mustStartLT(t, s, ltRun("rbkc", "+442079460015", "low_demand", ltBase.Add(-3*time.Hour)))
	if ok, err := s.FinishLineTestRun(ctx, finished.ID, LineTestPass, "", ltBase.Add(-3*time.Hour+time.Minute)); err != nil || !ok {
		t.Fatal(ok, err)
	}
	recent := mustStartLT(t, s, ltRun("rbkc", "+442079460015", "low_demand", ltBase.Add(-10*time.Minute)))
	edge := mustStartLT(t, s, ltRun("rbkc", "+442079460014", "low_demand", ltBase.Add(-15*time.Minute)))

	before, now := ltBase.Add(-15*time.Minute), ltBase
	var mu sync.Mutex
	var got []LineTestRun
	var wg sync.WaitGroup
	for range 3 { // three probers restarting at once: each run is abandoned once
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs, err := s.AbandonRunningLineTests(ctx, before, "prober restarted mid-test", now)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			got = append(got, rs...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if ids := runIDs(got); !reflect.DeepEqual(ids, []int64{old.ID, dialedOld.ID}) {
		t.Fatalf("abandoned %v; want %d then %d (started before %s, still running)", ids, old.ID, dialedOld.ID, before)
	}
	if g := got[1]; g.Result != LineTestError || g.Reason != "prober restarted mid-test" || !g.Ended.Equal(now) ||
		g.DialStatus != "completed" || g.Duration != time.Minute {
		t.Errorf("abandoned run = %+v; want error with the reason, ended now, dial kept", g)
	}
	running := mustRuns(t, s, LineTestFilter{Result: LineTestRunning})
	if ids := runIDs(running); !reflect.DeepEqual(ids, []int64{edge.ID, recent.ID}) {
		t.Errorf("still running %v; want %d (started exactly at before) and %d", ids, edge.ID, recent.ID)
	}
	if rs := mustRuns(t, s, LineTestFilter{Result: LineTestPass}); len(rs) != 1 || rs[0].Reason != "" || !rs[0].Ended.Equal(ltBase.Add(-3*time.Hour+time.Minute)) {
		t.Errorf("a finished run was touched: %+v", rs)
	}
	if rs, err := s.AbandonRunningLineTests(ctx, before, "again", now); err != nil || len(rs) != 0 {
		t.Errorf("second abandon = %+v, %v; want none", rs, err)
	}
	if _, err := s.AbandonRunningLineTests(ctx, before, " ", now); !errors.Is(err, ErrInvalidLineTest) {
		t.Errorf("abandon without a reason: %v; want ErrInvalidLineTest", err)
	}
}

// ltCalls are calls on two numbers, the first with two series (service
// options), of every outcome and kind, around the window edges.
func ltCalls(from, to time.Time) []Call {
	const a, b = "+442083590000", "+442083590001"
	mk := func(id string, at time.Time, outcome string, number, option string, test bool) Call {
		c := mkCall(id, at, outcome, 10)
		c.AccessNumber, c.ServiceOption = number, option
		if test {
			c.Kind = KindTest
		}
		return c
	}
	return []Call{
		mk("at-from", from, OutcomeAnswered, a, "housing_repairs", false),                           // in
		mk("before-from", from.Add(-time.Nanosecond), OutcomeAnswered, a, "housing_repairs", false), // out
		mk("at-to", to, OutcomeAbandoned, a, "housing_repairs", false),                              // out
		mk("before-to", to.Add(-time.Nanosecond), OutcomeAbandoned, a, "noise", false),              // in
		mk("ivr", from.Add(20*time.Minute), OutcomeIVROnly, a, "noise", false),                      // in
		mk("ab", from.Add(31*time.Minute), OutcomeAbandoned, a, "housing_repairs", false),           // in
		mk("test1", from.Add(5*time.Minute), OutcomeAnswered, a, "housing_repairs", true),           // in, test
		mk("test2", from.Add(40*time.Minute), OutcomeAnswered, a, "noise", true),                    // in, test
		mk("test-at-to", to, OutcomeAnswered, a, "noise", true),                                     // out
		mk("test-abandoned", from.Add(50*time.Minute), OutcomeAbandoned, a, "noise", true),          // in, test
		mk("other-number", from.Add(10*time.Minute), OutcomeAnswered, b, "housing_repairs", false),
		mk("other-test", from.Add(10*time.Minute), OutcomeAnswered, b, "housing_repairs", true),
	}
}

func testCallsOnNumber(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	from, to := ltBase.Add(-time.Hour), ltBase // 02:10:00.5 to 03:10:00.5: partial intervals at both edges
	mustInsert(t, s, ltCalls(from, to))
	for _, tc := range []struct {
		name           string
		number         string
		from, to       time.Time
		public, tested int
	}{
		{"unaligned hour", "+442083590000", from, to, 4, 3},
		{"other number", "+442083590001", from, to, 1, 1},
		{"unknown number", "+442079460999", from, to, 0, 0},
		{"from a nanosecond earlier", "+442083590000", from.Add(-time.Nanosecond), to, 5, 3},
		{"to a nanosecond later", "+442083590000", from, to.Add(time.Nanosecond), 5, 4},
		{"aligned, whole intervals only", "+442083590000", from.Truncate(time.Hour), from.Truncate(time.Hour).Add(2 * time.Hour), 6, 4},
		{"inside one interval", "+442083590000", from.Add(4 * time.Minute), from.Add(6 * time.Minute), 0, 1},
		{"empty window", "+442083590000", from, from, 0, 0},
	} {
		pub, tst, err := s.CallsOnNumber(ctx, tc.number, tc.from, tc.to)
		if err != nil || pub != tc.public || tst != tc.tested {
			t.Errorf("%s: CallsOnNumber = %d public, %d test, %v; want %d, %d", tc.name, pub, tst, err, tc.public, tc.tested)
		}
	}
	if _, _, err := s.CallsOnNumber(ctx, "+442083590000", to, from); err == nil || !strings.Contains(err.Error(), "before its start") {
		t.Errorf("reversed window: %v; want an error", err)
	}
}

// CallsOnNumber agrees with counting the calls one by one for any window.
func testCallsOnNumberRandom(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(4, 5))
	numbers := []string{"+442083590000", "+442083590001"}
	var calls []Call
	for i := range 600 {
		at := ltBase.Add(time.Duration(r.Int64N(int64(6 * time.Hour))))
		c := mkCall(fmt.Sprintf("r%d", i), at, []string{OutcomeAnswered, OutcomeAbandoned, OutcomeIVROnly}[r.IntN(3)], 12)
		c.AccessNumber = numbers[r.IntN(2)]
		if r.IntN(4) == 0 {
			c.Kind = KindTest
		}
		calls = append(calls, c)
	}
	mustInsert(t, s, calls)
	for range 40 {
		from := ltBase.Add(time.Duration(r.Int64N(int64(5 * time.Hour))))
		if r.IntN(3) == 0 {
			from = from.Truncate(IntervalLength)
		}
		to := from.Add(time.Duration(r.Int64N(int64(3 * time.Hour))))
		for _, n := range numbers {
			var wantPub, wantTest int
			for _, c := range calls {
				if c.AccessNumber == n && !c.QueuedAt.Before(from) && c.QueuedAt.Before(to) {
					if c.Kind == KindTest {
						wantTest++
					} else {
						wantPub++
					}
				}
			}
			pub, tst, err := s.CallsOnNumber(ctx, n, from, to)
			if err != nil || pub != wantPub || tst != wantTest {
				t.Fatalf("CallsOnNumber(%s, %s, %s) = %d, %d, %v; want %d, %d", n, from, to, pub, tst, err, wantPub, wantTest)
			}
		}
	}
}
