package kpi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Row is one KPI's status for a period: the raw outturn and RAG, with any
// mitigation beside them (never changing them).
type Row struct {
	KPI             string   `json:"kpi"`
	Description     string   `json:"description"`
	Owner           string   `json:"owner,omitempty"`
	PO              string   `json:"po,omitempty"`
	Source          string   `json:"source"`
	Direction       string   `json:"direction"`
	Frequency       string   `json:"frequency"`
	InformationOnly bool     `json:"information_only"`
	Target          *float64 `json:"target"`
	Minimum         *float64 `json:"minimum"`
	// Period is the period the figure covers: the one asked for, or for a
	// KPI reported less often the enclosing period of its own frequency.
	Period string `json:"period"`
	// InProgress: the period has not ended; the figure is to date.
	InProgress bool `json:"in_progress"`
	// Numerator, Denominator and Outturn (percent) are null when there is
	// no figure; Unavailable says why.
	Numerator   *float64 `json:"numerator"`
	Denominator *float64 `json:"denominator"`
	Outturn     *float64 `json:"outturn"`
	// RAG is red, amber or green; "" for information only or no figure.
	RAG         string `json:"rag"`
	Unavailable string `json:"unavailable,omitempty"`
	// Incomplete: a manual KPI reported more often than Period, summed
	// over the returns there are (e.g. "2 of 3 monthly returns").
	Incomplete string `json:"incomplete,omitempty"`
	// Returns are the latest returns the figure is made of.
	Returns []ReturnJSON `json:"returns,omitempty"`
	// Mitigations are the latest mitigation of each of the KPI's own
	// periods within Period.
	Mitigations []MitigationJSON `json:"mitigations,omitempty"`
	// PromQL is true when the figure comes from Prometheus, which is
	// unavailable when Unavailable starts "unavailable:".
	PromQL bool `json:"-"`
}

// ReturnJSON is a stored return as the API shows it.
type ReturnJSON struct {
	ID          int64     `json:"id"`
	KPI         string    `json:"kpi"`
	Period      string    `json:"period"`
	Numerator   int64     `json:"numerator"`
	Denominator int64     `json:"denominator"`
	Percent     float64   `json:"percent"`
	Note        string    `json:"note,omitempty"`
	EnteredBy   string    `json:"entered_by"`
	Via         string    `json:"via"`
	Entered     time.Time `json:"entered"`
}

// MitigationJSON is a stored mitigation as the API shows it.
type MitigationJSON struct {
	ID        int64     `json:"id"`
	KPI       string    `json:"kpi"`
	Period    string    `json:"period"`
	Reason    string    `json:"reason"`
	AgreedBy  string    `json:"agreed_by"`
	EnteredBy string    `json:"entered_by"`
	Via       string    `json:"via"`
	Entered   time.Time `json:"entered"`
}

func returnJSON(r store.KPIReturn) ReturnJSON {
	return ReturnJSON{ID: r.ID, KPI: r.KPI, Period: r.Period, Numerator: r.Numerator, Denominator: r.Denominator,
		Percent: percent(r.Numerator, r.Denominator), Note: r.Note, EnteredBy: r.EnteredBy, Via: r.Via, Entered: r.Entered}
}

func mitigationJSON(m store.KPIMitigation) MitigationJSON {
	return MitigationJSON{ID: m.ID, KPI: m.KPI, Period: m.Period, Reason: m.Reason, AgreedBy: m.AgreedBy,
		EnteredBy: m.EnteredBy, Via: m.Via, Entered: m.Entered}
}

// ErrNotStarted is returned by Status for a period that starts after now.
var ErrNotStarted = errors.New("period has not started")

// Status is every KPI's status for period, in catalogue order. A KPI of
// the period's frequency covers the period; one reported more often
// covers it too (a PromQL KPI over the whole period, a manual KPI as the
// sum of its returns there); one reported less often covers its own
// enclosing period (a year's KPI in a quarter's report shows the year).
// PromQL KPIs are evaluated through q with $__range = the period's exact
// length, at its end (at now while it is in progress); q nil, or a query
// failing, leaves the row Unavailable "unavailable: <why>" and the rest
// still computed. Errors are only for a period that has not started and a
// store that cannot be read.
func (e *Exporter) Status(ctx context.Context, period catalog.Period, q Querier) ([]Row, error) {
	loc, now := e.o.Catalog.Location(), e.o.Now()
	if start := period.Start(loc); start.After(now) {
		return nil, fmt.Errorf("period %s starts %s: %w", period, start.Format(time.DateOnly), ErrNotStarted)
	}
	rows := make([]Row, 0, len(e.o.Catalog.KPIs))
	for i := range e.o.Catalog.KPIs {
		k := &e.o.Catalog.KPIs[i]
		kp := period
		if k.Frequency.Months() > period.Freq.Months() {
			kp = period.Enclosing(k.Frequency)
		}
		own := kp.Within(k.Frequency)
		var names []string
		for _, p := range own {
			names = append(names, p.String())
		}
		row := Row{KPI: k.ID, Description: k.Description, Owner: k.Owner, PO: k.PO, Source: k.Source,
			Direction: k.Direction, Frequency: string(k.Frequency), InformationOnly: k.InformationOnly,
			Target: k.Target, Minimum: k.Minimum, Period: kp.String(), InProgress: kp.End(loc).After(now)}
		var err error
		if k.Manual() {
			err = e.manualFigure(ctx, k, own, names, &row)
		} else {
			row.PromQL = true
			e.promqlFigure(ctx, k, kp, q, &row)
		}
		if err != nil {
			return nil, err
		}
		mits, err := e.o.Store.KPIMitigations(ctx, store.KPIFilter{KPI: k.ID, Periods: names, Latest: true})
		if err != nil {
			return nil, err
		}
		for _, m := range mits {
			row.Mitigations = append(row.Mitigations, mitigationJSON(m))
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// manualFigure sums the latest returns of the KPI's own periods within
// the row's period (one period when the frequencies match).
func (e *Exporter) manualFigure(ctx context.Context, k *catalog.KPI, own []catalog.Period, names []string, row *Row) error {
	rets, err := e.o.Store.KPIReturns(ctx, store.KPIFilter{KPI: k.ID, Periods: names, Latest: true})
	if err != nil {
		return err
	}
	var num, den int64
	for _, r := range rets {
		num += r.Numerator
		den += r.Denominator
		row.Returns = append(row.Returns, returnJSON(r))
	}
	started := 0
	for _, p := range own {
		if !p.Start(e.o.Catalog.Location()).After(e.o.Now()) {
			started++
		}
	}
	if len(own) > 1 && len(rets) < started {
		row.Incomplete = fmt.Sprintf("%d of %d %s returns", len(rets), started, k.Frequency.Adverb())
	}
	if den == 0 {
		row.Unavailable = "no return entered"
		return nil
	}
	n, d, o := float64(num), float64(den), percent(num, den)
	row.Numerator, row.Denominator, row.Outturn = &n, &d, &o
	if r := k.RAGExact(num, den); r != catalog.RAGNone {
		row.RAG = r.String()
	}
	return nil
}

// promqlFigure evaluates the numerator and denominator over the period
// (to now while in progress).
func (e *Exporter) promqlFigure(ctx context.Context, k *catalog.KPI, p catalog.Period, q Querier, row *Row) {
	if q == nil {
		row.Unavailable = "unavailable: no Prometheus to query"
		return
	}
	loc := e.o.Catalog.Location()
	start, end := p.Start(loc), p.End(loc)
	if now := e.o.Now(); end.After(now) {
		end = now.Truncate(time.Second)
	}
	rng := end.Sub(start)
	if rng < time.Second {
		row.Unavailable = "the period has only just started"
		return
	}
	den, ok, err := q.Query(ctx, "sum("+catalog.ExpandRange(k.Denominator, rng)+")", end)
	if err != nil {
		row.Unavailable = "unavailable: " + err.Error()
		return
	}
	if !ok || den <= 0 {
		row.Unavailable = "nothing counted in the denominator in the period"
		return
	}
	num, ok, err := q.Query(ctx, "sum("+catalog.ExpandRange(k.Numerator, rng)+")", end)
	if err != nil {
		row.Unavailable = "unavailable: " + err.Error()
		return
	}
	if !ok {
		num = 0
	}
	o := 100 * num / den
	row.Numerator, row.Denominator, row.Outturn = &num, &den, &o
	if r := k.RAG(o); r != catalog.RAGNone {
		row.RAG = r.String()
	}
}
