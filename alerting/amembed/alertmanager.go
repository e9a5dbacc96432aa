package amembed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/featurecontrol"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/nflog"
	"github.com/prometheus/alertmanager/notify"
	"github.com/prometheus/alertmanager/provider/mem"
	"github.com/prometheus/alertmanager/silence"
	"github.com/prometheus/alertmanager/template"
	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/alertmanager/types"
)

// Alertmanager is Alertmanager's alert pipeline running in process: alerts
// put in by Send are grouped by the route tree, inhibited, muted outside
// their time intervals, deduplicated by the notification log and sent by
// the receivers' integrations.
type Alertmanager struct {
	opts   Options
	logger *slog.Logger
	conf   *config.Config

	alerts    *mem.Alerts
	stopGC    context.CancelFunc
	nflog     *nflog.Log
	silences  *silence.Silences
	inhibitor *inhibit.Inhibitor
	disp      *dispatch.Dispatcher

	running   atomic.Bool
	closeOnce sync.Once
}

// New loads the configuration with Alertmanager's config.Load (or
// LoadFile), which checks it as `amtool check-config` does, and builds the
// pipeline. Nothing is sent until Run.
func New(o Options) (*Alertmanager, error) {
	o, extURL, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	conf, err := loadConfig(o)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.FromGlobs(conf.Templates)
	if err != nil {
		return nil, fmt.Errorf("amembed: templates %v: %w", conf.Templates, err)
	}
	tmpl.ExternalURL = extURL

	routes := dispatch.NewRoute(conf.Route, nil)
	capTimers(routes, o.MaxTimers)
	receivers, err := buildReceivers(conf, routes, tmpl, o.Logger)
	if err != nil {
		return nil, err
	}

	am := &Alertmanager{opts: o, logger: o.Logger, conf: conf}
	reg, log := o.Registerer, o.Logger
	ff := featurecontrol.NoopFlags{}
	marker := types.NewMarker(reg)

	if am.nflog, err = nflog.New(nflog.Options{SnapshotFile: am.snapshot("nflog"), Retention: o.Retention,
		Logger: log.With("component", "nflog"), Metrics: reg}); err != nil {
		return nil, fmt.Errorf("amembed: notification log %s: %w", am.snapshot("nflog"), err)
	}
	if am.silences, err = silence.New(silence.Options{SnapshotFile: am.snapshot("silences"), Retention: o.Retention,
		Logger: log.With("component", "silences"), Metrics: reg}); err != nil {
		return nil, fmt.Errorf("amembed: silences %s: %w", am.snapshot("silences"), err)
	}
	gcCtx, stopGC := context.WithCancel(context.Background())
	if am.alerts, err = mem.NewAlerts(gcCtx, marker, o.AlertGCInterval, 0, nil, log, reg, ff); err != nil {
		stopGC()
		return nil, fmt.Errorf("amembed: alert store: %w", err)
	}
	am.stopGC = stopGC

	intervals := make(map[string][]timeinterval.TimeInterval, len(conf.MuteTimeIntervals)+len(conf.TimeIntervals))
	for _, ti := range conf.MuteTimeIntervals {
		intervals[ti.Name] = ti.TimeIntervals
	}
	for _, ti := range conf.TimeIntervals {
		intervals[ti.Name] = ti.TimeIntervals
	}
	am.inhibitor = inhibit.NewInhibitor(am.alerts, conf.InhibitRules, marker, log)
	noWait := func() time.Duration { return 0 } // no cluster peers to wait for
	pipeline := notify.NewPipelineBuilder(reg, ff).New(receivers, noWait, am.inhibitor,
		silence.NewSilencer(am.silences, marker, log), timeinterval.NewIntervener(intervals),
		marker, am.nflog, nil)
	timeout := func(d time.Duration) time.Duration { return max(d, notify.MinTimeout) }
	am.disp = dispatch.NewDispatcher(am.alerts, routes, pipeline, marker, timeout,
		o.DispatchMaintenanceInterval, nil, log, dispatch.NewDispatcherMetrics(false, reg))
	return am, nil
}

func loadConfig(o Options) (*config.Config, error) {
	if o.ConfigFile != "" {
		conf, err := config.LoadFile(o.ConfigFile)
		if err != nil {
			return nil, fmt.Errorf("amembed: Alertmanager configuration %s: %w", o.ConfigFile, err)
		}
		return conf, nil
	}
	conf, err := config.Load(string(o.ConfigYAML))
	if err != nil {
		return nil, fmt.Errorf("amembed: Alertmanager configuration (Options.ConfigYAML): %w", err)
	}
	return conf, nil
}

// snapshot is the path of a state file in DataDir, "" in memory.
func (am *Alertmanager) snapshot(name string) string {
	if am.opts.DataDir == "" {
		return ""
	}
	return filepath.Join(am.opts.DataDir, name)
}

// Config is the loaded configuration (read only).
func (am *Alertmanager) Config() *config.Config { return am.conf }

// Run starts the inhibitor and the dispatcher, as Alertmanager does on
// start (alerts already put in are routed first), and runs until ctx ends.
// Then it stops dispatching (notifications in flight are cancelled),
// writes the state snapshots to DataDir and releases everything. It
// returns nil after ctx ends; it may be called once.
func (am *Alertmanager) Run(ctx context.Context) error {
	if !am.running.CompareAndSwap(false, true) {
		return errors.New("amembed: Run called twice")
	}
	defer am.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { am.nflog.Maintenance(am.opts.MaintenanceInterval, am.snapshot("nflog"), stop, nil) })
	wg.Go(func() { am.silences.Maintenance(am.opts.MaintenanceInterval, am.snapshot("silences"), stop, nil) })
	// The inhibitor loads the alerts before the dispatcher starts, so an
	// alert that is inhibited is never sent in the meantime.
	wg.Go(am.inhibitor.Run)
	am.inhibitor.WaitForLoading()
	wg.Go(func() { am.disp.Run(time.Now()) })
	am.disp.WaitForLoading()
	am.logger.Info("embedded Alertmanager running", "receivers", len(am.conf.Receivers),
		"inhibit_rules", len(am.conf.InhibitRules), "data", am.opts.DataDir)

	<-ctx.Done()
	am.disp.Stop()
	am.inhibitor.Stop()
	close(stop)
	wg.Wait()
	return nil
}

// Close releases the alert store. Run calls it; call it yourself only
// when Run will not be called. It is safe to call more than once.
func (am *Alertmanager) Close() {
	am.closeOnce.Do(func() {
		am.alerts.Close()
		am.stopGC()
	})
}
