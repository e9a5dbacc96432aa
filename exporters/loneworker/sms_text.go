package loneworker

import (
	"strings"
	"time"
)

// gsmBasic is the GSM 03.38 default alphabet without its control
// characters: replies are kept to it, so that one costs a septet a
// character and no phone shows boxes.
const gsmBasic = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// isGSM reports whether r is one septet of the GSM-7 default alphabet.
func isGSM(r rune) bool { return strings.ContainsRune(gsmBasic, r) }

// gsm7 is s on one line of the GSM-7 default alphabet: white space
// becomes one space, anything else outside it '?'.
func gsm7(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
			space = true
			continue
		case !isGSM(r):
			r = '?'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

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
