package simulator

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// Options configure a simulation.
type Options struct {
	Catalog *catalog.Catalog
	Seed    uint64
	// Volume multiplies every PO's realistic volume (default 1).
	Volume    float64
	Scenarios []Scenario
	// ProfileOffset shifts the clock the traffic shape follows (hours of
	// service, evening peak), not the timestamps of the calls: the demo
	// uses it to show an evening at any time of day.
	ProfileOffset time.Duration
	// Start is the simulation's first instant.
	Start time.Time
	// CatchUp starts the traffic this long before Start, so the simulation
	// joins an evening under way: the first Advance delivers the calls that
	// ended in the catch-up window (as a source delivering a late file
	// would), and calls still in progress carry on.
	CatchUp time.Duration
}

// surgeFactor multiplies the arrival rate of a surging PO; all but its usual
// share of the calls are about the emergency (surgeOption, if the PO has it,
// else its first service option).
const (
	surgeFactor = 60
	surgeOption = "major_emergencies"
)

// Sim generates calls. It is deterministic: the same options and the same
// sequence of Advance instants give the same records.
type Sim struct {
	o       Options
	pos     []*poStream
	pending callHeap
	seq     uint64
	dead    map[string]bool // numbers of DeadLine scenarios
}

// Dead lists the numbers the scenarios killed, sorted.
func (s *Sim) Dead() []string {
	var out []string
	for n := range s.dead {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

type option struct {
	id      string
	weight  float64
	numbers []string // numbers serving it; a dedicated line first
}

type poStream struct {
	po          string
	loc         *time.Location
	rng         *rand.Rand
	perWeight   float64 // calls per hour per unit of catalog.DemandWeight
	maxRate     float64 // calls per hour, bound for thinning
	surge       bool
	surgeOpt    int // index into options
	options     []option
	totalWeight float64
	next        time.Time
}

// New prepares a simulation starting at o.Start.
func New(o Options) (*Sim, error) {
	if o.Catalog == nil {
		return nil, fmt.Errorf("simulator: no catalogue")
	}
	if o.Volume == 0 {
		o.Volume = 1
	}
	if o.Volume < 0 || math.IsNaN(o.Volume) {
		return nil, fmt.Errorf("simulator: volume must be positive, not %g", o.Volume)
	}
	s := &Sim{o: o}
	surging := map[string]bool{}
	s.dead = map[string]bool{}
	for _, sc := range o.Scenarios {
		switch sc.Kind {
		case Surge:
			surging[sc.PO] = true
		case DeadLine:
			s.dead[sc.Number] = true
		}
	}
	for i, p := range o.Catalog.Organisations {
		yearly := float64(p.ExpectedYearlyCalls())
		ps := &poStream{
			po:    p.ID,
			loc:   p.Location(),
			rng:   rand.New(rand.NewPCG(o.Seed, uint64(i)+1)),
			surge: surging[p.ID],
		}
		ps.perWeight = yearly * o.Volume / yearlyWeight(o.Catalog, p.ID, o.Start.Add(o.ProfileOffset))
		ps.maxRate = ps.perWeight * catalog.PeakDemandWeight
		if ps.surge {
			ps.maxRate *= surgeFactor
		}
		for _, so := range p.ServiceOptions {
			opt := option{id: so.ID, weight: 0.2 + ps.rng.Float64()}
			for _, n := range p.AccessNumbers {
				if n.Serves(so.ID) {
					if len(n.ServiceOptions) == 1 && n.ServiceOptions[0] == so.ID {
						opt.numbers = append([]string{n.Number}, opt.numbers...)
					} else {
						opt.numbers = append(opt.numbers, n.Number)
					}
				}
			}
			if so.ID == surgeOption {
				ps.surgeOpt = len(ps.options)
			}
			ps.options = append(ps.options, opt)
			ps.totalWeight += opt.weight
		}
		ps.next = o.Start.Add(-o.CatchUp).Add(ps.interArrival())
		s.pos = append(s.pos, ps)
	}
	return s, nil
}

func (ps *poStream) interArrival() time.Duration {
	return time.Duration(ps.rng.ExpFloat64() / ps.maxRate * float64(time.Hour))
}

// rate is the PO's arrival rate (calls per hour) at real time t.
func (s *Sim) rate(ps *poStream, t time.Time) float64 {
	pt := t.Add(s.o.ProfileOffset)
	if !s.o.Catalog.InService(ps.po, "", pt) {
		return 0
	}
	r := ps.perWeight * catalog.DemandWeight(pt.In(ps.loc))
	if ps.surge {
		r *= surgeFactor
	}
	return r
}

// Advance generates every arrival up to now and returns, in end order, the
// calls that ended at or before now (a source reports a call when it ends).
func (s *Sim) Advance(now time.Time) []Record {
	for _, ps := range s.pos {
		for !ps.next.After(now) {
			at := ps.next
			ps.next = at.Add(ps.interArrival())
			if ps.rng.Float64()*ps.maxRate < s.rate(ps, at) { // thinning
				s.arrive(ps, at)
			}
		}
	}
	var out []Record
	for len(s.pending) > 0 && !s.pending[0].EndedAt.After(now) {
		out = append(out, heap.Pop(&s.pending).(Record))
	}
	return out
}

func (s *Sim) arrive(ps *poStream, at time.Time) {
	pt := at.Add(s.o.ProfileOffset)
	opt := ps.options[len(ps.options)-1]
	if ps.surge && ps.rng.Float64() < 1-1.0/surgeFactor {
		opt = ps.options[ps.surgeOpt]
	} else {
		x := ps.rng.Float64() * ps.totalWeight
		for _, o := range ps.options {
			if x < o.weight {
				opt = o
				break
			}
			x -= o.weight
		}
	}
	if !s.o.Catalog.InService(ps.po, opt.id, pt) {
		return // e.g. no noise service after 03:00: the IVR turns it away
	}
	number := opt.numbers[0]
	if len(opt.numbers) > 1 && ps.rng.Float64() < 0.3 {
		number = opt.numbers[1+ps.rng.IntN(len(opt.numbers)-1)]
	}
	if s.dead[number] {
		return // a dead line: the call never reaches the queue
	}
	s.seq++
	r := Record{
		CallID:        fmt.Sprintf("sim-%d-%d-%s-%d", s.o.Seed, s.o.Start.Unix(), ps.po, s.seq),
		PO:            ps.po,
		AccessNumber:  number,
		ServiceOption: opt.id,
		QueuedAt:      at.UTC(),
		Kind:          "public",
	}
	secs := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)).Round(time.Millisecond) }
	u := ps.rng.Float64()
	ivrShare, abandonShare, meanWait := 0.04, 0.03, 6.0
	if ps.surge {
		ivrShare, abandonShare, meanWait = 0.02, 0.35, 90
	}
	switch {
	case u < ivrShare:
		r.Outcome = "ivr_only"
		r.EndedAt = r.QueuedAt.Add(secs(20 + 60*ps.rng.Float64()))
		r.leftQueue = r.QueuedAt
	case u < ivrShare+abandonShare:
		r.Outcome = "abandoned"
		r.EndedAt = r.QueuedAt.Add(secs(3 + ps.rng.Float64()*math.Min(120, 4*meanWait)))
		r.leftQueue = r.EndedAt
	default:
		r.Outcome = "answered"
		ans := r.QueuedAt.Add(secs(math.Min(600, ps.rng.ExpFloat64()*meanWait)))
		r.AnsweredAt = &ans
		r.EndedAt = ans.Add(secs(45 + ps.rng.ExpFloat64()*120))
		r.AfterCallWorkSeconds = math.Round(20 + ps.rng.ExpFloat64()*40)
		r.leftQueue = ans
	}
	heap.Push(&s.pending, r)
}

// Queue is the live queue at now: calls that arrived and have neither been
// answered nor abandoned, per PO and service option, sorted.
func (s *Sim) Queue(now time.Time) []Waiting {
	type key struct{ po, so string }
	m := map[key]*Waiting{}
	for _, r := range s.pending {
		if r.QueuedAt.After(now) || !r.leftQueue.After(now) {
			continue
		}
		k := key{r.PO, r.ServiceOption}
		w := m[k]
		if w == nil {
			w = &Waiting{PO: r.PO, ServiceOption: r.ServiceOption}
			m[k] = w
		}
		w.Waiting++
		w.OldestWaitSeconds = math.Max(w.OldestWaitSeconds, now.Sub(r.QueuedAt).Seconds())
	}
	out := make([]Waiting, 0, len(m))
	for _, w := range m {
		out = append(out, *w)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].PO < out[j].PO || out[i].PO == out[j].PO && out[i].ServiceOption < out[j].ServiceOption
	})
	return out
}

// callHeap orders pending calls by end time, then id (deterministic).
type callHeap []Record

func (h callHeap) Len() int { return len(h) }
func (h callHeap) Less(i, j int) bool {
	if !h[i].EndedAt.Equal(h[j].EndedAt) {
		return h[i].EndedAt.Before(h[j].EndedAt)
	}
	return h[i].CallID < h[j].CallID
}
func (h callHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *callHeap) Push(x any)   { *h = append(*h, x.(Record)) }
func (h *callHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// InCall is how many telephony channels are busy at now: calls that have
// arrived and not yet ended (in the IVR, waiting or talking).
func (s *Sim) InCall(now time.Time) int {
	n := 0
	for _, r := range s.pending {
		if !r.QueuedAt.After(now) && r.EndedAt.After(now) {
			n++
		}
	}
	return n
}
