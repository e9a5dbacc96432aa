package rules

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/simulator"
)

func TestGeneratePlatformRejectsBadConfig(t *testing.T) {
	c := loadExample(t)
	cfg := DefaultPlatformConfig()
	cfg.SurgeMultiple = 1
	cfg.SilenceFor = "ten minutes"
	_, err := GeneratePlatform(c, cfg)
	if err == nil || !strings.Contains(err.Error(), "SurgeMultiple") || !strings.Contains(err.Error(), `SilenceFor "ten minutes"`) {
		t.Fatalf("err = %v, want both SurgeMultiple and SilenceFor named", err)
	}
}

// The silence threshold grows as the catalogue gets quieter: one PO alone
// needs a longer silence than eleven together, and never less than the floor.
func TestSilenceThresholdFollowsVolume(t *testing.T) {
	c := loadExample(t)
	cfg := DefaultPlatformConfig()
	all := newVolumeModel(c).silenceThreshold(c, cfg)
	quiet := cfg
	quiet.SilenceFalseAlarmsPerYear = 0.01
	stricter := newVolumeModel(c).silenceThreshold(c, quiet)
	if all.threshold < cfg.MinSilence || all.threshold > 3*time.Hour {
		t.Errorf("threshold %s for the reference catalogue, want between %s and 3h", all.threshold, cfg.MinSilence)
	}
	if stricter.threshold <= all.threshold {
		t.Errorf("fewer false alarms allowed should need a longer silence: %s vs %s", stricter.threshold, all.threshold)
	}
}

// The generated CallSurge thresholds hold against the simulator itself: in
// a simulated ordinary week no PO's 15-minute rate stays over its
// threshold for the rule's 5 minutes, and the demo's surge scenario at rbkc
// does at rbkc.
func TestCallSurgeQuietOnSimulatedWeek(t *testing.T) {
	c := loadExample(t)
	cfg := DefaultPlatformConfig()
	vm := newVolumeModel(c)
	start := time.Date(2026, time.June, 1, 0, 0, 0, 0, c.Location())
	busiest := func(sc []simulator.Scenario, d time.Duration) map[string]int {
		s, err := simulator.New(simulator.Options{Catalog: c, Seed: 7, Start: start, Scenarios: sc})
		if err != nil {
			t.Fatal(err)
		}
		arrivals, seen, dups := map[string][]time.Time{}, map[string]bool{}, 0
		for at := start; !at.After(start.Add(d + time.Hour)); at = at.Add(10 * time.Minute) {
			for _, r := range s.Advance(at) {
				if seen[r.CallID] {
					dups++
					continue
				}
				seen[r.CallID] = true
				arrivals[r.PO] = append(arrivals[r.PO], r.QueuedAt)
			}
		}
		if dups > 0 {
			t.Fatalf("%d duplicate records from the simulator", dups)
		}
		// As the rule sees it: calls in the 15 minutes before each minute,
		// the least of them over the 5 minutes of "for" (6 evaluations).
		most := map[string]int{}
		for po, ts := range arrivals {
			var per []int
			for e := start.Add(15 * time.Minute); !e.After(start.Add(d)); e = e.Add(time.Minute) {
				n := 0
				for _, a := range ts {
					if a.After(e.Add(-15*time.Minute)) && !a.After(e) {
						n++
					}
				}
				per = append(per, n)
			}
			for k := 5; k < len(per); k++ {
				most[po] = max(most[po], slices.Min(per[k-5:k+1]))
			}
		}
		return most
	}
	for po, n := range busiest(nil, 7*24*time.Hour) {
		if th := surgeThreshold(cfg, vm.peakRate(po)); float64(n)*4 > th {
			t.Errorf("%s: an ordinary simulated week holds %d calls in 15 minutes (%d an hour) for 5 minutes, over CallSurge's %g", po, n, n*4, th)
		}
	}
	sc, err := simulator.ParseScenario("surge:rbkc", c)
	if err != nil {
		t.Fatal(err)
	}
	// Monday 18:00 to 19:00: an evening under way.
	s := busiest([]simulator.Scenario{sc}, 19*time.Hour)
	if th := surgeThreshold(cfg, vm.peakRate("rbkc")); float64(s["rbkc"])*4 <= th {
		t.Errorf("surge:rbkc reaches only %d calls in 15 minutes, under CallSurge's %g an hour", s["rbkc"], th)
	}
}
