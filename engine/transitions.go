package engine

import (
	"log/slog"
	"sync"

	"github.com/prometheus/prometheus/rules"
)

// transitionLog remembers the last seen state of every alert instance, per
// rule group, and logs each change (inactive→pending→firing→resolved).
// Groups are evaluated concurrently, hence the mutex.
type transitionLog struct {
	logger *slog.Logger
	mu     sync.Mutex
	groups map[string]map[string]alertSeen // group key → alert key → last seen
}

type alertSeen struct {
	name   string
	labels string
	state  string
}

func newTransitionLog(logger *slog.Logger) *transitionLog {
	return &transitionLog{logger: logger, groups: map[string]map[string]alertSeen{}}
}

// observe compares the group's active alerts with the previous evaluation.
func (t *transitionLog) observe(g *rules.Group) {
	cur := map[string]alertSeen{}
	for _, r := range g.AlertingRules() {
		for _, a := range r.ActiveAlerts() {
			ls := a.Labels.String()
			cur[r.Name()+ls] = alertSeen{name: r.Name(), labels: ls, state: a.State.String()}
		}
	}
	key := rules.GroupKey(g.File(), g.Name())

	t.mu.Lock()
	prev := t.groups[key]
	t.groups[key] = cur
	t.mu.Unlock()

	for k, now := range cur {
		if before, ok := prev[k]; !ok || before.state != now.state {
			from := "inactive"
			if ok {
				from = before.state
			}
			t.logger.Info("alert state changed", "alertname", now.name, "from", from, "to", now.state, "labels", now.labels, "group", key)
		}
	}
	for k, before := range prev {
		if _, ok := cur[k]; !ok {
			t.logger.Info("alert state changed", "alertname", before.name, "from", before.state, "to", "inactive", "labels", before.labels, "group", key)
		}
	}
}
