package telephony

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// MaxVisitAge: a followed queue visit with no event for longer (since
	// its ENTERQUEUE or CONNECT) is dropped as an orphan; 0: 2 h.
	MaxVisitAge time.Duration
	// SnapshotTTL: a POST /api/v1/queue snapshot older than this no longer
	// drives the gauges (see Handler); 0: 1 min.
	SnapshotTTL time.Duration
}

// Exporter ingests call records into the store and exposes the telephony metrics.
type Exporter struct {
	o     Options
	log   *slog.Logger
	calls *callMetrics
	self  *selfMetrics
	// insert writes calls to the store (o.Store.InsertCalls; a seam for tests).
	insert func(ctx context.Context, calls []store.Call) ([]bool, error)
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
		o.MaxVisitAge = 2 * time.Hour
	}
	if o.SnapshotTTL <= 0 {
		o.SnapshotTTL = time.Minute
	}
	e := &Exporter{o: o, log: o.Logger, calls: newCallMetrics(o.Catalog, o.Now, o.SnapshotTTL), self: newSelfMetrics(),
		insert: o.Store.InsertCalls}
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
	if err := o.Registerer.Register(newInService(o.Catalog, o.Now)); err != nil {
		return nil, fmt.Errorf("telephony: registering slawatch_po_in_service: %w", err)
	}
	e.log.Info("telephony exporter ready", "series", len(e.calls.series), "restored", len(totals))
	return e, nil
}

// Ingest resolves records against the catalogue, writes the valid ones to
// the store in one batch under source ("" is DefaultSource; see
// ValidSource) and updates the metrics only for calls the store reports as
// newly inserted. Rejected records are returned with a reason (Line is the
// 1-based position in recs), counted in the self-metrics (transport
// "api"), and never stop the rest. An error means a bad source or a failed
// store write: nothing of the batch was counted.
func (e *Exporter) Ingest(ctx context.Context, source string, recs []Record) (Result, error) {
	source, err := sourceOr(source, DefaultSource)
	if err != nil {
		return Result{}, err
	}
	items := make([]item, len(recs))
	for i, r := range recs {
		items[i] = item{line: i + 1, rec: r}
	}
	return e.ingest(ctx, TransportAPI, source, items, nil)
}

// item is a parsed record with its line.
type item struct {
	line int
	rec  Record
}

// ingest resolves and stores items under the store source; rejected are
// parse errors found earlier (they are counted with the rest). transport is
// the source label of the self-metrics.
func (e *Exporter) ingest(ctx context.Context, transport, source string, items []item, rejected []RecordError) (Result, error) {
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
		inserted, err := e.insert(ctx, calls)
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
		e.self.seen(transport, latest)
	}
	for _, r := range rejected {
		e.self.errors.WithLabelValues(transport, r.Code).Inc()
		e.log.Debug("call record rejected", "transport", transport, "source", source, "line", r.Line, "code", r.Code, "reason", r.Reason)
	}
	res.Rejected = len(rejected)
	res.Errors = rejected
	e.self.count(transport, Result{Accepted: res.Accepted, Duplicate: res.Duplicate, Rejected: res.Rejected})
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
