package sms

import (
	"strings"
	"time"
	_ "time/tzdata" // Europe/London must load on any host

	"github.com/slawatch/slawatch/alerting"
)

// SegmentLen is the number of GSM-7 characters in one SMS segment.
const SegmentLen = 160

// Caps on the descriptive parts of a text, in characters. The reference
// and the ack code are never shortened: a wrong code is worse than a
// second segment.
const (
	maxSeverity = 8
	maxPO       = 20
	maxWhere    = 40
	maxBy       = 24
	maxVia      = 12
)

// london is where the people paged are; times in texts are local to it.
var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("sms: " + err.Error()) // unreachable: time/tzdata is embedded
	}
	return loc
}

// Text is the SMS for m: one 160-character GSM-7 segment whenever the
// reference and ack code are of a sane length. In order of priority it
// says how bad, what, where, since when (Europe/London), the reference
// and how to acknowledge:
//
//	CRIT #12 rbkc/repairs: Answered in 20s 61% (target 80%) since 02:14. Reply 12A to ack
//	#12 acked by p-ann via slack. rbkc/repairs: Answered in 20s 61%...
//	#12 RESOLVED rbkc/repairs: Answered in 20s 61% (target 80%) (from 02:14)
//
// The summary is shortened first, so the ack instruction always fits.
// Characters outside the GSM-7 default alphabet are replaced, so the
// text is never sent as UCS-2 (70 characters a segment).
func Text(m alerting.Message) string {
	switch m.Kind {
	case alerting.MessageAcknowledged:
		return ackedText(m)
	case alerting.MessageResolved:
		return resolvedText(m)
	default:
		return pageText(m)
	}
}

func pageText(m alerting.Message) string {
	head := severity(m.Severity)
	if m.Escalated {
		head += " ESCALATED"
	}
	if ref := token(m.Ref); ref != "" {
		head += " #" + ref
	}
	head += " " + where(m)
	tail := since(m.Since, " since ")
	if code := token(m.AckCode); code != "" {
		tail += ". Reply " + code + " to ack"
	}
	return withWhat(head, ": ", what(m), tail)
}

func ackedText(m alerting.Message) string {
	by := cut(gsmLine(m.By, SegmentLen), maxBy)
	if by == "" {
		by = "someone"
	}
	head := refPrefix(m) + "acked by " + by
	if via := cut(gsmLine(m.Via, SegmentLen), maxVia); via != "" {
		head += " via " + via
	}
	head += ". " + where(m)
	return withWhat(head, ": ", what(m), "")
}

func resolvedText(m alerting.Message) string {
	head := refPrefix(m) + "RESOLVED " + where(m)
	tail := ""
	if s := since(m.Since, ""); s != "" {
		tail = " (from " + s + ")"
	}
	return withWhat(head, ": ", what(m), tail)
}

// withWhat puts what between head and tail, shortened to what is left of
// the segment; it drops what (and sep) when nothing useful fits.
func withWhat(head, sep, what, tail string) string {
	room := SegmentLen - runeLen(head) - runeLen(sep) - runeLen(tail)
	if what == "" || room < 4 {
		return head + tail
	}
	return head + sep + cut(what, room) + tail
}

func refPrefix(m alerting.Message) string {
	if ref := token(m.Ref); ref != "" {
		return "#" + ref + " "
	}
	return ""
}

func severity(s string) string {
	switch s {
	case "critical":
		return "CRIT"
	case "page":
		return "PAGE"
	case "warning":
		return "WARN"
	}
	if r := []rune(token(strings.ToUpper(s))); len(r) > 0 {
		return string(r[:min(len(r), maxSeverity)])
	}
	return "ALERT"
}

// where is "po/service_option", the PO cut before the service option
// goes; "provider" for the provider's own alerts.
func where(m alerting.Message) string {
	po := cut(gsmLine(m.PO, SegmentLen), maxPO)
	if po == "" {
		po = "provider"
	}
	so := gsmLine(m.ServiceOption, SegmentLen)
	if so == "" {
		return po
	}
	return po + "/" + cut(so, maxWhere-runeLen(po)-1)
}

func what(m alerting.Message) string {
	if s := gsmLine(m.Summary, SegmentLen); s != "" {
		return s
	}
	return gsmLine(m.AlertName, SegmentLen)
}

// since is prefix + HH:MM in Europe/London, or "" for a zero time.
func since(t time.Time, prefix string) string {
	if t.IsZero() {
		return ""
	}
	return prefix + t.In(london).Format("15:04")
}

// token is a reference or code as one GSM-7 word.
func token(s string) string {
	return strings.ReplaceAll(gsmLine(s, SegmentLen), " ", "")
}

func runeLen(s string) int { return len([]rune(s)) }
