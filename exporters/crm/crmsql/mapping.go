// Package crmsql is the CRM exporter's SQL source: it reads the CRM's own
// PostgreSQL tables incrementally, by a cursor column, and turns each row
// into CRM events through a mapping file (configuration, not code).
//
// For each mapped table a poll runs
//
//	SELECT … FROM table WHERE (cursor, key) > ($1, $2) AND cursor <= $horizon ORDER BY cursor, key LIMIT batch
//
// (the horizon: now plus the clock skew, for timestamp cursors) in a
// read-only transaction, page after page, hands the page's events to
// the exporter (which stores each once by its id) and only then saves the
// last row's (cursor, key) in the slawatch store. History is never
// rescanned; a crash between the two re-reads one page whose events the
// store already holds.
package crmsql

import (
	"fmt"
	"time"

	"github.com/slawatch/slawatch/exporters/crm"
)

// Defaults of a mapping.
const (
	DefaultSource     = "crm-sql"
	DefaultIDTemplate = "{table}:{key}:{type}"
	DefaultTimeZone   = "UTC"
)

// Cursor types.
const (
	CursorTimestamp = "timestamp"
	CursorInteger   = "integer"
)

// Mapping is a CRM database mapping file: which tables to read, and the
// events each row yields.
type Mapping struct {
	// Source names the events' source in the store (event ids are unique
	// within it) and prefixes the cursor names; default "crm-sql".
	Source string `yaml:"source"`
	// TimeZone is the zone of timestamps stored without one (PostgreSQL
	// `timestamp`, or text without an offset); default UTC.
	TimeZone string `yaml:"time_zone"`
	// Lag is the default re-read window of timestamp-cursor tables, a
	// duration such as "30s" (default 0: no re-read).
	Lag string `yaml:"lag"`
	// Tables are read in this order.
	Tables []Table `yaml:"tables"`

	// File is the mapping file's name (set by Parse).
	File string `yaml:"-"`

	loc *time.Location
	// zoneDefaulted: time_zone was not set (UTC assumed).
	zoneDefaulted bool
}

// Table is one CRM table (or view) and the events of its rows.
type Table struct {
	// Name is the table or view, optionally schema-qualified
	// ("crm.complaints"); each part a plain identifier, used exactly as
	// written (PostgreSQL folds unquoted names to lower case).
	Name string `yaml:"name"`
	// Key is the column or columns that identify a row (its primary key):
	// the tiebreak among rows with the same cursor, and {key} in event ids.
	Key []string `yaml:"key"`
	// Cursor is a column whose value grows whenever a row is inserted or
	// updated: a timestamp such as updated_at, or an integer sequence.
	// Rows where it is NULL are never read.
	Cursor string `yaml:"cursor"`
	// CursorType is "timestamp" (default) or "integer".
	CursorType string `yaml:"cursor_type"`
	// Lag re-reads the rows whose cursor is within this of the last one
	// read, to catch rows committed late with an older cursor value: a
	// duration ("30s") for a timestamp cursor, a count ("100") for an
	// integer one. Default: the mapping's lag (timestamp cursors), else 0.
	Lag string `yaml:"lag"`
	// Events are what each row yields.
	Events []EventMap `yaml:"events"`

	lag      time.Duration // timestamp cursors
	lagCount int64         // integer cursors
	cols     []string      // selected columns: cursor, keys, then the rest
	tiebreak []int         // the key columns (indexes) other than the cursor: the order's tiebreak
	colIndex map[string]int
}

// EventMap is one event a row yields. An event whose time column is NULL
// has not happened yet and is skipped (not an error).
type EventMap struct {
	// Type is one of the crm.Type* event types.
	Type string `yaml:"type"`
	// Time is the column holding when the event happened.
	Time string `yaml:"time"`
	// ID is the event id template: {table}, {key} (the key's value; with
	// several key columns their values joined by ",", with "\" and ","
	// escaped by "\") and {type} are replaced; default
	// "{table}:{key}:{type}". It must contain {key}, with more than one
	// table it must start with {table} and a separator, and every event of
	// the mapping must get its own id, so re-reading an updated row gives
	// the same ids again.
	ID string `yaml:"id"`

	PO               *Field `yaml:"po"`
	ServiceOption    *Field `yaml:"service_option"`
	Ref              *Field `yaml:"ref"`
	Action           *Field `yaml:"action"`
	Category         *Field `yaml:"category"`
	Channel          *Field `yaml:"channel"`
	Outcome          *Field `yaml:"outcome"`
	CallEndedAt      *Field `yaml:"call_ended_at"`
	Urgent           *Field `yaml:"urgent"`
	CallbackRequired *Field `yaml:"callback_required"`
	MemberEnquiry    *Field `yaml:"member_enquiry"`
}

// Field fills one event field: from a column, optionally through a map of
// the CRM's own codes, or a constant value.
type Field struct {
	// Column is the column read.
	Column string `yaml:"column"`
	// Map translates the column's codes into slawatch values
	// ({EM: email}); a code not in it rejects the event, unless Default.
	Map map[string]string `yaml:"map"`
	// Default is the value of a code missing from Map (only with Map).
	Default string `yaml:"default"`
	// Value is a constant (instead of Column).
	Value string `yaml:"value"`
}

// Location is the zone of timestamps stored without one.
func (m *Mapping) Location() *time.Location { return m.loc }

// Warnings are the mapping's doubtful choices that are not errors (Explain
// and the source's start log them).
func (m *Mapping) Warnings() []string {
	var w []string
	if m.zoneDefaulted {
		w = append(w, "time_zone is not set: times without a zone (PostgreSQL timestamp columns, text without an offset) are read as UTC; "+
			"if the CRM writes local time, set time_zone (e.g. Europe/London), or its events are an hour late in summer "+
			"(the source also warns at start of each table whose time columns have no zone)")
	}
	for i := range m.Tables {
		t := &m.Tables[i]
		if t.CursorType == CursorTimestamp && t.lag == 0 {
			w = append(w, fmt.Sprintf("tables %s: lag is 0s: a row committed late, or updated within the same tick as a row already read "+
				"(a timestamp(0) or date cursor), with a lower key, is missed; set lag (e.g. 30s) unless the cursor is written at commit", t.Name))
		}
	}
	return w
}

// fieldKind is how a field's value is converted.
type fieldKind int

const (
	kindText fieldKind = iota
	kindTime
	kindBool
)

// fieldSpec describes one event field: its YAML name, how it converts, and
// the values it takes (nil: any id-like text).
type fieldSpec struct {
	name   string
	kind   fieldKind
	get    func(*EventMap) *Field
	set    func(*crm.Event, any)
	values func(evType string) []string
}

func textSetter(f func(*crm.Event) *string) func(*crm.Event, any) {
	return func(e *crm.Event, v any) { *f(e) = v.(string) }
}

func boolSetter(f func(*crm.Event) *bool) func(*crm.Event, any) {
	return func(e *crm.Event, v any) { *f(e) = v.(bool) }
}

func fixed(vs ...string) func(string) []string { return func(string) []string { return vs } }

// fieldSpecs are the mappable event fields, in the order they are filled.
var fieldSpecs = []fieldSpec{
	{"po", kindText, func(e *EventMap) *Field { return e.PO }, textSetter(func(e *crm.Event) *string { return &e.PO }), nil},
	{"service_option", kindText, func(e *EventMap) *Field { return e.ServiceOption },
		textSetter(func(e *crm.Event) *string { return &e.ServiceOption }), nil},
	{"ref", kindText, func(e *EventMap) *Field { return e.Ref }, textSetter(func(e *crm.Event) *string { return &e.Ref }), nil},
	{"action", kindText, func(e *EventMap) *Field { return e.Action }, textSetter(func(e *crm.Event) *string { return &e.Action }),
		fixed(crm.ActionSignpost, crm.ActionTransfer, crm.ActionRefer, crm.ActionResolve, crm.ActionOutOfScope)},
	{"category", kindText, func(e *EventMap) *Field { return e.Category },
		textSetter(func(e *crm.Event) *string { return &e.Category }), nil},
	{"channel", kindText, func(e *EventMap) *Field { return e.Channel },
		textSetter(func(e *crm.Event) *string { return &e.Channel }), channelsOf},
	{"outcome", kindText, func(e *EventMap) *Field { return e.Outcome },
		textSetter(func(e *crm.Event) *string { return &e.Outcome }), fixed(crm.OutcomeDelivered, crm.OutcomeFailed)},
	{"call_ended_at", kindTime, func(e *EventMap) *Field { return e.CallEndedAt },
		func(e *crm.Event, v any) { e.CallEndedAt = v.(time.Time) }, nil},
	{"urgent", kindBool, func(e *EventMap) *Field { return e.Urgent }, boolSetter(func(e *crm.Event) *bool { return &e.Urgent }), nil},
	{"callback_required", kindBool, func(e *EventMap) *Field { return e.CallbackRequired },
		boolSetter(func(e *crm.Event) *bool { return &e.CallbackRequired }), nil},
	{"member_enquiry", kindBool, func(e *EventMap) *Field { return e.MemberEnquiry },
		boolSetter(func(e *crm.Event) *bool { return &e.MemberEnquiry }), nil},
}

// channelsOf is the channels an event type takes.
func channelsOf(evType string) []string {
	switch evType {
	case crm.TypeContactReceived, crm.TypeContactResponded:
		return []string{crm.ChannelEmail, crm.ChannelWebform}
	case crm.TypeReferralDelivery:
		return []string{crm.ChannelEmail, crm.ChannelSMS, crm.ChannelPager}
	}
	return []string{crm.ChannelPhone, crm.ChannelEmail, crm.ChannelSMS, crm.ChannelPager}
}

// typeFields lists, per event type, the fields it takes besides po,
// service_option and ref, and those it requires.
var typeFields = map[string]struct{ allowed, required []string }{
	crm.TypeRequestCreated:        {[]string{"action", "category"}, []string{"po", "service_option", "action"}},
	crm.TypeReferralDispatched:    {[]string{"channel", "call_ended_at"}, []string{"po", "service_option", "ref", "channel", "call_ended_at"}},
	crm.TypeReferralDelivery:      {[]string{"channel", "outcome"}, []string{"po", "ref", "channel", "outcome"}},
	crm.TypeComplaintReceived:     {[]string{"urgent", "callback_required"}, []string{"po", "ref"}},
	crm.TypeComplaintAcknowledged: {[]string{"urgent"}, []string{"po", "ref"}},
	crm.TypeComplaintCalledBack:   {[]string{"urgent"}, []string{"po", "ref"}},
	crm.TypeComplaintReported:     {[]string{"urgent"}, []string{"po", "ref"}},
	crm.TypeComplaintResolved:     {[]string{"urgent"}, []string{"po", "ref"}},
	crm.TypeContactReceived:       {[]string{"channel", "member_enquiry"}, []string{"po", "ref", "channel"}},
	crm.TypeContactResponded:      {[]string{"channel", "member_enquiry"}, []string{"po", "ref"}},
}

// eventTypes is the event types in the contract's order, for messages.
var eventTypes = []string{crm.TypeRequestCreated, crm.TypeReferralDispatched, crm.TypeReferralDelivery,
	crm.TypeComplaintReceived, crm.TypeComplaintAcknowledged, crm.TypeComplaintCalledBack,
	crm.TypeComplaintReported, crm.TypeComplaintResolved, crm.TypeContactReceived, crm.TypeContactResponded}
