// Package reports turns exact figures from the event store into the
// contract's reports. Percentages are derived from exact integers at the
// last moment and "target met" is decided on the integers, never on a
// rounded percentage.
package reports

import (
	"fmt"
	"sort"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// SummaryLine is one service option under one standard (or, with
// ServiceOption "TOTAL", everything under that standard).
type SummaryLine struct {
	ServiceOption        string  `json:"service_option"`
	Standard             string  `json:"standard"`
	TargetSeconds        int     `json:"target_seconds"`
	TargetPercent        int     `json:"target_percent"`
	Offered              uint64  `json:"offered"`
	Answered             uint64  `json:"answered"`
	AnsweredWithinTarget uint64  `json:"answered_within_target"`
	AnsweredWithinRest   uint64  `json:"answered_within_rest"`
	RestSeconds          int     `json:"rest_within_seconds"`
	Abandoned            uint64  `json:"abandoned"`
	AbandonedUnder20     uint64  `json:"abandoned_under_20s"`
	Abandoned20To60      uint64  `json:"abandoned_20_to_60s"`
	AbandonedOver60      uint64  `json:"abandoned_over_60s"`
	IVROnly              uint64  `json:"ivr_only"`
	Denominator          uint64  `json:"sla_denominator"`
	PctAnswered          float64 `json:"pct_answered"`
	PctWithinTarget      float64 `json:"pct_within_target"`
	PctAbandoned         float64 `json:"pct_abandoned"`
	// MaxAbandonPercent is the standard's abandon cap (nil: none stated).
	MaxAbandonPercent *float64 `json:"max_abandoned_percent,omitempty"`
	// TargetMet: yes/no on the answered-within-target target; RestMet: every
	// answered call within the "rest" bound; AbandonMet: abandoned strictly
	// under the cap. Each is empty when no call counts towards it, when the
	// standard sets no such limit, and on TOTAL lines: a standard is met per
	// service option, never on an average across options.
	TargetMet  string `json:"target_met"`
	RestMet    string `json:"rest_met"`
	AbandonMet string `json:"abandon_met"`
}

// Summary is the exact SLA summary of one PO over [From, To).
type Summary struct {
	PO      string        `json:"po"`
	From    time.Time     `json:"from"`
	To      time.Time     `json:"to"`
	Formula string        `json:"sla_formula"`
	Lines   []SummaryLine `json:"lines"`
}

// BuildSummary reads the store and applies the PO's standards and formula.
// A standard's thresholds are the PO's definition of that tier; which tier a
// call was under was frozen when the call was stored.
func BuildSummary(rows []store.SummaryRow, c *catalog.Catalog, po string, from, to time.Time) (Summary, error) {
	p, ok := c.PO(po)
	if !ok {
		return Summary{}, fmt.Errorf("no PO %q in %s", po, c.Source)
	}
	f := p.Formula()
	s := Summary{PO: po, From: from, To: to, Formula: f.Denominator}
	if f.Denominator == catalog.DenomOfferedMinusShortAbandons {
		s.Formula = fmt.Sprintf("%s (%d s)", f.Denominator, f.ShortAbandonSeconds)
	}
	totals := map[string]*SummaryLine{}
	for _, r := range rows {
		l := SummaryLine{ServiceOption: r.ServiceOption, Standard: r.Standard}
		add(&l, r, f)
		s.Lines = append(s.Lines, l)
		t := totals[r.Standard]
		if t == nil {
			t = &SummaryLine{ServiceOption: "TOTAL", Standard: r.Standard}
			totals[r.Standard] = t
		}
		add(t, r, f)
	}
	sort.Slice(s.Lines, func(i, j int) bool {
		a, b := s.Lines[i], s.Lines[j]
		return a.ServiceOption < b.ServiceOption || a.ServiceOption == b.ServiceOption && tierRank(a.Standard) < tierRank(b.Standard)
	})
	for _, tier := range catalog.Tiers() {
		if t := totals[tier]; t != nil {
			s.Lines = append(s.Lines, *t)
		}
	}
	for i := range s.Lines {
		l := &s.Lines[i]
		std, _ := p.Standard(l.Standard)
		l.TargetSeconds, l.TargetPercent = std.TargetSeconds, std.TargetPercent
		l.RestSeconds, l.MaxAbandonPercent = std.RestWithinSeconds, std.MaxAbandonPercent
		l.PctAnswered = pct(l.Answered, l.Offered)
		l.PctWithinTarget = pct(l.AnsweredWithinTarget, l.Denominator)
		l.PctAbandoned = pct(l.Abandoned, l.Offered)
		if l.ServiceOption != "TOTAL" {
			judge(l)
		}
	}
	return s, nil
}

// judge decides the verdicts of one service option on exact integers.
func judge(l *SummaryLine) {
	if l.Denominator > 0 {
		l.TargetMet = yesNo(l.AnsweredWithinTarget*100 >= uint64(l.TargetPercent)*l.Denominator)
	}
	if l.Answered > 0 {
		l.RestMet = yesNo(l.AnsweredWithinRest == l.Answered)
	}
	if l.Offered > 0 && l.MaxAbandonPercent != nil {
		l.AbandonMet = yesNo(float64(l.Abandoned)*100 < *l.MaxAbandonPercent*float64(l.Offered))
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func add(l *SummaryLine, r store.SummaryRow, f catalog.SLAFormula) {
	l.Offered += r.Offered
	l.Answered += r.Answered
	l.AnsweredWithinTarget += r.AnsweredWithinTarget
	l.AnsweredWithinRest += r.AnsweredWithinRest
	l.Abandoned += r.Abandoned
	l.AbandonedUnder20 += r.AbandonedUnder20
	l.Abandoned20To60 += r.Abandoned20To60
	l.AbandonedOver60 += r.AbandonedOver60
	l.IVROnly += r.IVROnly
	switch f.Denominator {
	case catalog.DenomAnswered:
		l.Denominator += r.Answered
	case catalog.DenomOfferedMinusShortAbandons:
		l.Denominator += r.Offered - r.ShortAbandons
	default:
		l.Denominator += r.Offered
	}
}

func pct(n, d uint64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) * 100 / float64(d)
}

func tierRank(t string) int {
	tiers := catalog.Tiers()
	for i, x := range tiers {
		if x == t {
			return i
		}
	}
	return len(tiers)
}
