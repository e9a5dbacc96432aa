package telephony

import (
	"fmt"
	"strings"
	"testing"
)

type parsed struct {
	lines []int
	recs  []Record
	errs  []RecordError
}

func collect(p *parsed) EmitFunc {
	return func(line int, rec Record, err *RecordError) error {
		if err != nil {
			if err.Line != line {
				panic("error line differs from emitted line")
			}
			p.errs = append(p.errs, *err)
			return nil
		}
		p.lines = append(p.lines, line)
		p.recs = append(p.recs, rec)
		return nil
	}
}

func TestParseCSVColumnsInAnyOrder(t *testing.T) {
	in := "outcome,queued_at,call_id,access_number,service_option,answered_at,ended_at,after_call_work_seconds\r\n" +
		"answered,2026-01-31T23:00:00Z,c1,+442079460101,noise,2026-01-31T23:00:12.5Z,2026-01-31T23:04:00Z,45\r\n" +
		"\n" +
		`abandoned,2026-07-01T00:05:00+01:00,"c,2",+442079460101,noise,,2026-07-01T00:05:30+01:00,` + "\n"
	var p parsed
	if err := ParseCSV(strings.NewReader(in), collect(&p)); err != nil {
		t.Fatal(err)
	}
	if len(p.errs) != 0 || len(p.recs) != 2 {
		t.Fatalf("got %d records, errors %v; want 2 records", len(p.recs), p.errs)
	}
	r := p.recs[0]
	if r.CallID != "c1" || r.Outcome != "answered" || r.Kind != "" || !r.CallerNumber.IsZero() || r.AfterCallWorkSeconds != 45 ||
		r.AnsweredAt.Sub(r.QueuedAt).Seconds() != 12.5 || r.PO != "" {
		t.Errorf("record 1 = %+v", r)
	}
	if p.lines[1] != 4 || p.recs[1].CallID != "c,2" || !p.recs[1].AnsweredAt.IsZero() {
		t.Errorf("record 2 at line %d = %+v; want line 4, id c,2, no answered_at", p.lines[1], p.recs[1])
	}
	if _, off := p.recs[1].QueuedAt.Zone(); off != 3600 {
		t.Errorf("offset %d s, want +01:00 kept", off)
	}
}

func TestParseCSVHeaderErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "empty file"},
		{"unknown column", "call_id,callerid,access_number\n",
			`unknown column "callerid" (column 2); valid columns are call_id, po, access_number, service_option, queued_at, answered_at, ended_at, outcome, after_call_work_seconds, kind, caller_number`},
		{"twice", "call_id,call_id\n", `column "call_id" appears twice`},
		{"missing", "call_id,access_number,service_option,queued_at\n", "missing required column(s) ended_at, outcome"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ParseCSV(strings.NewReader(tc.in), func(int, Record, *RecordError) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseCSVBadLinesAreCountedAndSkipped(t *testing.T) {
	in := `call_id,access_number,service_option,queued_at,answered_at,ended_at,outcome,kind
a,+442079460101,noise,2026-01-31 23:00:00,,2026-01-31T23:01:00Z,abandoned,
b,+442079460101,noise,2026-01-31T23:00:00Z,,2026-01-31T23:01:00Z
c,+442079460101,noise,2026-01-31T23:00:00Z,,2026-01-31T23:01:00Z,hung_up,
,+442079460101,noise,2026-01-31T23:00:00Z,,2026-01-31T23:01:00Z,abandoned,
e,+442079460101,noise,2026-01-31T23:00:00Z,,2026-01-31T23:01:00Z,abandoned,probe
f,+442079460101,noise,"2026-01-31T23:00:00Z,,2026-01-31T23:01:00Z,abandoned,
g,+442079460101,noise,2026-01-31T23:00:00Z,,2026-01-31T23:01:00Z,abandoned,test
`
	var p parsed
	if err := ParseCSV(strings.NewReader(in), collect(&p)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line       int
		code, text string
	}{
		{2, ReasonBadTime, `queued_at "2026-01-31 23:00:00" is not RFC 3339 with offset`},
		{3, ReasonSyntax, "row has 6 fields, the header has 8"},
		{4, ReasonBadField, `outcome "hung_up" is not one of answered, abandoned, ivr_only`},
		{5, ReasonBadField, "call_id is required"},
		{6, ReasonBadField, `kind "probe" is not one of public, test`},
		{7, ReasonSyntax, "not a CSV row"},
	}
	if len(p.errs) != len(want) {
		t.Fatalf("errors = %v, want %d", p.errs, len(want))
	}
	for i, w := range want {
		e := p.errs[i]
		if e.Line != w.line || e.Code != w.code || !strings.Contains(e.Reason, w.text) {
			t.Errorf("error %d = %+v, want line %d %s %q", i, e, w.line, w.code, w.text)
		}
	}
	if len(p.recs) != 1 || p.recs[0].CallID != "g" || p.recs[0].Kind != "test" || p.lines[0] != 8 {
		t.Errorf("records = %+v at %v, want only g (test) at line 8", p.recs, p.lines)
	}
	if got := p.errs[0].Error(); !strings.HasPrefix(got, `line 2: call "a": queued_at`) {
		t.Errorf("Error() = %q", got)
	}
}

func TestParseCSVCallerNumber(t *testing.T) {
	in := "call_id,access_number,service_option,queued_at,ended_at,outcome,caller_number,kind\n" +
		"c1,+442079460010,social_services_emergencies,2026-11-03T03:10:00Z,2026-11-03T03:10:30Z,abandoned, +442079460990 ,\n" +
		"c2,+442079460010,social_services_emergencies,2026-11-03T03:11:00Z,2026-11-03T03:11:30Z,abandoned,,public\n" +
		"c3,+442079460010,social_services_emergencies,2026-11-03T03:12:00Z,2026-11-03T03:11:30Z,hung_up,+442079460990,\n" +
		"c4,+442079460010,social_services_emergencies,2026-11-03T03:12:00Z,2026-11-03T03:11:30Z,abandoned,+442079460990,probe\n" +
		"c5,+442079460010,social_services_emergencies,03:12,2026-11-03T03:11:30Z,abandoned,+442079460990,\n" +
		"c6,+442079460010,social_services_emergencies,2026-11-03T03:12:00Z,abandoned,+442079460990,\n"
	var p parsed
	if err := ParseCSV(strings.NewReader(in), collect(&p)); err != nil {
		t.Fatal(err)
	}
	if len(p.recs) != 2 || p.recs[0].CallerNumber.Reveal() != "+442079460990" || p.recs[0].Kind != "" ||
		!p.recs[1].CallerNumber.IsZero() || p.recs[1].Kind != "public" {
		t.Fatalf("records = %+v", p.recs)
	}
	if len(p.errs) != 4 {
		t.Fatalf("errors = %+v, want 4", p.errs)
	}
	for _, e := range p.errs {
		if strings.Contains(e.Error(), "2079460990") {
			t.Errorf("error shows the caller number: %v", e)
		}
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", p.recs[0], p.recs[0], p.recs[0]), "2079460990") {
		t.Errorf("a record prints its caller number: %+v", p.recs[0])
	}
}
