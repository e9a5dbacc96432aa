package telephony

import (
	"bytes"
	"strings"
	"testing"
)

// checkEmitted holds for any input: a line is either a record that passed
// the field checks or an error with a reason code from the fixed set.
func checkEmitted(t *testing.T) EmitFunc {
	codes := map[string]bool{}
	for _, c := range reasonCodes() {
		codes[c] = true
	}
	last := 0
	return func(line int, rec Record, err *RecordError) error {
		if line <= last {
			t.Fatalf("line %d after line %d", line, last)
		}
		last = line
		if err != nil {
			if !codes[err.Code] || err.Reason == "" || err.Line != line {
				t.Fatalf("bad error %+v at line %d", err, line)
			}
			return nil
		}
		if rec.CallID == "" || rec.QueuedAt.IsZero() || rec.EndedAt.IsZero() || rec.AfterCallWorkSeconds < 0 ||
			(rec.Kind != "" && rec.Kind != "public" && rec.Kind != "test") {
			t.Fatalf("record passed the checks but is not valid: %+v", rec)
		}
		return nil
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(e2eCSV))
	f.Add([]byte("call_id,access_number,service_option,queued_at,ended_at,outcome\n\"a\"\"b\",x,y,2026-01-31T23:00:00Z,2026-01-31T23:00:00Z,abandoned\n"))
	f.Add([]byte("\uFEFFoutcome,call_id,access_number,service_option,queued_at,ended_at,after_call_work_seconds\r\nanswered,1,2,3,4,5,NaN\r\n"))
	f.Add([]byte("call_id,access_number,service_option,queued_at,ended_at,outcome,kind,caller_number\n" +
		"t1,+442079460010,social_services_emergencies,2026-11-03T03:10:00Z,2026-11-03T03:10:30Z,abandoned,,+442079460990\n" +
		"t2,+442079460010,social_services_emergencies,2026-11-03T03:10:00Z,2026-11-03T03:10:30Z,abandoned,public,\"+44 20 7946 0990\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ParseCSV(bytes.NewReader(data), checkEmitted(t))
	})
}

func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte(oneCall + "\n" + `{"call_id":1e400,"queued_at":"2026-01-31T23:00:00+01:00"}` + "\n[]\n"))
	f.Add([]byte(`{"call_id":"x","access_number":"+1","service_option":"s","queued_at":"2026-01-31T23:00:00Z","ended_at":"2026-01-31T23:00:00Z","outcome":"ivr_only","after_call_work_seconds":"-0"}`))
	f.Add([]byte(`{"call_id":"t","access_number":"+442079460010","service_option":"social_services_emergencies","queued_at":"2026-11-03T03:10:00Z","ended_at":"2026-11-03T03:10:30Z","outcome":"abandoned","caller_number":"+442079460990"}` +
		"\n" + `{"call_id":"n","caller_number":442079460990,"kind":null}` + "\n" + `{"caller_number":["+442079460990"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ParseJSONL(bytes.NewReader(data), checkEmitted(t))
	})
}

func FuzzParseQueueLog(f *testing.F) {
	for _, s := range []string{
		"1769900400|u1|alpha-noise|NONE|ENTERQUEUE||07700900123|1\n1769900412|u1|alpha-noise|PJSIP/a|CONNECT|12|x|3\n1769900507|u1|alpha-noise|PJSIP/a|COMPLETECALLER|12|95|1",
		"1769900430|u|alpha-housing|NONE|EXITWITHKEY|5|1|1|17\n1769900430|u|alpha-housing|a|TRANSFER|200|default|9|61|1",
		"1.5|u|alpha-noise|NONE|ABANDON|1|1|99999999",
		"1769900400|lt|alpha-noise|NONE|ENTERQUEUE||+442079460990|1\n1769900420|lt|alpha-noise|NONE|ABANDON|1|1|20\n1769900430|x|alpha-noise|NONE|ENTERQUEUE|",
	} {
		f.Add(s)
	}
	cat := testCatalog(f)
	f.Fuzz(func(t *testing.T, data string) {
		tr := NewQueueTracker(cat)
		for i, line := range strings.Split(data, "\n") {
			ev, err := ParseQueueLogLine(line)
			if err != nil {
				continue
			}
			rec, done, rerr := tr.Apply(ev, i+1)
			if rerr != nil && rerr.Code != ReasonUnknownQueue {
				t.Fatalf("tracker error %+v", rerr)
			}
			if done {
				if rec.EndedAt.Before(rec.QueuedAt) || (rec.Outcome == "answered" && (rec.AnsweredAt.Before(rec.QueuedAt) || rec.EndedAt.Before(rec.AnsweredAt))) {
					t.Fatalf("times out of order: %+v from %q", rec, line)
				}
				if _, err := Resolve(cat, SourceQueueLog, i+1, rec); err != nil && err.Code != ReasonNoStandard && err.Code != ReasonBadTime {
					t.Fatalf("tracker record rejected: %v (%+v)", err, rec)
				}
			}
		}
		tr.Waiting()
	})
}
