package simulator

import (
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// DefaultYearlyCalls is assumed for a PO whose catalogue entry has no
// yearly_calls: about the median of the reference POs that state theirs.
const DefaultYearlyCalls = 27000

// hourWeight is the relative demand at local time l, when in service:
// the evening peak 17:00-21:00, a tail to midnight, quiet small hours,
// and busy weekend and bank-holiday days.
func hourWeight(l time.Time) float64 {
	h := l.Hour()
	switch {
	case h >= 17 && h < 21:
		return 3.0
	case h >= 21:
		return 1.6
	case h < 2:
		return 0.8
	case h < 6:
		return 0.3
	case h < 8:
		return 0.6
	default: // day time: weekends, bank holidays, Christmas days
		return 1.5
	}
}

// yearlyWeight integrates hourWeight over the PO's service hours of the
// year before ref, hour by hour, so that rate = yearly calls × weight / sum.
func yearlyWeight(c *catalog.Catalog, po string, ref time.Time) float64 {
	p, _ := c.PO(po)
	sum := 0.0
	start := ref.AddDate(-1, 0, 0).Truncate(time.Hour)
	for t := start; t.Before(ref); t = t.Add(time.Hour) {
		mid := t.Add(30 * time.Minute)
		if c.InService(po, "", mid) {
			sum += hourWeight(mid.In(p.Location()))
		}
	}
	return sum
}
