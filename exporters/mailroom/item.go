package mailroom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Item kinds, and the detail each takes.
const (
	KindInbound         = "inbound"          // route: royal_mail | courier | other
	KindOutbound        = "outbound"         // route: royal_mail | courier | other
	KindValuable        = "valuable"         // valuable: bankable | unbankable | customer_value | other
	KindHarmful         = "harmful"          // a harmful or offensive item
	KindMissing         = "missing"          // an item reported missing
	KindMisdirected     = "misdirected"      // an item delivered to the wrong place
	KindScanJob         = "scan_job"         // a completed scanning job; pages: its scanned pages
	KindTypingJob       = "typing_job"       // state: received | completed
	KindSwitchboardCall = "switchboard_call" // call: received | abusive | abandoned
)

// Kinds lists the item kinds.
func Kinds() []string {
	return []string{KindInbound, KindOutbound, KindValuable, KindHarmful, KindMissing, KindMisdirected,
		KindScanJob, KindTypingJob, KindSwitchboardCall}
}

// Routes of inbound and outbound items (the route label).
func Routes() []string { return []string{"royal_mail", "courier", "other"} }

// ValuableKinds of a valuable item; "other" counts in the total only.
func ValuableKinds() []string { return []string{"bankable", "unbankable", "customer_value", "other"} }

// JobStates of a typing job (the state label).
func JobStates() []string { return []string{"received", "completed"} }

// CallKinds of a switchboard call (the kind label).
func CallKinds() []string { return []string{"received", "abusive", "abandoned"} }

// MaxFutureSkew is how far ahead of the exporter's clock an item's time
// may be (a station's clock running fast).
const MaxFutureSkew = 5 * time.Minute

// Item is one item event from a scanner or sorting station: the body of
// POST /api/v1/mailroom/items (a JSON object or an array of them). ID is
// the source's id, unique across every source (a station prefixes its own,
// e.g. "sort-2:000123"): an ID already stored is a duplicate and is not
// counted again. Count is how many items the event stands for (default 1).
// Route goes with inbound/outbound, Valuable with valuable, State with
// typing_job, Call with switchboard_call, Pages with scan_job; any other
// combination is rejected. No personal data: never an addressee's name.
type Item struct {
	ID           string    `json:"id"`
	At           time.Time `json:"at"`
	BusinessUnit string    `json:"business_unit"`
	Region       string    `json:"region"`
	Kind         string    `json:"kind"`
	Route        string    `json:"route,omitempty"`
	Valuable     string    `json:"valuable,omitempty"`
	State        string    `json:"state,omitempty"`
	Call         string    `json:"call,omitempty"`
	Pages        int64     `json:"pages,omitempty"`
	Count        int64     `json:"count,omitempty"`
}

// Item rejection reasons: the reason label of
// mailroom_exporter_item_rejections_total.
const (
	ReasonItemJSON            = "invalid_json"
	ReasonItemID              = "id"
	ReasonItemTime            = "time"
	ReasonItemKind            = "kind"
	ReasonItemDetail          = "detail"
	ReasonItemCount           = "count"
	ReasonItemUnknownBU       = "unknown_business_unit"
	ReasonItemUnknownRegion   = "unknown_region"
	ReasonItemBatchOverLimits = "too_many"
)

// ItemReasons lists every item rejection reason code.
func ItemReasons() []string {
	return []string{ReasonItemJSON, ReasonItemID, ReasonItemTime, ReasonItemKind, ReasonItemDetail, ReasonItemCount,
		ReasonItemUnknownBU, ReasonItemUnknownRegion, ReasonItemBatchOverLimits}
}

// ItemError is why one item was rejected: Item is its 1-based position in
// the posted array ("1" for a single object).
type ItemError struct {
	Item   string `json:"item"`
	ID     string `json:"id,omitempty"`
	Field  string `json:"field,omitempty"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

func (e ItemError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("item %s: %s: %s", e.Item, e.Field, e.Reason)
	}
	return fmt.Sprintf("item %s: %s", e.Item, e.Reason)
}

// DecodeItems splits a body into its items: one JSON object or an array of
// them. A body that is neither is an error (nothing is taken). An object
// that does not decode as an Item (a wrong type, an unknown field) is an
// ItemError in its place, so the others still count.
func DecodeItems(body []byte) ([]Item, []*ItemError, error) {
	t := bytes.TrimSpace(body)
	var raws []json.RawMessage
	switch {
	case len(t) > 0 && t[0] == '{':
		raws = []json.RawMessage{t}
	case len(t) > 0 && t[0] == '[':
		if err := json.Unmarshal(t, &raws); err != nil {
			return nil, nil, fmt.Errorf("body is not a JSON array of item objects: %v", err)
		}
	default:
		return nil, nil, fmt.Errorf("body must be one JSON item object or an array of them")
	}
	items := make([]Item, len(raws))
	errs := make([]*ItemError, len(raws))
	for i, raw := range raws {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&items[i]); err != nil {
			errs[i] = &ItemError{Item: strconv.Itoa(i + 1), Code: ReasonItemJSON,
				Reason: truncate(err.Error(), 200) + "; fields: id, at, business_unit, region, kind, route, valuable, state, call, pages, count"}
			continue
		}
		if dec.More() {
			errs[i] = &ItemError{Item: strconv.Itoa(i + 1), Code: ReasonItemJSON, Reason: "more than one JSON value"}
		}
	}
	return items, errs, nil
}

// detailOf checks the kind's detail fields and returns the detail stored
// with the item.
func (it *Item) detailOf() (field, detail string, err error) {
	one := func(field, v string, valid []string) (string, string, error) {
		for _, ok := range valid {
			if v == ok {
				return field, v, nil
			}
		}
		return field, "", fmt.Errorf("%q; kind %s needs %s: %s", truncate(v, 40), it.Kind, field, strings.Join(valid, ", "))
	}
	set := []struct {
		field string
		isSet bool
	}{{"route", it.Route != ""}, {"valuable", it.Valuable != ""}, {"state", it.State != ""}, {"call", it.Call != ""}, {"pages", it.Pages != 0}}
	var want string
	switch it.Kind {
	case KindInbound, KindOutbound:
		want = "route"
	case KindValuable:
		want = "valuable"
	case KindTypingJob:
		want = "state"
	case KindSwitchboardCall:
		want = "call"
	case KindScanJob:
		want = "pages"
	}
	for _, f := range set {
		if f.isSet && f.field != want {
			return f.field, "", fmt.Errorf("does not apply to kind %s", it.Kind)
		}
	}
	switch it.Kind {
	case KindInbound, KindOutbound:
		return one("route", it.Route, Routes())
	case KindValuable:
		return one("valuable", it.Valuable, ValuableKinds())
	case KindTypingJob:
		return one("state", it.State, JobStates())
	case KindSwitchboardCall:
		return one("call", it.Call, CallKinds())
	case KindScanJob:
		if it.Pages < 0 || it.Pages > store.MaxMailroomCount {
			return "pages", "", fmt.Errorf("%d; want 0 to %d scanned pages", it.Pages, store.MaxMailroomCount)
		}
		return "", "completed", nil
	}
	return "", "", nil
}

// Validate checks an item against the catalogue's mail room at now and
// returns it as the store keeps it. position is its place in the batch.
func (it *Item) Validate(mr *catalog.MailRoom, now time.Time, position int) (store.MailroomItem, *ItemError) {
	bad := func(field, code, format string, args ...any) (store.MailroomItem, *ItemError) {
		return store.MailroomItem{}, &ItemError{Item: strconv.Itoa(position), ID: truncate(it.ID, 80), Field: field, Code: code, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case strings.TrimSpace(it.ID) == "" || len(it.ID) > 200 || strings.ContainsAny(it.ID, "\r\n\t\x00"):
		return bad("id", ReasonItemID, "missing, over 200 bytes or not one line; give the source's unique id, e.g. sort-2:000123")
	case it.At.IsZero():
		return bad("at", ReasonItemTime, "missing; give when it happened, RFC 3339, e.g. 2026-11-16T09:12:00Z")
	case it.At.After(now.Add(MaxFutureSkew)):
		return bad("at", ReasonItemTime, "%s is ahead of the exporter's clock (%s) by over %s", it.At.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), MaxFutureSkew)
	case it.At.Year() < 2000:
		return bad("at", ReasonItemTime, "%s is before 2000; check the station's clock", it.At.UTC().Format(time.RFC3339))
	}
	bu, ok := mr.BusinessUnit(it.BusinessUnit)
	if !ok {
		return bad("business_unit", ReasonItemUnknownBU, "%q is not a business unit of the catalogue; valid: %s", truncate(it.BusinessUnit, 40), strings.Join(mr.BusinessUnitIDs(), ", "))
	}
	if !bu.Region(it.Region) {
		return bad("region", ReasonItemUnknownRegion, "%q is not a region of business unit %s; valid: %s", truncate(it.Region, 40), bu.ID, strings.Join(bu.RegionIDs(), ", "))
	}
	known := false
	for _, k := range Kinds() {
		known = known || it.Kind == k
	}
	if !known {
		return bad("kind", ReasonItemKind, "%q; valid: %s", truncate(it.Kind, 40), strings.Join(Kinds(), ", "))
	}
	field, detail, err := it.detailOf()
	if err != nil {
		return bad(field, ReasonItemDetail, "%v", err)
	}
	count := it.Count
	if count == 0 {
		count = 1
	}
	if count < 1 || count > store.MaxMailroomCount {
		return bad("count", ReasonItemCount, "%d; want 1 to %d (leave it out for 1)", it.Count, store.MaxMailroomCount)
	}
	return store.MailroomItem{ID: it.ID, At: it.At.UTC(), BusinessUnit: it.BusinessUnit, Region: it.Region,
		Kind: it.Kind, Detail: detail, Quantity: count, Pages: it.Pages}, nil
}

// itemCounts is what a stored item (or a sum of items of one kind and
// detail) adds to the counts.
func itemCounts(kind, detail string, quantity, pages int64) store.MailroomCounts {
	var c store.MailroomCounts
	route := map[string][2]*int64{
		"royal_mail": {&c.InboundRoyalMail, &c.OutboundRoyalMail},
		"courier":    {&c.InboundCourier, &c.OutboundCourier},
		"other":      {&c.InboundOther, &c.OutboundOther},
	}
	switch kind {
	case KindInbound:
		if p, ok := route[detail]; ok {
			*p[0] += quantity
		}
	case KindOutbound:
		if p, ok := route[detail]; ok {
			*p[1] += quantity
		}
	case KindValuable:
		c.ValuablesTotal += quantity
		switch detail {
		case "bankable":
			c.ValuablesBankable += quantity
		case "unbankable":
			c.ValuablesUnbankable += quantity
		case "customer_value":
			c.ValuablesCustomerValue += quantity
		}
	case KindHarmful:
		c.Harmful += quantity
	case KindMissing:
		c.Missing += quantity
	case KindMisdirected:
		c.Misdirected += quantity
	case KindScanJob:
		c.ScanningJobs += quantity
		c.ScannedPages += pages
	case KindTypingJob:
		if detail == "completed" {
			c.TypingJobsCompleted += quantity
		} else {
			c.TypingJobsReceived += quantity
		}
	case KindSwitchboardCall:
		switch detail {
		case "abusive":
			c.SwitchboardCallsAbusive += quantity
		case "abandoned":
			c.SwitchboardCallsAbandoned += quantity
		default:
			c.SwitchboardCallsReceived += quantity
		}
	}
	return c
}
