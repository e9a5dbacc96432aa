package rules

import (
	"math"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// The volume model behind SourceSilent and CallSurge: each PO's yearly
// calls (catalogue yearly_calls, or catalog.DefaultYearlyCalls)
// spread over its hours of service by the evening-peak profile below.
//
// The profile is catalog.DemandWeight, the one the simulator draws from;
// TestCallSurgeQuietOnSimulatedWeek checks these thresholds against the
// simulator itself.

// The reference week starts on a Monday with no bank holiday near it, so the
// model comes from the weekly hours alone and the generated file does not
// change with the date it is generated on. Leaving out the bank holidays
// (busy all day) spreads the year's calls over fewer weighted hours, so the
// expected rates are a little high: CallSurge errs towards silence.
const (
	refYear, refMonth, refDay = 2025, time.June, 2

	stepsPerWeek = 7 * 48 // half-hours: Tower Hamlets hands over at 17:30
	weeksPerYear = 365.25 / 7
)

// volumeModel is the expected call rate of each PO through a reference week.
type volumeModel struct {
	start     time.Time
	perWeight map[string]float64 // calls an hour per unit of catalog.DemandWeight
}

func newVolumeModel(c *catalog.Catalog) volumeModel {
	vm := volumeModel{start: time.Date(refYear, refMonth, refDay, 0, 0, 0, 0, c.Location()), perWeight: map[string]float64{}}
	for i := range c.Organisations {
		p := &c.Organisations[i]
		yearly := float64(p.ExpectedYearlyCalls())
		weekly := 0.0 // weighted hours of service in the week
		for s := 0; s < stepsPerWeek; s++ {
			if w, ok := vm.weight(c, p, s); ok {
				weekly += w / 2
			}
		}
		if weekly == 0 { // no weekly hours (bank holidays only): spread over every hour
			weekly = 7 * 24 * catalog.PeakDemandWeight
		}
		vm.perWeight[p.ID] = yearly / (weekly * weeksPerYear)
	}
	return vm
}

// mid is the middle of half-hour step s of the reference week.
func (vm volumeModel) mid(s int) time.Time {
	return vm.start.Add(time.Duration(s)*30*time.Minute + 15*time.Minute)
}

// weight is the PO's profile weight at step s, and whether it is in service.
func (vm volumeModel) weight(c *catalog.Catalog, p *catalog.PO, s int) (float64, bool) {
	t := vm.mid(s)
	if !c.InService(p.ID, "", t) {
		return 0, false
	}
	return catalog.DemandWeight(t.In(p.Location())), true
}

// peakRate is the PO's expected calls an hour in its busiest hour.
func (vm volumeModel) peakRate(po string) float64 { return vm.perWeight[po] * catalog.PeakDemandWeight }

// silence is SourceSilent's threshold and what it rests on.
type silence struct {
	threshold time.Duration
	expected  float64 // fewest calls expected in any such window the alert watches
}

// silenceThreshold is the shortest silence T (in 5-minute steps, at least
// cfg.MinSilence, at most a day) that calls arriving at random (Poisson)
// at the model's rates would leave, within the alert's gate, at most
// cfg.SilenceFalseAlarmsPerYear times a year. The gate is that some PO has
// been in service throughout the last T; each 5-minute instant where it
// holds is a chance of a false alarm, with probability exp(-calls expected
// in the T before it), summed over a year (a union bound, so the real rate
// is lower). The sum is dominated by the quietest window: the small hours,
// all POs in service together.
func (vm volumeModel) silenceThreshold(c *catalog.Catalog, cfg PlatformConfig) silence {
	const step = 5 * time.Minute
	const n = 2 * 7 * 24 * 12  // two reference weeks, so windows may wrap round
	rate := make([]float64, n) // calls expected in each step
	run := make([]int, n)      // longest run of steps, ending here, with some PO in service throughout
	pos := make([]int, len(c.Organisations))
	for k := 0; k < n; k++ {
		t := vm.start.Add(time.Duration(k)*step + step/2)
		for i := range c.Organisations {
			p := &c.Organisations[i]
			if !c.InService(p.ID, "", t) {
				pos[i] = 0
				continue
			}
			pos[i]++
			rate[k] += vm.perWeight[p.ID] * catalog.DemandWeight(t.In(p.Location())) * step.Hours()
			run[k] = max(run[k], pos[i])
		}
	}
	cum := make([]float64, n+1)
	for k, r := range rate {
		cum[k+1] = cum[k] + r
	}
	first := int(math.Ceil(float64(cfg.MinSilence) / float64(step)))
	for w := first; w <= 24*12; w++ {
		low, ends := math.Inf(1), 0
		for e := n / 2; e < n; e++ { // ends in the second week
			if run[e] < w {
				continue
			}
			ends++
			low = math.Min(low, cum[e+1]-cum[e+1-w])
		}
		if ends == 0 {
			continue // no window this long is ever in service
		}
		if float64(ends)*weeksPerYear*math.Exp(-low) <= cfg.SilenceFalseAlarmsPerYear {
			return silence{threshold: time.Duration(w) * step, expected: low}
		}
	}
	return silence{threshold: 24 * time.Hour}
}
