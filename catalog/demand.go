package catalog

import "time"

// The demand profile: how calls spread over a PO's hours of service. The
// simulator draws traffic from it and the platform rules derive their
// surge and silence thresholds from it, so both agree by construction.

// DefaultYearlyCalls stands in for a PO without yearly_calls: about the
// median of the reference POs that state theirs.
const DefaultYearlyCalls = 27000

// PeakDemandWeight is the largest DemandWeight.
const PeakDemandWeight = 3.0

// DemandWeight is the relative demand at local time l, when in service:
// the evening peak 17:00-21:00, a tail to midnight, quiet small hours, and
// busy day times (weekends, bank holidays, Christmas days).
func DemandWeight(l time.Time) float64 {
	h := l.Hour()
	switch {
	case h >= 17 && h < 21:
		return PeakDemandWeight
	case h >= 21:
		return 1.6
	case h < 2:
		return 0.8
	case h < 6:
		return 0.3
	case h < 8:
		return 0.6
	default:
		return 1.5
	}
}

// ExpectedYearlyCalls is the PO's yearly_calls, or DefaultYearlyCalls.
func (p *PO) ExpectedYearlyCalls() int {
	if p.YearlyCalls > 0 {
		return p.YearlyCalls
	}
	return DefaultYearlyCalls
}
