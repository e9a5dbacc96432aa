package alerting

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// pagerYAML: acme's noise policy pages the noise rota (daily 17:00
// handover), then the duty officer (SMS only), once more, then the
// provider's duty managers. beta is another PO that must never be paged.
const pagerYAML = `organisations:
  - id: acme
    name: Acme
    service_options:
      - {id: noise, standards: [{standard: gold, from: "2026-01-01"}]}
      - {id: repairs, standards: [{standard: gold, from: "2026-01-01"}]}
    access_numbers: [{number: "+442079460901", service_options: ["*"]}]
    people:
      - {id: acme-n1, name: Noise One, sms: "+447700900011", slack: U0ACMEN1}
      - {id: acme-n2, name: Noise Two, sms: "+447700900012", slack: U0ACMEN2}
      - {id: acme-duty, name: Duty Officer, sms: "+447700900013"}
      - {id: acme-mute, name: No Channel}
    rotas:
      - {id: noise, rotation: daily, handovers: ["17:00"], people: [acme-n1, acme-n2], start: "2026-11-01"}
      - {id: mute, rotation: daily, handovers: ["17:00"], people: [acme-mute], start: "2026-11-01"}
    escalation_policies:
      - id: noise
        service_options: [noise]
        repeat: 1
        steps:
          - {targets: [{rota: noise}, {slack_channel: "#acme-ooh"}], delay: 10m}
          - {targets: [{person: acme-duty}], delay: 10m}
      - id: repairs
        service_options: [repairs]
        steps:
          - {targets: [{rota: mute}], delay: 15m}
          - {targets: [{person: acme-duty}], delay: 5m}
  - id: beta
    name: Beta
    service_options: [{id: noise, standards: [{standard: gold, from: "2026-01-01"}]}]
    access_numbers: [{number: "+442079460902", service_options: ["*"]}]
    people: [{id: beta-1, name: Beta One, sms: "+447700900021"}]
    escalation_policies: [{id: d, steps: [{targets: [{person: beta-1}]}]}]
provider:
  people:
    - {id: dm-1, name: Duty Manager One, sms: "+447700900101", slack: U0DM1}
    - {id: dm-2, name: Duty Manager Two, sms: "+447700900102"}
  duty_managers: [dm-1, dm-2]
  slack_channel: "#ooh-duty"
`

// fakeClock is moved by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *fakeClock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// recSender records what it is asked to send; fail, when set, decides a
// failure. SMS receipts come later (Delivered false), as with Twilio.
type recSender struct {
	channel string
	mu      sync.Mutex
	sent    []Message
	n       int
	fail    func(Message) (retry bool, err error)
}

func (s *recSender) Channel() string { return s.channel }

func (s *recSender) Send(_ context.Context, m Message) (Receipt, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		if retry, err := s.fail(m); err != nil {
			return Receipt{}, retry, err
		}
	}
	s.n++
	s.sent = append(s.sent, m)
	if s.channel == ChannelSMS {
		return Receipt{Ref: fmt.Sprintf("SM%03d", s.n)}, false, nil
	}
	return Receipt{Ref: fmt.Sprintf("C1/%d.000%d", 1700000000+s.n, s.n), Delivered: true}, false, nil
}

// to lists "kind:recipient" of what was sent since index from.
func (s *recSender) to(from int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.sent[from:] {
		who := m.To.PersonID
		if who == "" {
			who = m.To.SlackChannel
		}
		out = append(out, m.Kind+":"+who)
	}
	return out
}

func (s *recSender) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.sent) }

type pagerRig struct {
	t          *testing.T
	ctx        context.Context
	clock      *fakeClock
	st         *store.Store
	cat        *catalog.Catalog
	p          *Pager
	sms, slack *recSender
	reg        *prometheus.Registry
}

// friday 22:00 London (GMT in November): acme-n? on the noise rota.
var pagerStart = time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC)

func newPagerRig(t *testing.T) *pagerRig {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Parse("pager.yaml", []byte(pagerYAML))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "events.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &pagerRig{t: t, ctx: ctx, clock: &fakeClock{t: pagerStart}, st: st, cat: cat,
		sms: &recSender{channel: ChannelSMS}, slack: &recSender{channel: ChannelSlack}, reg: prometheus.NewRegistry()}
	r.p = r.newPager()
	return r
}

func (r *pagerRig) newPager() *Pager {
	p, err := NewPager(PagerOptions{
		Catalog: func(context.Context) (*catalog.Catalog, error) { return r.cat, nil },
		Store:   r.st, Logger: slog.New(slog.DiscardHandler), Senders: []Sender{r.sms, r.slack},
		Now: r.clock.Now, Registerer: r.reg,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// open stores a firing alert for po/so and hands it to the pager.
func (r *pagerRig) open(po, so string) int64 {
	r.t.Helper()
	res, err := r.st.UpsertAlerts(r.ctx, []store.IncidentAlert{{Receiver: POReceiver(po), GroupKey: "g/" + po + "/" + so,
		Fingerprint: "f-" + po + "-" + so, Status: store.IncidentFiring, StartsAt: r.clock.Now(),
		Labels:      map[string]string{"alertname": "SLABreached", "po": po, "service_option": so, "severity": "page"},
		Annotations: map[string]string{"summary": po + " " + so + " under 80% within 20 s"}}}, r.clock.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	inc := res[0].Incident
	if _, err := r.p.Notify(r.ctx, Notification{Event: store.EventOpened, Incident: inc, Receiver: POReceiver(po), PO: po}); err != nil {
		r.t.Fatal(err)
	}
	return inc.ID
}

func (r *pagerRig) tick() {
	r.t.Helper()
	if err := r.p.Tick(r.ctx); err != nil {
		r.t.Fatal(err)
	}
}

// at moves the clock to pagerStart+d and ticks.
func (r *pagerRig) at(d time.Duration) {
	r.clock.Set(pagerStart.Add(d))
	r.tick()
}

func (r *pagerRig) escalation(id int64) store.Escalation {
	e, err := r.st.Escalation(r.ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return e
}

func (r *pagerRig) receipt(ref, status string) {
	r.t.Helper()
	if err := r.p.Receipt(r.ctx, ChannelSMS, ref, status, r.clock.Now(), ""); err != nil {
		r.t.Fatal(err)
	}
}

// deliverAll reports every SMS sent so far as delivered.
func (r *pagerRig) deliverAll() {
	r.t.Helper()
	for i := 1; i <= r.sms.count(); i++ {
		r.receipt(fmt.Sprintf("SM%03d", i), "delivered")
	}
}

func eqs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// TestPagerEscalatesOnSchedule: nobody acknowledges; each step pages at
// its delay, the policy runs twice, the duty managers come last, then it
// stops. Beta is never paged.
func TestPagerEscalatesOnSchedule(t *testing.T) {
	r := newPagerRig(t)
	id := r.open("acme", "noise")
	on, _ := r.cat.OnCall("acme", "noise", pagerStart)
	r.tick()
	eqs(t, "step 1 SMS", r.sms.to(0), []string{"page:" + on.ID})
	eqs(t, "step 1 Slack", r.slack.to(0), []string{"page:" + on.ID, "page:#acme-ooh"})
	if m := r.sms.sent[0]; m.AckCode != fmt.Sprintf("%dA", id) {
		t.Fatalf("first SMS: code %q", m.AckCode)
	}
	r.deliverAll()
	r.at(9*time.Minute + 59*time.Second)
	if r.sms.count() != 1 {
		t.Fatalf("paged again before the step's delay: %q", r.sms.to(0))
	}
	r.deliverAll()
	r.at(10 * time.Minute)
	eqs(t, "step 2", r.sms.to(1), []string{"page:acme-duty"})
	if m := r.sms.sent[1]; m.AckCode != fmt.Sprintf("%dB", id) || !m.Escalated {
		t.Fatalf("step 2 SMS: code %q escalated %v", m.AckCode, m.Escalated)
	}
	r.deliverAll()
	r.at(20 * time.Minute) // repeat: the rota's person again, same code
	eqs(t, "repeat step 1", r.sms.to(2), []string{"page:" + on.ID})
	if r.sms.sent[2].AckCode != fmt.Sprintf("%dA", id) {
		t.Fatalf("repeat changed the person's code to %s", r.sms.sent[2].AckCode)
	}
	r.deliverAll()
	r.at(30 * time.Minute)
	eqs(t, "repeat step 2", r.sms.to(3), []string{"page:acme-duty"})
	r.deliverAll()
	r.at(39 * time.Minute)
	if r.sms.count() != 4 {
		t.Fatal("catch-all before its time")
	}
	r.deliverAll()
	r.at(40 * time.Minute)
	eqs(t, "catch-all SMS", r.sms.to(4), []string{"page:dm-1", "page:dm-2"})
	eqs(t, "catch-all Slack", r.slack.to(4), []string{"page:dm-1", "page:#ooh-duty"})
	r.deliverAll()
	r.at(3 * time.Hour)
	if e := r.escalation(id); e.State != store.EscalationExhausted || r.sms.count() != 6 {
		t.Fatalf("after the catch-all: state %s, %d SMS", e.State, r.sms.count())
	}
	for _, m := range append(r.sms.sent, r.slack.sent...) {
		if strings.HasPrefix(m.To.PersonID, "beta") {
			t.Fatalf("beta was paged: %+v", m)
		}
	}
	if got := testutil.ToFloat64(r.p.m.steps.WithLabelValues("acme", "paged")); got != 5 {
		t.Fatalf("steps paged = %v; want 5", got)
	}
}

// TestPagerAckBySMSStopsEscalation: the code from the person's own phone
// acknowledges; others' phones and unknown codes do not; the Slack
// message is updated and the other people paged are told.
func TestPagerAckBySMSStopsEscalation(t *testing.T) {
	r := newPagerRig(t)
	id := r.open("acme", "noise")
	r.tick()
	r.at(10 * time.Minute) // step 2: acme-duty paged too
	on, _ := r.cat.OnCall("acme", "noise", pagerStart)
	code := fmt.Sprintf("%da", id) // lower case works
	if reply, _ := r.p.AckCode(r.ctx, ChannelSMS, "+447700900021", code); !strings.Contains(reply, "not your code") {
		t.Fatalf("ack from beta's phone: %q", reply)
	}
	if reply, _ := r.p.AckCode(r.ctx, ChannelSMS, on.SMS.Reveal(), "999Z"); !strings.Contains(reply, "not a page code") {
		t.Fatalf("unknown code: %q", reply)
	}
	r.clock.Set(pagerStart.Add(11 * time.Minute))
	reply, err := r.p.AckCode(r.ctx, ChannelSMS, on.SMS.Reveal(), code)
	if err != nil || !strings.Contains(reply, "Acknowledged #") {
		t.Fatalf("ack = %q, %v", reply, err)
	}
	if reply, _ := r.p.AckCode(r.ctx, ChannelSMS, on.SMS.Reveal(), code); !strings.Contains(reply, "already") {
		t.Fatalf("second ack = %q", reply)
	}
	e := r.escalation(id)
	if e.State != store.EscalationAcknowledged || e.AckedBy != on.ID || e.AckedVia != ChannelSMS {
		t.Fatalf("escalation = %+v", e)
	}
	nSMS, nSlack := r.sms.count(), r.slack.count()
	r.at(11 * time.Minute)
	// Notices: no SMS to the person who acknowledged by SMS; acme-duty is
	// told; both Slack messages are updated in place.
	eqs(t, "SMS notices", r.sms.to(nSMS), []string{"acknowledged:acme-duty"})
	eqs(t, "Slack notices", r.slack.to(nSlack), []string{"acknowledged:" + on.ID, "acknowledged:#acme-ooh"})
	for _, m := range r.slack.sent[nSlack:] {
		if m.Update == "" || m.By != on.ID || m.Via != ChannelSMS {
			t.Fatalf("Slack notice does not update the page: %+v", m)
		}
	}
	r.at(2 * time.Hour)
	if r.sms.count() != nSMS+1 {
		t.Fatalf("paged after the acknowledgement: %q", r.sms.to(nSMS))
	}
}

// TestPagerSlackButtons: Acknowledge by a Slack member maps to the person;
// Escalate pages the next step at once.
func TestPagerSlackButtons(t *testing.T) {
	r := newPagerRig(t)
	id := r.open("acme", "noise")
	r.tick()
	out, err := r.p.Act(r.ctx, id, ActionEscalate, ChannelSlack, "U0ACMEN1")
	if err != nil || out.Status != "firing" {
		t.Fatalf("escalate = %+v, %v", out, err)
	}
	r.at(time.Minute)
	eqs(t, "escalated at once", r.sms.to(1), []string{"page:acme-duty"})
	out, err = r.p.Act(r.ctx, id, ActionAcknowledge, ChannelSlack, "U0DM1")
	if err != nil || out.AckedBy != "dm-1" || !strings.Contains(out.Text, "Acknowledged") {
		t.Fatalf("ack = %+v, %v", out, err)
	}
	if out, _ := r.p.Act(r.ctx, id, ActionEscalate, ChannelSlack, "U0ACMEN1"); !strings.Contains(out.Text, "not escalating") {
		t.Fatalf("escalate after ack = %+v", out)
	}
	if _, err := r.p.Act(r.ctx, id, "snooze", ChannelSlack, "U0DM1"); err == nil {
		t.Fatal("unknown action accepted")
	}
}

// TestPagerSlackOutageSMSGetsThrough: Slack fails every call; the SMS goes
// out and is delivered, Slack is retried with back-off then given up, and
// the escalation keeps its schedule because the SMS reached the person.
func TestPagerSlackOutageSMSGetsThrough(t *testing.T) {
	r := newPagerRig(t)
	r.slack.fail = func(Message) (bool, error) { return true, fmt.Errorf("slack: HTTP 503") }
	id := r.open("acme", "noise")
	r.tick()
	on, _ := r.cat.OnCall("acme", "noise", pagerStart)
	eqs(t, "SMS despite Slack", r.sms.to(0), []string{"page:" + on.ID})
	r.receipt("SM001", "delivered")
	for s := 5 * time.Second; s < 9*time.Minute; s += 5 * time.Second {
		r.at(s)
	}
	pages, _ := r.st.Pages(r.ctx, id)
	for _, pg := range pages {
		if pg.Channel == ChannelSlack && (pg.Status != store.PageFailed || pg.Attempts != 5) {
			t.Fatalf("Slack page = %s after %d attempts; want failed after 5", pg.Status, pg.Attempts)
		}
		if pg.Channel == ChannelSMS && pg.Status != store.PageDelivered {
			t.Fatalf("SMS page = %s; want delivered", pg.Status)
		}
	}
	if r.sms.count() != 1 {
		t.Fatalf("escalated early although the SMS was delivered: %q", r.sms.to(0))
	}
	if got := testutil.ToFloat64(r.p.m.errors.WithLabelValues(ChannelSlack)); got != 10 {
		t.Fatalf("slack provider errors = %v; want 10 (2 pages × 5 attempts)", got)
	}
}

// TestPagerUndeliveredSMSFallsBack: the duty officer has SMS only; no
// receipt within the bound makes it undelivered and the next step is paged
// at once instead of after the 5-minute delay. A failed receipt does the
// same.
func TestPagerUndeliveredSMSFallsBack(t *testing.T) {
	r := newPagerRig(t)
	// repairs: step 1 is the mute rota (nobody reachable: skipped at once),
	// step 2 the duty officer by SMS, then the duty managers.
	id := r.open("acme", "repairs")
	r.tick()
	eqs(t, "skipped straight to the duty officer", r.sms.to(0), []string{"page:acme-duty"})
	ev, _ := r.st.EscalationEvents(r.ctx, id)
	if !slices.ContainsFunc(ev, func(e store.EscalationEvent) bool {
		return e.Kind == store.EscSkipped && strings.Contains(e.Detail, "acme-mute has no channel")
	}) {
		t.Fatalf("no skipped event naming acme-mute: %+v", ev)
	}
	r.at(time.Minute)
	r.receipt("SM001", "sent") // handed to the carrier; never delivered
	r.at(2*time.Minute + time.Second)
	eqs(t, "fallback pages the duty managers now", r.sms.to(1), []string{"page:dm-1", "page:dm-2"})
	// A failed receipt from the carrier for dm-1 alone: dm-2's SMS and
	// dm-1's Slack are still alive, nothing more to do (the catch-all is
	// the last step anyway).
	r.receipt("SM002", "failed")
	pages, _ := r.st.Pages(r.ctx, id)
	for _, pg := range pages {
		if pg.ProviderRef == "SM001" && pg.Status != store.PageUndelivered {
			t.Fatalf("SM001 = %s; want undelivered", pg.Status)
		}
		if pg.ProviderRef == "SM002" && pg.Status != store.PageFailed {
			t.Fatalf("SM002 = %s; want failed", pg.Status)
		}
	}
	ev, _ = r.st.EscalationEvents(r.ctx, id)
	if !slices.ContainsFunc(ev, func(e store.EscalationEvent) bool { return e.Kind == store.EscFallback }) {
		t.Fatal("no fallback event")
	}
}

// TestPagerBundlesAndRateLimits: three incidents at once are one SMS to
// the person on call, listing each; a fourth within SMSInterval waits and
// goes out after it.
func TestPagerBundlesAndRateLimits(t *testing.T) {
	r := newPagerRig(t)
	var ids []int64
	for _, fp := range []string{"x", "y", "z"} {
		res, _ := r.st.UpsertAlerts(r.ctx, []store.IncidentAlert{{Receiver: "po-acme", GroupKey: "g", Fingerprint: fp,
			Status: store.IncidentFiring, StartsAt: pagerStart,
			Labels: map[string]string{"alertname": "SLABreached", "po": "acme", "service_option": "noise", "severity": "page"}}}, pagerStart)
		r.p.Notify(r.ctx, Notification{Event: store.EventOpened, Incident: res[0].Incident, Receiver: "po-acme"})
		ids = append(ids, res[0].Incident.ID)
	}
	r.tick()
	if r.sms.count() != 1 {
		t.Fatalf("%d SMS for three incidents; want one bundle", r.sms.count())
	}
	m := r.sms.sent[0]
	for _, id := range ids {
		if !strings.Contains(m.Summary, fmt.Sprintf("#%d ", id)) {
			t.Fatalf("bundle summary %q lacks #%d", m.Summary, id)
		}
	}
	res, _ := r.st.UpsertAlerts(r.ctx, []store.IncidentAlert{{Receiver: "po-acme", GroupKey: "g", Fingerprint: "w",
		Status: store.IncidentFiring, StartsAt: pagerStart, Labels: map[string]string{"alertname": "CallSurge", "po": "acme", "service_option": "noise"}}}, pagerStart)
	r.p.Notify(r.ctx, Notification{Event: store.EventOpened, Incident: res[0].Incident, Receiver: "po-acme"})
	r.at(10 * time.Second)
	if r.sms.count() != 1 {
		t.Fatal("a second SMS to the same person within 30 s")
	}
	r.at(30 * time.Second)
	if r.sms.count() != 2 || r.sms.sent[1].AlertName != "CallSurge" {
		t.Fatalf("held SMS not sent after the interval: %q", r.sms.to(0))
	}
	// One delivery receipt for the bundle delivers all three pages.
	r.receipt("SM001", "delivered")
	for _, id := range ids {
		pages, _ := r.st.Pages(r.ctx, id)
		if pg := pages[0]; pg.Channel != ChannelSMS || pg.Status != store.PageDelivered {
			t.Fatalf("incident %d SMS page = %+v", id, pg)
		}
	}
}

// TestPagerResolveAndRestart: a page claimed by a pager that died
// mid-send is sent again by the next one; a resolve cancels what is
// pending and tells the people paged.
func TestPagerResolveAndRestart(t *testing.T) {
	r := newPagerRig(t)
	id := r.open("acme", "noise")
	// The first pager fires the step and claims the pages, then "dies".
	cat := r.cat
	if err := r.p.fireDue(r.ctx, cat, pagerStart); err != nil {
		t.Fatal(err)
	}
	due, _ := r.st.DuePages(r.ctx, pagerStart, pagerStart.Add(-time.Hour), 10)
	ids := []int64{}
	for _, pg := range due {
		ids = append(ids, pg.ID)
	}
	if _, err := r.st.ClaimPages(r.ctx, ids, pagerStart, pagerStart.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	r.p = r.newPagerWithRegistry(prometheus.NewRegistry())
	r.at(time.Minute)
	if r.sms.count() != 0 {
		t.Fatal("a fresh claim was taken over")
	}
	r.at(2*time.Minute + time.Second)
	if r.sms.count() != 1 || r.slack.count() != 2 {
		t.Fatalf("after the stale bound: %d SMS, %d Slack; want the pages sent again", r.sms.count(), r.slack.count())
	}
	inc, _ := r.st.Incident(r.ctx, id)
	if _, err := r.p.Notify(r.ctx, Notification{Event: store.EventResolved, Incident: inc, Receiver: "po-acme"}); err != nil {
		t.Fatal(err)
	}
	r.at(3 * time.Minute)
	on, _ := r.cat.OnCall("acme", "noise", pagerStart)
	eqs(t, "resolved SMS", r.sms.to(1), []string{"resolved:" + on.ID})
	eqs(t, "resolved Slack", r.slack.to(2), []string{"resolved:" + on.ID, "resolved:#acme-ooh"})
	r.at(time.Hour)
	if e := r.escalation(id); e.State != store.EscalationResolved || r.sms.count() != 2 {
		t.Fatalf("after resolve: %s, %d SMS", e.State, r.sms.count())
	}
}

func (r *pagerRig) newPagerWithRegistry(reg *prometheus.Registry) *Pager {
	r.reg = reg
	return r.newPager()
}

// TestPagerWarningsPageNobody: a warning is one post to the duty
// managers' channel; no SMS, no escalation.
func TestPagerWarningsPageNobody(t *testing.T) {
	r := newPagerRig(t)
	res, err := r.st.UpsertAlerts(r.ctx, []store.IncidentAlert{{Receiver: "po-acme", GroupKey: "g", Fingerprint: "w",
		Status: store.IncidentFiring, StartsAt: pagerStart,
		Labels: map[string]string{"alertname": "SLAAtRisk", "po": "acme", "service_option": "noise", "severity": "warning"}}}, pagerStart)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.p.Notify(r.ctx, Notification{Event: store.EventOpened, Incident: res[0].Incident, Receiver: "po-acme"}); err != nil {
		t.Fatal(err)
	}
	r.tick()
	r.at(time.Hour)
	eqs(t, "warning SMS", r.sms.to(0), nil)
	eqs(t, "warning Slack", r.slack.to(0), []string{"page:#ooh-duty"})
	if _, err := r.st.Escalation(r.ctx, res[0].Incident.ID); err == nil {
		t.Fatal("a warning started an escalation")
	}
}
