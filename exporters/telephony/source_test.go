package telephony

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// The same call delivered by the webhook and later in a backfill file is
// one call: both transports store it under DefaultSource.
func TestSourceIsTheOriginNotTheTransport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, reg := newExporter(t, testCatalog(t), openStore(t, dir), nil)
	h := e.Handler()
	if w, m := post(t, h, http.MethodPost, "/api/v1/calls", oneCall); w.Code != http.StatusCreated {
		t.Fatalf("webhook: %d %v", w.Code, m)
	}
	csv := "call_id,access_number,service_option,queued_at,answered_at,ended_at,outcome\n" +
		"h1,+442079460103,repairs,2026-01-31T23:00:00Z,2026-01-31T23:00:05Z,2026-01-31T23:01:00Z,answered\n"
	path := writeFile(t, dir, "backfill.csv", csv)
	res, err := e.IngestFile(ctx, TransportCSV, path, nil)
	if err != nil || res.Accepted != 0 || res.Duplicate != 1 {
		t.Fatalf("backfill: %+v %v, want the webhook's call as a duplicate", res, err)
	}
	jl := writeFile(t, dir, "backfill.jsonl", oneCall+"\n")
	if res, err := e.IngestFile(ctx, TransportJSONL, jl, nil); err != nil || res.Duplicate != 1 {
		t.Fatalf("jsonl backfill: %+v %v, want a duplicate", res, err)
	}
	// Another originating system may reuse the call id: a source of its own.
	if res, err := e.IngestFileFrom(ctx, TransportCSV, "pbx2", path, nil); err != nil || res.Accepted != 1 {
		t.Fatalf("IngestFileFrom pbx2: %+v %v, want accepted", res, err)
	}
	if w, m := post(t, h, http.MethodPost, "/api/v1/calls?source=pbx2", oneCall); w.Code != http.StatusOK || m["duplicate"] != 1.0 {
		t.Fatalf("webhook ?source=pbx2: %d %v, want 200 duplicate", w.Code, m)
	}
	for _, bad := range []string{"", "PBX", "a%20b", strings.Repeat("a", 65), "a/b"} {
		w, m := post(t, h, http.MethodPost, "/api/v1/calls?source="+bad, oneCall)
		if w.Code != http.StatusBadRequest || !strings.Contains(m["error"].(string), "a-z 0-9") {
			t.Errorf("?source=%s: %d %v, want 400", bad, w.Code, m)
		}
	}
	if _, err := e.IngestFileFrom(ctx, TransportCSV, "Bad Name", path, nil); err == nil || !strings.Contains(err.Error(), "a-z 0-9") {
		t.Errorf("IngestFileFrom with a bad source: %v", err)
	}
	if _, err := e.Ingest(ctx, "no spaces", nil); err == nil {
		t.Error("Ingest with a bad source: no error")
	}
	// One call offered in total from the default source, one from pbx2.
	text := exposition(t, reg, "telephony_calls_offered_total")
	if !strings.Contains(text, `telephony_calls_offered_total{access_number="+442079460103",po="beta",service_option="repairs",standard="gold"} 2`+"\n") {
		t.Errorf("offered:\n%s", text)
	}
	// The self-metrics keep the transport as their source label.
	self := exposition(t, reg, "telephony_exporter_records_total")
	for _, l := range []string{`{result="accepted",source="http"} 1`, `{result="duplicate",source="csv"} 1`,
		`{result="accepted",source="csv"} 1`, `{result="duplicate",source="jsonl"} 1`} {
		if !strings.Contains(self, "telephony_exporter_records_total"+l+"\n") {
			t.Errorf("self metrics lack %s:\n%s", l, self)
		}
	}
}

func TestValidSource(t *testing.T) {
	for _, ok := range []string{"calls", "queue_log", "pbx-2.north", strings.Repeat("z", 64), "0"} {
		if !ValidSource(ok) {
			t.Errorf("ValidSource(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "Calls", "a b", "é", strings.Repeat("z", 65), "a/b", "a:b"} {
		if ValidSource(bad) {
			t.Errorf("ValidSource(%q) = true", bad)
		}
	}
}

// Every label value the exporter can emit exists at zero from the start.
func TestSelfMetricsInitialisedAtZero(t *testing.T) {
	_, reg := newExporter(t, testCatalog(t), openStore(t, t.TempDir()), nil)
	text := exposition(t, reg, "telephony_exporter_", "telephony_source_")
	var want []string
	for _, src := range recordTransports() {
		for _, r := range []string{"accepted", "duplicate", "rejected"} {
			want = append(want, `telephony_exporter_records_total{result="`+r+`",source="`+src+`"} 0`)
		}
		for _, r := range reasonCodes() {
			want = append(want, `telephony_exporter_parse_errors_total{reason="`+r+`",source="`+src+`"} 0`)
		}
		want = append(want, `telephony_source_last_event_timestamp_seconds{source="`+src+`"} 0`)
	}
	want = append(want, `telephony_source_last_event_timestamp_seconds{source="queue_snapshot"} 0`)
	for _, l := range want {
		if !strings.Contains(text, l+"\n") {
			t.Errorf("lacks %s", l)
		}
	}
}
