package linetest

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

// Store is what the prober needs of the event store (*store.Store).
type Store interface {
	StartLineTestRun(ctx context.Context, r store.LineTestRun) (store.LineTestRun, error)
	DialedLineTestRun(ctx context.Context, id int64, dialStatus, ref string, dialed time.Time, duration time.Duration) error
	FinishLineTestRun(ctx context.Context, id int64, result, reason string, ended time.Time) (bool, error)
	LineTestRuns(ctx context.Context, f store.LineTestFilter) ([]store.LineTestRun, error)
	AbandonRunningLineTests(ctx context.Context, before time.Time, reason string, now time.Time) ([]store.LineTestRun, error)
	CallsOnNumber(ctx context.Context, accessNumber string, from, to time.Time) (public, test int, err error)
}

var _ Store = (*store.Store)(nil)

// Options configure a Prober. Catalog, Store, Dialer and Registerer are
// required.
type Options struct {
	Catalog    *catalog.Catalog
	Store      Store
	Dialer     Dialer
	Registerer prometheus.Registerer
	Logger     *slog.Logger     // nil: discard
	Now        func() time.Time // clock; nil: time.Now
	// SeenBound is how long after a run starts the telephony source must
	// have seen the test call arrive on the number (a test call queued in
	// [start-5s, start+SeenBound)); 0: 60 s. It must exceed DialTimeout.
	SeenBound time.Duration
	// DialTimeout bounds the ringing (Call.Timeout); 0: 30 s.
	DialTimeout time.Duration
	// Concurrency is the most test calls in progress at once; 0: 4.
	Concurrency int
	// From is the caller number of test calls; "": the catalogue's first
	// provider.line_test_callers number.
	From string
	// Calls counts the calls the telephony source saw on a number (demand
	// and the arrival of test calls); nil: Store (see PromCalls for a
	// prober apart from the exporter).
	Calls CallCounter
	// ServiceOffset shifts the clock the hours of service are read on
	// (never the runs' own times): the demo shows an evening at any time
	// of day. 0 in production.
	ServiceOffset time.Duration
}

// Prober schedules, places and judges line tests, stores every run and
// exposes the linetest_* metrics. Its methods are safe for concurrent use.
type Prober struct {
	o       Options
	log     *slog.Logger
	m       *metrics
	targets []target

	mu       sync.Mutex
	state    map[string]*numberState // by access number
	inflight map[int64]*flight       // runs of this process without a verdict
	dialing  int                     // calls in progress (the Concurrency slots taken)
	wg       sync.WaitGroup          // dial goroutines
}

// target is one access number to test.
type target struct {
	po string
	n  *catalog.AccessNumber
}

// numberState is a number's history: the schedule's State, what the
// gauges show, and whether a run of this process is in flight on it.
type numberState struct {
	State
	lastPass, lastHandoverPass time.Time
	verdict                    string // ResultPass or ResultFail of the latest verdict; "" before one
	busy                       bool
}

// Defaults of Options.
const (
	DefaultSeenBound   = 60 * time.Second
	DefaultDialTimeout = 30 * time.Second
	DefaultConcurrency = 4
)

// arrivalSlack: a test call queued up to 5 s before the run started still
// counts (clocks of the prober and the telephony source differ a little).
const arrivalSlack = 5 * time.Second

// restoreWindow is how far back the prober reads its runs at start.
const restoreWindow = 48 * time.Hour

// New builds a prober: the metrics registered with every series at zero,
// then its state restored from the runs of the last 48 hours in the store,
// and runs left running by a prober that stopped mid-test (started longer
// ago than any live run can last) turned into errors.
func New(ctx context.Context, o Options) (*Prober, error) {
	if o.Catalog == nil || o.Store == nil || o.Dialer == nil || o.Registerer == nil {
		return nil, errors.New("linetest: Options.Catalog, Store, Dialer and Registerer are required")
	}
	if o.Calls == nil {
		o.Calls = o.Store
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SeenBound <= 0 {
		o.SeenBound = DefaultSeenBound
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.SeenBound <= o.DialTimeout {
		return nil, fmt.Errorf("linetest: SeenBound %s must exceed DialTimeout %s: the test call reaches the queue after it is answered", o.SeenBound, o.DialTimeout)
	}
	if o.From == "" {
		if len(o.Catalog.Provider.LineTestCallers) == 0 {
			return nil, errors.New("linetest: no caller number: set Options.From or provider.line_test_callers in the catalogue")
		}
		o.From = o.Catalog.Provider.LineTestCallers[0]
	} else if !o.Catalog.IsLineTestCaller(o.From) {
		return nil, fmt.Errorf("linetest: Options.From %s is not one of the catalogue's provider.line_test_callers %v: the telephony exporter would count its calls as offered", o.From, o.Catalog.Provider.LineTestCallers)
	}
	p := &Prober{o: o, log: o.Logger, m: newMetrics(o.Catalog),
		state: map[string]*numberState{}, inflight: map[int64]*flight{}}
	for _, id := range o.Catalog.POIDs() {
		po, _ := o.Catalog.PO(id)
		for i := range po.AccessNumbers {
			n := &po.AccessNumbers[i]
			p.targets = append(p.targets, target{po: id, n: n})
			p.state[n.Number] = &numberState{}
		}
	}
	if err := p.m.register(o.Registerer); err != nil {
		return nil, fmt.Errorf("linetest: register metrics: %w", err)
	}
	if err := p.restore(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// Run calls Tick now and then every interval until ctx ends, then waits
// for the calls in progress to end (they are hung up by ctx).
func (p *Prober) Run(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		return fmt.Errorf("linetest: Run every %s: want a positive interval, e.g. 30s", every)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := p.Tick(ctx); err != nil {
			p.log.Warn("line-test tick", "err", err)
		}
		select {
		case <-ctx.Done():
			p.Wait()
			return nil
		case <-t.C:
		}
	}
}

// Wait blocks until every call placed by Tick so far has ended and been
// recorded (its verdict may wait for a later Tick).
func (p *Prober) Wait() { p.wg.Wait() }

// stateOf is the state of a catalogue number (nil if not in the catalogue).
// p.mu must be held.
func (p *Prober) stateOf(number string) *numberState { return p.state[number] }
