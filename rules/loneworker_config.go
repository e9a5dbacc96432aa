package rules

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

// LoneworkerFileName is the rule file of the lone-worker backstop alerts.
const LoneworkerFileName = "loneworker.rules.yml"

// LoneworkerConfig tunes GenerateLoneworker; DefaultLoneworkerConfig is what
// `slawatch generate rules` uses. Every duration is a Prometheus duration
// (30s, 1m, 1h).
type LoneworkerConfig struct {
	// Job is the scrape job of the notifier (`slawatch notify`), which runs
	// the lone-worker service and serves its loneworker_* metrics.
	Job string
	// Window is how far back the last known session counts and last tick
	// are looked for (last_over_time): while the notifier is down its
	// series go stale, and the alerts must still see that sessions were open.
	Window string
	// TickStale: the newest loneworker_last_tick_timestamp_seconds older
	// than this (and sessions open) makes LoneWorkerTimersStalled pending.
	TickStale string
	// StalledFor is LoneWorkerTimersStalled's for.
	StalledFor string
	// ServiceDownFor: the notifier's up == 0 this long, with sessions open
	// in the last Window, fires LoneWorkerServiceDown.
	ServiceDownFor string
	// OverdueFor: a session past its deadline without its alarm raised
	// this long fires LoneWorkerAlarmNotRaised.
	OverdueFor string
	// TickErrorsWindow is the increase() window of
	// loneworker_tick_errors_total; TickErrorsFor how long every such
	// window must hold an error before LoneWorkerTickErrors fires.
	TickErrorsWindow string
	TickErrorsFor    string
	// AbsentFor: no loneworker_last_tick_timestamp_seconds at all this
	// long fires LoneWorkerMetricsAbsent (only when the catalogue has a
	// lone-worker staff group).
	AbsentFor string
}

// DefaultLoneworkerConfig: job notifier; last known values over 1h; timers
// stalled when the last tick is over 60s old for 30s; service down 1m;
// alarm not raised 1m; tick errors in every 2m window for 3m; metrics
// absent 10m. The generated file's header says why each.
func DefaultLoneworkerConfig() LoneworkerConfig {
	return LoneworkerConfig{
		Job:              "notifier",
		Window:           "1h",
		TickStale:        "60s",
		StalledFor:       "30s",
		ServiceDownFor:   "1m",
		OverdueFor:       "1m",
		TickErrorsWindow: "2m",
		TickErrorsFor:    "3m",
		AbsentFor:        "10m",
	}
}

// loneworkerDurations are the parsed durations of a valid LoneworkerConfig.
type loneworkerDurations struct {
	window, tickStale, stalledFor time.Duration
}

func (cfg LoneworkerConfig) validate() (loneworkerDurations, error) {
	var errs []error
	if !model.IsValidLegacyMetricName(cfg.Job) {
		errs = append(errs, fmt.Errorf("lone-worker rules config: Job %q must be a scrape job name such as notifier", cfg.Job))
	}
	parsed := map[string]time.Duration{}
	for _, f := range []struct{ field, v string }{
		{"Window", cfg.Window}, {"TickStale", cfg.TickStale}, {"StalledFor", cfg.StalledFor},
		{"ServiceDownFor", cfg.ServiceDownFor}, {"OverdueFor", cfg.OverdueFor},
		{"TickErrorsWindow", cfg.TickErrorsWindow}, {"TickErrorsFor", cfg.TickErrorsFor}, {"AbsentFor", cfg.AbsentFor},
	} {
		d, err := model.ParseDuration(f.v)
		if err != nil {
			errs = append(errs, fmt.Errorf("lone-worker rules config: %s %q is not a Prometheus duration (such as 30s, 1m, 1h): %w", f.field, f.v, err))
			continue
		}
		if d <= 0 {
			errs = append(errs, fmt.Errorf("lone-worker rules config: %s must be above 0, not %q", f.field, f.v))
		}
		parsed[f.field] = time.Duration(d)
	}
	d := loneworkerDurations{window: parsed["Window"], tickStale: parsed["TickStale"], stalledFor: parsed["StalledFor"]}
	if d.tickStale > 0 && d.stalledFor > 0 && d.window > 0 && d.window <= d.tickStale+d.stalledFor {
		errs = append(errs, fmt.Errorf("lone-worker rules config: Window %s must be longer than TickStale + StalledFor (%s), or a dead notifier's sessions are forgotten before LoneWorkerTimersStalled fires",
			cfg.Window, exactDuration(d.tickStale+d.stalledFor)))
	}
	return d, errors.Join(errs...)
}
