// Package engine embeds a Prometheus server in slawatch: a TSDB that scrapes
// the exporters' /metrics endpoints (the real scrape.Manager), the generated
// rule files evaluated by the Prometheus rules engine, and the real Prometheus
// HTTP API (web/api/v1) so a Grafana can attach to `slawatch demo`.
//
// Lifecycle: New opens the TSDB (replaying its WAL) and validates the options
// and rule files; Run scrapes and evaluates until its context ends, then closes
// the TSDB. Query and Handler work from New on; the HTTP API answers 503 until
// Run has started everything.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/scrape"
	"github.com/prometheus/prometheus/tsdb"
)

// Defaults applied by New to zero-valued Options fields.
const (
	DefaultScrapeInterval = 15 * time.Second
	DefaultEvalInterval   = time.Minute
	DefaultRetention      = 15 * 24 * time.Hour
	DefaultExternalURL    = "http://localhost:9090/"
)

// NotifyFunc receives alerts that are due to be sent (firing, or resolved
// since the last send), with the same semantics as Prometheus' notifier
// hand-off. It is the seam for Alertmanager routing: rules.SendAlerts(sender,
// externalURL) adapts a notifier to it.
type NotifyFunc = rules.NotifyFunc

// Options configures an Engine. Only Dir is required.
type Options struct {
	Dir            string        // TSDB directory (persisted across restarts)
	Targets        []Target      // what to scrape
	RuleFiles      []string      // glob patterns of rule files
	ScrapeInterval time.Duration // default 15s
	EvalInterval   time.Duration // default 1m; used by groups without an interval
	Retention      time.Duration // default 15d
	Logger         *slog.Logger  // default: discard
	// Registerer receives the engine's self-metrics (prometheus_tsdb_*,
	// prometheus_rule_*, prometheus_target_*). Default: a private registry.
	// Use a fresh registry per Engine: registering twice panics.
	Registerer  prometheus.Registerer
	ExternalURL string // used in alert GeneratorURLs and templates; default DefaultExternalURL
	// Notify, if set, receives alerts to send (see NotifyFunc). State
	// transitions are always logged and visible through Alerts().
	Notify NotifyFunc
}

// Target is one /metrics endpoint to scrape.
type Target struct {
	Job string // job label; targets with the same Job share a scrape pool
	URL string // e.g. http://127.0.0.1:9464/metrics (query parameters become scrape params)
}

// Engine is an embedded Prometheus: TSDB, scraper, rule evaluator and query API.
type Engine struct {
	opts        Options
	logger      *slog.Logger
	reg         prometheus.Registerer
	gatherer    prometheus.Gatherer
	externalURL *url.URL

	db         *tsdb.DB
	dbStats    *tsdb.DBStats
	queryEng   *promql.Engine
	scrapeCfg  *config.Config
	targetSets targetSets
	scrapeMgr  *scrape.Manager
	ruleMgr    *rules.Manager
	ruleFiles  []string
	started    time.Time

	transitions *transitionLog

	handlerOnce sync.Once
	handler     http.Handler

	ready     atomic.Bool
	stopping  atomic.Bool // set before stopping the scrapers; see gatedAppendable
	running   atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// New validates o, opens the TSDB in o.Dir and prepares the scraper, the rule
// manager and the API. Call Run (which closes the TSDB when it returns), or
// Close if Run will not be called.
func New(o Options) (*Engine, error) {
	o, err := withDefaults(o)
	if err != nil {
		return nil, err
	}
	ext, err := url.Parse(o.ExternalURL)
	if err != nil || ext.Scheme == "" || ext.Host == "" {
		return nil, fmt.Errorf("engine: Options.ExternalURL %q: want an absolute URL such as %s", o.ExternalURL, DefaultExternalURL)
	}
	scrapeCfg, tsets, err := buildScrapeConfig(o, o.Logger)
	if err != nil {
		return nil, err
	}
	ruleFiles, err := expandRuleFiles(o.RuleFiles, o.Logger)
	if err != nil {
		return nil, err
	}

	e := &Engine{
		opts:        o,
		logger:      o.Logger,
		reg:         o.Registerer,
		externalURL: ext,
		scrapeCfg:   scrapeCfg,
		targetSets:  tsets,
		ruleFiles:   ruleFiles,
		transitions: newTransitionLog(o.Logger),
	}
	if g, ok := o.Registerer.(prometheus.Gatherer); ok {
		e.gatherer = g
	} else {
		e.gatherer = prometheus.NewRegistry()
	}

	if err := e.openTSDB(); err != nil {
		return nil, err
	}
	e.queryEng = promql.NewEngine(promql.EngineOpts{
		Logger:               o.Logger.With("component", "query engine"),
		Reg:                  o.Registerer,
		MaxSamples:           50_000_000,
		Timeout:              2 * time.Minute,
		EnableAtModifier:     true,
		EnableNegativeOffset: true,
	})
	if err := e.newRuleManager(); err != nil {
		return nil, errors.Join(err, e.db.Close())
	}
	if err := e.newScrapeManager(); err != nil {
		return nil, errors.Join(err, e.db.Close())
	}
	return e, nil
}

func withDefaults(o Options) (Options, error) {
	if o.Dir == "" {
		return o, errors.New("engine: Options.Dir is empty: want the TSDB directory, e.g. data/tsdb")
	}
	if o.ScrapeInterval < 0 || o.EvalInterval < 0 || o.Retention < 0 {
		return o, fmt.Errorf("engine: negative duration (ScrapeInterval=%s EvalInterval=%s Retention=%s): want 0 (default) or positive",
			o.ScrapeInterval, o.EvalInterval, o.Retention)
	}
	if o.ScrapeInterval == 0 {
		o.ScrapeInterval = DefaultScrapeInterval
	}
	if o.EvalInterval == 0 {
		o.EvalInterval = DefaultEvalInterval
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
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
	return o, nil
}

func (e *Engine) openTSDB() error {
	opts := tsdb.DefaultOptions()
	opts.RetentionDuration = e.opts.Retention.Milliseconds()
	e.dbStats = tsdb.NewDBStats()
	db, err := tsdb.Open(e.opts.Dir, e.logger.With("component", "tsdb"), e.reg, opts, e.dbStats)
	if err != nil {
		return fmt.Errorf("engine: open TSDB in %s: %w", e.opts.Dir, err)
	}
	e.db = db
	return nil
}

// Run starts scraping and rule evaluation and blocks until ctx ends; then it
// stops both and closes the TSDB (flushing the WAL). Run may be called once.
func (e *Engine) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return errors.New("engine: Run called twice")
	}
	e.started = time.Now()
	if err := e.startRules(); err != nil {
		return errors.Join(err, e.Close())
	}
	if err := e.scrapeMgr.ApplyConfig(e.scrapeCfg); err != nil {
		return errors.Join(fmt.Errorf("engine: apply scrape config: %w", err), e.Close())
	}

	var wg sync.WaitGroup
	tsets := make(chan targetSets, 1)
	tsets <- e.targetSets
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := e.scrapeMgr.Run(tsets); err != nil {
			e.logger.Error("scrape manager stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		e.ruleMgr.Run()
	}()
	e.ready.Store(true)
	e.logger.Info("engine running", "dir", e.opts.Dir, "targets", len(e.opts.Targets),
		"rule_files", len(e.ruleFiles), "scrape_interval", e.opts.ScrapeInterval, "eval_interval", e.opts.EvalInterval)

	<-ctx.Done()
	e.ready.Store(false)
	e.stopping.Store(true)
	e.ruleMgr.Stop()
	e.scrapeMgr.Stop()
	wg.Wait()
	err := e.Close()
	e.logger.Info("engine stopped", "err", err)
	return err
}

// Close closes the TSDB. Run calls it on return; call it yourself only if
// Run was never called. It is safe to call more than once.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		e.ready.Store(false)
		if err := e.db.Close(); err != nil {
			e.closeErr = fmt.Errorf("engine: close TSDB in %s: %w", e.opts.Dir, err)
		}
	})
	return e.closeErr
}

// Ready reports whether Run has started scraping and evaluation.
func (e *Engine) Ready() bool { return e.ready.Load() }
