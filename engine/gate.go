package engine

import (
	"context"
	"sync/atomic"

	"github.com/prometheus/prometheus/storage"
)

// gatedAppendable drops commits once shutdown has begun. Stopping the scrape
// manager cancels scrapes in flight; Prometheus would record such a scrape as
// failed (up=0 and staleness markers for all the target's series), so after
// a restart every target that happened to be mid-scrape would look down
// until its next scrape and TargetDown-style rules could fire. Dropping the
// interrupted scrape instead leaves the last good one as the latest sample.
type gatedAppendable struct {
	storage.Appendable
	closed *atomic.Bool
}

func (g gatedAppendable) Appender(ctx context.Context) storage.Appender {
	return gatedAppender{Appender: g.Appendable.Appender(ctx), closed: g.closed}
}

type gatedAppender struct {
	storage.Appender
	closed *atomic.Bool
}

func (a gatedAppender) Commit() error {
	if a.closed.Load() {
		return a.Appender.Rollback()
	}
	return a.Appender.Commit()
}
