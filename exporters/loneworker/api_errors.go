package loneworker

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slawatch/slawatch/store"
)

// fail answers an error of the service: the caller's mistake or a
// conflict with the session's state (4xx, said plainly, not logged), or a
// failure of the store or the catalogue (503, logged without personal
// data: retry).
func (c *call) fail(action string, id int64, err error) {
	var open *store.SessionOpenError
	code, e := http.StatusServiceUnavailable, APIError{Session: id}
	switch {
	case errors.As(err, &open):
		code, e.Session = http.StatusConflict, open.ID
		e.Error = fmt.Sprintf("the officer already has open session %d (%s); check it out first (POST %ssessions/%d/checkout), or extend it",
			open.ID, open.State, APIPrefix, open.ID)
	case errors.Is(err, ErrInvalid):
		code, e.Error = http.StatusUnprocessableEntity, apiMessage(err)
	case errors.Is(err, store.ErrNoSession):
		code, e.Error = http.StatusNotFound, fmt.Sprintf("no lone-worker session %d", id)
	case errors.Is(err, ErrNoOpenSession):
		code, e.Error = http.StatusNotFound, apiMessage(err)
	case errors.Is(err, store.ErrSessionClosed):
		code, e.Error = http.StatusConflict, fmt.Sprintf("session %d is checked out: nothing to %s; check in again for a new visit", id, action)
	case errors.Is(err, store.ErrSessionOverdue):
		code, e.Error = http.StatusConflict, fmt.Sprintf("session %d is past its deadline, so it cannot be extended: the alarm stands. "+
			"Check out to close the alarm (everyone paged is told), then check in again for more time", id)
	case errors.Is(err, store.ErrExtensionRefused):
		code, e.Error = http.StatusConflict, apiMessage(err)
	case errors.Is(err, store.ErrNotOverdue):
		code, e.Error = http.StatusConflict, fmt.Sprintf("session %d has no alarm raised (it is not overdue): nothing to acknowledge", id)
	default:
		c.a.log.Error("lone-worker api: store or catalogue failed", "action", action, "session", id, "by", c.caller.Name, "err", err)
		e.Error = fmt.Sprintf("the lone-worker store is unavailable, so the %s may not be recorded; retry (a repeated check-in that "+
			"was stored is answered 409 with its session)", action)
		c.w.Header().Set("Retry-After", "1")
	}
	writeAPIError(c.w, code, e)
}

// apiMessage is a service error for the API caller: without the "store: "
// prefix, with the store's field names as the API's.
func apiMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "store: ")
	return strings.NewReplacer(" OfficerPhone ", " phone ", " Location ", " location ", " UPRN ", " uprn ").Replace(msg)
}

// parseRFC3339 parses until; the zero time is refused (it would mean "no
// deadline given").
func parseRFC3339(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err == nil && t.IsZero() {
		err = errors.New("zero time")
	}
	return t, err
}
