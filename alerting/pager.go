package alerting

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

// PagerOptions configure NewPager. Catalog, Store and Logger are required.
type PagerOptions struct {
	// Catalog returns the catalogue in force, with the rota changes made
	// through the API applied; it is called once per tick.
	Catalog func(ctx context.Context) (*catalog.Catalog, error)
	Store   *store.Store
	Logger  *slog.Logger
	// Senders deliver pages; one per channel (sms, slack), any number on
	// the console channel. A person is paged on each of their channels
	// that has a sender; a person with none of those is paged on the
	// console, if there is one.
	Senders []Sender
	// Now is the clock (tests move it by hand); default time.Now.
	Now func() time.Time
	// Registerer takes the notifier's metrics; nil registers nothing.
	Registerer prometheus.Registerer
	// DeliveryBound is how long an SMS may stay without a delivery
	// receipt before it counts as undelivered; default 2 minutes.
	DeliveryBound time.Duration
	// SMSInterval is the least time between two SMS to one person; pages
	// due meanwhile wait and go out as one bundled text. Default 30 s.
	SMSInterval time.Duration
	// SendTimeout bounds one call to a provider; default 15 s.
	SendTimeout time.Duration
	// Attempts per page on transient failures; default 5. Retries wait
	// RetryBackoff, doubled each time (default 5 s), without blocking.
	Attempts     int
	RetryBackoff time.Duration
	// StaleSending is how long a page may stay "sending" before another
	// pass (after a crash) sends it again; default 2 minutes.
	StaleSending time.Duration
	// StatusCallbackURL is given to the SMS sender for delivery receipts.
	StatusCallbackURL string
	// Speedup divides every escalation delay of the catalogue (a drill, or
	// the demo, runs a 15-minute step in 1 minute with 15); default 1.
	Speedup int
}

// Pager escalates incidents: it pages each step of the PO's escalation
// policy on SMS, Slack or the console, waits for an acknowledgement,
// escalates on schedule, falls back when a page is not delivered, and
// records everything in the store. All its state is in the store (an
// outbox): Notify, acknowledgements and escalations only write there, and
// Tick does the work that is due, so a crash loses nothing and a restart
// carries on. Tick is driven by Run in production and by hand (with a
// controllable clock) in tests.
type Pager struct {
	opts    PagerOptions
	senders map[string][]Sender
	m       *pagerMetrics

	mu      sync.Mutex
	lastSMS map[string]time.Time // person -> last SMS sent (rate limit)
	missed  time.Time            // when startMissed last looked
	wake    chan struct{}
}

// NewPager checks the options and fills in defaults.
func NewPager(opts PagerOptions) (*Pager, error) {
	switch {
	case opts.Catalog == nil:
		return nil, errors.New("alerting.NewPager: Catalog is nil; pass a function returning the catalogue in force")
	case opts.Store == nil:
		return nil, errors.New("alerting.NewPager: Store is nil; pass the event store")
	case opts.Logger == nil:
		return nil, errors.New("alerting.NewPager: Logger is nil; pass a *slog.Logger")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.DeliveryBound, 2*time.Minute)
	def(&opts.SMSInterval, 30*time.Second)
	def(&opts.SendTimeout, 15*time.Second)
	def(&opts.RetryBackoff, 5*time.Second)
	def(&opts.StaleSending, 2*time.Minute)
	if opts.Attempts <= 0 {
		opts.Attempts = 5
	}
	if opts.Speedup <= 0 {
		opts.Speedup = 1
	}
	p := &Pager{opts: opts, senders: map[string][]Sender{}, lastSMS: map[string]time.Time{}, wake: make(chan struct{}, 1)}
	for _, s := range opts.Senders {
		ch := s.Channel()
		if len(p.senders[ch]) > 0 && ch != ChannelConsole {
			return nil, fmt.Errorf("alerting.NewPager: two senders for channel %s; give one per channel (any number on the console)", ch)
		}
		p.senders[ch] = append(p.senders[ch], s)
	}
	m, err := newPagerMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	p.m = m
	// Every channel's series exist from the start at 0, so that the first
	// failure is an increase the paging-path rules can see.
	for ch := range p.senders {
		for _, o := range []string{"sent", "delivered", "failed", "undelivered", "retried"} {
			m.pages.WithLabelValues(ch, o)
		}
		m.requests.WithLabelValues(ch)
		m.errors.WithLabelValues(ch)
	}
	return p, nil
}

// Notify implements Notifier for the intake: an opened incident starts
// its escalation (the first step is due at once), a resolved one ends it
// and tells the people paged. A warning (SLAAtRisk, CallSurge, a rota gap
// ahead) pages nobody: it is posted to the duty managers' Slack channel
// (or the console) for them to act on in hours. Notify only writes to the
// store, then wakes Run.
func (p *Pager) Notify(ctx context.Context, n Notification) (bool, error) {
	now := p.opts.Now()
	inc := &n.Incident
	switch n.Event {
	case store.EventOpened:
		if inc.Severity == "warning" {
			return p.postWarning(ctx, inc, now)
		}
		po := inc.PO
		if n.Receiver == ProviderReceiver {
			po = catalog.ProviderID
		}
		if _, err := p.opts.Store.StartEscalation(ctx, inc.ID, po, inc.ServiceOption, inc.Labels[PolicyLabel], now); err != nil {
			return true, err
		}
	case store.EventResolved:
		if _, err := p.end(ctx, inc.ID, store.End{IncidentID: inc.ID, State: store.EscalationResolved, Now: now,
			Detail: "the alert resolved"}); err != nil && !errors.Is(err, store.ErrNoEscalation) {
			return true, err
		}
	}
	p.Wake()
	return false, nil
}

// Wake makes Run tick now rather than at its next interval.
func (p *Pager) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run ticks every interval (and when woken) until ctx ends.
func (p *Pager) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := p.Tick(ctx); err != nil && ctx.Err() == nil {
			p.opts.Logger.Error("pager tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-p.wake:
		}
	}
}

// Tick does the work due now, in this order: marks SMS without a receipt
// in time as undelivered (falling back, which may make a step due), fires
// the escalation steps due, and sends the pages due.
func (p *Pager) Tick(ctx context.Context) error {
	cat, err := p.opts.Catalog(ctx)
	if err != nil {
		return fmt.Errorf("pager: catalogue: %w", err)
	}
	now := p.opts.Now()
	errs := []error{p.startMissed(ctx, now), p.expire(ctx, cat, now), p.fireDue(ctx, cat, now), p.deliverDue(ctx, cat, now)}
	p.m.lastTick.Set(float64(p.opts.Now().UnixNano()) / 1e9)
	return errors.Join(errs...)
}

// postWarning queues one post of a warning to the duty managers' channel.
func (p *Pager) postWarning(ctx context.Context, inc *store.Incident, now time.Time) (bool, error) {
	cat, err := p.opts.Catalog(ctx)
	if err != nil {
		return true, err
	}
	pg := store.Page{IncidentID: inc.ID, Kind: store.PageKindPage, Channel: ChannelSlack, SlackChannel: cat.Provider.SlackChannel,
		Due: now, Detail: "warning: posted, nobody paged"}
	switch {
	case pg.SlackChannel == "" || len(p.senders[ChannelSlack]) == 0:
		if len(p.senders[ChannelConsole]) == 0 {
			p.opts.Logger.Warn("warning not posted: no duty managers' Slack channel (provider.slack_channel) and no console",
				"incident", inc.ID, "alertname", inc.AlertName)
			return false, nil
		}
		pg.Channel = ChannelConsole
		if pg.SlackChannel == "" {
			pg.SlackChannel = "duty-managers"
		}
	}
	ev := store.EscalationEvent{IncidentID: inc.ID, At: now, Kind: store.EscSuppressed, Channel: pg.Channel,
		Detail: "severity warning: posted to " + pg.SlackChannel + " for the duty managers; nobody paged"}
	if _, err := p.opts.Store.AddPages(ctx, []store.Page{pg}, []store.EscalationEvent{ev}, now); err != nil {
		return true, err
	}
	p.Wake()
	return false, nil
}

// missedEvery spaces startMissed's scan of the incidents: a safety net for
// a rare fault, not worth a query on every one-second tick.
const missedEvery = 30 * time.Second

// startMissed starts the escalations the intake stored an incident for but
// failed to start (a fault after the commit): a stored page is never left
// unsent because the webhook was answered.
func (p *Pager) startMissed(ctx context.Context, now time.Time) error {
	p.mu.Lock()
	due := p.missed.IsZero() || now.Sub(p.missed) >= missedEvery
	if due {
		p.missed = now
	}
	p.mu.Unlock()
	if !due {
		return nil
	}
	incs, err := p.opts.Store.Unescalated(ctx, 100)
	if err != nil {
		return err
	}
	for _, inc := range incs {
		po := inc.PO
		if inc.Receiver == ProviderReceiver {
			po = catalog.ProviderID
		}
		if _, err := p.opts.Store.StartEscalation(ctx, inc.ID, po, inc.ServiceOption, inc.Labels[PolicyLabel], now); err != nil {
			return err
		}
		p.opts.Logger.Warn("escalation started late: the intake had stored the incident without it", "incident", inc.ID)
	}
	return nil
}
