package telephony

import (
	"context"
	"fmt"
)

// FollowQueueLog tails an Asterisk queue_log (from its beginning, across
// rotation and truncation) until ctx ends. Each finished queue visit is
// stored once (source "queue_log", call id uniqueid@queue), so reading the
// file again after a restart counts nothing twice. Open visits drive
// telephony_calls_waiting and telephony_oldest_wait_seconds while it runs.
func (e *Exporter) FollowQueueLog(ctx context.Context, path string) error {
	tr := NewQueueTracker(e.o.Catalog)
	e.calls.setTracker(func() map[WaitKey]Waiting {
		e.trackMu.Lock()
		defer e.trackMu.Unlock()
		return tr.Waiting()
	})
	defer e.calls.setTracker(nil)

	b := &batcher{e: e, ctx: ctx, source: SourceQueueLog}
	n := 0
	// storeOrRetry writes the pending batch; when the store fails the batch
	// is kept and retried at the next poll, so a store restart loses nothing.
	storeOrRetry := func() error {
		if err := b.flush(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e.log.Warn("queue_log: store write failed; will retry", "pending", len(b.items)+len(b.errs), "err", err)
			return nil
		}
		b.res = Result{} // counts live in the metrics; don't grow forever
		return nil
	}
	t := &tailer{
		path: path,
		poll: e.o.PollInterval,
		onLine: func(line string) error {
			n++
			// Not under trackMu while storing: Collect takes the metrics lock, then trackMu.
			var out []item
			var bad []RecordError
			e.trackMu.Lock()
			_ = queueLogLine(tr, line, n, func(line int, rec Record, rerr *RecordError) error {
				if rerr != nil {
					bad = append(bad, *rerr)
				} else {
					out = append(out, item{line: line, rec: rec})
				}
				return nil
			})
			e.trackMu.Unlock()
			b.items = append(b.items, out...)
			b.errs = append(b.errs, bad...)
			if len(b.items)+len(b.errs) >= e.o.BatchSize {
				return storeOrRetry()
			}
			return nil
		},
		onIdle: func() error {
			e.trackMu.Lock()
			dropped := tr.Expire(e.o.Now().Add(-e.o.MaxVisitAge))
			e.trackMu.Unlock()
			if dropped > 0 {
				e.self.errors.WithLabelValues(SourceQueueLog, ReasonOrphan).Add(float64(dropped))
				e.log.Warn("queue visits dropped without a final event", "count", dropped, "max_age", e.o.MaxVisitAge)
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
