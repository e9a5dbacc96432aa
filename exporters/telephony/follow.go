package telephony

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Store retry back-off of FollowQueueLog: the first retry after
// retryMinBackoff, doubling up to retryMaxBackoff.
const (
	retryMinBackoff = time.Second
	retryMaxBackoff = time.Minute
)

// FollowQueueLog tails an Asterisk queue_log (from its beginning, across
// rotation and truncation) until ctx ends. Each finished queue visit is
// stored once (source "queue_log", call id uniqueid@queue@enter, see
// QueueTracker), so reading the file again after a restart counts nothing
// twice. Open visits drive telephony_calls_waiting and
// telephony_oldest_wait_seconds while it runs.
//
// When the store fails, the pending batch is kept (never dropped) and the
// write retried after a back-off doubling from 1 s to 1 min (on the
// Options.Now clock, checked at each poll), not on every new line.
//
// A visit without an event for Options.MaxVisitAge is dropped and counted
// as parse_errors_total{reason="orphan_visit"}, once: a visit is counted
// only if its latest event is at most MaxVisitAge before the follower
// started, as older ones were already orphans then, counted (if at all) by
// the process that was running; a restart, which rereads the file from the
// top, therefore does not count the same orphans again.
func (e *Exporter) FollowQueueLog(ctx context.Context, path string) error {
	tr := NewQueueTracker(e.o.Catalog)
	var mu sync.Mutex // guards tr: Collect reads it through setTracker
	e.calls.setTracker(func() map[WaitKey]Waiting {
		mu.Lock()
		defer mu.Unlock()
		return tr.Waiting()
	})
	defer e.calls.setTracker(nil)

	countFrom := e.o.Now().Add(-e.o.MaxVisitAge) // orphans older than this are history
	b := &batcher{e: e, ctx: ctx, transport: TransportQueueLog, source: SourceQueueLog}
	n := 0
	var nextTry time.Time // zero: the store is healthy
	backoff := time.Duration(0)
	// storeOrRetry writes the pending batch; when the store fails the batch
	// is kept and retried after the back-off, so a store restart loses nothing.
	storeOrRetry := func() error {
		if !nextTry.IsZero() && e.o.Now().Before(nextTry) {
			return nil
		}
		if err := b.flush(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			backoff = min(max(2*backoff, retryMinBackoff), retryMaxBackoff)
			nextTry = e.o.Now().Add(backoff)
			e.log.Warn("queue_log: store write failed; will retry", "pending", len(b.items)+len(b.errs),
				"retry_in", backoff, "err", err)
			return nil
		}
		if !nextTry.IsZero() {
			e.log.Info("queue_log: store write succeeded after retries")
		}
		nextTry, backoff = time.Time{}, 0
		b.res = Result{} // counts live in the metrics; don't grow forever
		return nil
	}
	t := &tailer{
		path: path,
		poll: e.o.PollInterval,
		onLine: func(line string, tooLong bool) error {
			n++
			if tooLong {
				b.errs = append(b.errs, *tooLongErr(n))
			} else {
				// Not under mu while storing: Collect takes the metrics lock, then mu.
				mu.Lock()
				_ = queueLogLine(tr, line, n, func(line int, rec Record, rerr *RecordError) error {
					if rerr != nil {
						b.errs = append(b.errs, *rerr)
					} else {
						b.items = append(b.items, item{line: line, rec: rec})
					}
					return nil
				})
				mu.Unlock()
			}
			if len(b.items)+len(b.errs) >= e.o.BatchSize {
				return storeOrRetry()
			}
			return nil
		},
		onIdle: func() error {
			mu.Lock()
			dropped := tr.Expire(e.o.Now().Add(-e.o.MaxVisitAge))
			mu.Unlock()
			counted := 0
			for _, last := range dropped {
				if !last.Before(countFrom) {
					counted++
				}
			}
			if counted > 0 {
				e.self.errors.WithLabelValues(TransportQueueLog, ReasonOrphan).Add(float64(counted))
			}
			if len(dropped) > 0 {
				e.log.Warn("queue visits dropped without a final event", "count", len(dropped), "counted", counted,
					"max_age", e.o.MaxVisitAge)
			}
			return storeOrRetry()
		},
		onReopen: func(why string) {
			e.log.Info("queue_log reopened", "path", path, "why", why)
			n = 0
		},
	}
	if err := t.run(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("telephony: following %s: %w", path, err)
	}
	return nil
}
