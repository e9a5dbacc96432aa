package loneworker

import (
	"time"
)

// clockText is t as a local clock time for an SMS ("22:30"), with the day
// when it is not now's ("00:15 tomorrow", "09:00 Sat 21 Nov").
func clockText(t, now time.Time, loc *time.Location) string {
	return clockIn(t, now, loc, "15:04")
}

// sayClock is t as a local clock time to be spoken ("22 30").
func sayClock(t, now time.Time, loc *time.Location) string {
	return clockIn(t, now, loc, "15 04")
}

func clockIn(t, now time.Time, loc *time.Location, layout string) string {
	if loc == nil {
		loc = time.UTC
	}
	t, now = t.In(loc), now.In(loc)
	out := t.Format(layout)
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	switch {
	case ty == ny && tm == nm && td == nd:
	case time.Date(ny, nm, nd+1, 0, 0, 0, 0, loc).Equal(time.Date(ty, tm, td, 0, 0, 0, 0, loc)):
		out += " tomorrow"
	default:
		out += t.Format(" Mon 2 Jan")
	}
	return out
}
