package store

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestPagingSQLite(t *testing.T) { runPagingSuite(t, sqliteBackend()) }

func TestPagingPostgres(t *testing.T) {
	postgresDSN(t)
	runPagingSuite(t, postgresBackend())
}

func runPagingSuite(t *testing.T, b backend) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s *Store)
	}{
		{"StartOnce", testEscalationStartOnce},
		{"AdvanceClaimedOnce", testEscalationAdvanceOnce},
		{"AckCancelsPending", testEscalationAck},
		{"ResolveAfterAck", testEscalationResolveAfterAck},
		{"ClaimAndRecord", testPagesClaimRecord},
		{"ReceiptsOutOfOrder", testPagesReceipts},
		{"ExpireUndelivered", testPagesExpire},
		{"OptOut", testOptOut},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, mustOpen(t, b.fresh(t))) })
	}
}

// openIncident stores a firing incident and returns its id.
func openIncident(t *testing.T, s *Store) int64 {
	t.Helper()
	return upsert(t, s, incBase, breach(IncidentFiring, incBase))[0].Incident.ID
}

func mustStart(t *testing.T, s *Store, id int64, now time.Time) {
	t.Helper()
	ok, err := s.StartEscalation(context.Background(), id, "rbkc", "major_emergencies", "", now)
	if err != nil || !ok {
		t.Fatalf("StartEscalation = %v, %v; want started", ok, err)
	}
}

func smsPage(id int64, person string, due time.Time) Page {
	return Page{IncidentID: id, Kind: PageKindPage, Person: person, Channel: "sms", AckCode: "1A", Due: due}
}

func escKinds(t *testing.T, s *Store, id int64) []string {
	t.Helper()
	ev, err := s.EscalationEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ev {
		out = append(out, e.Kind)
	}
	return out
}

func testEscalationStartOnce(t *testing.T, s *Store) {
	ctx := context.Background()
	id := openIncident(t, s)
	mustStart(t, s, id, incBase)
	again, err := s.StartEscalation(ctx, id, "rbkc", "major_emergencies", "", incBase.Add(time.Minute))
	if err != nil || again {
		t.Fatalf("second StartEscalation = %v, %v; want false, nil", again, err)
	}
	due, err := s.DueEscalations(ctx, incBase)
	if err != nil || len(due) != 1 || due[0].IncidentID != id || due[0].NextStep != 0 || !due[0].NextAt.Equal(incBase.UTC()) {
		t.Fatalf("DueEscalations = %+v, %v", due, err)
	}
	if due, _ := s.DueEscalations(ctx, incBase.Add(-time.Second)); len(due) != 0 {
		t.Fatalf("due before its time: %+v", due)
	}
	if got := escKinds(t, s, id); !reflect.DeepEqual(got, []string{EscStarted}) {
		t.Fatalf("events = %v", got)
	}
}

func testEscalationAdvanceOnce(t *testing.T, s *Store) {
	ctx := context.Background()
	id := openIncident(t, s)
	mustStart(t, s, id, incBase)
	a := Advance{IncidentID: id, From: 0, Next: 1, NextAt: incBase.Add(10 * time.Minute), Now: incBase,
		Pages:  []Page{smsPage(id, "rbkc-noise-1", incBase)},
		Events: []EscalationEvent{{IncidentID: id, At: incBase, Kind: EscStep, Person: "rbkc-noise-1"}}}
	ok, err := s.AdvanceEscalation(ctx, a)
	if err != nil || !ok {
		t.Fatalf("AdvanceEscalation = %v, %v", ok, err)
	}
	// A second process firing the same step finds it taken and writes nothing.
	if ok, err := s.AdvanceEscalation(ctx, a); err != nil || ok {
		t.Fatalf("second AdvanceEscalation = %v, %v; want false", ok, err)
	}
	pages, _ := s.Pages(ctx, id)
	if len(pages) != 1 || pages[0].Status != PagePending || pages[0].Person != "rbkc-noise-1" {
		t.Fatalf("pages = %+v", pages)
	}
	// The last step: exhausted, nothing due any more.
	if ok, err := s.AdvanceEscalation(ctx, Advance{IncidentID: id, From: 1, Next: 2, Now: incBase.Add(10 * time.Minute)}); err != nil || !ok {
		t.Fatalf("last step = %v, %v", ok, err)
	}
	e, _ := s.Escalation(ctx, id)
	if e.State != EscalationExhausted || !e.NextAt.IsZero() {
		t.Fatalf("escalation = %+v; want exhausted", e)
	}
	if due, _ := s.DueEscalations(ctx, incBase.Add(time.Hour)); len(due) != 0 {
		t.Fatalf("exhausted escalation still due: %+v", due)
	}
	bad := Advance{IncidentID: id, From: 2, Next: 3, Now: incBase, Pages: []Page{{IncidentID: id, Kind: "shout", Channel: "sms", Person: "x", Due: incBase}}}
	if _, err := s.AdvanceEscalation(ctx, bad); err == nil {
		t.Fatal("a page of kind shout was accepted")
	}
}

func testEscalationAck(t *testing.T, s *Store) {
	ctx := context.Background()
	id := openIncident(t, s)
	mustStart(t, s, id, incBase)
	a := Advance{IncidentID: id, From: 0, Next: 1, NextAt: incBase.Add(10 * time.Minute), Now: incBase,
		Pages: []Page{smsPage(id, "p1", incBase), smsPage(id, "p2", incBase.Add(time.Minute))}}
	if _, err := s.AdvanceEscalation(ctx, a); err != nil {
		t.Fatal(err)
	}
	pages, _ := s.Pages(ctx, id)
	got, _ := s.ClaimPages(ctx, []int64{pages[0].ID}, incBase, incBase.Add(-time.Minute))
	if err := s.RecordSent(ctx, Sent{IDs: got, Ref: "SM1", Now: incBase}); err != nil {
		t.Fatal(err)
	}
	changed, paged, err := s.EndEscalation(ctx, End{IncidentID: id, State: EscalationAcknowledged, By: "p1", Via: "sms", Now: incBase.Add(2 * time.Minute)})
	if err != nil || !changed || len(paged) != 1 || paged[0].Person != "p1" {
		t.Fatalf("EndEscalation = %v, %+v, %v; want changed with p1 paged", changed, paged, err)
	}
	pages, _ = s.Pages(ctx, id)
	if pages[1].Status != PageCancelled {
		t.Fatalf("pending page after ack = %s; want cancelled", pages[1].Status)
	}
	e, _ := s.Escalation(ctx, id)
	if e.State != EscalationAcknowledged || e.AckedBy != "p1" || e.AckedVia != "sms" || !e.Acked.Equal(incBase.Add(2*time.Minute).UTC()) {
		t.Fatalf("escalation = %+v", e)
	}
	// A second acknowledgement changes nothing; the step can no longer fire.
	if changed, _, _ := s.EndEscalation(ctx, End{IncidentID: id, State: EscalationAcknowledged, By: "p2", Via: "slack", Now: incBase}); changed {
		t.Fatal("second ack changed the escalation")
	}
	if ok, _ := s.AdvanceEscalation(ctx, Advance{IncidentID: id, From: 1, Next: 2, Now: incBase}); ok {
		t.Fatal("an acknowledged escalation advanced")
	}
	if ok, _ := s.EscalateNow(ctx, id, "p2", "slack", incBase); ok {
		t.Fatal("an acknowledged escalation was escalated")
	}
}

func testEscalationResolveAfterAck(t *testing.T, s *Store) {
	ctx := context.Background()
	id := openIncident(t, s)
	mustStart(t, s, id, incBase)
	if ok, err := s.EscalateNow(ctx, id, "dm-1", "verbal", incBase.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("EscalateNow = %v, %v", ok, err)
	}
	if _, _, err := s.EndEscalation(ctx, End{IncidentID: id, State: EscalationAcknowledged, By: "dm-1", Via: "verbal", Now: incBase}); err != nil {
		t.Fatal(err)
	}
	changed, _, err := s.EndEscalation(ctx, End{IncidentID: id, State: EscalationResolved, Now: incBase.Add(time.Hour)})
	if err != nil || !changed {
		t.Fatalf("resolve after ack = %v, %v", changed, err)
	}
	e, _ := s.Escalation(ctx, id)
	if e.State != EscalationResolved || e.AckedBy != "dm-1" {
		t.Fatalf("escalation = %+v; want resolved keeping who acknowledged", e)
	}
	want := []string{EscStarted, EscEscalated, EscAcknowledged, EscResolved}
	if got := escKinds(t, s, id); !reflect.DeepEqual(got, want) {
		t.Fatalf("events = %v; want %v", got, want)
	}
	if _, err := s.Escalation(ctx, id+100); err == nil {
		t.Fatal("escalation of an unknown incident: no error")
	}
}

func testPagesClaimRecord(t *testing.T, s *Store) {
	ctx := context.Background()
	id := openIncident(t, s)
	_, err := s.AddPages(ctx, []Page{smsPage(id, "p1", incBase), smsPage(id, "p2", incBase.Add(time.Hour)),
		{IncidentID: id, Kind: PageKindPage, Channel: "slack", SlackChannel: "#rbkc-ooh", Due: incBase}}, nil, incBase)
	if err != nil {
		t.Fatal(err)
	}
	due, _ := s.DuePages(ctx, incBase, incBase.Add(-time.Minute), 10)
	if len(due) != 2 {
		t.Fatalf("due = %d pages; want 2 (the third is due in an hour)", len(due))
	}
	ids := []int64{due[0].ID, due[1].ID}
	got, _ := s.ClaimPages(ctx, ids, incBase, incBase.Add(-time.Minute))
	if len(got) != 2 {
		t.Fatalf("claimed %v", got)
	}
	// Another process cannot claim them while they are fresh...
	if again, _ := s.ClaimPages(ctx, ids, incBase, incBase.Add(-time.Minute)); len(again) != 0 {
		t.Fatalf("claimed twice: %v", again)
	}
	// ... but can once the sender is presumed dead (crash mid-send).
	if due, _ := s.DuePages(ctx, incBase.Add(time.Minute), incBase.Add(time.Second), 10); len(due) != 2 {
		t.Fatalf("stale sending pages not due again: %+v", due)
	}
	if err := s.RecordSent(ctx, Sent{IDs: got[:1], Ref: "SMa", Now: incBase}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordSent(ctx, Sent{IDs: got[1:], Err: "slack 503", RetryAt: incBase.Add(time.Minute), Now: incBase}); err != nil {
		t.Fatal(err)
	}
	all, _ := s.Pages(ctx, id)
	byID := map[int64]Page{}
	for _, p := range all {
		byID[p.ID] = p
	}
	if p := byID[got[0]]; p.Status != PageSent || p.ProviderRef != "SMa" || p.Attempts != 1 || !p.Sent.Equal(incBase.UTC()) {
		t.Fatalf("sent page = %+v", p)
	}
	if p := byID[got[1]]; p.Status != PagePending || !p.Due.Equal(incBase.Add(time.Minute).UTC()) || p.Detail != "slack 503" {
		t.Fatalf("retried page = %+v", p)
	}
	got2, _ := s.ClaimPages(ctx, got[1:], incBase.Add(time.Minute), incBase)
	if err := s.RecordSent(ctx, Sent{IDs: got2, Err: "channel_not_found", Now: incBase.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	all, _ = s.Pages(ctx, id)
	for _, p := range all {
		if p.ID == got[1] && (p.Status != PageFailed || p.Attempts != 2) {
			t.Fatalf("failed page = %+v", p)
		}
	}
	if _, err := s.AddPages(ctx, []Page{{IncidentID: id, Kind: PageKindPage, Channel: "sms", Due: incBase}}, nil, incBase); err == nil {
		t.Fatal("a page without a recipient was accepted")
	}
}

func sentSMS(t *testing.T, s *Store, id int64, ref string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	pages, err := s.AddPages(ctx, []Page{smsPage(id, "p1", at)}, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.ClaimPages(ctx, []int64{pages[0].ID}, at, at.Add(-time.Minute))
	if err := s.RecordSent(ctx, Sent{IDs: got, Ref: ref, Now: at}); err != nil {
		t.Fatal(err)
	}
}

func testPagesReceipts(t *testing.T, s *Store) {
	ctx := context.Background()
	id := openIncident(t, s)
	sentSMS(t, s, id, "SMx", incBase)
	// delivered arrives before sent: sent must not undo it.
	ch, err := s.RecordReceipt(ctx, "sms", "SMx", "delivered", incBase.Add(3*time.Second), "")
	if err != nil || len(ch) != 1 || ch[0].Status != PageDelivered {
		t.Fatalf("delivered = %+v, %v", ch, err)
	}
	if ch, _ := s.RecordReceipt(ctx, "sms", "SMx", "sent", incBase.Add(time.Second), ""); len(ch) != 0 {
		t.Fatalf("a late 'sent' changed %+v", ch)
	}
	if ch, _ := s.RecordReceipt(ctx, "sms", "SMx", "failed", incBase.Add(time.Second), "30003"); len(ch) != 0 {
		t.Fatalf("a 'failed' after delivered changed %+v", ch)
	}
	if _, err := s.RecordReceipt(ctx, "sms", "SMx", "exploded", incBase, ""); err == nil {
		t.Fatal("an unknown status was accepted")
	}
	sentSMS(t, s, id, "SMy", incBase)
	ch, _ = s.RecordReceipt(ctx, "sms", "SMy", "undelivered", incBase.Add(5*time.Second), "ErrorCode 30003")
	if len(ch) != 1 || ch[0].Status != PageUndelivered || ch[0].Detail != "ErrorCode 30003" {
		t.Fatalf("undelivered = %+v", ch)
	}
	if ch, _ := s.RecordReceipt(ctx, "sms", "SM-unknown", "delivered", incBase, ""); len(ch) != 0 {
		t.Fatalf("unknown ref changed %+v", ch)
	}
}

func testPagesExpire(t *testing.T, s *Store) {
	ctx := context.Background()
	id := openIncident(t, s)
	sentSMS(t, s, id, "SM1", incBase)
	sentSMS(t, s, id, "SM2", incBase.Add(2*time.Minute))
	exp, err := s.ExpireUndelivered(ctx, "sms", incBase.Add(time.Minute), incBase.Add(3*time.Minute))
	if err != nil || len(exp) != 1 || exp[0].ProviderRef != "SM1" || exp[0].Status != PageUndelivered {
		t.Fatalf("expired = %+v, %v; want SM1 only", exp, err)
	}
	// A late delivery receipt still records that it arrived.
	if ch, _ := s.RecordReceipt(ctx, "sms", "SM1", "delivered", incBase.Add(4*time.Minute), ""); len(ch) != 1 {
		t.Fatalf("late delivered after expiry changed %d pages; want 1", len(ch))
	}
}

func testOptOut(t *testing.T, s *Store) {
	ctx := context.Background()
	if out, err := s.OptedOut(ctx, "sms", "p1"); err != nil || out {
		t.Fatalf("OptedOut before STOP = %v, %v", out, err)
	}
	for _, stop := range []bool{true, false, true} {
		if err := s.SetOptOut(ctx, "sms", "p1", stop, incBase); err != nil {
			t.Fatal(err)
		}
		if out, _ := s.OptedOut(ctx, "sms", "p1"); out != stop {
			t.Fatalf("OptedOut after SetOptOut(%v) = %v", stop, out)
		}
	}
	if out, _ := s.OptedOut(ctx, "sms", "p2"); out {
		t.Fatal("p2 opted out by p1's STOP")
	}
}
