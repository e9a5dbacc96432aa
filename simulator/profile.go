package simulator

import (
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// yearlyWeight integrates catalog.DemandWeight over the PO's service hours of the
// year before ref, hour by hour, so that rate = yearly calls × weight / sum.
func yearlyWeight(c *catalog.Catalog, po string, ref time.Time) float64 {
	p, _ := c.PO(po)
	sum := 0.0
	start := ref.AddDate(-1, 0, 0).Truncate(time.Hour)
	for t := start; t.Before(ref); t = t.Add(time.Hour) {
		mid := t.Add(30 * time.Minute)
		if c.InService(po, "", mid) {
			sum += catalog.DemandWeight(mid.In(p.Location()))
		}
	}
	return sum
}
