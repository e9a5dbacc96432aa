package loneworker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Source is the AppPage source of lone-worker alarms; their incidents have
// the group key "app/loneworker".
const Source = "loneworker"

// AlertName is the alertname of a lone-worker alarm.
const AlertName = "LoneWorkerOverdue"

// Pager is what the service needs of the notifier's pager
// (*alerting.Pager): raising and resolving the alarm's page, and carrying a
// session's acknowledgement over to it.
type Pager interface {
	Raise(ctx context.Context, a alerting.AppPage) (inc store.Incident, opened bool, err error)
	Acknowledge(ctx context.Context, incidentID int64, by, via string) (alerting.Outcome, error)
}

// Options configure New. Catalog, Store and Logger are required.
type Options struct {
	// Catalog returns the catalogue in force.
	Catalog func(ctx context.Context) (*catalog.Catalog, error)
	Store   *store.Store
	Logger  *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Pager raises alarms. Without one the service only records actions
	// (the console); the instance with a pager runs the timers (Tick).
	Pager Pager
	// Reminder sends the reminder before the deadline to the officer's
	// phone (the SMS sender, or a console sender); nil sends none (the
	// reminder is still recorded).
	Reminder alerting.Sender
	// Registerer takes the loneworker_* metrics; nil registers nothing.
	Registerer prometheus.Registerer
	// PurgeEvery is how often the PO's retention is applied to closed
	// sessions; default 1 hour.
	PurgeEvery time.Duration
}

// Service runs lone-worker sessions: actions (check in, check out, extend,
// acknowledge) and, with a Pager, the timers (Tick, Run).
type Service struct {
	o Options
	m *metrics

	mu        sync.Mutex
	cursor    int64     // last loneworker_events id counted in the metrics
	primed    bool      // cursor set from the store
	lastPurge time.Time // when retention was last applied
	wake      chan struct{}
	pins      pinLock // wrong phone PINs, across calls
}

// New checks the options and fills in the defaults.
func New(o Options) (*Service, error) {
	switch {
	case o.Catalog == nil:
		return nil, errors.New("loneworker.New: Catalog is nil; pass a function returning the catalogue in force")
	case o.Store == nil:
		return nil, errors.New("loneworker.New: Store is nil; pass the event store")
	case o.Logger == nil:
		return nil, errors.New("loneworker.New: Logger is nil; pass a *slog.Logger")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PurgeEvery <= 0 {
		o.PurgeEvery = time.Hour
	}
	m, err := newMetrics(o.Registerer)
	if err != nil {
		return nil, err
	}
	return &Service{o: o, m: m, wake: make(chan struct{}, 1)}, nil
}

// Wake makes Run tick now (after an action that needs the timers: a
// check-out of an overdue session, an acknowledgement).
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run ticks every interval (and when woken) until ctx ends. A failed tick
// is logged and counted; the next one tries again.
func (s *Service) Run(ctx context.Context, every time.Duration) error {
	if s.o.Pager == nil {
		return errors.New("loneworker: Run needs a Pager to raise alarms")
	}
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.o.Logger.Error("lone-worker tick failed; retrying next tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
	}
}
