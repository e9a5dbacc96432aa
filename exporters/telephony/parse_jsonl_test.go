package telephony

import (
	"strings"
	"testing"
)

func TestParseJSONL(t *testing.T) {
	in := `{"call_id":"j1","po":"alpha","access_number":"+442079460101","service_option":"noise","queued_at":"2026-01-31T23:00:00Z","answered_at":"2026-01-31T23:00:20Z","ended_at":"2026-01-31T23:02:00Z","outcome":"answered","after_call_work_seconds":30.5}
{"call_id":12345,"access_number":"+442079460101","service_option":"noise","queued_at":"2026-01-31T23:00:00Z","answered_at":null,"ended_at":"2026-01-31T23:00:03Z","outcome":"abandoned"}

{"call_id":"x","caller":"07700900123"}
{"call_id":"y",
["not","an","object"]
{"call_id":"z"} trailing
{"call_id":{"nested":1}}
{"call_id":"w","access_number":"+442079460101","service_option":"noise","queued_at":"yesterday","ended_at":"2026-01-31T23:00:03Z","outcome":"abandoned"}
"caller_number":"07700900123"}
{"call_id":"v","caller_number":{"n":"07700900123"}}
{"call_id":"u","access_number":"+442079460101","service_option":"noise","queued_at":"2026-01-31T23:00:00Z","ended_at":"2026-01-31T23:00:03Z","outcome":"abandoned","caller_number":" 07700900123 "}
`
	var p parsed
	if err := ParseJSONL(strings.NewReader(in), collect(&p)); err != nil {
		t.Fatal(err)
	}
	if len(p.recs) != 3 || p.recs[0].AfterCallWorkSeconds != 30.5 || p.recs[0].PO != "alpha" || p.recs[1].CallID != "12345" {
		t.Fatalf("records = %+v", p.recs)
	}
	// The caller number is kept (trimmed) for Resolve; no kind is decided yet.
	if u := p.recs[2]; u.CallerNumber.Reveal() != "07700900123" || u.Kind != "" || !p.recs[0].CallerNumber.IsZero() {
		t.Errorf("caller numbers: %q (kind %q) and %v", u.CallerNumber.Reveal(), u.Kind, p.recs[0].CallerNumber.IsZero())
	}
	want := []struct {
		line       int
		code, text string
	}{
		{4, ReasonBadField, `unknown field "caller"; valid fields are call_id, po,`},
		{5, ReasonSyntax, "unexpected end"},
		{6, ReasonSyntax, "not a JSON object"},
		{7, ReasonSyntax, "data after the JSON value"},
		{8, ReasonBadField, `field "call_id": want a string or a number`},
		{9, ReasonBadTime, `queued_at "yesterday" is not RFC 3339`},
		{10, ReasonSyntax, `not a JSON object: want one {...} per line, got a line starting with "\""`},
		{11, ReasonBadField, `field "caller_number": want a string or a number`},
	}
	if len(p.errs) != len(want) {
		t.Fatalf("errors = %+v, want %d", p.errs, len(want))
	}
	for i, w := range want {
		e := p.errs[i]
		if e.Line != w.line || e.Code != w.code || !strings.Contains(e.Reason, w.text) {
			t.Errorf("error %d = %+v, want line %d %s %q", i, e, w.line, w.code, w.text)
		}
	}
	for _, e := range p.errs {
		if strings.Contains(e.Reason, "07700900123") {
			t.Errorf("a caller number leaked into an error: %q", e.Reason)
		}
	}
}
