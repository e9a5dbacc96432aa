package crm

import (
	"context"
	"fmt"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

// A night's mixed batch: the valid events are stored and counted, the bad
// ones rejected with their positions; a replay counts nothing; a restart
// (a new exporter on the same store) exposes exactly the same crm_* series.
func TestIngestAndRestart(t *testing.T) {
	r := newRig(t)
	ended := t0.Add(-10 * time.Minute)
	rcv := ev("c1", TypeComplaintReceived, t0)
	rcv.Urgent, rcv.CallbackRequired = true, true
	contact := ev("m1", TypeContactReceived, t0)
	contact.Channel, contact.MemberEnquiry = ChannelWebform, true
	failed := ev("d2-receipt", TypeReferralDelivery, t0.Add(2*time.Minute))
	failed.Ref, failed.Channel, failed.Outcome = "case-d2", ChannelSMS, OutcomeFailed
	batch := []Event{
		request("r1", ActionRefer, t0),
		request("r2", ActionOutOfScope, t0),
		referral("d1", ChannelPhone, ended, 4*time.Minute),
		referral("d2", ChannelSMS, ended, 7*time.Minute), // over noise's 5m limit
		failed,
		{ID: "bad1", Type: "complaint_escalated", At: t0, PO: "acme"},
		rcv,
		ev("c1-rep", TypeComplaintReported, t0.Add(2*time.Hour)),
		contact,
		{ID: "bad2", Type: TypeRequestCreated, At: t0, PO: "nowhere", ServiceOption: "noise", Action: ActionRefer},
	}
	batch[7].Ref = "case-c1"
	r.clock.Set(t0.Add(3 * time.Hour))
	res := r.ingest(t, batch...)
	if res.Accepted != 8 || res.Duplicate != 0 || res.Rejected != 2 || len(res.Errors) != 2 ||
		res.Errors[0].Item != "6" || res.Errors[0].Code != ReasonUnknownType || res.Errors[1].Item != "10" || res.Errors[1].Code != ReasonUnknownPO {
		t.Fatalf("result %+v", res)
	}
	text := r.scrape(t)
	for sample, want := range map[string]string{
		`crm_service_requests_total{action="refer",po="acme",service_option="noise"}`:                              "1",
		`crm_service_requests_total{action="signpost",po="bravo",service_option="repairs"}`:                        "0",
		`crm_out_of_scope_calls_total{category="parking_fines",po="acme",service_option="noise"}`:                  "1",
		`crm_referral_dispatch_seconds_bucket{channel="sms",po="acme",service_option="noise",le="300"}`:            "0",
		`crm_referral_dispatch_seconds_bucket{channel="sms",po="acme",service_option="noise",le="600"}`:            "1",
		`crm_referral_dispatch_seconds_sum{channel="sms",po="acme",service_option="noise"}`:                        "420",
		`crm_referral_dispatch_seconds_bucket{channel="phone",po="acme",service_option="noise",le="300"}`:          "1",
		`crm_referral_deliveries_total{channel="sms",outcome="failed",po="acme",service_option="noise"}`:           "1",
		`crm_referrals_undelivered{channel="sms",po="acme",service_option="noise"}`:                                "1",
		`crm_complaints_received_total{po="acme",service_option="noise",urgency="urgent"}`:                         "1",
		`crm_complaints_reported_total{po="acme",service_option="noise",urgency="urgent",within_deadline="true"}`:  "1",
		`crm_complaints_open{po="acme",service_option="noise",urgency="urgent"}`:                                   "1",
		`crm_contacts_total{channel="webform",kind="member_enquiry",po="acme",service_option="noise"}`:             "1",
		`crm_complaints_overdue{po="acme",service_option="",stage="callback"}`:                                     "0",
		`crm_complaints_overdue{po="acme",service_option="noise",stage="callback"}`:                                "1",
		`crm_exporter_events_total{outcome="rejected",transport="webhook"}`:                                        "2",
		`crm_exporter_rejected_total{reason="unknown_po",transport="webhook"}`:                                     "1",
		`crm_exporter_events_total{outcome="accepted",transport="webhook"}`:                                        "8",
		`crm_source_last_event_timestamp_seconds{transport="webhook"}`:                                             fmt.Sprintf("%d", t0.Add(2*time.Hour).Unix()),
		`crm_contacts_overdue{channel="webform",kind="member_enquiry",po="acme",service_option="noise"}`:           "(absent)",
		`crm_referral_dispatch_seconds_bucket{channel="sms",po="acme",service_option="noise",le="900"}`:            "1",
		`crm_complaints_reported_total{po="acme",service_option="noise",urgency="urgent",within_deadline="false"}`: "(absent)",
		`crm_referral_deliveries_total{channel="sms",outcome="delivered",po="acme",service_option="noise"}`:        "(absent)",
	} {
		if got := value(t, text, sample); got != want && !(strings.HasPrefix(sample, "crm_source_") && strings.Contains(got, "e+09")) {
			t.Errorf("%s = %s, want %s", sample, got, want)
		}
	}
	before := series(text, "crm_")

	// Replayed: all duplicates, nothing moves.
	res = r.ingest(t, batch...)
	if res.Accepted != 0 || res.Duplicate != 8 || res.Rejected != 2 {
		t.Errorf("replay result %+v", res)
	}
	if got := series(r.scrape(t), "crm_"); !reflect.DeepEqual(got, before) {
		t.Errorf("a replay changed the metrics:\n%s", diff(before, got))
	}
	// Restarted: the same series, counted once.
	r.open(t)
	after := series(r.scrape(t), "crm_")
	if !reflect.DeepEqual(after, before) {
		t.Errorf("after a restart the metrics differ:\n%s", diff(before, after))
	}
	// A stage arriving after the restart joins the complaint stored before it.
	resolved := ev("c1-res", TypeComplaintResolved, t0.Add(3*time.Hour))
	resolved.Ref = "case-c1"
	r.ingest(t, resolved)
	text = r.scrape(t)
	if got := value(t, text, `crm_complaints_resolved_total{po="acme",service_option="noise",urgency="urgent"}`); got != "1" {
		t.Errorf("resolved after restart = %s, want 1", got)
	}
	if got := value(t, text, `crm_complaints_open{po="acme",service_option="noise",urgency="urgent"}`); got != "(absent)" {
		t.Errorf("open after resolution = %s, want absent (0 only at service_option \"\")", got)
	}
}

func diff(a, b []string) string {
	in := map[string]int{}
	for _, l := range a {
		in[l]++
	}
	for _, l := range b {
		in[l]--
	}
	var out []string
	for l, n := range in {
		if n > 0 {
			out = append(out, "- "+l)
		} else if n < 0 {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// The dispatch histogram has a bucket exactly at every referral limit:
// 5m (acme noise), 10m (default), 15m (acme); a referral at the limit is
// within it, one a nanosecond later is not.
func TestDispatchBucketsAtLimits(t *testing.T) {
	r := newRig(t)
	if got, want := DispatchBuckets(r.cat), []float64{60, 120, 300, 600, 900, 1200, 1800, 3600}; !reflect.DeepEqual(got, want) {
		t.Errorf("buckets %v, want %v", got, want)
	}
	ended := t0.Add(-time.Hour)
	r.ingest(t, referral("a", ChannelEmail, ended, 5*time.Minute), referral("b", ChannelEmail, ended, 5*time.Minute+time.Nanosecond))
	text := r.scrape(t)
	for le, want := range map[string]string{"120": "0", "300": "1", "600": "2"} {
		s := `crm_referral_dispatch_seconds_bucket{channel="email",po="acme",service_option="noise",le="` + le + `"}`
		if got := value(t, text, s); got != want {
			t.Errorf("%s = %s, want %s", s, got, want)
		}
	}
}

// The gauges follow the exporter's clock at each scrape.
func TestGaugesFollowTheClock(t *testing.T) {
	r := newRig(t)
	// Bravo: callback within 30m; a normal complaint's report in 5 working
	// days; a member enquiry in 5. Monday 2 Nov 2026 18:00.
	c := Event{ID: "c", Type: TypeComplaintReceived, At: t0, PO: "bravo", Ref: "C", CallbackRequired: true}
	u := Event{ID: "u", Type: TypeComplaintReceived, At: t0, PO: "bravo", Ref: "U", Urgent: true}
	m := Event{ID: "m", Type: TypeContactReceived, At: t0, PO: "bravo", Ref: "M", Channel: ChannelEmail, MemberEnquiry: true}
	d := referral("d", ChannelPager, t0.Add(-time.Minute), time.Minute) // receipt due 18:15
	r.ingest(t, c, u, m, d)
	const (
		callback = `crm_complaints_overdue{po="bravo",service_option="",stage="callback"}`
		report   = `crm_complaints_overdue{po="bravo",service_option="",stage="report"}`
		contact  = `crm_contacts_overdue{channel="email",kind="member_enquiry",po="bravo",service_option=""}`
		pager    = `crm_referrals_undelivered{channel="pager",po="acme",service_option="noise"}`
	)
	for _, tc := range []struct {
		at                        time.Time
		callback, report, contact string
		pager                     string
	}{
		{t0.Add(15 * time.Minute), "0", "0", "0", "(absent)"},
		{t0.Add(15*time.Minute + time.Second), "0", "0", "0", "1"},
		{t0.Add(30 * time.Minute), "0", "0", "0", "1"},
		{t0.Add(30*time.Minute + time.Second), "1", "0", "0", "1"},
		// The urgent report is due by the end of Tuesday 3 Nov.
		// 24h after the dispatch the referral no longer counts (Options.UndeliveredWindow).
		{t0.Add(24*time.Hour - time.Second), "1", "0", "0", "1"},
		{t0.Add(24*time.Hour + time.Second), "1", "0", "0", "(absent)"},
		{time.Date(2026, 11, 3, 23, 59, 59, 0, time.UTC), "1", "0", "0", "(absent)"},
		{time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC), "1", "1", "0", "(absent)"},
		// Five working days: Tue to Mon 9 Nov.
		{time.Date(2026, 11, 9, 23, 59, 59, 0, time.UTC), "1", "1", "0", "(absent)"},
		{time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), "1", "2", "1", "(absent)"},
	} {
		r.clock.Set(tc.at)
		text := r.scrape(t)
		for _, g := range []struct{ sample, want string }{{callback, tc.callback}, {report, tc.report}, {contact, tc.contact}, {pager, tc.pager}} {
			if got := value(t, text, g.sample); got != g.want {
				t.Errorf("at %s: %s = %s, want %s", tc.at.Format(time.RFC3339), g.sample, got, g.want)
			}
		}
	}
	// The callback made: no longer overdue.
	cb := Event{ID: "c-cb", Type: TypeComplaintCalledBack, At: time.Date(2026, 11, 9, 12, 0, 0, 0, time.UTC), PO: "bravo", Ref: "C"}
	r.ingest(t, cb)
	if got := value(t, r.scrape(t), callback); got != "0" {
		t.Errorf("after the callback %s = %s, want 0", callback, got)
	}
}

// A failed store write: an error, nothing counted (not even rejections).
func TestStoreFailureCountsNothing(t *testing.T) {
	r := newRig(t)
	before := r.scrape(t)
	r.st.Close()
	_, err := r.exp.Ingest(context.Background(), TransportSQL, "crm_db", []Event{request("x", ActionRefer, t0), {ID: "bad"}})
	if err == nil {
		t.Fatal("no error from a closed store")
	}
	if got := value(t, before, `crm_exporter_events_total{outcome="rejected",transport="sql"}`); got != "0" {
		t.Fatalf("before: %s", got)
	}
	// The gauges keep their last reading (store closed): the scrape still works.
	after := r.scrape(t)
	for _, s := range []string{`crm_exporter_events_total{outcome="rejected",transport="sql"}`, `crm_service_requests_total{action="refer",po="acme",service_option="noise"}`} {
		if value(t, after, s) != value(t, before, s) {
			t.Errorf("%s moved after a failed write: %s -> %s", s, value(t, before, s), value(t, after, s))
		}
	}
}

func TestIngestArguments(t *testing.T) {
	r := newRig(t)
	if _, err := r.exp.Ingest(context.Background(), "ftp", "x", nil); err == nil || !strings.Contains(err.Error(), "want webhook or sql") {
		t.Errorf("bad transport: %v", err)
	}
	if _, err := r.exp.Ingest(context.Background(), TransportSQL, "Bad Source", nil); err == nil {
		t.Error("bad source accepted")
	}
	r.exp.Reject(TransportSQL, EventError{Item: "complaints id=1", Code: "bad_column"}, EventError{Item: "x", Code: "Not A Code"})
	text := r.scrape(t)
	for s, want := range map[string]string{
		`crm_exporter_rejected_total{reason="bad_column",transport="sql"}`: "1",
		`crm_exporter_rejected_total{reason="other",transport="sql"}`:      "1",
		`crm_exporter_events_total{outcome="rejected",transport="sql"}`:    "2",
	} {
		if got := value(t, text, s); got != want {
			t.Errorf("%s = %s, want %s", s, got, want)
		}
	}
}

// promtool accepts the exposition.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: install Debian's prometheus package (apt-get install prometheus)")
	}
	r := newRig(t)
	c := ev("c1", TypeComplaintReceived, t0)
	c.CallbackRequired = true
	r.ingest(t, request("r1", ActionRefer, t0), referral("d1", ChannelSMS, t0.Add(-time.Hour), 8*time.Minute), c)
	r.clock.Set(t0.Add(2 * time.Hour))
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(r.scrape(t))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
