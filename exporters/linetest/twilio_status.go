package linetest

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// twilioTokenParam is the query parameter of the status callback URL that
// names the Dial waiting for it.
const twilioTokenParam = "dial"

// twilioStatus is one status callback, as parsed.
type twilioStatus struct {
	Token      string // the dial token from the callback URL's query
	CallSid    string
	CallStatus string // lower case: queued, initiated, ringing, in-progress, completed, …
	AnsweredBy string // human, machine_start, fax, unknown, … ("" when absent)
	// CallDuration is the answered call's length in seconds, -1 when absent.
	CallDuration int
	// SIPCode is SipResponseCode, 0 when absent.
	SIPCode int
	// Sequence is SequenceNumber, -1 when absent.
	Sequence int
}

// twilioFinal reports whether a CallStatus ends the call.
func twilioFinal(status string) bool {
	switch status {
	case DialCompleted, DialBusy, DialNoAnswer, DialFailed, DialCanceled:
		return true
	}
	return false
}

// twilioKnownStatus are Twilio's CallStatus values.
var twilioKnownStatus = map[string]bool{
	"queued": true, "initiated": true, "ringing": true, "in-progress": true,
	DialCompleted: true, DialBusy: true, DialNoAnswer: true, DialFailed: true, DialCanceled: true,
}

// parseTwilioStatus reads a call status callback: the dial token from
// query, the call from form. CallSid must look like a Twilio call SID
// and CallStatus be one of Twilio's; numeric fields that do not parse
// are dropped rather than refused.
func parseTwilioStatus(query, form url.Values) (twilioStatus, error) {
	s := twilioStatus{
		Token:        query.Get(twilioTokenParam),
		CallSid:      form.Get("CallSid"),
		CallStatus:   strings.ToLower(strings.TrimSpace(form.Get("CallStatus"))),
		AnsweredBy:   form.Get("AnsweredBy"),
		CallDuration: -1,
		Sequence:     -1,
	}
	if !isTwilioToken(s.Token) {
		return twilioStatus{}, fmt.Errorf("want the %q query parameter this dialer put in the callback URL", twilioTokenParam)
	}
	if !isTwilioCallSID(s.CallSid) {
		return twilioStatus{}, errors.New("want CallSid, a Twilio call SID (CA followed by letters and digits)")
	}
	if !twilioKnownStatus[s.CallStatus] {
		return twilioStatus{}, errors.New("want CallStatus, one of queued, initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled")
	}
	if !isTwilioWord(s.AnsweredBy, 32) {
		s.AnsweredBy = ""
	}
	if n, err := strconv.Atoi(form.Get("CallDuration")); err == nil && n >= 0 {
		s.CallDuration = n
	}
	if n, err := strconv.Atoi(form.Get("SipResponseCode")); err == nil && n >= 100 && n <= 699 {
		s.SIPCode = n
	}
	if n, err := strconv.Atoi(form.Get("SequenceNumber")); err == nil && n >= 0 {
		s.Sequence = n
	}
	return s, nil
}

// isTwilioCallSID: "CA" then letters and digits, at most 64 in all.
func isTwilioCallSID(s string) bool {
	return len(s) > 2 && strings.HasPrefix(s, "CA") && isTwilioWord(s, 64) && !strings.Contains(s, "_")
}

// isTwilioToken: the hex of newTwilioToken.
func isTwilioToken(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isTwilioWord: letters, digits and _ only, at most max bytes ("" is one).
func isTwilioWord(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}
