package rules

import (
	"errors"
	"fmt"

	"github.com/prometheus/common/model"
)

// LinetestFileName is the rule file of the line-test alerts.
const LinetestFileName = "linetest.rules.yml"

// LinetestConfig tunes GenerateLinetest; DefaultLinetestConfig is what
// `slawatch generate rules` uses. The per-number interval and grace come
// from the catalogue, not from here.
type LinetestConfig struct {
	// Job is the scrape job of the line-test prober.
	Job string
	// ProberDownFor: up == 0 this long fires LineTestProberDown.
	ProberDownFor string
	// ProberAbsentFor: no up series at all this long fires
	// LineTestProberAbsent.
	ProberAbsentFor string
}

// DefaultLinetestConfig: job linetest, prober down 2m, absent 5m (as the
// telephony exporter's ExporterDown and ExporterAbsent).
func DefaultLinetestConfig() LinetestConfig {
	return LinetestConfig{Job: "linetest", ProberDownFor: "2m", ProberAbsentFor: "5m"}
}

func (cfg LinetestConfig) validate() error {
	var errs []error
	if !model.IsValidLegacyMetricName(cfg.Job) {
		errs = append(errs, fmt.Errorf("line-test rules config: Job %q must be a scrape job name such as linetest", cfg.Job))
	}
	for _, f := range []struct{ field, v string }{
		{"ProberDownFor", cfg.ProberDownFor}, {"ProberAbsentFor", cfg.ProberAbsentFor},
	} {
		if _, err := model.ParseDuration(f.v); err != nil {
			errs = append(errs, fmt.Errorf("line-test rules config: %s %q is not a Prometheus duration (such as 2m, 5m): %w", f.field, f.v, err))
		}
	}
	return errors.Join(errs...)
}
