package loneworker

import (
	"sync"
	"time"
)

// PIN guessing across calls: three tries per call is no limit for a caller
// who redials. After pinLockFailures wrong PINs within pinLockWindow, from
// any caller, PIN entry is refused for pinLockWindow (callers from their
// own registered phone are not affected) and an error is logged: someone
// may be trying to check an officer out, which would cancel their alarm.
const (
	pinLockFailures = 10
	pinLockWindow   = 15 * time.Minute
)

// pinLock counts wrong PINs over a sliding window.
type pinLock struct {
	mu    sync.Mutex
	fails []time.Time
}

// failed records a wrong PIN at now and reports whether PIN entry is now
// locked.
func (l *pinLock) failed(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails = append(l.prune(now), now)
	return len(l.fails) >= pinLockFailures
}

// locked reports whether PIN entry is refused at now.
func (l *pinLock) locked(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails = l.prune(now)
	return len(l.fails) >= pinLockFailures
}

func (l *pinLock) prune(now time.Time) []time.Time {
	keep := l.fails[:0]
	for _, t := range l.fails {
		if now.Sub(t) < pinLockWindow {
			keep = append(keep, t)
		}
	}
	return keep
}
