package rules

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

// PlatformFileName is the rule file of the platform alerts.
const PlatformFileName = "platform.rules.yml"

// PlatformConfig tunes GeneratePlatform; DefaultPlatformConfig is what
// `slawatch generate rules` uses.
type PlatformConfig struct {
	// Job is the scrape job of the telephony exporter.
	Job string
	// ExporterDownFor: up == 0 this long fires ExporterDown.
	ExporterDownFor string
	// ExporterAbsentFor: no up series at all this long fires ExporterAbsent.
	ExporterAbsentFor string
	// SilenceFalseAlarmsPerYear sets SourceSilent's threshold: the silence
	// that calls arriving at random (Poisson) at the quietest expected
	// in-service rate would leave this often a year, at most (see
	// silenceThreshold).
	SilenceFalseAlarmsPerYear float64
	// MinSilence is the least silence that may fire SourceSilent, however
	// busy the catalogue.
	MinSilence time.Duration
	// SilenceFor rides over a missed scrape; the threshold does the waiting.
	SilenceFor string
	// SurgeMultiple: CallSurge fires when a PO's calls offered over the last
	// 15 minutes, as an hourly rate, exceed this multiple of its usual
	// peak-hour rate.
	SurgeMultiple float64
	// SurgeMinCalls is the floor: at least this many calls in the 15
	// minutes, so a tiny PO does not fire on three calls.
	SurgeMinCalls int
	SurgeFor      string
}

// DefaultPlatformConfig: exporter down 2m, absent 5m; silence threshold
// for at most one false SourceSilent a year, never under 15 minutes;
// surge at 4x the usual peak hour and at least 10 calls in 15 minutes.
func DefaultPlatformConfig() PlatformConfig {
	return PlatformConfig{
		Job:                       "telephony",
		ExporterDownFor:           "2m",
		ExporterAbsentFor:         "5m",
		SilenceFalseAlarmsPerYear: 1,
		MinSilence:                15 * time.Minute,
		SilenceFor:                "5m",
		SurgeMultiple:             4,
		SurgeMinCalls:             10,
		SurgeFor:                  "5m",
	}
}

func (cfg PlatformConfig) validate() error {
	var errs []error
	if !model.IsValidLegacyMetricName(cfg.Job) {
		errs = append(errs, fmt.Errorf("platform rules config: Job %q must be a scrape job name such as telephony", cfg.Job))
	}
	for _, f := range []struct{ field, v string }{
		{"ExporterDownFor", cfg.ExporterDownFor}, {"ExporterAbsentFor", cfg.ExporterAbsentFor},
		{"SilenceFor", cfg.SilenceFor}, {"SurgeFor", cfg.SurgeFor},
	} {
		if _, err := model.ParseDuration(f.v); err != nil {
			errs = append(errs, fmt.Errorf("platform rules config: %s %q is not a Prometheus duration (such as 2m, 5m): %w", f.field, f.v, err))
		}
	}
	if !(cfg.SilenceFalseAlarmsPerYear > 0) {
		errs = append(errs, fmt.Errorf("platform rules config: SilenceFalseAlarmsPerYear must be above 0, not %g", cfg.SilenceFalseAlarmsPerYear))
	}
	if cfg.MinSilence < time.Minute {
		errs = append(errs, fmt.Errorf("platform rules config: MinSilence must be 1m or more, not %s", cfg.MinSilence))
	}
	if !(cfg.SurgeMultiple > 1) {
		errs = append(errs, fmt.Errorf("platform rules config: SurgeMultiple must be above 1 (a multiple of the usual peak hour), not %g", cfg.SurgeMultiple))
	}
	if cfg.SurgeMinCalls < 1 {
		errs = append(errs, fmt.Errorf("platform rules config: SurgeMinCalls must be 1 or more calls, not %d", cfg.SurgeMinCalls))
	}
	return errors.Join(errs...)
}
