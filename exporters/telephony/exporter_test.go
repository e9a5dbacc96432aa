package telephony

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

const e2eCSV = `call_id,po,access_number,service_option,queued_at,answered_at,ended_at,outcome,after_call_work_seconds,kind
a1,alpha,+442079460101,noise,2026-01-31T23:00:00Z,2026-01-31T23:00:20Z,2026-01-31T23:02:00Z,answered,30,
a2,,+442079460101,noise,2026-01-31T23:01:00Z,2026-01-31T23:02:01Z,2026-01-31T23:03:00Z,answered,0,public
a3,,+442079460101,noise,2026-01-31T23:02:00Z,,2026-01-31T23:02:04Z,abandoned,,
a4,,+442079460101,noise,2026-01-31T23:03:00Z,,2026-01-31T23:04:30Z,abandoned,,
a5,,+442079460101,noise,2026-01-31T23:04:00Z,,2026-01-31T23:04:00Z,ivr_only,,
t1,,+442079460101,noise,2026-01-31T23:05:00Z,2026-01-31T23:05:03Z,2026-01-31T23:05:10Z,answered,,test
bad1,,+442079460102,noise,2026-01-31T23:06:00Z,,2026-01-31T23:06:04Z,abandoned,,
bad2,,+442079460101,noise,2026-01-31T23:07:00Z,2026-01-31T23:06:00Z,2026-01-31T23:08:00Z,answered,,
a1,,+442079460101,noise,2026-01-31T23:00:00Z,2026-01-31T23:00:20Z,2026-01-31T23:02:00Z,answered,30,
b1,,+442079460103,repairs,2026-03-01T01:00:00+00:00,2026-03-01T01:00:19Z,2026-03-01T01:00:50Z,answered,,
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIngestFileCountsOnceAndRestores(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat := testCatalog(t)
	st := openStore(t, dir)
	clk := &fixedClock{t: mustTime(t, "2026-03-02T00:00:00Z")}
	e, reg := newExporter(t, cat, st, clk.now)
	path := writeFile(t, dir, "calls.csv", e2eCSV)

	var lastDone, lastTotal int64
	res, err := e.IngestFile(ctx, "csv", path, func(d, tot int64) { lastDone, lastTotal = d, tot })
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 7 || res.Duplicate != 1 || res.Rejected != 2 {
		t.Fatalf("result %+v, want 7 accepted, 1 duplicate (a1 again), 2 rejected", res)
	}
	if res.Errors[0].Line != 8 || res.Errors[0].Code != ReasonNotServed || res.Errors[1].Line != 9 || res.Errors[1].Code != ReasonBadOrder {
		t.Errorf("errors = %+v, want line 8 not_served and line 9 bad_order", res.Errors)
	}
	if lastDone != lastTotal || lastTotal != int64(len(e2eCSV)) {
		t.Errorf("progress ended at %d/%d, want %d/%d", lastDone, lastTotal, len(e2eCSV), len(e2eCSV))
	}

	// alpha noise silver on ...101: offered = a1, a2 (answered) + a3, a4 (abandoned); the IVR-only call and the test call are not offered.
	wantOffered := `
# HELP telephony_calls_offered_total Public calls that reached the queue after the greeting (test calls excluded).
# TYPE telephony_calls_offered_total counter
telephony_calls_offered_total{access_number="+442079460101",po="alpha",service_option="future",standard="gold"} 0
telephony_calls_offered_total{access_number="+442079460101",po="alpha",service_option="housing",standard="gold"} 0
telephony_calls_offered_total{access_number="+442079460101",po="alpha",service_option="housing",standard="silver"} 0
telephony_calls_offered_total{access_number="+442079460101",po="alpha",service_option="noise",standard="silver"} 4
telephony_calls_offered_total{access_number="+442079460102",po="alpha",service_option="housing",standard="gold"} 0
telephony_calls_offered_total{access_number="+442079460102",po="alpha",service_option="housing",standard="silver"} 0
telephony_calls_offered_total{access_number="+442079460103",po="beta",service_option="repairs",standard="gold"} 1
# HELP telephony_test_calls_received_total Line-test calls seen arriving at the queue (never counted as offered).
# TYPE telephony_test_calls_received_total counter
telephony_test_calls_received_total{access_number="+442079460101",po="alpha"} 1
telephony_test_calls_received_total{access_number="+442079460102",po="alpha"} 0
telephony_test_calls_received_total{access_number="+442079460103",po="beta"} 0
# HELP telephony_ivr_only_calls_total Public calls handled only by the IVR (not offered, not charged).
# TYPE telephony_ivr_only_calls_total counter
telephony_ivr_only_calls_total{access_number="+442079460101",po="alpha",service_option="future",standard="gold"} 0
telephony_ivr_only_calls_total{access_number="+442079460101",po="alpha",service_option="housing",standard="gold"} 0
telephony_ivr_only_calls_total{access_number="+442079460101",po="alpha",service_option="housing",standard="silver"} 0
telephony_ivr_only_calls_total{access_number="+442079460101",po="alpha",service_option="noise",standard="silver"} 1
telephony_ivr_only_calls_total{access_number="+442079460102",po="alpha",service_option="housing",standard="gold"} 0
telephony_ivr_only_calls_total{access_number="+442079460102",po="alpha",service_option="housing",standard="silver"} 0
telephony_ivr_only_calls_total{access_number="+442079460103",po="beta",service_option="repairs",standard="gold"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantOffered),
		"telephony_calls_offered_total", "telephony_test_calls_received_total", "telephony_ivr_only_calls_total"); err != nil {
		t.Error(err)
	}
	// Answer wait of alpha noise: 20 s and 61 s; abandon waits 4 s and 90 s.
	text := exposition(t, reg, "telephony_")
	for _, line := range []string{
		`telephony_answer_wait_seconds_bucket{access_number="+442079460101",po="alpha",service_option="noise",standard="silver",le="15"} 0`,
		`telephony_answer_wait_seconds_bucket{access_number="+442079460101",po="alpha",service_option="noise",standard="silver",le="20"} 1`,
		`telephony_answer_wait_seconds_bucket{access_number="+442079460101",po="alpha",service_option="noise",standard="silver",le="60"} 1`,
		`telephony_answer_wait_seconds_bucket{access_number="+442079460101",po="alpha",service_option="noise",standard="silver",le="80"} 2`,
		`telephony_answer_wait_seconds_sum{access_number="+442079460101",po="alpha",service_option="noise",standard="silver"} 81`,
		`telephony_answer_wait_seconds_count{access_number="+442079460101",po="alpha",service_option="noise",standard="silver"} 2`,
		`telephony_abandon_wait_seconds_bucket{access_number="+442079460101",po="alpha",service_option="noise",standard="silver",le="5"} 1`,
		`telephony_abandon_wait_seconds_count{access_number="+442079460101",po="alpha",service_option="noise",standard="silver"} 2`,
		`telephony_talk_seconds_sum{access_number="+442079460101",po="alpha",service_option="noise",standard="silver"} 159`,
		`telephony_after_call_work_seconds_bucket{access_number="+442079460101",po="alpha",service_option="noise",standard="silver",le="30"} 2`,
		`telephony_answer_wait_seconds_bucket{access_number="+442079460103",po="beta",service_option="repairs",standard="gold",le="20"} 1`,
		`telephony_exporter_records_total{result="accepted",source="csv"} 7`,
		`telephony_exporter_records_total{result="duplicate",source="csv"} 1`,
		`telephony_exporter_parse_errors_total{reason="not_served",source="csv"} 1`,
		`telephony_exporter_parse_errors_total{reason="bad_order",source="csv"} 1`,
		`telephony_source_last_event_timestamp_seconds{source="csv"} 1.77232685e+09`,
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("exposition lacks %s", line)
		}
	}

	// Replaying the file counts nothing again.
	res2, err := e.IngestFile(ctx, "csv", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Accepted != 0 || res2.Duplicate != 8 || res2.Rejected != 2 {
		t.Errorf("replay %+v, want 0 accepted, 8 duplicate, 2 rejected", res2)
	}
	calls := exposition(t, reg, "telephony_calls", "telephony_answer", "telephony_abandon", "telephony_talk", "telephony_after", "telephony_ivr", "telephony_test")
	if calls != callsOnly(text) {
		t.Error("replay changed the call metrics")
	}

	// A restarted exporter on the same store exposes exactly the same.
	e2, reg2 := newExporter(t, cat, st, clk.now)
	_ = e2
	if got := exposition(t, reg2, "telephony_calls", "telephony_answer", "telephony_abandon", "telephony_talk", "telephony_after", "telephony_ivr", "telephony_test"); got != calls {
		t.Errorf("restored exposition differs:\n--- before\n%s\n--- after restart\n%s", calls, got)
	}
}

// callsOnly keeps the call-metric families of an exposition text.
func callsOnly(text string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		name := strings.TrimPrefix(strings.TrimPrefix(l, "# HELP "), "# TYPE ")
		if strings.HasPrefix(name, "telephony_exporter") || strings.HasPrefix(name, "telephony_source") ||
			strings.HasPrefix(name, "telephony_oldest") || strings.HasPrefix(name, "telephony_channels") {
			continue
		}
		b.WriteString(l)
	}
	return b.String()
}

func TestIngestFileJSONLAndQueueLog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, reg := newExporter(t, testCatalog(t), openStore(t, dir), nil)
	jl := writeFile(t, dir, "calls.jsonl", `{"call_id":"j1","access_number":"+442079460103","service_option":"repairs","queued_at":"2026-01-31T23:00:00Z","ended_at":"2026-01-31T23:00:09Z","outcome":"abandoned"}
not json
`)
	res, err := e.IngestFile(ctx, "jsonl", jl, nil)
	if err != nil || res.Accepted != 1 || res.Rejected != 1 || res.Errors[0].Line != 2 {
		t.Fatalf("jsonl: %+v, %v", res, err)
	}
	ql := writeFile(t, dir, "queue_log", "1769900400|u1|alpha-noise|NONE|ENTERQUEUE||07700900123|1\n"+
		"1769900412|u1|alpha-noise|PJSIP/a|CONNECT|12|x|3\n"+
		"1769900507|u1|alpha-noise|PJSIP/a|COMPLETECALLER|12|95|1\n"+
		"garbage\n"+
		"1769900600|u2|alpha-noise|NONE|ENTERQUEUE||07700900124|1\n")
	res, err = e.IngestFile(ctx, "queue_log", ql, nil)
	if err != nil || res.Accepted != 1 || res.Rejected != 1 || res.Errors[0].Line != 4 || res.Errors[0].Code != ReasonSyntax {
		t.Fatalf("queue_log: %+v, %v", res, err)
	}
	if _, err := e.IngestFile(ctx, "xlsx", ql, nil); err == nil || !strings.Contains(err.Error(), "valid formats are csv, jsonl, queue_log") {
		t.Errorf("unknown format: %v", err)
	}
	text := exposition(t, reg)
	if strings.Contains(text, "07700900123") {
		t.Error("a caller number reached /metrics")
	}
	want := `telephony_answer_wait_seconds_bucket{access_number="+442079460101",po="alpha",service_option="noise",standard="silver",le="15"} 1` + "\n"
	if !strings.Contains(text, want) {
		t.Errorf("queue_log call (hold 12 s) not in the 15 s bucket:\n%s", text)
	}
}
