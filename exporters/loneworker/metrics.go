package loneworker

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Session states of loneworker_sessions.
const (
	// StateActive: open, before its deadline.
	StateActive = "active"
	// StateOverdue: past its deadline, the alarm not yet claimed (a tick
	// away; a lasting one means the timers are stuck).
	StateOverdue = "overdue"
	// StateEscalated: the alarm is raised and nobody has acknowledged it.
	StateEscalated = "escalated"
	// StateAcknowledged: someone took charge; still not checked out.
	StateAcknowledged = "acknowledged"
)

var states = []string{StateActive, StateOverdue, StateEscalated, StateAcknowledged}

// metrics are the loneworker_* series: by po and staff_group only.
type metrics struct {
	sessions    *prometheus.GaugeVec
	oldest      *prometheus.GaugeVec
	checkins    *prometheus.CounterVec
	checkouts   *prometheus.CounterVec
	extensions  *prometheus.CounterVec
	escalations *prometheus.CounterVec
	reminded    *prometheus.CounterVec
	lastTick    prometheus.Gauge
	tickErrors  prometheus.Counter

	shown map[groupKeyPO]bool // groups whose session gauges were set
}

type groupKeyPO struct{ po, group string }

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	pg := []string{"po", "staff_group"}
	m := &metrics{
		shown: map[groupKeyPO]bool{},
		sessions: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "loneworker_sessions",
			Help: "Open lone-worker sessions by state: active, overdue (deadline passed, alarm not yet raised), escalated (alarm raised, unacknowledged), acknowledged."},
			append(pg, "state")),
		oldest: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "loneworker_oldest_overdue_seconds",
			Help: "Seconds past its deadline of the oldest open session that has not checked out (0 when none is overdue)."}, pg),
		checkins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "loneworker_checkins_total",
			Help: "Lone-worker check-ins, counted from the event store since this process started."}, pg),
		checkouts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "loneworker_checkouts_total",
			Help: "Lone-worker check-outs, counted from the event store since this process started."}, pg),
		extensions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "loneworker_extensions_total",
			Help: "Lone-worker session extensions, counted from the event store since this process started."}, pg),
		escalations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "loneworker_escalations_total",
			Help: "Lone-worker escalation events by level: reminder (before the deadline), alarm (deadline passed, page raised), acknowledged. Later steps of the page: notifier_escalation_steps_total."},
			append(pg, "level")),
		reminded: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "loneworker_reminders_sent_total",
			Help: "Reminders this process sent to officers, by outcome: sent, failed, not_sent (no phone or no sender)."},
			append(pg, "outcome")),
		lastTick: prometheus.NewGauge(prometheus.GaugeOpts{Name: "loneworker_last_tick_timestamp_seconds",
			Help: "When the lone-worker timers last completed a tick without error (the backstop rules page when it stops moving)."}),
		tickErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "loneworker_tick_errors_total",
			Help: "Lone-worker timer ticks that failed (store or pager errors); the next tick retries."}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.sessions, m.oldest, m.checkins, m.checkouts, m.extensions, m.escalations,
			m.reminded, m.lastTick, m.tickErrors} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *metrics) reminders(po, group, outcome string) prometheus.Counter {
	return m.reminded.WithLabelValues(po, group, outcome)
}

// zero creates every series of the catalogue's staff groups at 0, so that
// the first check-in is an increase and a board shows 0, not "no data".
func (m *metrics) zero(cat *catalog.Catalog) {
	for _, id := range cat.POIDs() {
		p, _ := cat.PO(id)
		for _, g := range p.StaffGroups() {
			for _, st := range states {
				m.sessions.WithLabelValues(id, g.ID, st)
			}
			m.oldest.WithLabelValues(id, g.ID)
			m.checkins.WithLabelValues(id, g.ID)
			m.checkouts.WithLabelValues(id, g.ID)
			m.extensions.WithLabelValues(id, g.ID)
			for _, l := range []string{"reminder", "alarm", "acknowledged"} {
				m.escalations.WithLabelValues(id, g.ID, l)
			}
		}
	}
}

// setSessions sets the gauges from the open sessions at now.
func (m *metrics) setSessions(open []store.LoneWorkerSession, now time.Time) {
	count := map[groupKeyPO]map[string]int{}
	oldest := map[groupKeyPO]time.Duration{}
	for k := range m.shown { // groups that had sessions go back to 0
		count[k] = map[string]int{}
	}
	for _, s := range open {
		k := groupKeyPO{s.PO, s.StaffGroup}
		if count[k] == nil {
			count[k] = map[string]int{}
		}
		st := StateActive
		switch {
		case s.AlarmRaised && s.AckedBy != "":
			st = StateAcknowledged
		case s.AlarmRaised:
			st = StateEscalated
		case !now.Before(s.Deadline):
			st = StateOverdue
		}
		count[k][st]++
		if late := now.Sub(s.Deadline); late > oldest[k] {
			oldest[k] = late
		}
	}
	for k, c := range count {
		m.shown[k] = true
		for _, st := range states {
			m.sessions.WithLabelValues(k.po, k.group, st).Set(float64(c[st]))
		}
		m.oldest.WithLabelValues(k.po, k.group).Set(oldest[k].Seconds())
	}
}

// countEvents advances the counters over the store's new lone-worker
// events (any process's), from where this process started.
func (s *Service) countEvents(ctx context.Context) error {
	cat, err := s.o.Catalog(ctx)
	if err != nil {
		return err
	}
	s.m.zero(cat)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.primed {
		last, err := s.o.Store.LastLoneWorkerEventID(ctx)
		if err != nil {
			return err
		}
		s.cursor, s.primed = last, true
		return nil
	}
	for {
		evs, err := s.o.Store.LoneWorkerEventsAfter(ctx, s.cursor, 1000)
		if err != nil {
			return err
		}
		for _, e := range evs {
			s.cursor = e.ID
			switch e.Kind {
			case store.LWCheckIn:
				s.m.checkins.WithLabelValues(e.PO, e.StaffGroup).Inc()
			case store.LWCheckOut:
				s.m.checkouts.WithLabelValues(e.PO, e.StaffGroup).Inc()
			case store.LWExtend:
				s.m.extensions.WithLabelValues(e.PO, e.StaffGroup).Inc()
			case store.LWReminder:
				s.m.escalations.WithLabelValues(e.PO, e.StaffGroup, "reminder").Inc()
			case store.LWAlarm:
				s.m.escalations.WithLabelValues(e.PO, e.StaffGroup, "alarm").Inc()
			case store.LWAck:
				s.m.escalations.WithLabelValues(e.PO, e.StaffGroup, "acknowledged").Inc()
			}
		}
		if len(evs) < 1000 {
			return nil
		}
	}
}
