package simulator

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/mailroom"
	"github.com/slawatch/slawatch/store"
)

// MailroomOptions configure a mail-room simulation.
type MailroomOptions struct {
	// Catalog must have a mail_room: section.
	Catalog *catalog.Catalog
	Seed    uint64
	// Start is the simulation's first instant: Advance generates the item
	// events after it.
	Start time.Time
	// OfficeHoursOnly limits the item events to working days 08:00-18:00
	// (catalogue time zone), as a real mail room; the demo leaves it false
	// so that there is traffic at any hour.
	OfficeHoursOnly bool
	// Harmful lists business units where harmful or offensive items turn
	// up now and then (the demo's harmful scenario); elsewhere, and in the
	// daily count files, there are none, so the demo raises the exception
	// alert only when asked.
	Harmful []string
}

// MailroomSim generates the mail room's scanner and sorting-station item
// events and its daily count files. It is deterministic: each minute's
// events depend only on the seed and the minute, so the same options give
// the same items whatever instants Advance is called at.
type MailroomSim struct {
	o     MailroomOptions
	units []unitRegion
	done  time.Time // events up to here (a whole minute) have been generated
}

type unitRegion struct{ bu, region string }

// NewMailroom makes a mail-room simulation.
func NewMailroom(o MailroomOptions) (*MailroomSim, error) {
	if o.Catalog == nil || o.Catalog.MailRoom == nil {
		return nil, errors.New("simulator: the catalogue has no mail_room: section")
	}
	if o.Start.IsZero() {
		return nil, errors.New("simulator: MailroomOptions.Start is zero")
	}
	s := &MailroomSim{o: o, done: o.Start.Truncate(time.Minute)}
	for _, bu := range o.Catalog.MailRoom.BusinessUnits {
		for _, r := range bu.Regions {
			s.units = append(s.units, unitRegion{bu.ID, r.ID})
		}
	}
	return s, nil
}

// rng is a generator for one purpose and instant, independent of every other.
func (s *MailroomSim) rng(purpose string, n int64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
	return rand.New(rand.NewPCG(s.o.Seed, h.Sum64()))
}

// itemRates are the chance per minute, per business unit and region, of
// each event, and its item count range.
var itemRates = []struct {
	p          float64
	item       mailroom.Item
	minN, maxN int64
}{
	{0.30, mailroom.Item{Kind: mailroom.KindInbound, Route: "royal_mail"}, 1, 40},
	{0.08, mailroom.Item{Kind: mailroom.KindInbound, Route: "courier"}, 1, 3},
	{0.04, mailroom.Item{Kind: mailroom.KindInbound, Route: "other"}, 1, 5},
	{0.15, mailroom.Item{Kind: mailroom.KindOutbound, Route: "royal_mail"}, 1, 30},
	{0.03, mailroom.Item{Kind: mailroom.KindOutbound, Route: "courier"}, 1, 2},
	{0.02, mailroom.Item{Kind: mailroom.KindOutbound, Route: "other"}, 1, 4},
	{0.010, mailroom.Item{Kind: mailroom.KindValuable, Valuable: "bankable"}, 1, 2},
	{0.006, mailroom.Item{Kind: mailroom.KindValuable, Valuable: "unbankable"}, 1, 1},
	{0.004, mailroom.Item{Kind: mailroom.KindValuable, Valuable: "customer_value"}, 1, 1},
	{0.005, mailroom.Item{Kind: mailroom.KindMisdirected}, 1, 1},
	{0.001, mailroom.Item{Kind: mailroom.KindMissing}, 1, 1},
	{0.02, mailroom.Item{Kind: mailroom.KindHarmful}, 1, 1}, // only in MailroomOptions.Harmful units
	{0.02, mailroom.Item{Kind: mailroom.KindScanJob}, 1, 1},
	{0.010, mailroom.Item{Kind: mailroom.KindTypingJob, State: "received"}, 1, 1},
	{0.009, mailroom.Item{Kind: mailroom.KindTypingJob, State: "completed"}, 1, 1},
	{0.05, mailroom.Item{Kind: mailroom.KindSwitchboardCall, Call: "received"}, 1, 3},
	{0.004, mailroom.Item{Kind: mailroom.KindSwitchboardCall, Call: "abandoned"}, 1, 1},
	{0.001, mailroom.Item{Kind: mailroom.KindSwitchboardCall, Call: "abusive"}, 1, 1},
}

// Advance returns the item events of every whole minute that ended after
// the previous call (or Start) and at or before to, oldest first.
func (s *MailroomSim) Advance(to time.Time) []mailroom.Item {
	var out []mailroom.Item
	for next := s.done.Add(time.Minute); !next.After(to); next = next.Add(time.Minute) {
		out = append(out, s.minute(s.done)...)
		s.done = next
	}
	return out
}

// minute generates the events of the minute starting at m.
func (s *MailroomSim) minute(m time.Time) []mailroom.Item {
	if s.o.OfficeHoursOnly {
		l := m.In(s.o.Catalog.Location())
		if !s.o.Catalog.WorkingDay(l) || l.Hour() < 8 || l.Hour() >= 18 {
			return nil
		}
	}
	r := s.rng("items", m.Unix())
	var out []mailroom.Item
	for _, u := range s.units {
		for _, rate := range itemRates {
			if r.Float64() >= rate.p || rate.item.Kind == mailroom.KindHarmful && !slices.Contains(s.o.Harmful, u.bu) {
				continue
			}
			it := rate.item
			it.ID = "sim-" + strconv.FormatUint(s.o.Seed, 10) + ":" + strconv.FormatInt(m.Unix()/60, 10) + ":" + strconv.Itoa(len(out))
			it.At = m.Add(time.Duration(r.IntN(60)) * time.Second).UTC()
			it.BusinessUnit, it.Region = u.bu, u.region
			if n := rate.minN + r.Int64N(rate.maxN-rate.minN+1); n > 1 {
				it.Count = n
			}
			if it.Kind == mailroom.KindScanJob {
				it.Pages = 1 + r.Int64N(60)
			}
			out = append(out, it)
		}
	}
	return out
}

// DailyCounts is a valid daily count file (docs/MAILROOM.md) of the local
// date of day (catalogue time zone): one row for every business unit and
// region, with plausible counts that depend only on the seed and the date.
func (s *MailroomSim) DailyCounts(day time.Time) []byte {
	l := day.In(s.o.Catalog.Location())
	date := l.Format(time.DateOnly)
	y, m, d := l.Date()
	r := s.rng("daily", int64(y*10000+int(m)*100+d))
	var b strings.Builder
	b.WriteString(strings.Join(mailroom.Header(), ",") + "\n")
	for _, u := range s.units {
		bankable, unbankable, other := r.Int64N(8), r.Int64N(5), r.Int64N(3)
		received := 40 + r.Int64N(120)
		typingIn := r.Int64N(12)
		r.Float64() // the draw that once made harmful items: the other counts stay as they were
		harmful := int64(0)
		c := store.MailroomCounts{
			InboundRoyalMail: 300 + r.Int64N(1500), InboundCourier: 5 + r.Int64N(40), InboundOther: r.Int64N(60),
			OutboundRoyalMail: 150 + r.Int64N(900), OutboundCourier: r.Int64N(20), OutboundOther: r.Int64N(30),
			ValuablesTotal: bankable + unbankable + other, ValuablesBankable: bankable, ValuablesUnbankable: unbankable,
			ValuablesCustomerValue: r.Int64N(unbankable + 1),
			Harmful:                harmful, Missing: r.Int64N(2), Misdirected: r.Int64N(6),
			ScanningJobs: 10 + r.Int64N(40), TypingJobsReceived: typingIn, TypingJobsCompleted: r.Int64N(typingIn + 1),
			SwitchboardCallsReceived: received, SwitchboardCallsAbusive: r.Int64N(2), SwitchboardCallsAbandoned: r.Int64N(received/10 + 1),
		}
		c.ScannedPages = c.ScanningJobs * (5 + r.Int64N(30))
		cells := []string{store.MailroomDaily, u.bu, u.region, date}
		for _, p := range c.Fields() {
			cells = append(cells, strconv.FormatInt(*p, 10))
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	return []byte(b.String())
}

// DropDailyCounts writes DailyCounts(day) into the drop folder dir as
// daily-YYYY-MM-DD.csv, by a dotfile and a rename (so the exporter never
// sees it half written), and returns its path.
func (s *MailroomSim) DropDailyCounts(dir string, day time.Time) (string, error) {
	name := "daily-" + day.In(s.o.Catalog.Location()).Format(time.DateOnly) + ".csv"
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, s.DailyCounts(day), 0o640); err != nil {
		return "", fmt.Errorf("simulator: daily counts: %w", err)
	}
	path := filepath.Join(dir, name)
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("simulator: daily counts: %w", err)
	}
	return path, nil
}

// MailroomFeed posts item events to the mail-room exporter's API, as
// scanners and sorting stations would (Feed's retries: 5xx and network
// errors are retried, a 4xx is permanent).
type MailroomFeed struct {
	Feed
}

// PostItems sends the items in batches of at most
// store.MaxMailroomItemBatch.
func (f *MailroomFeed) PostItems(ctx context.Context, items []mailroom.Item) error {
	for len(items) > 0 {
		n := min(len(items), store.MaxMailroomItemBatch)
		body, err := json.Marshal(items[:n])
		if err != nil {
			return err
		}
		if err := f.post(ctx, mailroom.ItemsPath, body); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// DriveMailroom advances the mail-room simulation every tick on the clock
// now until ctx ends, posting the item events.
func DriveMailroom(ctx context.Context, s *MailroomSim, f *MailroomFeed, now func() time.Time, tick time.Duration) error {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := f.PostItems(ctx, s.Advance(now())); err != nil && ctx.Err() == nil {
			f.Logger.Error("simulator: mail-room items not delivered", "err", err)
		}
	}
}
