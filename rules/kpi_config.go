package rules

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/slawatch/slawatch/catalog"
)

// KPIConfig tunes GenerateKPIWith; DefaultKPIConfig is what GenerateKPI
// (and `slawatch generate rules`) uses. Durations are Prometheus durations.
type KPIConfig struct {
	// Tile is the evaluation interval of the PromQL KPIs' group and the
	// window of their increase() tiles (as the SLA rules' long group).
	Tile string
	// Windows is the rolling window of kpi:outturn:ratio per reporting
	// frequency: the live view of "the period so far", not the contract
	// figure (slawatch kpi status evaluates the exact calendar period).
	Windows map[catalog.Frequency]string
	// ManualLookback: a manual KPI's outturn is the last
	// kpi_return_latest_value seen this far back, so an exporter restart
	// or a missed scrape does not blank it.
	ManualLookback string
}

// DefaultKPIConfig: 5m tiles; rolling windows of 30d (monthly), 91d
// (quarterly), 182d (six-monthly) and 365d (annual); manual returns looked
// back 1h.
func DefaultKPIConfig() KPIConfig {
	return KPIConfig{
		Tile: "5m",
		Windows: map[catalog.Frequency]string{
			catalog.FreqMonthly: "30d", catalog.FreqQuarterly: "91d", catalog.FreqSixMonthly: "182d", catalog.FreqAnnual: "365d",
		},
		ManualLookback: "1h",
	}
}

func (cfg KPIConfig) validate() error {
	var errs []error
	durations := []struct{ field, v string }{{"Tile", cfg.Tile}, {"ManualLookback", cfg.ManualLookback}}
	for _, f := range []catalog.Frequency{catalog.FreqMonthly, catalog.FreqQuarterly, catalog.FreqSixMonthly, catalog.FreqAnnual} {
		durations = append(durations, struct{ field, v string }{fmt.Sprintf("Windows[%s]", f), cfg.Windows[f]})
	}
	var tile time.Duration
	for _, f := range durations {
		d, err := model.ParseDuration(f.v)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("KPI rules config: %s %q is not a Prometheus duration (such as 5m, 30d): %w", f.field, f.v, err))
		case d <= 0:
			errs = append(errs, fmt.Errorf("KPI rules config: %s must be above 0, not %q", f.field, f.v))
		case f.field == "Tile":
			tile = time.Duration(d)
		case tile > 0 && f.field != "ManualLookback" && time.Duration(d)%tile != 0:
			errs = append(errs, fmt.Errorf("KPI rules config: %s %s must be a whole number of tiles (%s)", f.field, f.v, cfg.Tile))
		}
	}
	return errors.Join(errs...)
}
