package catalog

// KPI is one contract key performance indicator: x / y × 100 over a
// reporting period with Target and Minimum Service Levels.
type KPI struct{}

// resolveKPIs validates the catalogue's kpis: list.
func (c *Catalog) resolveKPIs(v *validator, p path) {}
