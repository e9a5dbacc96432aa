package crmsql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/exporters/crm"
	"github.com/slawatch/slawatch/store"
)

// Transport is the self-metrics' transport label of the SQL source.
const Transport = "sql"

// Defaults of Options.
const (
	DefaultBatch        = 1000
	DefaultPoll         = 30 * time.Second
	DefaultMaxBackoff   = 5 * time.Minute
	DefaultQueryTimeout = 2 * time.Minute
	// DefaultClockSkew is the CRM exporter's default: how far in the
	// future an event's time (and a cursor) may be.
	DefaultClockSkew = 5 * time.Minute
	// maxHold is how far in the future an event's time may be and still be
	// waited for (the row read again until its time comes); a time further
	// ahead is taken for a data error and rejected.
	maxHold  = 24 * time.Hour
	maxBatch = 100_000
	// maxRejectionsLogged bounds the rejected event ids remembered so that
	// a rejection is logged once per process.
	maxRejectionsLogged = 10_000
)

// Ingester takes the events read (the CRM exporter, *crm.Exporter).
type Ingester interface {
	// Ingest stores and counts evs; an error means nothing of the batch
	// counted.
	Ingest(ctx context.Context, transport, source string, evs []crm.Event) (crm.Result, error)
	// Reject counts events rejected before Ingest.
	Reject(transport string, errs ...crm.EventError)
}

// CursorStore keeps where each table's reading stopped (*store.Store).
type CursorStore interface {
	SourceCursor(ctx context.Context, name string) (store.SourceCursor, bool, error)
	SaveSourceCursor(ctx context.Context, name string, c store.SourceCursor, now time.Time) error
}

// Options configure a Source.
type Options struct {
	// Mapping is the parsed mapping file (Load).
	Mapping *Mapping
	// DB is the CRM's PostgreSQL database (OpenDB).
	DB *sql.DB
	// Cursors is the slawatch store, where the cursors are saved.
	Cursors CursorStore
	// Ingester is the CRM exporter.
	Ingester Ingester
	Logger   *slog.Logger
	// Registerer takes the source's metrics (nil: not registered).
	Registerer prometheus.Registerer
	// Batch is the rows per page (default 1000).
	Batch int
	// Poll is the pause between polls (default 30s); after a failed poll
	// the pause doubles from 1s up to MaxBackoff (default 5m).
	Poll, MaxBackoff time.Duration
	// QueryTimeout bounds each page's read (default 2m).
	QueryTimeout time.Duration
	// ClockSkew is how far in the future an event's time or a timestamp
	// cursor may be (default 5m: the CRM exporter's ClockSkew; set both
	// alike). Rows with a cursor beyond now+ClockSkew are not read yet, and
	// a row with an event time beyond it (up to 24h) ends its page: it is
	// read again, and handed over once its time has come.
	ClockSkew time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Sleep waits d or until ctx ends (default a timer); tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Source reads the mapped tables into the exporter. Poll and Run must not
// be called concurrently.
type Source struct {
	o   Options
	m   *metrics
	log *slog.Logger
	// seen holds, per table, the rows this process read within the lag
	// window (key text → cursor text), so that the lag re-read hands the
	// exporter only rows it has not had.
	seen map[string]map[string]string
	// state is what this process learnt of each table.
	state map[string]*tableState
	// logged holds the rejections logged (event id, code, field), so that
	// a row rejected again (updated, re-read) is not logged again.
	logged map[string]struct{}
}

// tableState is what the source learnt of a table in this process.
type tableState struct {
	// described: the column types were checked (describe).
	described bool
	// naive: the cursor is a timestamp without time zone or a date, so the
	// horizon is wall-clock time in the mapping's zone.
	naive bool
	// reread: the lag window was read once in this process (the first
	// read after a start finds every row of it "new": not late rows).
	reread bool
	// held is the rows left unread by the last poll (logged on change).
	held int
}

// New checks the options and registers the source's metrics.
func New(o Options) (*Source, error) {
	switch {
	case o.Mapping == nil:
		return nil, errors.New("crmsql: Options.Mapping is nil; Load the mapping file first")
	case o.DB == nil:
		return nil, errors.New("crmsql: Options.DB is nil; OpenDB the CRM's database")
	case o.Cursors == nil:
		return nil, errors.New("crmsql: Options.Cursors is nil; pass the slawatch store")
	case o.Ingester == nil:
		return nil, errors.New("crmsql: Options.Ingester is nil; pass the CRM exporter")
	case o.Logger == nil:
		return nil, errors.New("crmsql: Options.Logger is nil; pass a *slog.Logger (slog.New(slog.DiscardHandler) to silence it)")
	case o.Batch < 0 || o.Batch > maxBatch:
		return nil, fmt.Errorf("crmsql: batch %d; want 1 to %d rows per page (0: %d)", o.Batch, maxBatch, DefaultBatch)
	case o.Poll < 0 || o.MaxBackoff < 0 || o.QueryTimeout < 0 || o.ClockSkew < 0:
		return nil, errors.New("crmsql: negative poll, backoff, query timeout or clock skew; want positive durations (0: the default)")
	}
	if o.Batch == 0 {
		o.Batch = DefaultBatch
	}
	if o.Poll == 0 {
		o.Poll = DefaultPoll
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.QueryTimeout == 0 {
		o.QueryTimeout = DefaultQueryTimeout
	}
	if o.ClockSkew == 0 {
		o.ClockSkew = DefaultClockSkew
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	m, err := newMetrics(o.Registerer, o.Mapping)
	if err != nil {
		return nil, err
	}
	return &Source{o: o, m: m, log: o.Logger.With("component", "crm-sql", "source", o.Mapping.Source),
		seen: map[string]map[string]string{}, state: map[string]*tableState{}, logged: map[string]struct{}{}}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Run polls until ctx ends, pausing Poll between polls. A failed poll (the
// CRM database down, a query refused) is logged, counted in
// crm_exporter_source_errors_total and retried with a backoff doubling from
// 1s to MaxBackoff; it is never fatal. Run returns nil when ctx ends.
func (s *Source) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	for {
		err := s.Poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := s.o.Poll
		if err != nil {
			backoff = min(max(2*backoff, time.Second), s.o.MaxBackoff)
			wait = backoff
			s.log.Warn("CRM database poll failed; retrying", "retry_in", wait, "err", err)
		} else {
			backoff = 0
		}
		if s.o.Sleep(ctx, wait) != nil {
			return nil
		}
	}
}

// Poll reads every table up to its newest row once. A table that fails
// does not stop the others; the error joins every table's failure.
func (s *Source) Poll(ctx context.Context) error {
	var errs []error
	for i := range s.o.Mapping.Tables {
		t := &s.o.Mapping.Tables[i]
		if err := s.pollTable(ctx, t); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.m.errors.WithLabelValues(t.Name).Inc()
			errs = append(errs, fmt.Errorf("%s: %w", t.Name, err))
		}
	}
	if len(errs) == 0 {
		s.m.lastSuccess.Set(float64(s.o.Now().UnixNano()) / 1e9)
	}
	return errors.Join(errs...)
}

// cursorName is the store's name of a table's cursor.
func (s *Source) cursorName(t *Table) string { return s.o.Mapping.Source + "/" + t.Name }
