package crm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Options configure an Exporter. Catalog, Store and Registerer are required.
type Options struct {
	Catalog    *catalog.Catalog
	Store      *store.Store
	Logger     *slog.Logger          // nil: discard
	Registerer prometheus.Registerer // the exporter registers its collectors here
	Now        func() time.Time      // clock; nil: time.Now

	// MaxBodyBytes bounds a webhook body; 0: 1 MiB.
	MaxBodyBytes int64
	// ClockSkew is how far in the future an event's time may be; 0: 5m.
	ClockSkew time.Duration
	// UndeliveredWindow: a referral dispatched (or failed) longer ago than
	// this no longer counts in crm_referrals_undelivered; 0: 24h.
	UndeliveredWindow time.Duration
}

// Exporter validates CRM events against the catalogue, writes them to the
// store once by (source, id), and exposes the crm_* metrics.
type Exporter struct {
	o       Options
	log     *slog.Logger
	metrics *crmMetrics
	self    *selfMetrics
}

// New builds the exporter: its counters and histograms restored from the
// store's all-time totals (a restart neither loses nor double counts),
// its gauges read from the store at each scrape with o.Now.
func New(ctx context.Context, o Options) (*Exporter, error) {
	if o.Catalog == nil || o.Store == nil || o.Registerer == nil {
		return nil, errors.New("crm: Options.Catalog, Store and Registerer are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.ClockSkew <= 0 {
		o.ClockSkew = 5 * time.Minute
	}
	if o.UndeliveredWindow <= 0 {
		o.UndeliveredWindow = 24 * time.Hour
	}
	e := &Exporter{o: o, log: o.Logger, self: newSelfMetrics(),
		metrics: newCRMMetrics(o.Catalog, o.Store, o.Now, o.UndeliveredWindow, o.Logger)}
	totals, err := o.Store.CRMTotals(ctx, DispatchBuckets(o.Catalog), ResponseBuckets())
	if err != nil {
		return nil, fmt.Errorf("crm: restoring counters from the store: %w", err)
	}
	e.metrics.restore(totals)
	if err := o.Registerer.Register(e.metrics); err != nil {
		return nil, fmt.Errorf("crm: registering crm metrics: %w", err)
	}
	if err := e.self.register(o.Registerer); err != nil {
		return nil, fmt.Errorf("crm: registering exporter metrics: %w", err)
	}
	e.log.Info("CRM exporter ready", "restored_counters", len(totals.Counts), "restored_histograms", len(totals.Histograms))
	return e, nil
}

var reSource = regexp.MustCompile(`^[a-z0-9_.-]{1,64}$`)

// ValidSource reports whether name is a store source name: 1 to 64 of
// a-z 0-9 _ . -.
func ValidSource(name string) bool { return reSource.MatchString(name) }

// Ingest validates evs, writes the valid ones to the store under source
// in one transaction and counts what the store newly accepted. Rejected
// events come back in Result.Errors (Item = 1-based position in evs) and
// are counted in the self-metrics; they never stop the rest. transport is
// TransportWebhook or TransportSQL. An error (bad transport or source, or
// a failed store write) means nothing of the batch was stored or counted.
func (e *Exporter) Ingest(ctx context.Context, transport, source string, evs []Event) (Result, error) {
	items := make([]item, len(evs))
	for i, ev := range evs {
		items[i] = item{pos: i + 1, ev: ev}
	}
	return e.ingest(ctx, transport, source, items, nil)
}

// Reject counts events a source rejected before Ingest (rows it could not
// map, bodies it could not decode) under transport; codes that are not a
// short lower-case word are counted as ReasonOther.
func (e *Exporter) Reject(transport string, errs ...EventError) {
	if !validTransport(transport) {
		e.log.Warn("CRM rejections under an unknown transport not counted", "transport", transport, "n", len(errs))
		return
	}
	e.self.reject(transport, errs)
	for _, r := range errs {
		e.log.Debug("CRM event rejected", "transport", transport, "item", r.Item, "field", r.Field, "code", r.Code, "reason", r.Reason)
	}
}

func validTransport(t string) bool { return t == TransportWebhook || t == TransportSQL }

// item is an event with its position in the batch.
type item struct {
	pos int
	ev  Event
}

func (e *Exporter) ingest(ctx context.Context, transport, source string, items []item, rejected []EventError) (Result, error) {
	if !validTransport(transport) {
		return Result{}, fmt.Errorf("crm: transport %q; want %s or %s", transport, TransportWebhook, TransportSQL)
	}
	if !ValidSource(source) {
		return Result{}, fmt.Errorf("crm: source %q is not 1 to 64 of a-z 0-9 _ . -", short(source))
	}
	now := e.o.Now()
	evs := make([]store.CRMEvent, 0, len(items))
	for _, it := range items {
		if rerr := Validate(e.o.Catalog, it.ev, it.pos, now, e.o.ClockSkew); rerr != nil {
			rejected = append(rejected, *rerr)
			continue
		}
		evs = append(evs, e.toStore(source, it.ev))
	}
	var res Result
	if len(evs) > 0 {
		ch, err := e.o.Store.InsertCRMEvents(ctx, evs)
		if err != nil {
			return Result{}, fmt.Errorf("crm: storing %d event(s) from %s: %w", len(evs), source, err)
		}
		e.metrics.apply(ch)
		var latest time.Time
		for i, ins := range ch.Inserted {
			if ins {
				res.Accepted++
			} else {
				res.Duplicate++
			}
			if evs[i].At.After(latest) {
				latest = evs[i].At
			}
		}
		e.self.seen(transport, latest)
	}
	res.Rejected, res.Errors = len(rejected), rejected
	e.self.count(transport, res)
	e.Reject(transport, rejected...)
	return res, nil
}

// toStore is a valid event as the store keeps it, with its deadlines from
// the catalogue: a deadline is the last instant still on time.
func (e *Exporter) toStore(source string, ev Event) store.CRMEvent {
	s := store.CRMEvent{Source: source, ID: ev.ID, Type: ev.Type, At: ev.At.UTC(), PO: ev.PO, ServiceOption: ev.ServiceOption,
		Ref: ev.Ref, Action: ev.Action, Category: ev.Category, Channel: ev.Channel, Outcome: ev.Outcome,
		Urgent: ev.Urgent, CallbackRequired: ev.CallbackRequired, MemberEnquiry: ev.MemberEnquiry}
	if !ev.CallEndedAt.IsZero() && ev.Type == TypeReferralDispatched {
		s.CallEndedAt = ev.CallEndedAt.UTC()
	}
	p, _ := e.o.Catalog.PO(ev.PO)
	d := p.CRMDeadlines()
	switch ev.Type {
	case TypeComplaintReceived:
		s.Due = ReportDue(e.o.Catalog, p, ev.At, ev.Urgent)
		if ev.CallbackRequired {
			s.CallbackDue = s.At.Add(d.ComplaintCallback)
		}
	case TypeContactReceived:
		s.Due = ResponseDue(e.o.Catalog, p, ev.At, ev.MemberEnquiry)
	case TypeReferralDispatched:
		if one(ReceiptChannels(), ev.Channel) {
			s.Due = s.At.Add(d.ReferralReceiptTimeout)
		}
	}
	// Flags that do not belong to the type are not stored.
	if ev.Type != TypeComplaintReceived {
		s.Urgent, s.CallbackRequired = false, false
	}
	if ev.Type != TypeContactReceived {
		s.MemberEnquiry = false
	}
	if ev.Type != TypeRequestCreated {
		s.Action, s.Category = "", ""
	}
	if ev.Type != TypeReferralDelivery {
		s.Outcome = ""
	}
	if ev.Type != TypeReferralDispatched && ev.Type != TypeReferralDelivery && ev.Type != TypeContactReceived && ev.Type != TypeContactResponded {
		s.Channel = ""
	}
	return s
}

// ReportDue is the last instant a complaint's written report is on time:
// just before midnight ending the PO's complaint_report_working_days (or
// urgent_complaint_report_working_days) working day after the receipt's
// date, in the PO's time zone.
func ReportDue(c *catalog.Catalog, p *catalog.PO, received time.Time, urgent bool) time.Time {
	return c.WorkingDaysEnd(p, received, p.CRMDeadlines().ReportWorkingDays(urgent)).Add(-time.Nanosecond).UTC()
}

// ResponseDue is the last instant an e-mail or web-form contact's response
// is on time (contact_response_working_days, or member_enquiry_working_days
// for a member enquiry), as ReportDue.
func ResponseDue(c *catalog.Catalog, p *catalog.PO, received time.Time, memberEnquiry bool) time.Time {
	return c.WorkingDaysEnd(p, received, p.CRMDeadlines().ResponseWorkingDays(memberEnquiry)).Add(-time.Nanosecond).UTC()
}

// itemString is the EventError.Item of a 1-based position.
func itemString(pos int) string { return strconv.Itoa(pos) }
