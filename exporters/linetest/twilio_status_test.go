package linetest

import (
	"net/url"
	"strings"
	"testing"
)

const twTok = "0123456789abcdef0123456789abcdef"

func TestParseTwilioStatus(t *testing.T) {
	q := url.Values{"dial": {twTok}}
	tests := []struct {
		name  string
		query url.Values
		form  string
		want  twilioStatus
		err   string
	}{
		{name: "completed", query: q,
			form: "CallSid=CA1f&CallStatus=completed&AnsweredBy=machine_start&CallDuration=12&SipResponseCode=200&SequenceNumber=3",
			want: twilioStatus{Token: twTok, CallSid: "CA1f", CallStatus: "completed", AnsweredBy: "machine_start", CallDuration: 12, SIPCode: 200, Sequence: 3}},
		{name: "busy, case and junk numbers", query: q,
			form: "CallSid=CA2&CallStatus=Busy&CallDuration=x&SipResponseCode=9999&SequenceNumber=-1&AnsweredBy=a%20b",
			want: twilioStatus{Token: twTok, CallSid: "CA2", CallStatus: "busy", CallDuration: -1, Sequence: -1}},
		{name: "in-progress", query: q, form: "CallSid=CA3&CallStatus=in-progress",
			want: twilioStatus{Token: twTok, CallSid: "CA3", CallStatus: "in-progress", CallDuration: -1, Sequence: -1}},
		{name: "no token", query: url.Values{}, form: "CallSid=CA1&CallStatus=completed", err: `"dial" query parameter`},
		{name: "bad token", query: url.Values{"dial": {"XYZ"}}, form: "CallSid=CA1&CallStatus=completed", err: `"dial" query parameter`},
		{name: "message SID", query: q, form: "CallSid=SM1&CallStatus=completed", err: "want CallSid"},
		{name: "no status", query: q, form: "CallSid=CA1", err: "want CallStatus"},
		{name: "unknown status", query: q, form: "CallSid=CA1&CallStatus=delivered", err: "want CallStatus"},
	}
	for _, tc := range tests {
		form, _ := url.ParseQuery(tc.form)
		got, err := parseTwilioStatus(tc.query, form)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%s: = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func FuzzParseTwilioStatus(f *testing.F) {
	f.Add("dial="+twTok, "CallSid=CA1f&CallStatus=completed&AnsweredBy=human&CallDuration=12&SipResponseCode=200&SequenceNumber=3")
	f.Add("dial="+twTok, "CallSid=CA2&CallStatus=no-answer&SipResponseCode=487")
	f.Add("", "CallSid=&CallStatus=")
	f.Add("dial="+twTok+"&dial=x", "CallSid=CA%00&CallStatus=COMPLETED%20&CallDuration=99999999999999999999")
	f.Fuzz(func(t *testing.T, rawQuery, body string) {
		q, _ := url.ParseQuery(rawQuery)
		form, _ := url.ParseQuery(body)
		s, err := parseTwilioStatus(q, form)
		if err != nil {
			if s != (twilioStatus{}) {
				t.Fatalf("error %v with a status %+v", err, s)
			}
			return
		}
		if !isTwilioToken(s.Token) || !isTwilioCallSID(s.CallSid) || !twilioKnownStatus[s.CallStatus] {
			t.Fatalf("accepted %+v", s)
		}
		if s.CallDuration < -1 || s.Sequence < -1 || (s.SIPCode != 0 && (s.SIPCode < 100 || s.SIPCode > 699)) {
			t.Fatalf("numbers out of range: %+v", s)
		}
		if !isTwilioWord(s.AnsweredBy, 32) {
			t.Fatalf("AnsweredBy %q kept", s.AnsweredBy)
		}
	})
}
