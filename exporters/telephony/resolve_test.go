package telephony

import (
	"strings"
	"testing"
	"time"

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
