package engine

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"time"

	"github.com/prometheus/common/route"
	"github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/util/httputil"
	"github.com/prometheus/prometheus/util/notifications"
	apiv1 "github.com/prometheus/prometheus/web/api/v1"
)

// PrometheusVersion is the Prometheus release whose Go packages (v0.310.0)
// the engine embeds; /api/v1/status/buildinfo reports it so that Grafana
// enables the matching features.
const PrometheusVersion = "3.10.0"

// Handler serves the real Prometheus HTTP API under /api/v1/ (query,
// query_range, series, labels, label/<name>/values, rules, alerts, targets,
// metadata, status/buildinfo, …; admin and remote-write endpoints disabled),
// plus /-/healthy and /-/ready. API calls answer 503 until Run has started.
// Every call returns the same handler.
func (e *Engine) Handler() http.Handler {
	e.handlerOnce.Do(func() { e.handler = e.newHandler() })
	return e.handler
}

func (e *Engine) newHandler() http.Handler {
	api := apiv1.NewAPI(
		e.queryEng,
		e.db,      // SampleAndChunkQueryable
		e.db, nil, // Appendable (unused: remote write off)
		e.db, // ExemplarQueryable
		func(context.Context) apiv1.ScrapePoolsRetriever { return e.scrapeMgr },
		func(context.Context) apiv1.TargetRetriever { return e.scrapeMgr },
		func(context.Context) apiv1.AlertmanagerRetriever { return noAlertmanagers{} },
		func() config.Config { return *e.scrapeCfg },
		map[string]string{}, // command-line flags: none
		apiv1.GlobalURLOptions{Host: e.externalURL.Host, Scheme: e.externalURL.Scheme, ListenAddress: e.externalURL.Host},
		e.readyHandler,
		tsdbAdmin{db: e.db, stats: e.dbStats},
		e.opts.Dir,
		false, // admin API
		e.logger.With("component", "api"),
		func(context.Context) apiv1.RulesRetriever { return e.ruleMgr },
		0, 0, 0, // remote read limits
		false, // agent mode
		nil,   // CORS origin: none
		e.runtimeInfo,
		&apiv1.PrometheusVersion{Version: PrometheusVersion, Branch: "slawatch-embedded", GoVersion: runtime.Version()},
		func() []notifications.Notification { return nil },
		func() (<-chan notifications.Notification, func(), bool) { return nil, func() {}, false },
		e.gatherer,
		e.reg,
		nil,   // stats renderer: default
		false, // remote-write receiver
		nil,
		false, false, false, // OTLP receiver, delta conversion, native delta
		false, // start-timestamp zero ingestion
		0,     // lookback delta: default 5m
		false, // type-and-unit labels
		false, // append metadata
		nil,   // error code override
		nil,   // feature registry
		apiv1.OpenAPIOptions{ExternalURL: e.externalURL.String(), Version: PrometheusVersion},
	)
	av1 := route.New().WithInstrumentation(func(_ string, h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			h(w, r.WithContext(httputil.ContextWithPath(r.Context(), "/api/v1"+r.URL.Path)))
		}
	})
	api.Register(av1)

	mux := http.NewServeMux()
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", av1))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("slawatch engine is Healthy.\n"))
	})
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !e.Ready() {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("slawatch engine is Ready.\n"))
	})
	return mux
}

// readyHandler answers 503 until Run has started, as Prometheus does while
// its TSDB is opening.
func (e *Engine) readyHandler(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !e.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("Service Unavailable"))
			return
		}
		h(w, r)
	}
}

func (e *Engine) runtimeInfo() (apiv1.RuntimeInfo, error) {
	cwd, _ := os.Getwd()
	host, _ := os.Hostname()
	return apiv1.RuntimeInfo{
		StartTime:           e.started,
		CWD:                 cwd,
		Hostname:            host,
		ServerTime:          time.Now().UTC(),
		ReloadConfigSuccess: e.Ready(),
		LastConfigTime:      e.started,
		GoroutineCount:      runtime.NumGoroutine(),
		GOMAXPROCS:          runtime.GOMAXPROCS(0),
		GOGC:                os.Getenv("GOGC"),
		GODEBUG:             os.Getenv("GODEBUG"),
		StorageRetention:    e.opts.Retention.String(),
	}, nil
}

// noAlertmanagers: the embedded engine hands alerts to Options.Notify, not
// to Alertmanagers discovered from configuration.
type noAlertmanagers struct{}

func (noAlertmanagers) Alertmanagers() []*url.URL        { return nil }
func (noAlertmanagers) DroppedAlertmanagers() []*url.URL { return nil }

// tsdbAdmin adapts *tsdb.DB to apiv1.TSDBAdminStats (as Prometheus'
// readyStorage does); the mutating calls are unreachable with the admin API off.
type tsdbAdmin struct {
	db    *tsdb.DB
	stats *tsdb.DBStats
}

func (a tsdbAdmin) CleanTombstones() error { return a.db.CleanTombstones() }
func (a tsdbAdmin) Snapshot(dir string, withHead bool) error {
	return a.db.Snapshot(dir, withHead)
}
func (a tsdbAdmin) BlockMetas() ([]tsdb.BlockMeta, error) { return a.db.BlockMetas(), nil }
func (a tsdbAdmin) Stats(name string, limit int) (*tsdb.Stats, error) {
	return a.db.Head().Stats(name, limit), nil
}
func (a tsdbAdmin) WALReplayStatus() (tsdb.WALReplayStatus, error) {
	return a.stats.Head.WALReplayStatus.GetWALReplayStatus(), nil
}
func (a tsdbAdmin) Delete(ctx context.Context, mint, maxt int64, ms ...*labels.Matcher) error {
	return a.db.Delete(ctx, mint, maxt, ms...)
}
