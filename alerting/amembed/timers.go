package amembed

import (
	"time"

	"github.com/prometheus/alertmanager/dispatch"
)

// capTimers lowers every route's timers above the caps in t (see Timers).
func capTimers(root *dispatch.Route, t Timers) {
	capAt := func(d *time.Duration, limit time.Duration) {
		if limit > 0 && *d > limit {
			*d = limit
		}
	}
	root.Walk(func(r *dispatch.Route) {
		capAt(&r.RouteOpts.GroupWait, t.GroupWait)
		capAt(&r.RouteOpts.GroupInterval, t.GroupInterval)
		capAt(&r.RouteOpts.RepeatInterval, t.RepeatInterval)
	})
}
