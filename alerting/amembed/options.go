package amembed

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults applied by New to zero-valued Options fields.
const (
	// DefaultExternalURL is Alertmanager's own default listen address. No
	// Alertmanager UI runs in process: the URL only appears as externalURL
	// in webhook payloads and templates.
	DefaultExternalURL = "http://localhost:9093"
	// DefaultRetention keeps notification log entries and expired
	// silences as long as Alertmanager's --data.retention default.
	DefaultRetention = 120 * time.Hour
	// DefaultMaintenanceInterval is Alertmanager's
	// --data.maintenance-interval default: garbage collection, and a
	// snapshot to DataDir when set.
	DefaultMaintenanceInterval = 15 * time.Minute
	// DefaultAlertGCInterval is Alertmanager's --alerts.gc-interval default.
	DefaultAlertGCInterval = 30 * time.Minute
	// DefaultDispatchMaintenanceInterval is Alertmanager's
	// --dispatch.maintenance-interval default.
	DefaultDispatchMaintenanceInterval = 30 * time.Second
)

// Options configures an Alertmanager. Exactly one of ConfigYAML and
// ConfigFile is required.
type Options struct {
	// ConfigYAML is an alertmanager.yml document, e.g. the output of
	// alerting.GenerateAlertmanager.
	ConfigYAML []byte
	// ConfigFile is the path of an alertmanager.yml; template paths in it
	// are relative to its directory, as in Alertmanager.
	ConfigFile string
	// DataDir keeps the notification log and the silences across
	// restarts (files "nflog" and "silences", written at each maintenance
	// and when Run returns), so a restart does not page again for a group
	// already notified. Empty: in memory only.
	DataDir string
	// Logger receives Alertmanager's logs. Default: discard.
	Logger *slog.Logger
	// Registerer receives Alertmanager's self-metrics (alertmanager_*).
	// Default: a private registry. Use a fresh registry per Alertmanager:
	// registering twice panics.
	Registerer prometheus.Registerer
	// ExternalURL is Alertmanager's URL in webhook payloads and templates.
	// Default DefaultExternalURL.
	ExternalURL string
	// MaxTimers caps the timers of every route of the configuration, for
	// demos and tests that cannot wait a production group_interval (see
	// Timers). The zero value changes nothing: production uses the
	// configuration's timers as written.
	MaxTimers Timers
	// Retention, MaintenanceInterval, AlertGCInterval and
	// DispatchMaintenanceInterval are Alertmanager's flags of the same
	// meaning; zero takes the Default* constant.
	Retention                   time.Duration
	MaintenanceInterval         time.Duration
	AlertGCInterval             time.Duration
	DispatchMaintenanceInterval time.Duration
}

// Timers are a route's group_wait, group_interval and repeat_interval.
// As Options.MaxTimers, each non-zero field is an upper bound: a route
// whose timer is longer gets the bound, a shorter one (the Watchdog's
// group_wait 0s) keeps its own, so the order between routes survives.
type Timers struct {
	GroupWait      time.Duration
	GroupInterval  time.Duration
	RepeatInterval time.Duration
}

func (o Options) withDefaults() (Options, *url.URL, error) {
	switch {
	case len(o.ConfigYAML) == 0 && o.ConfigFile == "":
		return o, nil, errors.New("amembed: no configuration: set Options.ConfigYAML (an alertmanager.yml document) or Options.ConfigFile (its path)")
	case len(o.ConfigYAML) > 0 && o.ConfigFile != "":
		return o, nil, errors.New("amembed: both Options.ConfigYAML and Options.ConfigFile are set: set one")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registerer == nil {
		o.Registerer = prometheus.NewRegistry()
	}
	if o.ExternalURL == "" {
		o.ExternalURL = DefaultExternalURL
	}
	u, err := url.Parse(o.ExternalURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return o, nil, fmt.Errorf("amembed: Options.ExternalURL %q: want an absolute http:// or https:// URL such as %s", o.ExternalURL, DefaultExternalURL)
	}
	for name, d := range map[string]time.Duration{
		"MaxTimers.GroupWait": o.MaxTimers.GroupWait, "MaxTimers.GroupInterval": o.MaxTimers.GroupInterval,
		"MaxTimers.RepeatInterval": o.MaxTimers.RepeatInterval, "Retention": o.Retention,
		"MaintenanceInterval": o.MaintenanceInterval, "AlertGCInterval": o.AlertGCInterval,
		"DispatchMaintenanceInterval": o.DispatchMaintenanceInterval,
	} {
		if d < 0 {
			return o, nil, fmt.Errorf("amembed: Options.%s is %s: want a positive duration, or 0 for the default", name, d)
		}
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.MaintenanceInterval == 0 {
		o.MaintenanceInterval = DefaultMaintenanceInterval
	}
	if o.AlertGCInterval == 0 {
		o.AlertGCInterval = DefaultAlertGCInterval
	}
	if o.DispatchMaintenanceInterval == 0 {
		o.DispatchMaintenanceInterval = DefaultDispatchMaintenanceInterval
	}
	return o, u, nil
}
