package mailroom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Options configure an Exporter. Catalog (with a mail_room: section),
// Store, Logger and Registerer are required.
type Options struct {
	Catalog    *catalog.Catalog
	Store      *store.Store
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Settle: a count file modified less than this long ago is left for
	// the next poll, in case it is still being written (default 5s).
	Settle time.Duration
	// MaxFileBytes bounds a count file (default 10 MiB); MaxBodyBytes a
	// POST body (default 1 MiB).
	MaxFileBytes, MaxBodyBytes int64
	// MissingLookback: a sample day whose count fell due longer ago than
	// this no longer shows in mailroom_daily_count_missing (default 31 days).
	MissingLookback time.Duration
}

// Exporter is the mail-room exporter: count files from a drop folder
// (ProcessOnce, Run), item events over HTTP (Handler, Ingest), metrics.
type Exporter struct {
	o       Options
	log     *slog.Logger
	mr      *catalog.MailRoom
	m       *metrics
	missing *missingCollector
}

// New restores the counters from the store and registers the metrics.
func New(ctx context.Context, o Options) (*Exporter, error) {
	switch {
	case o.Catalog == nil || o.Catalog.MailRoom == nil:
		return nil, errors.New("mailroom: the catalogue has no mail_room: section; add its business units and regions")
	case o.Store == nil:
		return nil, errors.New("mailroom: Options.Store is nil")
	case o.Logger == nil:
		return nil, errors.New("mailroom: Options.Logger is nil")
	case o.Registerer == nil:
		return nil, errors.New("mailroom: Options.Registerer is nil")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Settle <= 0 {
		o.Settle = 5 * time.Second
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = 10 << 20
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.MissingLookback <= 0 {
		o.MissingLookback = 31 * 24 * time.Hour
	}
	e := &Exporter{o: o, log: o.Logger, mr: o.Catalog.MailRoom, m: newMetrics(),
		missing: newMissingCollector(o.Catalog, o.Now, o.MissingLookback)}
	units := map[string][]string{}
	for _, bu := range e.mr.BusinessUnits {
		units[bu.ID] = bu.RegionIDs()
	}
	e.m.init(units)
	if err := e.restore(ctx); err != nil {
		return nil, err
	}
	for _, c := range append(e.m.collectors(), e.missing) {
		if err := o.Registerer.Register(c); err != nil {
			return nil, fmt.Errorf("mailroom: register metrics: %w", err)
		}
	}
	return e, nil
}

// known reports whether the business unit and region are in the catalogue
// (stored data of one removed since is not exported).
func (e *Exporter) known(bu, region string) bool {
	b, ok := e.mr.BusinessUnit(bu)
	return ok && b.Region(region)
}

// restore sets the counters to what the store holds: for count files the
// sum over days of each count's high-water mark, for items their sums.
func (e *Exporter) restore(ctx context.Context) error {
	totals, err := e.o.Store.MailroomCountTotals(ctx)
	if err != nil {
		return fmt.Errorf("mailroom: restore: %w", err)
	}
	for _, t := range totals {
		if e.known(t.BusinessUnit, t.Region) {
			e.m.add(t.BusinessUnit, t.Region, t.Period, t.Counts)
		}
	}
	items, err := e.o.Store.MailroomItemTotals(ctx)
	if err != nil {
		return fmt.Errorf("mailroom: restore: %w", err)
	}
	for _, t := range items {
		if e.known(t.BusinessUnit, t.Region) {
			e.m.add(t.BusinessUnit, t.Region, SourceAPI, itemCounts(t.Kind, t.Detail, t.Quantity, t.Pages))
		}
	}
	daily, err := e.o.Store.MailroomFigures(ctx, store.MailroomDaily, "0000-00-00", "9999-99-99")
	if err != nil {
		return fmt.Errorf("mailroom: restore: %w", err)
	}
	for _, r := range daily {
		e.missing.received(r.BusinessUnit, r.Region, r.Day)
	}
	file, item, err := e.o.Store.MailroomLatest(ctx)
	if err != nil {
		return fmt.Errorf("mailroom: restore: %w", err)
	}
	e.m.seen(TransportFile, file)
	e.m.seen(TransportAPI, item)
	e.log.Info("mail-room exporter restored", "count_totals", len(totals), "item_totals", len(items), "daily_counts", len(daily))
	return nil
}

// Result is the outcome of a batch of item events.
type Result struct {
	Accepted  int         `json:"accepted"`
	Duplicate int         `json:"duplicate"`
	Rejected  int         `json:"rejected"`
	Errors    []ItemError `json:"errors,omitempty"`
}

// Ingest validates the items, stores the valid ones (each once by ID) and
// counts those the store newly accepted. decodeErrs (from DecodeItems, nil
// or one per item) reject their items. An error return means the store
// failed and nothing of the batch counted.
func (e *Exporter) Ingest(ctx context.Context, items []Item, decodeErrs []*ItemError) (Result, error) {
	var res Result
	if len(items) > store.MaxMailroomItemBatch {
		res.Rejected = len(items)
		res.Errors = []ItemError{{Item: "1-" + strconv.Itoa(len(items)), Code: ReasonItemBatchOverLimits,
			Reason: fmt.Sprintf("%d items in one request; at most %d", len(items), store.MaxMailroomItemBatch)}}
		e.m.itemsIn.WithLabelValues("rejected").Add(float64(len(items)))
		e.m.itemRejections.WithLabelValues(ReasonItemBatchOverLimits).Add(float64(len(items)))
		return res, nil
	}
	now := e.o.Now()
	var valid []store.MailroomItem
	for i := range items {
		var ierr *ItemError
		if i < len(decodeErrs) && decodeErrs[i] != nil {
			ierr = decodeErrs[i]
		} else {
			var si store.MailroomItem
			si, ierr = items[i].Validate(e.mr, now, i+1)
			if ierr == nil {
				valid = append(valid, si)
				continue
			}
		}
		res.Rejected++
		res.Errors = append(res.Errors, *ierr)
	}
	ins, err := e.o.Store.InsertMailroomItems(ctx, valid, now)
	if err != nil {
		return Result{}, err
	}
	var latest time.Time
	for i, si := range valid {
		if !ins[i] {
			res.Duplicate++
			continue
		}
		res.Accepted++
		e.m.add(si.BusinessUnit, si.Region, SourceAPI, itemCounts(si.Kind, si.Detail, si.Quantity, si.Pages))
		latest = now
	}
	e.m.seen(TransportAPI, latest)
	e.m.itemsIn.WithLabelValues("accepted").Add(float64(res.Accepted))
	e.m.itemsIn.WithLabelValues("duplicate").Add(float64(res.Duplicate))
	e.m.itemsIn.WithLabelValues("rejected").Add(float64(res.Rejected))
	for _, ie := range res.Errors {
		e.m.itemRejections.WithLabelValues(ie.Code).Inc()
	}
	return res, nil
}
