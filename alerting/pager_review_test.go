package alerting

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// A notice to a person never rides in a bundle with a new page to them,
// and a bundle of pages names every incident's reply code.
func TestPagerNoticeNotBundledWithPage(t *testing.T) {
	r := newPagerRig(t)
	id1 := r.open("acme", "repairs") // step 1 skipped: acme-duty paged by SMS at once
	r.tick()
	r.clock.Add(5 * time.Second)
	if _, err := r.p.Acknowledge(r.ctx, id1, "dm-1", "slack"); err != nil {
		t.Fatal(err)
	}
	r.clock.Add(time.Second)
	id2 := r.openKey("acme", "repairs", "second")
	id3 := r.openKey("acme", "repairs", "third")
	r.tick() // held: acme-duty had an SMS 6 s ago
	r.at(31 * time.Second)
	var kinds []string
	for _, m := range r.sms.sent[1:] {
		kinds = append(kinds, m.Kind)
		if m.Kind == MessagePage {
			for _, id := range []int64{id2, id3} {
				if !strings.Contains(m.Summary, fmt.Sprintf("(%dA)", id)) {
					t.Errorf("bundle %q lacks the code of #%d", m.Summary, id)
				}
			}
		}
	}
	eqs(t, "after the interval", kinds, []string{MessageAcknowledged, MessagePage})
}

// A page that fails after its step was followed by another does not cut
// the later step's wait.
func TestPagerLateFailureKeepsLaterStepWait(t *testing.T) {
	r := newPagerRig(t)
	r.slack.fail = func(Message) (bool, error) { return false, fmt.Errorf("slack: channel_not_found") }
	p, err := NewPager(PagerOptions{Catalog: r.p.opts.Catalog, Store: r.st, Logger: r.p.opts.Logger,
		Senders: []Sender{r.sms, r.slack}, Now: r.clock.Now, DeliveryBound: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r.p = p
	r.open("acme", "noise") // step 1: the rota by SMS (Slack fails for good), 10m; step 2: acme-duty, 10m
	r.tick()
	r.at(10 * time.Minute) // step 2 pages acme-duty
	r.receipt("SM002", "delivered")
	n := r.sms.count()
	// Step 1's SMS fails late: step 1 reached nobody, but step 2 has
	// already paged and must keep its 10 minutes.
	r.receipt("SM001", "failed")
	r.at(10*time.Minute + 30*time.Second)
	if r.sms.count() != n {
		t.Fatalf("a late failure of step 1 paged step 3 early: %q", r.sms.to(n))
	}
}

// Two people sharing the on-call handset can each acknowledge with their
// own code.
func TestPagerSharedHandsetAcks(t *testing.T) {
	r := newPagerRig(t)
	shared := strings.Replace(pagerYAML, `{id: acme-duty, name: Duty Officer, sms: "+447700900013"}`,
		`{id: acme-duty, name: Duty Officer, sms: "+447700900011"}`, 1) // acme-n1's number
	cat, err := catalog.Parse("pager.yaml", []byte(shared))
	if err != nil {
		t.Fatal(err)
	}
	r.cat = cat
	id := r.open("acme", "repairs") // pages acme-duty (code <id>A)
	r.tick()
	reply, err := r.p.AckCode(r.ctx, ChannelSMS, "+447700900011", fmt.Sprintf("%dA", id))
	if err != nil || !strings.Contains(reply, "Acknowledged") {
		t.Fatalf("ack from the shared handset: %q, %v", reply, err)
	}
	if e := r.escalation(id); e.AckedBy != "acme-duty" {
		t.Fatalf("acked by %q; want acme-duty (the code's person)", e.AckedBy)
	}
}

// An incident stored without its escalation (a fault after the commit)
// is escalated by the next tick.
func TestPagerStartsMissedEscalation(t *testing.T) {
	r := newPagerRig(t)
	res, err := r.st.UpsertAlerts(r.ctx, []store.IncidentAlert{{Receiver: "po-acme", GroupKey: "g", Fingerprint: "lost",
		Status: store.IncidentFiring, StartsAt: pagerStart,
		Labels: map[string]string{"alertname": "SLABreached", "po": "acme", "service_option": "repairs", "severity": "page"}}}, pagerStart)
	if err != nil {
		t.Fatal(err)
	}
	r.tick()
	if _, err := r.st.Escalation(r.ctx, res[0].Incident.ID); err != nil {
		t.Fatalf("no escalation started: %v", err)
	}
	eqs(t, "paged", r.sms.to(0), []string{"page:acme-duty"})
}

// A page left half-sent by a crash is not sent after its incident was
// acknowledged; a step whose only target has no sender is skipped at once.
func TestPagerCancelsPagesOfEndedEscalations(t *testing.T) {
	r := newPagerRig(t)
	id := r.open("acme", "repairs")
	if err := r.p.fireDue(r.ctx, r.cat, pagerStart); err != nil {
		t.Fatal(err)
	}
	due, _ := r.st.DuePages(r.ctx, pagerStart, pagerStart.Add(-time.Hour), 10)
	var ids []int64
	for _, pg := range due {
		ids = append(ids, pg.ID)
	}
	r.st.ClaimPages(r.ctx, ids, pagerStart, pagerStart.Add(-time.Hour)) // then the process dies
	if _, err := r.p.Acknowledge(r.ctx, id, "dm-1", "verbal"); err != nil {
		t.Fatal(err)
	}
	r.at(3 * time.Minute)
	for _, m := range r.sms.sent {
		if m.Kind == MessagePage {
			t.Fatalf("the half-sent page went out after the acknowledgement: %+v", m)
		}
	}
	pages, _ := r.st.Pages(r.ctx, id)
	if pages[0].Status != store.PageCancelled {
		t.Fatalf("page = %s; want cancelled", pages[0].Status)
	}
}
