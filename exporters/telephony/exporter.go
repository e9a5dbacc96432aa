package telephony

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Options configure an Exporter. Catalog, Store and Registerer are required.
type Options struct {
	Catalog    *catalog.Catalog
	Store      *store.Store
	Logger     *slog.Logger          // nil: discard
	Registerer prometheus.Registerer // the exporter registers its collectors here
	Now        func() time.Time      // clock; nil: time.Now

	MaxBodyBytes int64         // HTTP body limit; 0: 10 MiB
	BatchSize    int           // records per store transaction for files and the tail; 0: 10000
	MaxErrors    int           // RecordErrors kept in a Result (counts stay exact); 0: 1000
	PollInterval time.Duration // queue_log tail poll; 0: 1 s
	MaxVisitAge  time.Duration // queue visits open longer are dropped; 0: 6 h
}

// Exporter ingests call records into the store and exposes the telephony metrics.
type Exporter struct {
	o     Options
	log   *slog.Logger
	calls *callMetrics
	self  *selfMetrics

	trackMu sync.Mutex // guards tracker
	tracker *QueueTracker
}

// New builds the exporter: every known series at zero, then the counters
// restored from o.Store's all-time totals, so a restart neither loses nor
// resets anything.
func New(ctx context.Context, o Options) (*Exporter, error) {
	if o.Catalog == nil || o.Store == nil || o.Registerer == nil {
		return nil, errors.New("telephony: Options.Catalog, Store and Registerer are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 10 << 20
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 10000
	}
	if o.MaxErrors <= 0 {
		o.MaxErrors = 1000
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.MaxVisitAge <= 0 {
		o.MaxVisitAge = 6 * time.Hour
	}
	e := &Exporter{o: o, log: o.Logger, calls: newCallMetrics(o.Catalog, o.Now), self: newSelfMetrics()}
	totals, err := o.Store.Totals(ctx, o.Catalog.Buckets(), DurationBuckets())
	if err != nil {
		return nil, fmt.Errorf("telephony: restoring counters from the store: %w", err)
	}
	e.calls.restore(totals)
	if err := o.Registerer.Register(e.calls); err != nil {
		return nil, fmt.Errorf("telephony: registering call metrics: %w", err)
	}
	if err := e.self.register(o.Registerer); err != nil {
		return nil, fmt.Errorf("telephony: registering exporter metrics: %w", err)
	}
	e.log.Info("telephony exporter ready", "series", len(e.calls.series), "restored", len(totals))
	return e, nil
}

// Ingest resolves records against the catalogue, writes the valid ones to
// the store in one batch and updates the metrics only for calls the store
// reports as newly inserted. Rejected records are returned with a reason
// (Line is the 1-based position in recs), counted in the self-metrics, and
// never stop the rest. An error means the store write failed: nothing of
// the batch was counted.
func (e *Exporter) Ingest(ctx context.Context, source string, recs []Record) (Result, error) {
	items := make([]item, len(recs))
	for i, r := range recs {
		items[i] = item{line: i + 1, rec: r}
	}
	return e.ingest(ctx, source, items, nil)
}

// item is a parsed record with its line.
type item struct {
	line int
	rec  Record
}

// ingest resolves and stores items; rejected are parse errors found earlier
// (they are counted with the rest).
func (e *Exporter) ingest(ctx context.Context, source string, items []item, rejected []RecordError) (Result, error) {
	var res Result
	calls := make([]store.Call, 0, len(items))
	for _, it := range items {
		c, rerr := Resolve(e.o.Catalog, source, it.line, it.rec)
		if rerr != nil {
			rejected = append(rejected, *rerr)
			continue
		}
		calls = append(calls, c)
	}
	if len(calls) > 0 {
		inserted, err := e.o.Store.InsertCalls(ctx, calls)
		if err != nil {
			return Result{}, fmt.Errorf("telephony: storing %d call(s) from %s: %w", len(calls), source, err)
		}
		if len(inserted) != len(calls) {
			return Result{}, fmt.Errorf("telephony: store answered %d flags for %d calls", len(inserted), len(calls))
		}
		var latest time.Time
		for i, c := range calls {
			if inserted[i] {
				e.calls.observe(c)
				res.Accepted++
			} else {
				res.Duplicate++
			}
			if c.EndedAt.After(latest) {
				latest = c.EndedAt
			}
		}
		e.self.seen(source, latest)
	}
	for _, r := range rejected {
		e.self.errors.WithLabelValues(source, r.Code).Inc()
		e.log.Debug("call record rejected", "source", source, "line", r.Line, "code", r.Code, "reason", r.Reason)
	}
	res.Rejected = len(rejected)
	res.Errors = rejected
	e.self.count(source, Result{Accepted: res.Accepted, Duplicate: res.Duplicate, Rejected: res.Rejected})
	return res, nil
}

// addCapped folds r2 into r keeping at most max errors (counts stay exact).
func addCapped(r *Result, r2 Result, max int) {
	errs := r.Errors
	r.Add(Result{Accepted: r2.Accepted, Duplicate: r2.Duplicate, Rejected: r2.Rejected})
	room := max - len(errs)
	if room > len(r2.Errors) {
		room = len(r2.Errors)
	}
	if room > 0 {
		errs = append(errs, r2.Errors[:room]...)
	}
	r.Errors = errs
}
