package linetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/store"
)

// A quiet weeknight: a handover test at 17:00, then a low-demand test
// every 30 minutes while in service; all pass.
func TestQuietNight(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-23 16:55"))
	h.tickEvery(at(t, "2026-11-23 16:55"), at(t, "2026-11-24 08:10"), time.Minute)

	main := append([]string{"11-23 17:00:00 handover pass"},
		every(at(t, "2026-11-23 17:30"), at(t, "2026-11-24 07:30"), 30*time.Minute, TriggerLowDemand, ResultPass)...)
	h.wantRuns(mainNumber, main...)
	// The noise number has no handover test and is closed from 03:00.
	h.wantRuns(noiseNumber, every(at(t, "2026-11-23 17:00"), at(t, "2026-11-24 02:30"), 30*time.Minute, TriggerLowDemand, ResultPass)...)

	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{
		{"runs handover pass", h.runsTotal(mainNumber, TriggerHandover, ResultPass), 1},
		{"runs low_demand pass", h.runsTotal(mainNumber, TriggerLowDemand, ResultPass), 29},
		{"runs low_demand fail", h.runsTotal(mainNumber, TriggerLowDemand, ResultFail), 0},
		{"runs manual error", h.runsTotal(mainNumber, TriggerManual, ResultError), 0},
		{"last success", h.value(MetricLastSuccess, mainNumber), unix(at(t, "2026-11-24 07:30"))},
		{"last run success", h.value(MetricLastRunSuccess, mainNumber), 1},
		{"required after 08:00", h.value(MetricRequired, mainNumber), 0},
		{"last handover", h.value(MetricLastHandover, mainNumber), unix(at(t, "2026-11-23 17:00"))},
		{"last handover success", h.value(MetricLastHandoverSuccess, mainNumber), unix(at(t, "2026-11-23 17:00"))},
		{"noise: no handover test", h.value(MetricLastHandover, noiseNumber), 0},
		{"noise last success", h.value(MetricLastSuccess, noiseNumber), unix(at(t, "2026-11-24 02:30"))},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	m, _ := h.metric(MetricDuration, map[string]string{"access_number": mainNumber})
	if got := m.GetHistogram().GetSampleCount(); got != 30 {
		t.Errorf("linetest_duration_seconds count = %d, want 30 connected calls", got)
	}
	if got := m.GetHistogram().GetSampleSum(); got != 30*8 {
		t.Errorf("linetest_duration_seconds sum = %v, want 30 calls of 8 s", got)
	}
	h.tickAt(at(t, "2026-11-24 03:00"))
	if got := h.value(MetricRequired, mainNumber); got != 1 {
		t.Errorf("required at 03:00 = %v, want 1 (quiet, in service)", got)
	}
	for _, c := range h.sim.Calls() {
		if c.From != testCaller || c.Timeout != DefaultDialTimeout || c.RunID == 0 {
			t.Fatalf("call %+v: want From %s, Timeout %s and the run id", c, testCaller, DefaultDialTimeout)
		}
	}
}

// A busy evening: calls every 5 minutes keep demand over the threshold, so
// only the handover test runs; 15 minutes after the calls stop, the number
// is required again and tested at once.
func TestBusyEvening(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-23 16:45"))
	for c := at(t, "2026-11-23 16:45"); c.Before(at(t, "2026-11-23 23:00")); c = c.Add(5 * time.Minute) {
		h.publicCall(mainNumber, c)
	}
	for now := at(t, "2026-11-23 17:00"); !now.After(at(t, "2026-11-23 23:10")); now = now.Add(time.Minute) {
		h.tickAt(now)
		if got := h.value(MetricRequired, mainNumber); got != 0 {
			t.Fatalf("required at %s = %v, want 0 (12 calls an hour)", now.Format("15:04"), got)
		}
	}
	h.tickAt(at(t, "2026-11-23 23:11"))
	if got := h.value(MetricRequired, mainNumber); got != 1 {
		t.Errorf("required at 23:11 = %v, want 1: the last call was at 22:55", got)
	}
	h.wantRuns(mainNumber, "11-23 17:00:00 handover pass", "11-23 23:11:00 low_demand pass")
}

// A number that dies at 03:10 fails its next test, within one interval.
func TestDeadLine(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-24 02:00"))
	h.tickEvery(at(t, "2026-11-24 02:00"), at(t, "2026-11-24 03:09"), time.Minute)
	h.sim.Kill(mainNumber)
	h.tickEvery(at(t, "2026-11-24 03:10"), at(t, "2026-11-24 04:09"), time.Minute)
	if got := h.value(MetricLastRunSuccess, mainNumber); got != 0 {
		t.Errorf("last_run_success = %v, want 0", got)
	}
	if got := h.value(MetricLastSuccess, mainNumber); got != unix(at(t, "2026-11-24 03:00")) {
		t.Errorf("last_success = %v, want 03:00", got)
	}
	if got := h.runsTotal(mainNumber, TriggerLowDemand, ResultFail); got != 2 {
		t.Errorf("low_demand fails = %v, want 2 (03:30 and 04:00)", got)
	}
	h.sim.Restore(mainNumber)
	h.tickEvery(at(t, "2026-11-24 04:10"), at(t, "2026-11-24 04:30"), time.Minute)
	h.wantRuns(mainNumber, "11-24 02:00:00 low_demand pass", "11-24 02:30:00 low_demand pass",
		"11-24 03:00:00 low_demand pass", "11-24 03:30:00 low_demand fail", "11-24 04:00:00 low_demand fail",
		"11-24 04:30:00 low_demand pass")
	rs := h.runs(mainNumber)
	if r := rs[3]; r.DialStatus != DialFailed || !strings.Contains(r.Reason, "failed") || !r.Ended.Equal(r.Started) {
		t.Errorf("dead-line run = %+v: want dial status failed, a reason saying so, a verdict at once", r)
	}
	if got := h.value(MetricLastRunSuccess, mainNumber); got != 1 {
		t.Errorf("last_run_success after the repair = %v, want 1", got)
	}
}

// A diverted line connects, but the call never reaches the queue: the run
// waits for the telephony source and fails when SeenBound has passed.
func TestDivertedLine(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-24 02:00"))
	h.sim.Divert(mainNumber)
	h.tickAt(at(t, "2026-11-24 02:00"))
	h.tickAt(at(t, "2026-11-24 02:00:59"))
	rs := h.runs(mainNumber)
	if len(rs) != 1 || rs[0].Result != ResultRunning || rs[0].DialStatus != DialCompleted || rs[0].Ref == "" {
		t.Fatalf("runs before SeenBound = %+v, want one running, dialled (completed, with a ref)", rs)
	}
	if _, ok := h.metric(MetricLastRunSuccess, map[string]string{"access_number": mainNumber}); ok {
		t.Error("linetest_last_run_success exists before the first verdict")
	}
	h.tickAt(at(t, "2026-11-24 02:01"))
	rs = h.runs(mainNumber)
	if len(rs) != 1 || rs[0].Result != ResultFail || rs[0].Reason != ReasonNotSeen {
		t.Fatalf("runs after SeenBound = %+v, want one fail: %s", rs, ReasonNotSeen)
	}
	if got := h.value(MetricLastRunSuccess, mainNumber); got != 0 {
		t.Errorf("last_run_success = %v, want 0", got)
	}
}

// Handover tests start right after 17:00 local time, including on the
// Sundays the clocks change.
func TestHandoverAcrossClockChanges(t *testing.T) {
	for _, c := range []struct {
		name     string
		handover time.Time
	}{
		{"ordinary Monday", at(t, "2026-11-23 17:00")},
		{"clocks went forward that morning", time.Date(2026, 3, 29, 16, 0, 0, 0, time.UTC)},
		{"clocks went back that morning", time.Date(2026, 10, 25, 17, 0, 0, 0, time.UTC)},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.handover.Add(-10*time.Minute))
			h.tickEvery(c.handover.Add(-10*time.Minute), c.handover.Add(10*time.Minute), time.Minute)
			rs := h.runs(mainNumber)
			if len(rs) != 1 || rs[0].Trigger != TriggerHandover || !rs[0].Started.Equal(c.handover) || rs[0].Result != ResultPass {
				t.Fatalf("runs = %+v, want one passing handover test at %s", rs, c.handover.UTC())
			}
			if got := h.value(MetricLastHandover, mainNumber); got != unix(c.handover) {
				t.Errorf("last_handover = %v, want %v", got, unix(c.handover))
			}
			if got := h.value(MetricLastHandoverSuccess, mainNumber); got != unix(c.handover) {
				t.Errorf("last_handover_success = %v, want %v", got, unix(c.handover))
			}
		})
	}
}

// A prober that starts within the grace still runs the handover test; one
// that starts after it runs a low-demand test, and the handover metrics
// show the handover without a success (HandoverTestMissing).
func TestHandoverGrace(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-23 17:04"))
	h.tickAt(at(t, "2026-11-23 17:04"))
	h.wantRuns(mainNumber, "11-23 17:04:00 handover pass")

	late := newHarness(t, at(t, "2026-11-23 17:05"))
	late.tickAt(at(t, "2026-11-23 17:05"))
	late.wantRuns(mainNumber, "11-23 17:05:00 low_demand pass")
	if got := late.value(MetricLastHandover, mainNumber); got != unix(at(t, "2026-11-23 17:00")) {
		t.Errorf("last_handover = %v, want 17:00", got)
	}
	if got := late.value(MetricLastHandoverSuccess, mainNumber); got != 0 {
		t.Errorf("last_handover_success = %v, want 0: no handover test passed", got)
	}
}

// Early May bank holiday (Monday 2026-05-04): 24-hour service, so tests
// all day and no handover test at 17:00.
func TestBankHoliday(t *testing.T) {
	h := newHarness(t, at(t, "2026-05-03 16:55"))
	h.tickEvery(at(t, "2026-05-03 16:55"), at(t, "2026-05-04 18:00"), 5*time.Minute)
	want := append([]string{"05-03 17:00:00 handover pass"},
		every(at(t, "2026-05-03 17:30"), at(t, "2026-05-04 18:00"), 30*time.Minute, TriggerLowDemand, ResultPass)...)
	h.wantRuns(mainNumber, want...)
	if got := h.value(MetricLastHandover, mainNumber); got != unix(at(t, "2026-05-03 17:00")) {
		t.Errorf("last_handover on the bank holiday evening = %v, want Sunday 17:00", got)
	}
}

// A prober that crashed mid-test leaves a running run; the next prober
// turns it into an error once no live run can be that old, and counts it.
func TestCrashMidTest(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-24 03:00"))
	crashed, err := h.st.StartLineTestRun(h.ctx, store.LineTestRun{PO: "borough", AccessNumber: mainNumber,
		Trigger: TriggerLowDemand, Started: at(t, "2026-11-24 03:00")})
	if err != nil {
		t.Fatal(err)
	}

	// Restarted a minute later: the run may be another live process's.
	h.clock.Set(at(t, "2026-11-24 03:01"))
	h.restart()
	if rs := h.runs(mainNumber); len(rs) != 1 || rs[0].Result != ResultRunning {
		t.Fatalf("runs after a quick restart = %+v, want the run still running", rs)
	}
	// It counts as the 03:00 test: the next one is due at 03:30.
	h.tickEvery(at(t, "2026-11-24 03:01"), at(t, "2026-11-24 03:29"), time.Minute)
	rs := h.runs(mainNumber)
	if len(rs) != 1 || rs[0].ID != crashed.ID || rs[0].Result != ResultError || rs[0].Reason != ReasonAbandoned {
		t.Fatalf("runs = %+v, want the crashed run as an error: %s", rs, ReasonAbandoned)
	}
	if !rs[0].Ended.Equal(at(t, "2026-11-24 03:04")) {
		t.Errorf("abandoned at %s, want 03:04 (3.5 min after its start)", rs[0].Ended)
	}
	if got := h.runsTotal(mainNumber, TriggerLowDemand, ResultError); got != 1 {
		t.Errorf("low_demand errors = %v, want 1", got)
	}

	// Restarted ten minutes after a crash: an error at once.
	if _, err := h.st.StartLineTestRun(h.ctx, store.LineTestRun{PO: "borough", AccessNumber: noiseNumber,
		Trigger: TriggerManual, Started: at(t, "2026-11-24 02:50")}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(at(t, "2026-11-24 03:00"))
	h.restart()
	if rs := h.runs(noiseNumber); len(rs) != 1 || rs[0].Result != ResultError {
		t.Fatalf("noise runs = %+v, want the crashed run as an error at restart", rs)
	}
	if got := h.runsTotal(noiseNumber, TriggerManual, ResultError); got != 1 {
		t.Errorf("manual errors = %v, want 1", got)
	}
}

// A prober that stops ticking: linetest_last_success_timestamp_seconds
// stays at the last pass and ages; a restart restores it and tests at once.
func TestProberStops(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-24 02:00"))
	h.tickEvery(at(t, "2026-11-24 02:00"), at(t, "2026-11-24 02:31"), time.Minute)
	h.clock.Set(at(t, "2026-11-24 03:31")) // an hour without a Tick
	last := h.value(MetricLastSuccess, mainNumber)
	if last != unix(at(t, "2026-11-24 02:30")) {
		t.Fatalf("last_success = %v, want 02:30", last)
	}
	if age := unix(h.clock.Now()) - last; age <= (30*time.Minute).Seconds()+(5*time.Minute).Seconds() {
		t.Errorf("last success %v s ago, want older than interval + grace", age)
	}

	h.restart()
	if got := h.value(MetricLastSuccess, mainNumber); got != last {
		t.Errorf("restored last_success = %v, want %v", got, last)
	}
	if got := h.value(MetricLastRunSuccess, mainNumber); got != 1 {
		t.Errorf("restored last_run_success = %v, want 1", got)
	}
	h.tickAt(at(t, "2026-11-24 03:31"))
	h.wantRuns(mainNumber, "11-24 02:00:00 low_demand pass", "11-24 02:30:00 low_demand pass", "11-24 03:31:00 low_demand pass")
}

// Calls that do not connect fail at once with the reason; a dialer that
// cannot place the call is an error.
func TestDialOutcomes(t *testing.T) {
	for _, c := range []struct {
		name   string
		fault  func(*SimDialer)
		result string
		reason string
	}{
		{"busy", func(d *SimDialer) { d.Busy(mainNumber) }, ResultFail, "busy"},
		{"no answer", func(d *SimDialer) { d.NoAnswer(mainNumber) }, ResultFail, "no answer within 30s"},
		{"too slow", func(d *SimDialer) { d.Slow(mainNumber, 31*time.Second) }, ResultFail, "no answer within 30s (simulated slow answer after 31s)"},
		{"slow but in time", func(d *SimDialer) { d.Slow(mainNumber, 20*time.Second) }, ResultPass, ReasonPass},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, at(t, "2026-11-24 02:00"))
			c.fault(h.sim)
			h.tickAt(at(t, "2026-11-24 02:00"))
			rs := h.runs(mainNumber)
			if len(rs) != 1 || rs[0].Result != c.result || rs[0].Reason != c.reason {
				t.Fatalf("runs = %+v, want one %s: %q", rs, c.result, c.reason)
			}
		})
	}
	t.Run("dialer error", func(t *testing.T) {
		h := newHarness(t, at(t, "2026-11-24 02:00"))
		h.sim.o.OnConnect = func(ctx context.Context, to string, at time.Time) error {
			return errors.New("telephony webhook: 503\nService Unavailable")
		}
		h.tickAt(at(t, "2026-11-24 02:00"))
		rs := h.runs(mainNumber)
		if len(rs) != 1 || rs[0].Result != ResultError || !strings.HasPrefix(rs[0].Reason, "dialer: ") ||
			strings.ContainsAny(rs[0].Reason, "\n") || rs[0].DialStatus != "" {
			t.Fatalf("runs = %+v, want one error with the dialer's reason on one line", rs)
		}
		if got := h.runsTotal(mainNumber, TriggerLowDemand, ResultError); got != 1 {
			t.Errorf("errors = %v, want 1", got)
		}
		if _, ok := h.metric(MetricLastRunSuccess, map[string]string{"access_number": mainNumber}); ok {
			t.Error("an error set linetest_last_run_success; the line's state is unknown")
		}
	})
}

// A handover test that errors (the dialer failed, the line is unknown) is
// tried again on the next tick within the grace, not left until tomorrow.
func TestProberRetriesErroredHandoverTest(t *testing.T) {
	h := newHarness(t, at(t, "2026-11-23 17:00"))
	failing := true
	h.sim.o.OnConnect = func(ctx context.Context, to string, at time.Time) error {
		if failing {
			return errors.New("twilio: HTTP 503")
		}
		return h.arrive(ctx, to, at)
	}
	h.tickAt(at(t, "2026-11-23 17:00"))
	failing = false
	h.tickAt(at(t, "2026-11-23 17:00:30"))
	h.tickAt(at(t, "2026-11-23 17:01"))
	rs := h.runs(mainNumber)
	if len(rs) != 2 || rs[0].Trigger != TriggerHandover || rs[0].Result != ResultError ||
		rs[1].Trigger != TriggerHandover || rs[1].Result != ResultPass {
		t.Fatalf("runs = %+v; want the errored handover test, then a passing retry", rs)
	}
}
