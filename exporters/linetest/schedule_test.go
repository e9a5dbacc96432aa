package linetest

import (
	"testing"
	"time"
)

func TestCallsPerHour(t *testing.T) {
	for calls, want := range map[int]int{0: 0, 1: 4, 3: 12} {
		if got := CallsPerHour(calls); got != want {
			t.Errorf("CallsPerHour(%d) = %d, want %d", calls, got, want)
		}
	}
}

func TestDecide(t *testing.T) {
	c := testCatalog(t)
	utc := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// handover: both LastStarted and LastHandoverStarted at h.
	handover := func(h time.Time) State { return State{LastStarted: h, LastHandoverStarted: h} }
	cases := []struct {
		name     string
		number   string
		now      time.Time
		calls    int // calls per hour
		state    State
		in, req  bool
		handover time.Time // want LastHandover
		trigger  string
	}{
		{name: "monday day time: the council answers", number: mainNumber, now: at(t, "2026-11-23 16:59"),
			handover: at(t, "2026-11-22 17:00"), state: handover(at(t, "2026-11-22 17:00"))},
		{name: "handover", number: mainNumber, now: at(t, "2026-11-23 17:00"),
			in: true, req: true, handover: at(t, "2026-11-23 17:00"), trigger: TriggerHandover,
			state: State{LastStarted: at(t, "2026-11-23 07:40"), LastHandoverStarted: at(t, "2026-11-22 17:00")}},
		{name: "handover test due on a busy evening too", number: mainNumber, now: at(t, "2026-11-23 17:01"), calls: 40,
			in: true, handover: at(t, "2026-11-23 17:00"), trigger: TriggerHandover},
		{name: "handover last moment of the grace", number: mainNumber, now: at(t, "2026-11-23 17:04:59"),
			in: true, req: true, handover: at(t, "2026-11-23 17:00"), trigger: TriggerHandover,
			state: State{LastStarted: at(t, "2026-11-23 07:50")}},
		{name: "grace over: no handover test, a low-demand one", number: mainNumber, now: at(t, "2026-11-23 17:05"),
			in: true, req: true, handover: at(t, "2026-11-23 17:00"), trigger: TriggerLowDemand,
			state: State{LastStarted: at(t, "2026-11-23 07:50")}},
		{name: "handover test done", number: mainNumber, now: at(t, "2026-11-23 17:02"),
			in: true, req: true, handover: at(t, "2026-11-23 17:00"), state: handover(at(t, "2026-11-23 17:00"))},
		{name: "interval not over", number: mainNumber, now: at(t, "2026-11-23 17:29:59"),
			in: true, req: true, handover: at(t, "2026-11-23 17:00"), state: handover(at(t, "2026-11-23 17:00"))},
		{name: "interval over", number: mainNumber, now: at(t, "2026-11-23 17:30"),
			in: true, req: true, handover: at(t, "2026-11-23 17:00"), trigger: TriggerLowDemand,
			state: handover(at(t, "2026-11-23 17:00"))},
		{name: "demand at the threshold: not required", number: mainNumber, now: at(t, "2026-11-23 21:00"), calls: 2,
			in: true, handover: at(t, "2026-11-23 17:00"), state: handover(at(t, "2026-11-23 17:00"))},
		{name: "demand under the threshold", number: mainNumber, now: at(t, "2026-11-23 21:00"), calls: 1,
			in: true, req: true, handover: at(t, "2026-11-23 17:00"), trigger: TriggerLowDemand,
			state: handover(at(t, "2026-11-23 17:00"))},
		{name: "never tested", number: mainNumber, now: at(t, "2026-11-24 03:00"),
			in: true, req: true, handover: at(t, "2026-11-23 17:00"), trigger: TriggerLowDemand},
		{name: "last moment of service", number: mainNumber, now: at(t, "2026-11-24 07:59"),
			in: true, req: true, handover: at(t, "2026-11-23 17:00"), trigger: TriggerLowDemand,
			state: State{LastStarted: at(t, "2026-11-24 07:29"), LastHandoverStarted: at(t, "2026-11-23 17:00")}},
		{name: "service over", number: mainNumber, now: at(t, "2026-11-24 08:00"),
			handover: at(t, "2026-11-23 17:00"), state: State{LastStarted: at(t, "2026-11-24 07:00")}},

		// Clocks go forward at 01:00 UTC on Sunday 2026-03-29: 30 minutes of
		// real time from 00:50 GMT is 02:20 BST.
		{name: "BST starts: interval in real time, not yet", number: mainNumber, now: utc("2026-03-29 01:19:00"),
			in: true, req: true, handover: utc("2026-03-28 17:00:00"),
			state: State{LastStarted: utc("2026-03-29 00:50:00"), LastHandoverStarted: utc("2026-03-28 17:00:00")}},
		{name: "BST starts: interval over at 02:20 BST", number: mainNumber, now: utc("2026-03-29 01:20:00"),
			in: true, req: true, handover: utc("2026-03-28 17:00:00"), trigger: TriggerLowDemand,
			state: State{LastStarted: utc("2026-03-29 00:50:00"), LastHandoverStarted: utc("2026-03-28 17:00:00")}},
		{name: "BST starts: service ends 08:00 BST", number: mainNumber, now: utc("2026-03-29 07:00:00"),
			handover: utc("2026-03-28 17:00:00"), state: State{LastStarted: utc("2026-03-29 06:00:00")}},
		{name: "BST starts: handover at 17:00 BST is 16:00 UTC", number: mainNumber, now: utc("2026-03-29 16:00:00"),
			in: true, req: true, handover: utc("2026-03-29 16:00:00"), trigger: TriggerHandover,
			state: handover(utc("2026-03-28 17:00:00"))},
		{name: "BST starts: 16:59 UTC is after the handover's grace", number: mainNumber, now: utc("2026-03-29 16:59:00"),
			in: true, req: true, handover: utc("2026-03-29 16:00:00"), trigger: TriggerLowDemand,
			state: State{LastStarted: utc("2026-03-29 06:30:00"), LastHandoverStarted: utc("2026-03-28 17:00:00")}},

		// Clocks go back at 01:00 UTC on Sunday 2026-10-25: 01:50 BST is
		// 00:50 UTC, and 01:10 GMT (wall clock earlier) is 20 minutes later.
		{name: "BST ends: the repeated hour is not a gap", number: mainNumber, now: utc("2026-10-25 01:10:00"),
			in: true, req: true, handover: utc("2026-10-24 16:00:00"),
			state: State{LastStarted: utc("2026-10-25 00:50:00"), LastHandoverStarted: utc("2026-10-24 16:00:00")}},
		{name: "BST ends: interval over at 01:20 GMT", number: mainNumber, now: utc("2026-10-25 01:20:00"),
			in: true, req: true, handover: utc("2026-10-24 16:00:00"), trigger: TriggerLowDemand,
			state: State{LastStarted: utc("2026-10-25 00:50:00"), LastHandoverStarted: utc("2026-10-24 16:00:00")}},
		{name: "BST ends: handover at 17:00 GMT", number: mainNumber, now: utc("2026-10-25 17:00:00"),
			in: true, req: true, handover: utc("2026-10-25 17:00:00"), trigger: TriggerHandover,
			state: handover(utc("2026-10-24 16:00:00"))},
		{name: "BST ends: 16:00 UTC is day time", number: mainNumber, now: utc("2026-10-25 16:00:00"),
			handover: utc("2026-10-24 16:00:00"), state: handover(utc("2026-10-24 16:00:00"))},

		// Early May bank holiday, Monday 2026-05-04: 24-hour service from
		// Sunday 17:00 to Tuesday 08:00, so no handover on the Monday.
		{name: "bank holiday day time: in service", number: mainNumber, now: at(t, "2026-05-04 12:00"),
			in: true, req: true, handover: at(t, "2026-05-03 17:00"), trigger: TriggerLowDemand,
			state: State{LastStarted: at(t, "2026-05-04 11:30"), LastHandoverStarted: at(t, "2026-05-03 17:00")}},
		{name: "bank holiday 17:00: no handover", number: mainNumber, now: at(t, "2026-05-04 17:00"),
			in: true, req: true, handover: at(t, "2026-05-03 17:00"),
			state: State{LastStarted: at(t, "2026-05-04 16:45"), LastHandoverStarted: at(t, "2026-05-03 17:00")}},
		{name: "day after the bank holiday: handover", number: mainNumber, now: at(t, "2026-05-05 17:00"),
			in: true, req: true, handover: at(t, "2026-05-05 17:00"), trigger: TriggerHandover,
			state: State{LastStarted: at(t, "2026-05-05 07:45"), LastHandoverStarted: at(t, "2026-05-03 17:00")}},

		// The noise number: its only option is closed 03:00-08:00; no
		// handover test.
		{name: "noise number open", number: noiseNumber, now: at(t, "2026-11-24 02:59"),
			in: true, req: true, trigger: TriggerLowDemand},
		{name: "noise number closed daily", number: noiseNumber, now: at(t, "2026-11-24 03:00")},
		{name: "noise number at handover: low demand only", number: noiseNumber, now: at(t, "2026-11-24 17:00"),
			in: true, req: true, trigger: TriggerLowDemand, state: State{LastStarted: at(t, "2026-11-24 02:30")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(c, "borough", testNumber(t, c, tc.number), tc.now, tc.calls, tc.state)
			if d.InService != tc.in || d.Required != tc.req || d.Trigger != tc.trigger || !d.LastHandover.Equal(tc.handover) {
				t.Errorf("Decide at %s = {in %v, required %v, trigger %q, handover %s}, want {in %v, required %v, trigger %q, handover %s}",
					tc.now.UTC().Format(time.RFC3339), d.InService, d.Required, d.Trigger, fmtTime(d.LastHandover),
					tc.in, tc.req, tc.trigger, fmtTime(tc.handover))
			}
		})
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}

// TestDecideServiceOffset: the demo reads the hours of service on an
// evening clock while the runs keep real times; the handover comes back on
// the real clock.
func TestDecideServiceOffset(t *testing.T) {
	c := testCatalog(t)
	p, _ := c.PO(c.POIDs()[0])
	var n = &p.AccessNumbers[0]
	for i := range p.AccessNumbers {
		if p.AccessNumbers[i].Number == mainNumber {
			n = &p.AccessNumbers[i]
		}
	}
	noon := at(t, "2026-11-23 12:00") // Monday: the council answers
	off := at(t, "2026-11-23 22:00").Sub(noon)
	if d := Decide(c, p.ID, n, noon, 0, State{}); d.InService {
		t.Fatal("in service at Monday noon")
	}
	d := decide(c, p.ID, n, noon, off, 0, State{})
	if !d.InService || !d.Required || d.Trigger != TriggerLowDemand {
		t.Fatalf("with the evening offset: %+v", d)
	}
	if want := at(t, "2026-11-23 17:00").Add(-off); !d.LastHandover.Equal(want) {
		t.Fatalf("LastHandover = %s, want %s (17:00 on the evening clock, as real time)", d.LastHandover, want)
	}
}
