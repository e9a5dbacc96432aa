package simulator

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

func example(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("../examples/london-ooh.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// run advances minute by minute over d and returns every record.
func run(t testing.TB, o Options, d time.Duration) []Record {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	var out []Record
	for now := o.Start; !now.After(o.Start.Add(d)); now = now.Add(time.Minute) {
		out = append(out, s.Advance(now)...)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	c := example(t)
	start := time.Date(2026, 11, 23, 17, 0, 0, 0, c.Location())
	o := Options{Catalog: c, Seed: 7, Start: start}
	a, b := run(t, o, 2*time.Hour), run(t, o, 2*time.Hour)
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed gave different runs (%d vs %d records)", len(a), len(b))
	}
	o.Seed = 8
	if c := run(t, o, 2*time.Hour); reflect.DeepEqual(a, c) {
		t.Fatal("a different seed gave the same run")
	}
}

func TestWeeklyVolumeIsRealistic(t *testing.T) {
	c := example(t)
	start := time.Date(2026, 11, 16, 0, 0, 0, 0, c.Location()) // Monday, no bank holiday that week
	recs := run(t, Options{Catalog: c, Seed: 1, Start: start}, 7*24*time.Hour)
	perPO := map[string]int{}
	for _, r := range recs {
		perPO[r.PO]++
	}
	for _, p := range c.Organisations {
		if p.YearlyCalls == 0 {
			continue
		}
		want := float64(p.YearlyCalls) / 52
		got := float64(perPO[p.ID])
		if got < want*0.8 || got > want*1.2 {
			t.Errorf("%s: %v calls in a week, want about %.0f (yearly %d / 52)", p.ID, got, want, p.YearlyCalls)
		}
	}
}

func TestShapeFollowsServiceHours(t *testing.T) {
	c := example(t)
	start := time.Date(2026, 11, 16, 0, 0, 0, 0, c.Location())
	recs := run(t, Options{Catalog: c, Seed: 3, Start: start}, 7*24*time.Hour)
	byHour := map[int]int{}
	for _, r := range recs {
		l := r.QueuedAt.In(c.Location())
		if !c.InService(r.PO, r.ServiceOption, l) {
			t.Fatalf("%s %s call queued out of service at %v", r.PO, r.ServiceOption, l)
		}
		byHour[l.Hour()]++
	}
	if evening, night := byHour[18], byHour[4]; evening < 4*night {
		t.Errorf("evening 18:00 hour has %d calls, small hours 04:00 %d: want an evening peak", evening, night)
	}
}

func TestProfileOffsetShowsAnEvening(t *testing.T) {
	c := example(t)
	// 10:00 on a Monday: the councils answer their own phones...
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, c.Location())
	if recs := run(t, Options{Catalog: c, Seed: 1, Start: start}, time.Hour); len(recs) != 0 {
		t.Fatalf("%d calls at 10:00 on a weekday", len(recs))
	}
	// ...unless the profile is shifted to 18:00; timestamps stay real.
	recs := run(t, Options{Catalog: c, Seed: 1, Start: start, ProfileOffset: 8 * time.Hour}, time.Hour)
	if len(recs) < 20 {
		t.Fatalf("only %d calls in a shifted evening hour", len(recs))
	}
	if recs[0].QueuedAt.Before(start) {
		t.Fatalf("record timestamp %v before the real start", recs[0].QueuedAt)
	}
}

func TestSurgeOverwhelmsOnePO(t *testing.T) {
	c := example(t)
	start := time.Date(2026, 11, 23, 18, 0, 0, 0, c.Location())
	sc, err := ParseScenario("surge:rbkc", c)
	if err != nil {
		t.Fatal(err)
	}
	recs := run(t, Options{Catalog: c, Seed: 1, Start: start, Scenarios: []Scenario{sc}}, 10*time.Minute)
	type tally struct{ offered, within int }
	m := map[string]*tally{}
	for _, r := range recs {
		if r.Outcome == "ivr_only" {
			continue
		}
		if m[r.PO] == nil {
			m[r.PO] = &tally{}
		}
		m[r.PO].offered++
		if r.AnsweredAt != nil && r.AnsweredAt.Sub(r.QueuedAt) <= 20*time.Second {
			m[r.PO].within++
		}
	}
	rb := m["rbkc"]
	if rb == nil || rb.offered < 20 || float64(rb.within) >= 0.8*float64(rb.offered) {
		t.Fatalf("rbkc in a surge: %+v, want many calls, under 80%% within 20 s", rb)
	}
	if e := m["ealing"]; e != nil && e.offered > rb.offered/5 {
		t.Errorf("ealing should be at normal volume: %d calls vs rbkc %d", e.offered, rb.offered)
	}
}

func TestParseScenarioErrors(t *testing.T) {
	c := example(t)
	for _, s := range []string{"surge", "flood:rbkc", "surge:nowhere", "surge:rbkc:+442079460014",
		"deadline:enfield:+442079460014", "deadline:enfield:+449999", "overdue:haringey:x"} {
		if _, err := ParseScenario(s, c); err == nil {
			t.Errorf("ParseScenario(%q) accepted", s)
		}
	}
	_, err := ParseScenario("overdue:rbkc", c)
	if err == nil || !strings.Contains(err.Error(), "rbkc has no lone-worker staff groups") || !strings.Contains(err.Error(), "with them: haringey") {
		t.Errorf("overdue:rbkc: %v; want it refused, naming the POs with lone workers", err)
	}
	if sc, err := ParseScenario("overdue:haringey", c); err != nil || sc.Kind != Overdue || sc.PO != "haringey" {
		t.Errorf("overdue:haringey = %+v, %v", sc, err)
	}
}

func TestQueue(t *testing.T) {
	c := example(t)
	start := time.Date(2026, 11, 23, 18, 0, 0, 0, c.Location())
	sc, _ := ParseScenario("surge:rbkc", c)
	s, _ := New(Options{Catalog: c, Seed: 1, Start: start, Scenarios: []Scenario{sc}})
	now := start.Add(5 * time.Minute)
	s.Advance(now)
	total := 0
	for _, w := range s.Queue(now) {
		if w.Waiting <= 0 || w.OldestWaitSeconds < 0 || w.OldestWaitSeconds > 600 {
			t.Errorf("implausible queue entry %+v", w)
		}
		total += w.Waiting
	}
	if total == 0 {
		t.Error("nobody waiting during a surge")
	}
}

func TestCatchUpDeliversRecentCallsFirst(t *testing.T) {
	c := example(t)
	start := time.Date(2026, 11, 23, 19, 0, 0, 0, c.Location())
	s, err := New(Options{Catalog: c, Seed: 1, Start: start, CatchUp: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	first := s.Advance(start)
	if len(first) < 5 {
		t.Fatalf("catch-up delivered %d calls, want the ones that ended in the last 10 minutes", len(first))
	}
	for _, r := range first {
		if r.EndedAt.After(start) || r.QueuedAt.Before(start.Add(-10*time.Minute)) {
			t.Fatalf("catch-up call outside the window: %+v", r)
		}
	}
}

func TestSurgeConcentratesOnTheEmergency(t *testing.T) {
	c := example(t)
	start := time.Date(2026, 11, 23, 18, 0, 0, 0, c.Location())
	sc, _ := ParseScenario("surge:rbkc", c)
	recs := run(t, Options{Catalog: c, Seed: 2, Start: start, Scenarios: []Scenario{sc}}, 10*time.Minute)
	n, emergency := 0, 0
	for _, r := range recs {
		if r.PO == "rbkc" {
			n++
			if r.ServiceOption == surgeOption {
				emergency++
			}
		}
	}
	if emergency < n*9/10 {
		t.Errorf("%d of %d rbkc calls about the emergency, want nearly all", emergency, n)
	}
}

// A dead line takes no calls; the other lines carry on.
func TestDeadLineTakesNoCalls(t *testing.T) {
	c := example(t)
	start := time.Date(2026, 11, 23, 18, 0, 0, 0, c.Location())
	sc, err := ParseScenario("deadline:enfield", c)
	if err != nil {
		t.Fatal(err)
	}
	named, err := ParseScenario("deadline:enfield:+442079460010", c)
	if err != nil || named.Number != "+442079460010" {
		t.Fatalf("named number: %+v, %v", named, err)
	}
	s, _ := New(Options{Catalog: c, Seed: 1, Start: start, Scenarios: []Scenario{sc}})
	if got := s.Dead(); len(got) != 1 || got[0] != sc.Number {
		t.Fatalf("Dead() = %v; want [%s]", got, sc.Number)
	}
	calls := map[string]int{}
	for _, r := range run(t, Options{Catalog: c, Seed: 1, Start: start, Scenarios: []Scenario{sc}}, 3*time.Hour) {
		calls[r.AccessNumber]++
	}
	if calls[sc.Number] != 0 {
		t.Errorf("%d calls reached the dead line %s", calls[sc.Number], sc.Number)
	}
	if calls["+442079460001"] == 0 {
		t.Error("another PO's line took no calls")
	}
}
