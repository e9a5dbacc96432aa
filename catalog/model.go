// Package catalog holds the one description of every participating
// organisation (PO): hours, service options, access numbers, the standards
// in force and their effective dates, referral limits and line-test
// thresholds. Rules, dashboards, the simulator and reports are all derived
// from it; nothing about a PO is hard-coded anywhere else.
package catalog

import "time"

// Catalog is a loaded, defaulted and validated catalogue.
type Catalog struct {
	// Source is the file the catalogue was read from (for messages).
	Source string `yaml:"-"`

	Version  int    `yaml:"version"`
	TimeZone string `yaml:"time_zone"`
	// Standards override fields of the built-in platinum, gold, silver and
	// bronze definitions (SPEC.md) for every PO; a PO may override further.
	Standards map[string]StandardOverride `yaml:"standards"`
	Defaults  Defaults                    `yaml:"defaults"`
	// ExtraBankHolidays are one-off bank holidays the calendar library does
	// not know (e.g. a state funeral), as YYYY-MM-DD.
	ExtraBankHolidays []Date `yaml:"extra_bank_holidays"`
	Organisations     []PO   `yaml:"organisations"`
	// Provider is the call-handling provider's own on-call: the duty
	// managers every escalation ends with.
	Provider Provider `yaml:"provider"`
	// MailRoom is the government mail room's business units and regions,
	// if the catalogue watches one (mailroom.go).
	MailRoom *MailRoom `yaml:"mail_room"`
	// KPIs are the contract indicators defined as a ratio with RAG
	// thresholds (kpi.go).
	KPIs []KPI `yaml:"kpis"`

	loc      *time.Location
	provider *PO // the provider's people, indexed like a PO's
	byPO     map[string]*PO
	byNum    map[string]*AccessNumber
	byQueue  map[string]*Queue
	buckets  []float64
	holidays holidays
}

// Standard is one service standard: the share of offered calls that must be
// answered within TargetSeconds, the bound for the rest, and the abandon cap.
type Standard struct {
	// Tier is the label value: platinum, gold, silver or bronze.
	Tier              string   `yaml:"-"`
	TargetSeconds     int      `yaml:"target_seconds"`
	TargetPercent     int      `yaml:"target_percent"`
	RestWithinSeconds int      `yaml:"rest_within_seconds"`
	MaxAbandonPercent *float64 `yaml:"max_abandoned_percent"`
}

// TargetRatio is TargetPercent as a fraction (0.8 for 80%).
func (s Standard) TargetRatio() float64 { return float64(s.TargetPercent) / 100 }

// StandardOverride lets a PO vary a provider standard (e.g. Silver at 40 s).
type StandardOverride struct {
	TargetSeconds     *int     `yaml:"target_seconds"`
	TargetPercent     *int     `yaml:"target_percent"`
	RestWithinSeconds *int     `yaml:"rest_within_seconds"`
	MaxAbandonPercent *float64 `yaml:"max_abandoned_percent"`
}

// Denominator kinds of the SLA formula.
const (
	DenomOffered                   = "offered"
	DenomAnswered                  = "answered"
	DenomOfferedMinusShortAbandons = "offered_minus_short_abandons"
)

// SLAFormula is the per-contract definition of "% answered within SLA":
// answered within target divided by the denominator.
type SLAFormula struct {
	Denominator string `yaml:"denominator"`
	// ShortAbandonSeconds applies to offered_minus_short_abandons: abandons
	// at or under this wait are left out of the denominator.
	ShortAbandonSeconds int `yaml:"short_abandon_seconds"`
}

// LineTest holds the line-test settings of an access number.
type LineTest struct {
	// ThresholdCallsPerHour: tests run while demand is under this.
	ThresholdCallsPerHour *int     `yaml:"threshold_calls_per_hour"`
	Interval              Duration `yaml:"interval"`
	Grace                 Duration `yaml:"grace"`
	HandoverTest          *bool    `yaml:"handover_test"`
}

// Defaults apply to every PO unless it says otherwise.
type Defaults struct {
	SLAFormula SLAFormula `yaml:"sla_formula"`
	// MinCallsPerHour is the volume guard: SLA alerts stay silent while a
	// service option has offered fewer calls than this in the last hour.
	MinCallsPerHour *int     `yaml:"min_calls_per_hour"`
	ReferralLimit   Duration `yaml:"referral_limit"`
	LineTest        LineTest `yaml:"line_test"`
	Hours           Hours    `yaml:"hours"`
	// CRM holds the complaint and contact deadlines (crm.go).
	CRM CRM `yaml:"crm"`
}

// Hours is a weekly pattern of service windows in the catalogue's time zone.
type Hours struct {
	// Weekly windows, e.g. {from: "mon 17:00", to: "tue 08:00"}.
	Weekly []Window `yaml:"weekly"`
	// BankHolidays24h: in service all day on England & Wales bank holidays.
	BankHolidays24h *bool `yaml:"bank_holidays_24h"`
	// ChristmasWorkingDays24h: in service all day on the working days
	// between Christmas and New Year.
	ChristmasWorkingDays24h *bool `yaml:"christmas_working_days_24h"`
}

// Window is one weekly service window; To may wrap into the next week.
type Window struct {
	From WeekTime `yaml:"from"`
	To   WeekTime `yaml:"to"`
}

// DailyGap is a time of day when a service option is not offered even in
// service hours, e.g. no noise service from 03:00 to 08:00.
type DailyGap struct {
	From ClockTime `yaml:"from"`
	To   ClockTime `yaml:"to"`
}

// PO is one participating organisation.
type PO struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	// TimeZone of the PO's hours and dates; default the catalogue's.
	TimeZone string `yaml:"time_zone"`
	// YearlyCalls is the known or expected number of calls a year; the
	// simulator and volume-based alerts use it. 0 means unknown.
	YearlyCalls int                         `yaml:"yearly_calls"`
	Standards   map[string]StandardOverride `yaml:"standards"`
	SLAFormula  *SLAFormula                 `yaml:"sla_formula"`
	// MinCallsPerHour overrides the catalogue default volume guard.
	MinCallsPerHour *int            `yaml:"min_calls_per_hour"`
	ReferralLimit   Duration        `yaml:"referral_limit"`
	Hours           *Hours          `yaml:"hours"`
	ServiceOptions  []ServiceOption `yaml:"service_options"`
	AccessNumbers   []AccessNumber  `yaml:"access_numbers"`
	// Queues maps Asterisk queue names to a service option and number.
	Queues []Queue `yaml:"queues"`
	// People are the PO's on-call contacts (personal data: never in
	// metrics, labels or logs), Rotas who of them is on call when, and
	// Escalation the policies that page them (rota*.go, escalation*.go).
	People     []Person `yaml:"people"`
	Rotas      []Rota   `yaml:"rotas"`
	Escalation []Policy `yaml:"escalation_policies"`
	// LoneWorker is the PO's lone-worker support, if it has any
	// (loneworker*.go).
	LoneWorker *LoneWorker `yaml:"lone_worker"`
	// CRM overrides the catalogue's complaint and contact deadlines
	// (crm.go).
	CRM *CRM `yaml:"crm"`

	loc       *time.Location
	optIndex  map[string]int      // service option id -> index in ServiceOptions
	standards map[string]Standard // tier -> resolved definition for this PO
	formula   SLAFormula
	hours     Hours
	minCalls  int

	personIndex    map[string]*Person
	rotaIndex      map[string]*Rota
	policyByOption map[string]*Policy // service option -> its policy
	defaultPolicy  *Policy
}

// ServiceOption is one service the PO buys, with its standard history.
type ServiceOption struct {
	ID string `yaml:"id"`
	// Action is the usual action (refer, inform, signpost, ...), informative.
	Action string `yaml:"action"`
	// Standards is the history of chosen standards, each from its date.
	Standards     []StandardChoice `yaml:"standards"`
	ReferralLimit Duration         `yaml:"referral_limit"`
	// Hours, when set, replaces the PO's hours for this option.
	Hours *Hours `yaml:"hours"`
	// ClosedDaily lists times of day the option is not offered.
	ClosedDaily []DailyGap `yaml:"closed_daily"`
}

// StandardChoice is a standard in force from a date (PO local midnight).
type StandardChoice struct {
	Standard string `yaml:"standard"`
	From     Date   `yaml:"from"`
}

// AccessNumber is a publicly advertised number (E.164) and what it serves.
type AccessNumber struct {
	Number string `yaml:"number"`
	// ServiceOptions served by this number; ["*"] means all of the PO's.
	ServiceOptions []string `yaml:"service_options"`
	LineTest       LineTest `yaml:"line_test"`

	po     *PO
	serves map[string]bool // resolved from ServiceOptions ("*": all)
}

// Queue maps one Asterisk queue to the PO's service option and number.
type Queue struct {
	Name          string `yaml:"name"`
	ServiceOption string `yaml:"service_option"`
	AccessNumber  string `yaml:"access_number"`

	po *PO
}
