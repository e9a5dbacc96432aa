package tenancy

import "sync"

// DefaultMaxInFlight is how many requests of one credential are served
// at once by default; more are answered 429.
const DefaultMaxInFlight = 4

// inFlight counts the requests in progress per user.
type inFlight struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func newInFlight(max int) *inFlight { return &inFlight{max: max, n: map[string]int{}} }

// acquire takes a slot for user; false when user already has max
// requests in progress. Each true must be followed by release.
func (f *inFlight) acquire(user string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[user] >= f.max {
		return false
	}
	f.n[user]++
	return true
}

// release gives back a slot of user.
func (f *inFlight) release(user string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[user]--; f.n[user] <= 0 {
		delete(f.n, user)
	}
}
