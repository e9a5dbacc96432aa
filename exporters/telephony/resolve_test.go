package telephony

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

func TestResolve(t *testing.T) {
	cat := testCatalog(t)
	base := mustTime(t, "2026-01-31T23:00:00Z")
	rec := func(num, so, outcome string, wait, talk float64) Record {
		r := Record{CallID: "c", AccessNumber: num, ServiceOption: so, QueuedAt: base, Outcome: outcome, Kind: "public"}
		d := time.Duration(wait * float64(time.Second))
		switch outcome {
		case "answered":
			r.AnsweredAt = base.Add(d)
			r.EndedAt = r.AnsweredAt.Add(time.Duration(talk * float64(time.Second)))
		default:
			r.EndedAt = base.Add(d)
		}
		return r
	}
	with := func(r Record, f func(*Record)) Record { f(&r); return r }
	for _, tc := range []struct {
		name   string
		r      Record
		code   string // want this rejection, or
		want   string // this substring of the message
		check  func(store.Call) bool
		expect string // what check verifies
	}{
		{name: "po from number, silver at 60 s boundary", r: rec("+442079460101", "noise", "answered", 60, 100),
			check: func(c store.Call) bool {
				return c.PO == "alpha" && c.Standard == "silver" && c.WithinTarget && c.WithinRest && c.WaitSeconds == 60 && c.TalkSeconds == 100
			},
			expect: "alpha silver, within target and rest, wait 60 talk 100"},
		{name: "silver 60.5 s misses", r: rec("+442079460101", "noise", "answered", 60.5, 1),
			check:  func(c store.Call) bool { return !c.WithinTarget && !c.WithinRest },
			expect: "outside target and rest"},
		{name: "gold after the change date", r: with(rec("+442079460102", "housing", "answered", 25, 1), func(r *Record) {
			r.QueuedAt, r.AnsweredAt = mustTime(t, "2026-03-01T00:00:00Z"), mustTime(t, "2026-03-01T00:00:25Z")
			r.EndedAt = r.AnsweredAt
		}),
			check:  func(c store.Call) bool { return c.Standard == "gold" && !c.WithinTarget && c.WithinRest },
			expect: "gold: 25 s misses the 20 s target but is within the 30 s rest"},
		{name: "silver the second before", r: with(rec("+442079460102", "housing", "answered", 25, 1), func(r *Record) {
			r.QueuedAt, r.AnsweredAt = mustTime(t, "2026-02-28T23:59:59Z"), mustTime(t, "2026-03-01T00:00:24Z")
			r.EndedAt = r.AnsweredAt
		}),
			check: func(c store.Call) bool { return c.Standard == "silver" && c.WithinTarget }, expect: "silver, within"},
		{name: "short abandon at 5 s", r: rec("+442079460101", "noise", "abandoned", 5, 0),
			check: func(c store.Call) bool { return c.ShortAbandon && c.WaitSeconds == 5 }, expect: "short abandon"},
		{name: "not short at 5.1 s", r: rec("+442079460101", "noise", "abandoned", 5.1, 0),
			check: func(c store.Call) bool { return !c.ShortAbandon }, expect: "not short"},
		{name: "formula without short abandons", r: rec("+442079460103", "repairs", "abandoned", 1, 0),
			check: func(c store.Call) bool { return !c.ShortAbandon && c.PO == "beta" }, expect: "beta never short"},
		{name: "ivr only", r: rec("+442079460103", "repairs", "ivr_only", 40, 0),
			check: func(c store.Call) bool { return c.WaitSeconds == 0 && !c.WithinTarget }, expect: "no wait"},
		{name: "test kind kept", r: with(rec("+442079460103", "repairs", "answered", 1, 1), func(r *Record) { r.Kind = "test" }),
			check: func(c store.Call) bool { return c.Kind == store.KindTest }, expect: "kind test"},

		{name: "unknown po", r: with(rec("+442079460101", "noise", "abandoned", 1, 0), func(r *Record) { r.PO = "gamma" }),
			code: ReasonUnknownPO, want: `unknown po "gamma"; the catalogue has alpha, beta`},
		{name: "unknown number", r: rec("+442079469999", "noise", "abandoned", 1, 0),
			code: ReasonUnknownNumber, want: `access number "+442079469999" is not in the catalogue`},
		{name: "number of another po", r: with(rec("+442079460103", "repairs", "abandoned", 1, 0), func(r *Record) { r.PO = "alpha" }),
			code: ReasonUnknownNumber, want: `belongs to po "beta", not "alpha"`},
		{name: "unknown option", r: rec("+442079460101", "repairs", "abandoned", 1, 0),
			code: ReasonUnknownOption, want: `po "alpha" has no service option "repairs"`},
		{name: "number does not serve option", r: rec("+442079460102", "noise", "abandoned", 1, 0),
			code: ReasonNotServed, want: `access number +442079460102 does not serve "noise" (it serves housing)`},
		{name: "no standard yet", r: rec("+442079460101", "future", "abandoned", 1, 0),
			code: ReasonNoStandard, want: `"future" has no standard in force at 2026-01-31T23:00:00Z`},
		{name: "answered without answered_at", r: with(rec("+442079460101", "noise", "answered", 1, 1), func(r *Record) { r.AnsweredAt = time.Time{} }),
			code: ReasonBadOrder, want: "outcome answered needs answered_at"},
		{name: "abandoned with answered_at", r: with(rec("+442079460101", "noise", "abandoned", 1, 0), func(r *Record) { r.AnsweredAt = base }),
			code: ReasonBadOrder, want: "outcome abandoned must not have answered_at"},
		{name: "answered before queued", r: with(rec("+442079460101", "noise", "answered", 1, 1), func(r *Record) { r.AnsweredAt = base.Add(-time.Second) }),
			code: ReasonBadOrder, want: "answered_at 2026-01-31T22:59:59Z is before queued_at"},
		{name: "ended before answered", r: with(rec("+442079460101", "noise", "answered", 10, 0), func(r *Record) { r.EndedAt = base.Add(5 * time.Second) }),
			code: ReasonBadOrder, want: "ended_at 2026-01-31T23:00:05Z is before answered_at"},
		{name: "ended before queued", r: with(rec("+442079460101", "noise", "abandoned", 0, 0), func(r *Record) { r.EndedAt = base.Add(-time.Second) }),
			code: ReasonBadOrder, want: "ended_at 2026-01-31T22:59:59Z is before queued_at"},
		{name: "acw on abandoned", r: with(rec("+442079460101", "noise", "abandoned", 3, 0), func(r *Record) { r.AfterCallWorkSeconds = 9 }),
			code: ReasonBadOrder, want: "after_call_work_seconds is only for answered calls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Resolve(cat, "csv", 7, tc.r)
			if tc.code != "" {
				if err == nil {
					t.Fatalf("accepted %+v, want %s", c, tc.code)
				}
				if err.Code != tc.code || err.Line != 7 || !strings.Contains(err.Reason, tc.want) {
					t.Fatalf("err = %+v, want %s containing %q", err, tc.code, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if c.Source != "csv" || c.CallID != "c" {
				t.Errorf("source/id = %q/%q", c.Source, c.CallID)
			}
			if !tc.check(c) {
				t.Errorf("call %+v; want %s", c, tc.expect)
			}
		})
	}
}

// Records built in Go (Ingest) get the parsers' field checks too.
func TestResolveChecksFieldsOfGoRecords(t *testing.T) {
	cat := testCatalog(t)
	q := mustTime(t, "2026-01-31T23:00:00Z")
	ok := Record{CallID: "g", AccessNumber: "+442079460101", ServiceOption: "noise", QueuedAt: q, EndedAt: q, Outcome: "abandoned"}
	for _, tc := range []struct {
		f    func(*Record)
		code string
	}{
		{func(r *Record) { r.CallID = "" }, ReasonBadField},
		{func(r *Record) { r.Outcome = "" }, ReasonBadField},
		{func(r *Record) { r.Kind = "probe" }, ReasonBadField},
		{func(r *Record) { r.EndedAt = time.Time{} }, ReasonBadTime},
		{func(r *Record) { r.QueuedAt = q.AddDate(-500, 0, 0) }, ReasonBadTime},
		{func(r *Record) { r.Outcome, r.AnsweredAt, r.AfterCallWorkSeconds = "answered", q, -1 }, ReasonBadField},
	} {
		r := ok
		tc.f(&r)
		if _, err := Resolve(cat, "http", 1, r); err == nil || err.Code != tc.code {
			t.Errorf("%+v: err %v, want %s", r, err, tc.code)
		}
	}
	if c, err := Resolve(cat, "http", 1, ok); err != nil || c.Kind != "public" {
		t.Errorf("valid record: %+v %v", c, err)
	}
}

// The reference catalogue's line-test caller, and a member of the public
// (both in Ofcom's drama ranges). noPII are digits neither may show in any
// error, log line or metric.
const (
	testCaller   = "+442079460990"
	publicCaller = "+447700900123"
)

var noPII = []string{"2079460990", "7700900123"}

func leaksPII(s string) bool {
	for _, p := range noPII {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// A record without a kind from a line-test caller is a test call; an
// explicit kind wins; the caller number reaches neither the call nor any error.
func TestResolveLineTestCaller(t *testing.T) {
	cat := referenceCatalog(t)
	q := mustTime(t, "2026-11-03T03:10:00Z")
	rec := func(kind, caller string) Record {
		return Record{CallID: "lt", AccessNumber: "+442079460010", ServiceOption: "social_services_emergencies",
			QueuedAt: q, AnsweredAt: q.Add(2 * time.Second), EndedAt: q.Add(30 * time.Second), Outcome: "answered",
			Kind: kind, CallerNumber: catalog.NewPrivate(caller)}
	}
	for _, tc := range []struct {
		kind, caller, want string
	}{
		{"", testCaller, store.KindTest},
		{"", "+44 20 7946 0990", store.KindTest},
		{"", "00442079460990", store.KindTest},
		{"", "(+44) 20-7946-0990", store.KindTest},
		{"public", testCaller, store.KindPublic}, // an explicit kind wins
		{"test", publicCaller, store.KindTest},
		{"", publicCaller, store.KindPublic},
		{"", "", store.KindPublic},
		{"", "anonymous", store.KindPublic},
		{"", "02079460990", store.KindTest}, // national format
		{"", "020 7946 0990", store.KindTest},
		{"", "442079460990", store.KindTest},        // no +
		{"", "+44 (0)20 7946 0990", store.KindTest}, // the (0) after the country code
		{"", "02079460991", store.KindPublic},
		{"", "+4420794609901", store.KindPublic},
		{"", "+442079460010", store.KindPublic}, // the access number itself
	} {
		c, err := Resolve(cat, "csv", 1, rec(tc.kind, tc.caller))
		if err != nil || c.Kind != tc.want {
			t.Errorf("kind %q caller %q: kind %q, %v; want %q", tc.kind, tc.caller, c.Kind, err, tc.want)
		}
		if leaksPII(fmt.Sprintf("%+v", c)) {
			t.Errorf("the stored call carries the caller number: %+v", c)
		}
	}
	// Rejected records from the test caller: no error names it.
	with := func(f func(*Record)) Record { r := rec("", testCaller); f(&r); return r }
	for _, r := range []Record{
		with(func(r *Record) { r.AccessNumber = "+442079469999" }),
		with(func(r *Record) { r.PO = "rbkc" }),
		with(func(r *Record) { r.ServiceOption = "noise_patrol" }),
		with(func(r *Record) { r.EndedAt = q.Add(-time.Second) }),
		with(func(r *Record) { r.Kind = "probe" }),
		with(func(r *Record) { r.CallID = "" }),
		with(func(r *Record) { r.QueuedAt = time.Time{} }),
	} {
		_, err := Resolve(cat, "csv", 1, r)
		if err == nil {
			t.Fatalf("accepted %+v", r)
		}
		if leaksPII(err.Error()) || leaksPII(err.Reason) {
			t.Errorf("error shows the caller number: %v", err)
		}
	}
}

// Test calls from the line-test caller arrive by CSV, JSON lines,
// queue_log and the webhook: each is counted as a test call on its number
// and never offered; other callers' calls stay public. The caller number
// shows in no result, error, log line or metric.
func TestLineTestCallsFromEverySource(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat := referenceCatalog(t)
	st := openStore(t, dir)
	var logs bytes.Buffer
	reg := prometheus.NewPedanticRegistry()
	e, err := New(ctx, Options{Catalog: cat, Store: st, Registerer: reg,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	const num, so = "+442079460010", "social_services_emergencies"
	var shown []string // every text the exporter gave back
	check := func(what string, res Result, err error, accepted, rejected int) {
		t.Helper()
		if err != nil || res.Accepted != accepted || res.Rejected != rejected {
			t.Fatalf("%s: %+v, %v; want %d accepted, %d rejected", what, res, err, accepted, rejected)
		}
		js, _ := json.Marshal(res)
		shown = append(shown, string(js))
		for _, e := range res.Errors {
			shown = append(shown, e.Error())
		}
	}

	csv := "call_id,access_number,service_option,queued_at,answered_at,ended_at,outcome,kind,caller_number\n" +
		"c-test,+442079460010,social_services_emergencies,2026-11-03T03:10:00Z,2026-11-03T03:10:02Z,2026-11-03T03:10:30Z,answered,," + testCaller + "\n" +
		"c-pub,+442079460010,social_services_emergencies,2026-11-03T03:11:00Z,,2026-11-03T03:11:40Z,abandoned,," + publicCaller + "\n" +
		"c-kind,+442079460010,social_services_emergencies,2026-11-03T03:12:00Z,,2026-11-03T03:12:40Z,abandoned,public," + testCaller + "\n" +
		"c-bad,+442079460010,social_services_emergencies,2026-11-03T03:13:00Z,,2026-11-03T03:12:00Z,abandoned,," + testCaller + "\n" +
		"c-kindbad,+442079460010,social_services_emergencies,2026-11-03T03:13:00Z,,2026-11-03T03:14:00Z,abandoned,probe," + testCaller + "\n"
	res, err := e.IngestFile(ctx, TransportCSV, writeFile(t, dir, "calls.csv", csv), nil)
	check("csv", res, err, 3, 2)

	jsonl := `{"call_id":"j-test","access_number":"+442079460010","service_option":"social_services_emergencies","queued_at":"2026-11-03T03:20:00Z","answered_at":"2026-11-03T03:20:01Z","ended_at":"2026-11-03T03:20:20Z","outcome":"answered","caller_number":"` + testCaller + `"}
{"call_id":"j-pub","access_number":"+442079460010","service_option":"social_services_emergencies","queued_at":"2026-11-03T03:21:00Z","answered_at":"2026-11-03T03:21:01Z","ended_at":"2026-11-03T03:21:20Z","outcome":"answered","caller_number":"` + publicCaller + `"}
{"call_id":"j-unknown","access_number":"+442079469999","service_option":"social_services_emergencies","queued_at":"2026-11-03T03:22:00Z","ended_at":"2026-11-03T03:22:20Z","outcome":"abandoned","caller_number":"` + testCaller + `"}
{"call_id":"j-array","access_number":"+442079460010","service_option":"social_services_emergencies","queued_at":"2026-11-03T03:22:00Z","ended_at":"2026-11-03T03:22:20Z","outcome":"abandoned","caller_number":["` + testCaller + `"]}
{"call_id":"j-time","access_number":"+442079460010","service_option":"social_services_emergencies","queued_at":"soon","ended_at":"2026-11-03T03:22:20Z","outcome":"abandoned","caller_number":"` + testCaller + `"}
`
	res, err = e.IngestFile(ctx, TransportJSONL, writeFile(t, dir, "calls.jsonl", jsonl), nil)
	check("jsonl", res, err, 2, 3)

	const queue = "enfield-social-services-emergencies-line"
	qlog := strings.Join([]string{
		"1793675400|q1|" + queue + "|NONE|ENTERQUEUE||" + testCaller + "|1",
		"1793675460|q2|" + queue + "|NONE|ENTERQUEUE||07700900123|2",
		"1793675403|q1|" + queue + "|PJSIP/a|CONNECT|3|x|1",
		"1793675440|q1|" + queue + "|PJSIP/a|COMPLETEAGENT|3|37|1",
		"1793675490|q2|" + queue + "|NONE|ABANDON|2|2|30",
		"1793675500|q3|mystery-queue|NONE|ENTERQUEUE||" + testCaller + "|1",
		"1793675510|q3|mystery-queue|NONE|ABANDON|1|1|10",
	}, "\n") + "\n"
	res, err = e.IngestFile(ctx, TransportQueueLog, writeFile(t, dir, "queue_log", qlog), nil)
	check("queue_log", res, err, 2, 1)

	body := `[{"call_id":"h-test","access_number":"+442079460010","service_option":"social_services_emergencies","queued_at":"2026-11-03T03:40:00Z","ended_at":"2026-11-03T03:40:09Z","outcome":"abandoned","caller_number":"` + testCaller + `"},
{"call_id":"h-pub","access_number":"+442079460010","service_option":"social_services_emergencies","queued_at":"2026-11-03T03:41:00Z","ended_at":"2026-11-03T03:41:09Z","outcome":"abandoned","caller_number":"` + publicCaller + `"},
{"call_id":"h-bad","access_number":"+442079460010","service_option":"noise_patrol","queued_at":"2026-11-03T03:42:00Z","ended_at":"2026-11-03T03:42:09Z","outcome":"abandoned","caller_number":"` + testCaller + `"}]`
	w, m := post(t, e.Handler(), http.MethodPost, "/api/v1/calls", body)
	if w.Code != http.StatusCreated || m["accepted"] != 2.0 || m["rejected"] != 1.0 {
		t.Fatalf("webhook: %d %v; want 2 accepted, 1 rejected", w.Code, m)
	}
	shown = append(shown, w.Body.String())

	// Test: c-test, j-test, q1, h-test. Public: c-pub, c-kind, j-pub, q2, h-pub.
	from, to := mustTime(t, "2026-11-03T03:00:00Z"), mustTime(t, "2026-11-03T04:00:00Z")
	if pub, tst, err := st.CallsOnNumber(ctx, num, from, to); err != nil || pub != 5 || tst != 4 {
		t.Errorf("stored on %s: %d public, %d test, %v; want 5 public, 4 test", num, pub, tst, err)
	}
	text := exposition(t, reg)
	for _, l := range []string{
		`telephony_test_calls_received_total{access_number="` + num + `",po="enfield"} 4`,
		`telephony_calls_offered_total{access_number="` + num + `",po="enfield",service_option="` + so + `",standard="gold"} 5`,
	} {
		if !strings.Contains(text, l+"\n") {
			t.Errorf("metrics lack %s", l)
		}
	}
	shown = append(shown, text, logs.String())
	for _, s := range shown {
		if leaksPII(s) {
			t.Errorf("a caller number shows in:\n%s", s)
		}
	}
	if !strings.Contains(logs.String(), "call record rejected") {
		t.Errorf("no rejected record was logged (the log check would prove nothing):\n%s", logs.String())
	}
}
