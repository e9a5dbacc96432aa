package simulator

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/crm"
)

// CRMOptions configure a CRM traffic simulation.
type CRMOptions struct {
	Catalog *catalog.Catalog
	Seed    uint64
	// Start is the first instant; Advance returns events after it.
	Start time.Time
	// Volume multiplies every PO's realistic volume (default 1).
	Volume float64
	// SlowReferrals are POs whose referrals mostly run over the limit
	// (the demo's slow-referrals scenario).
	SlowReferrals []string
	// ProfileOffset and CatchUp are Options' (the telephony simulation's):
	// the demo's evening shape at any time of day, joined under way.
	ProfileOffset, CatchUp time.Duration
}

// Shares of the CRM simulation (plausible, not contractual). Everything an
// alert watches (referrals over the limit, failed receipts, late callbacks
// and reports) is healthy by default, as the calls are: the trouble comes
// from scenarios (SlowReferrals), so the demo pages only for what was asked.
const (
	crmComplaintPerRequest = 1.0 / 250 // complaints per service request
	crmContactsPerCall     = 0.06      // e-mail and web-form contacts a year per yearly call
	crmLateReferral        = 0.0       // referrals over the limit (normal PO)
	crmSlowLateReferral    = 0.6       // referrals over the limit (SlowReferrals)
	crmFailedReceipt       = 0.0       // e-mail/SMS/pager receipts that fail (normal PO)
	crmSlowFailedReceipt   = 0.1       // e-mail/SMS/pager receipts that fail (SlowReferrals)
	crmLateCallback        = 0.0       // callbacks after the limit
	crmLateReport          = 0.0       // reports after the deadline
	crmLateResponse        = 0.15      // contact responses after the deadline (no alert: a KPI)
)

// outOfScopeCategories are the categories of out-of-scope calls.
var outOfScopeCategories = []string{"wrong_number", "daytime_service", "other_council", "police_matter", "utility_fault"}

// CRMSim generates the CRM events of the call-handling service: service
// requests (about one per call), referrals to on-call staff with their
// delivery receipts, complaints with their stages, and e-mail and web-form
// contacts with their responses. It is deterministic: the same options and
// the same sequence of Advance instants give the same events.
type CRMSim struct {
	o       CRMOptions
	streams []*crmStream
	pending eventHeap
	last    time.Time
	seq     uint64
}

type crmStream struct {
	po          *catalog.PO
	rng         *rand.Rand
	perWeight   float64 // service requests per hour per unit of DemandWeight
	maxRate     float64 // requests per hour, bound for thinning
	contactRate float64 // contacts per hour, around the clock
	slow        bool
	next        time.Time // next candidate request
	nextContact time.Time
}

// NewCRM prepares a CRM simulation starting at o.Start.
func NewCRM(o CRMOptions) (*CRMSim, error) {
	if o.Catalog == nil {
		return nil, fmt.Errorf("simulator: no catalogue")
	}
	if o.Volume == 0 {
		o.Volume = 1
	}
	if o.Volume < 0 || math.IsNaN(o.Volume) || math.IsInf(o.Volume, 0) {
		return nil, fmt.Errorf("simulator: volume must be positive, not %g", o.Volume)
	}
	slow := map[string]bool{}
	for _, id := range o.SlowReferrals {
		if _, ok := o.Catalog.PO(id); !ok {
			return nil, fmt.Errorf("simulator: slow referrals: %q is not a PO of the catalogue; POs: %s", id, strings.Join(o.Catalog.POIDs(), ", "))
		}
		slow[id] = true
	}
	first := o.Start.Add(-o.CatchUp)
	s := &CRMSim{o: o, last: first}
	for i := range o.Catalog.Organisations {
		p := &o.Catalog.Organisations[i]
		yearly := float64(p.ExpectedYearlyCalls()) * o.Volume
		st := &crmStream{po: p, rng: rand.New(rand.NewPCG(o.Seed, 0xC0FFEE+uint64(i))), slow: slow[p.ID]}
		st.perWeight = yearly / yearlyWeight(o.Catalog, p.ID, o.Start.Add(o.ProfileOffset))
		st.maxRate = st.perWeight * catalog.PeakDemandWeight
		st.contactRate = yearly * crmContactsPerCall / (365 * 24)
		st.next = first.Add(expDelay(st.rng, st.maxRate))
		st.nextContact = first.Add(expDelay(st.rng, st.contactRate))
		s.streams = append(s.streams, st)
	}
	return s, nil
}

// expDelay is an exponential inter-arrival time at rate per hour.
func expDelay(r *rand.Rand, perHour float64) time.Duration {
	if perHour <= 0 {
		return 1 << 62
	}
	return time.Duration(r.ExpFloat64() / perHour * float64(time.Hour))
}

// Advance generates everything up to to and returns the events that
// happened in (last, to], in time order (then by id).
func (s *CRMSim) Advance(to time.Time) []crm.Event {
	for _, st := range s.streams {
		for !st.next.After(to) {
			at := st.next
			st.next = at.Add(expDelay(st.rng, st.maxRate))
			if st.rng.Float64()*st.maxRate < s.requestRate(st, at) {
				s.request(st, at)
			}
		}
		for !st.nextContact.After(to) {
			at := st.nextContact
			st.nextContact = at.Add(expDelay(st.rng, st.contactRate))
			s.contact(st, at)
		}
	}
	var out []crm.Event
	for len(s.pending) > 0 && !s.pending[0].At.After(to) {
		ev := heap.Pop(&s.pending).(crm.Event)
		if ev.At.After(s.last) {
			out = append(out, ev)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].ID < out[j].ID
	})
	if to.After(s.last) {
		s.last = to
	}
	return out
}

func (s *CRMSim) requestRate(st *crmStream, t time.Time) float64 {
	pt := t.Add(s.o.ProfileOffset)
	if !s.o.Catalog.InService(st.po.ID, "", pt) {
		return 0
	}
	return st.perWeight * catalog.DemandWeight(pt.In(st.po.Location()))
}

func (s *CRMSim) push(ev crm.Event) { heap.Push(&s.pending, ev) }

// run names this simulation in ids and refs (seed and start), so a demo
// restarted on the same store does not reuse the ids and refs of the last
// run: its events would be taken as duplicates and its stages joined to
// the old run's cases.
func (s *CRMSim) run() string {
	return fmt.Sprintf("%d-%d", s.o.Seed, s.o.Start.Unix())
}

func (s *CRMSim) id(kind string) string {
	s.seq++
	return fmt.Sprintf("sim-%s-%08d-%s", s.run(), s.seq, kind)
}

// referChance is how often a request for an option with this usual action
// is referred to on-call staff.
func referChance(action string) float64 {
	switch {
	case action == "refer":
		return 0.55
	case strings.Contains(action, "refer"):
		return 0.3
	default:
		return 0.05
	}
}

// request is one answered call's service request (the call ends at at),
// with its referral, receipt and, now and then, a complaint.
func (s *CRMSim) request(st *crmStream, at time.Time) {
	p, r := st.po, st.rng
	so := p.ServiceOptions[r.IntN(len(p.ServiceOptions))]
	if !s.o.Catalog.InService(p.ID, so.ID, at.Add(s.o.ProfileOffset)) {
		return // the IVR turned it away (e.g. no noise service after 03:00)
	}
	ev := crm.Event{ID: s.id("req"), Type: crm.TypeRequestCreated, At: at, PO: p.ID, ServiceOption: so.ID}
	switch x := r.Float64(); {
	case x < referChance(so.Action):
		ev.Action = crm.ActionRefer
	case x < 0.6:
		ev.Action = crm.ActionSignpost
	case x < 0.82:
		ev.Action = crm.ActionResolve
	case x < 0.9:
		ev.Action = crm.ActionTransfer
	default:
		ev.Action, ev.Category = crm.ActionOutOfScope, outOfScopeCategories[r.IntN(len(outOfScopeCategories))]
	}
	s.push(ev)
	ref := fmt.Sprintf("%s-%s-%06d", strings.ToUpper(p.ID[:min(3, len(p.ID))]), s.run(), s.seq)
	if ev.Action == crm.ActionRefer {
		s.referral(st, so, ref, at)
	}
	if r.Float64() < crmComplaintPerRequest {
		s.complaint(st, so.ID, ref+"-C", at.Add(time.Minute))
	}
}

func (s *CRMSim) referral(st *crmStream, so catalog.ServiceOption, ref string, ended time.Time) {
	r := st.rng
	limit := so.ReferralLimit.D
	late, failed := crmLateReferral, crmFailedReceipt
	if st.slow {
		late, failed = crmSlowLateReferral, crmSlowFailedReceipt
	}
	var delay time.Duration
	if r.Float64() < late {
		delay = time.Duration(float64(limit) * (1.05 + 1.5*r.Float64()))
	} else {
		delay = time.Duration(float64(limit) * (0.1 + 0.85*r.Float64()))
	}
	channel := crm.ChannelPhone
	switch x := r.Float64(); {
	case x < 0.2:
		channel = crm.ChannelEmail
	case x < 0.5:
		channel = crm.ChannelSMS
	case x < 0.6:
		channel = crm.ChannelPager
	}
	at := ended.Add(delay).Truncate(time.Second)
	if at.Before(ended) {
		at = ended
	}
	s.push(crm.Event{ID: s.id("ref"), Type: crm.TypeReferralDispatched, At: at, PO: st.po.ID, ServiceOption: so.ID,
		Ref: ref, Channel: channel, CallEndedAt: ended})
	if channel == crm.ChannelPhone {
		return
	}
	outcome := crm.OutcomeDelivered
	if r.Float64() < failed {
		outcome = crm.OutcomeFailed
	}
	s.push(crm.Event{ID: s.id("rcpt"), Type: crm.TypeReferralDelivery, At: at.Add(time.Duration(5+r.IntN(175)) * time.Second),
		PO: st.po.ID, ServiceOption: so.ID, Ref: ref, Channel: channel, Outcome: outcome})
}

func (s *CRMSim) complaint(st *crmStream, option, ref string, at time.Time) {
	p, r := st.po, st.rng
	d := p.CRMDeadlines()
	urgent, callback := r.Float64() < 0.15, r.Float64() < 0.3
	ev := func(typ string, t time.Time) crm.Event {
		return crm.Event{ID: s.id("cmp"), Type: typ, At: t, PO: p.ID, ServiceOption: option, Ref: ref}
	}
	rcv := ev(crm.TypeComplaintReceived, at)
	rcv.Urgent, rcv.CallbackRequired = urgent, callback
	s.push(rcv)
	s.push(ev(crm.TypeComplaintAcknowledged, at.Add(time.Minute)))
	if callback {
		wait := time.Duration(float64(d.ComplaintCallback) * (0.2 + 0.7*r.Float64()))
		if r.Float64() < crmLateCallback {
			wait = d.ComplaintCallback + time.Duration(1+r.IntN(60))*time.Minute
		}
		s.push(ev(crm.TypeComplaintCalledBack, at.Add(wait)))
	}
	due := s.o.Catalog.WorkingDaysEnd(p, at, d.ReportWorkingDays(urgent))
	reported := at.Add(time.Duration(float64(due.Sub(at)) * (0.2 + 0.7*r.Float64())))
	if r.Float64() < crmLateReport {
		reported = due.Add(time.Duration(1+r.IntN(48)) * time.Hour)
	}
	s.push(ev(crm.TypeComplaintReported, reported))
	s.push(ev(crm.TypeComplaintResolved, reported.Add(time.Duration(1+r.IntN(72))*time.Hour)))
}

// contact is an e-mail or web-form contact and its response.
func (s *CRMSim) contact(st *crmStream, at time.Time) {
	p, r := st.po, st.rng
	s.seq++
	ref := fmt.Sprintf("%s-%s-M%06d", strings.ToUpper(p.ID[:min(3, len(p.ID))]), s.run(), s.seq)
	channel := crm.ChannelEmail
	if r.Float64() < 0.4 {
		channel = crm.ChannelWebform
	}
	member := r.Float64() < 0.1
	at = at.Truncate(time.Second)
	s.push(crm.Event{ID: s.id("msg"), Type: crm.TypeContactReceived, At: at, PO: p.ID, Ref: ref, Channel: channel, MemberEnquiry: member})
	d := p.CRMDeadlines()
	due := s.o.Catalog.WorkingDaysEnd(p, at, d.ResponseWorkingDays(member))
	resp := at.Add(time.Duration(float64(due.Sub(at)) * (0.05 + 0.8*r.Float64())))
	if r.Float64() < crmLateResponse {
		resp = due.Add(time.Duration(1+r.IntN(72)) * time.Hour)
	}
	s.push(crm.Event{ID: s.id("msg"), Type: crm.TypeContactResponded, At: resp.Truncate(time.Second), PO: p.ID, Ref: ref, Channel: channel})
}

// eventHeap orders pending events by time, then id.
type eventHeap []crm.Event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if !h[i].At.Equal(h[j].At) {
		return h[i].At.Before(h[j].At)
	}
	return h[i].ID < h[j].ID
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(crm.Event)) }
func (h *eventHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
