package alerting

import (
	"context"
	"testing"
	"time"

	"github.com/slawatch/slawatch/alerting/rotaapi"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// TestPagerFollowsPredatedRotaChange: an override stored through the rota
// API on Friday evening for the small hours of Saturday does not change
// who is paged on Friday, and does from its start: the pager reads the
// catalogue with the stored changes at every tick.
func TestPagerFollowsPredatedRotaChange(t *testing.T) {
	r := newPagerRig(t)
	base := r.cat
	r.cat = nil
	r.p = r.newPagerWith(func(ctx context.Context) (*catalog.Catalog, error) { return rotaapi.Current(ctx, base, r.st) })
	on, _ := base.OnCall("acme", "noise", pagerStart)
	other := "acme-n1"
	if on.ID == other {
		other = "acme-n2"
	}
	from := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC) // Saturday 00:00 London (GMT)
	if _, err := r.st.AddRotaChange(r.ctx, store.RotaChange{PO: "acme", Rota: "noise", Kind: store.RotaOverride, Person: other,
		From: from, To: from.Add(6 * time.Hour), Reason: "swap", Author: "acme-rota-admin", Created: pagerStart}); err != nil {
		t.Fatal(err)
	}
	r.open("acme", "noise")
	r.tick()
	eqs(t, "Friday 22:00, before the override", r.sms.to(0), []string{"page:" + on.ID})

	r.clock.Set(from.Add(time.Hour))
	id := r.openKey("acme", "noise", "later")
	r.tick()
	var got []string
	for _, m := range r.sms.sent {
		if m.IncidentID == id {
			got = append(got, m.Kind+":"+m.To.PersonID)
		}
	}
	eqs(t, "Saturday 01:00, the override's person", got, []string{"page:" + other})
}

func (r *pagerRig) newPagerWith(cat func(context.Context) (*catalog.Catalog, error)) *Pager {
	p, err := NewPager(PagerOptions{Catalog: cat, Store: r.st, Logger: r.p.opts.Logger, Senders: []Sender{r.sms, r.slack}, Now: r.clock.Now})
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// openKey opens another incident for po/so (a distinct fingerprint).
func (r *pagerRig) openKey(po, so, key string) int64 {
	r.t.Helper()
	res, err := r.st.UpsertAlerts(r.ctx, []store.IncidentAlert{{Receiver: POReceiver(po), GroupKey: "g/" + key,
		Fingerprint: "f-" + key, Status: store.IncidentFiring, StartsAt: r.clock.Now(),
		Labels: map[string]string{"alertname": "SLABreached", "po": po, "service_option": so, "severity": "page"}}}, r.clock.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.p.Notify(r.ctx, Notification{Event: store.EventOpened, Incident: res[0].Incident, Receiver: POReceiver(po)}); err != nil {
		r.t.Fatal(err)
	}
	return res[0].Incident.ID
}
