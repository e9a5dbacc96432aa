package sms

import (
	"strings"
	"unicode"
)

// ReplyKind is what an inbound SMS asks for.
type ReplyKind int

// Kinds of inbound SMS.
const (
	// ReplyHelp is anything not understood: answer with how to ack.
	ReplyHelp ReplyKind = iota
	// ReplyAck acknowledges with Reply.Code.
	ReplyAck
	// ReplyStop opts out (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT).
	ReplyStop
	// ReplyStart opts back in (START, YES, UNSTOP).
	ReplyStart
)

func (k ReplyKind) String() string {
	switch k {
	case ReplyAck:
		return "ack"
	case ReplyStop:
		return "stop"
	case ReplyStart:
		return "start"
	}
	return "help"
}

// Reply is a parsed inbound SMS.
type Reply struct {
	Kind ReplyKind
	// Code is the ack code, upper case and without spaces ("12A").
	Code string
}

// Twilio's standard opt-out and opt-in keywords: the whole message, in
// any case.
var (
	stopWords  = []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
	startWords = []string{"START", "YES", "UNSTOP"}
	// ackWords may come before a code: "ack 12a".
	ackWords = []string{"ACKNOWLEDGED", "ACKNOWLEDGE", "ACKED", "ACK", "OK"}
)

// Limits on an ack code: the incident reference's digits, then the
// recipient's letters.
const (
	maxCodeDigits  = 9
	maxCodeLetters = 3
)

// ParseReply reads an inbound SMS body. An ack code is digits then
// letters ("12A"); it may be in lower case, spaced ("12 a"), behind a
// "#" or after "ack" ("ACK #12A"), with trailing punctuation. Opt-out
// and opt-in keywords count only as the whole message, as Twilio's do.
func ParseReply(body string) Reply {
	s := strings.ToUpper(strings.Join(strings.Fields(body), " "))
	s = strings.TrimRight(s, ".!")
	for _, w := range stopWords {
		if s == w {
			return Reply{Kind: ReplyStop}
		}
	}
	for _, w := range startWords {
		if s == w {
			return Reply{Kind: ReplyStart}
		}
	}
	for _, w := range ackWords {
		if rest, ok := strings.CutPrefix(s, w); ok && (rest == "" || rest[0] < 'A' || rest[0] > 'Z') {
			s = rest
			break
		}
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '#' || r == ':' || r == '-' {
			return -1
		}
		return r
	}, s)
	if isCode(s) {
		return Reply{Kind: ReplyAck, Code: s}
	}
	return Reply{Kind: ReplyHelp}
}

// isCode reports whether s is 1–9 ASCII digits then 1–3 ASCII letters.
func isCode(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > maxCodeDigits {
		return false
	}
	n := len(s) - i
	if n < 1 || n > maxCodeLetters {
		return false
	}
	for _, r := range s[i:] {
		if r > unicode.MaxASCII || r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
