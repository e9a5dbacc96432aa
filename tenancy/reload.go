package tenancy

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Reloader reloads a Proxy's credentials (on SIGHUP) and records the
// outcome: slawatch_proxy_credentials_reloads_total{result} and
// slawatch_proxy_credentials_last_reload_success_timestamp_seconds. A
// load that fails leaves the old credentials in force.
type Reloader struct {
	proxy   *Proxy
	load    func() (*Credentials, error)
	log     *slog.Logger
	now     func() time.Time
	reloads *prometheus.CounterVec
	last    prometheus.Gauge
}

// NewReloader registers the reload metrics on reg and returns a Reloader
// of p's credentials through load. The credentials p started with count
// as the last successful load, at now().
func NewReloader(p *Proxy, load func() (*Credentials, error), reg prometheus.Registerer, log *slog.Logger, now func() time.Time) (*Reloader, error) {
	r := &Reloader{
		proxy: p, load: load, log: log, now: now,
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slawatch_proxy_credentials_reloads_total",
			Help: "Reloads of the credentials file (SIGHUP) by result: success, or failure (the old credentials stay in force).",
		}, []string{"result"}),
		last: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "slawatch_proxy_credentials_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful load of the credentials file (at start or on SIGHUP).",
		}),
	}
	for _, res := range []string{"success", "failure"} {
		r.reloads.WithLabelValues(res)
	}
	for _, c := range []prometheus.Collector{r.reloads, r.last} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("tenancy: metrics: %w", err)
		}
	}
	r.last.Set(float64(now().UnixNano()) / 1e9)
	return r, nil
}

// Reload loads the credentials again and, when they load, puts them in
// force. The error (logged too) is the load's.
func (r *Reloader) Reload() error {
	cs, err := r.load()
	if err != nil {
		r.reloads.WithLabelValues("failure").Inc()
		r.log.Error("proxy: credentials not reloaded; the old ones stay", "err", err)
		return err
	}
	r.proxy.SetCredentials(cs)
	r.reloads.WithLabelValues("success").Inc()
	r.last.Set(float64(r.now().UnixNano()) / 1e9)
	r.log.Info("proxy: credentials reloaded", "file", cs.File(), "users", len(cs.List()))
	return nil
}
