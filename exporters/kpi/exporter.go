package kpi

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

// Options are what New needs; Catalog, Store and Logger are required.
type Options struct {
	Catalog *catalog.Catalog
	Store   *store.Store
	Logger  *slog.Logger
	// Registerer gets the kpi_* metrics; nil registers nothing (the CLI).
	Registerer prometheus.Registerer
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Querier evaluates PromQL KPIs for GET /api/v1/kpi/status; nil shows
	// them "unavailable".
	Querier Querier
	// RecentPeriods is how many periods of each KPI's frequency, the
	// current one included, the metrics cover (default 4).
	RecentPeriods int
}

// Exporter enters returns and mitigations, exports them, and computes the
// status of a period.
type Exporter struct {
	o Options
}

// ErrInvalid is matched (errors.Is) by every error that is the caller's
// mistake (unknown KPI, wrong period, bad counts); the message says what
// is valid.
var ErrInvalid = errors.New("invalid KPI request")

type invalid struct{ msg string }

func (e *invalid) Error() string        { return e.msg }
func (e *invalid) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error { return &invalid{fmt.Sprintf(format, args...)} }

// New builds the exporter and registers its metrics with o.Registerer.
func New(o Options) (*Exporter, error) {
	switch {
	case o.Catalog == nil:
		return nil, errors.New("kpi.New: Catalog is nil")
	case o.Store == nil:
		return nil, errors.New("kpi.New: Store is nil")
	case o.Logger == nil:
		return nil, errors.New("kpi.New: Logger is nil; pass a *slog.Logger (slog.New(slog.DiscardHandler) to silence it)")
	case o.RecentPeriods < 0:
		return nil, fmt.Errorf("kpi.New: RecentPeriods is %d; want 1 or more (0: the default 4)", o.RecentPeriods)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RecentPeriods == 0 {
		o.RecentPeriods = 4
	}
	e := &Exporter{o: o}
	if o.Registerer != nil {
		if err := o.Registerer.Register(newCollector(e)); err != nil {
			return nil, fmt.Errorf("kpi: register metrics: %w", err)
		}
	}
	return e, nil
}

// Return is a manual return to enter.
type Return struct {
	KPI, Period            string
	Numerator, Denominator int64
	Note                   string
	// By is who enters it; Via is "cli" or "api".
	By, Via string
}

// AddReturn checks r against the catalogue (a manual KPI, a period of its
// frequency that has started) and stores it; a later return for the same
// KPI and period supersedes this one, both are kept. Mistakes match
// ErrInvalid.
func (e *Exporter) AddReturn(ctx context.Context, r Return) (store.KPIReturn, error) {
	k, p, err := e.o.Catalog.KPIPeriod(r.KPI, r.Period)
	if err != nil {
		return store.KPIReturn{}, invalidf("%v", err)
	}
	if !k.Manual() {
		return store.KPIReturn{}, invalidf("KPI %s is measured from Prometheus (source: promql); returns are entered for manual KPIs only", k.ID)
	}
	now := e.o.Now()
	if start := p.Start(e.o.Catalog.Location()); start.After(now) {
		return store.KPIReturn{}, invalidf("period %s has not started (it starts %s); enter a return for a period that has", p, start.Format(time.DateOnly))
	}
	got, err := e.o.Store.AddKPIReturn(ctx, store.KPIReturn{KPI: k.ID, Period: p.String(), Numerator: r.Numerator,
		Denominator: r.Denominator, Note: r.Note, EnteredBy: r.By, Via: r.Via, Entered: now})
	if errors.Is(err, store.ErrInvalidKPI) {
		return got, invalidf("%s", storeMessage(err))
	}
	if err == nil {
		e.o.Logger.Info("kpi return entered", "kpi", k.ID, "period", got.Period, "id", got.ID, "via", got.Via)
	}
	return got, err
}

// Mitigation is a mitigation to record.
type Mitigation struct {
	KPI, Period, Reason, AgreedBy string
	By, Via                       string
}

// AddMitigation records that a KPI's period is excused by agreement; it is
// reported beside the raw figure and never changes it. Mistakes match
// ErrInvalid.
func (e *Exporter) AddMitigation(ctx context.Context, m Mitigation) (store.KPIMitigation, error) {
	k, p, err := e.o.Catalog.KPIPeriod(m.KPI, m.Period)
	if err != nil {
		return store.KPIMitigation{}, invalidf("%v", err)
	}
	if k.InformationOnly {
		return store.KPIMitigation{}, invalidf("KPI %s is information only: it has no thresholds to miss, so nothing to mitigate", k.ID)
	}
	got, err := e.o.Store.AddKPIMitigation(ctx, store.KPIMitigation{KPI: k.ID, Period: p.String(), Reason: m.Reason,
		AgreedBy: m.AgreedBy, EnteredBy: m.By, Via: m.Via, Entered: e.o.Now()})
	if errors.Is(err, store.ErrInvalidKPI) {
		return got, invalidf("%s", storeMessage(err))
	}
	if err == nil {
		e.o.Logger.Info("kpi mitigation recorded", "kpi", k.ID, "period", got.Period, "id", got.ID, "via", got.Via)
	}
	return got, err
}

// storeMessage is a store validation error in the request's words.
func storeMessage(err error) string {
	msg := err.Error()
	if i := len("store: "); len(msg) > i && msg[:i] == "store: " {
		msg = msg[i:]
	}
	return msg
}
