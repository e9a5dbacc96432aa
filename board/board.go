// Package board draws the duty manager's live terminal board: per PO and
// service option, calls waiting, answered within target in the last hour,
// abandon rate, and the alerts firing; then the line tests, the lone
// workers on site, the CRM's referrals and complaints, the mail room and
// the contract KPIs' RAG status (each line only when its metrics exist).
package board

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Sample is one series of an instant query.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Alert is an alert pending or firing.
type Alert struct {
	Name   string
	Labels map[string]string
	State  string // pending or firing
}

// Source answers PromQL instant queries and lists alerts.
type Source interface {
	Query(ctx context.Context, expr string) ([]Sample, error)
	Alerts() []Alert
}

// Queries the board runs; the recording rules come from rules/generated.
const (
	qWaiting = `sum by (po, service_option) (telephony_calls_waiting)`
	qOldest  = `max by (po, service_option) (telephony_oldest_wait_seconds)`
	qOffered = `po_service_option:telephony_calls_offered:increase1h`
	qWithin  = `po_service_option:sla_answered_within_target:ratio_rate1h`
	qAband   = `po_service_option:sla_abandoned:ratio_rate1h`
	// Line tests (exporters/linetest): numbers under test, and the last verdict.
	qLTRequired = `linetest_required`
	qLTLast     = `linetest_last_run_success`
)

// lineTest is one advertised number's line-test state.
type lineTest struct {
	po, number string
	required   bool
	last       float64 // 1 pass, 0 fail
	hasLast    bool
}

type row struct {
	po, so                   string
	waiting, oldest, offered float64
	within, aband            float64
	hasWithin, hasAband      bool
	alerts                   []string
}

// Snapshot is one drawing of the board.
type Snapshot struct {
	At          time.Time
	rows        []*row
	alerts      []Alert
	lineTests   []*lineTest
	loneWorkers []loneWorkers
	crm         crmLine
	mail        mailLine
	kpis        kpiLine
}

// Take queries the source once.
func Take(ctx context.Context, src Source, now time.Time) (Snapshot, error) {
	rows := map[[2]string]*row{}
	get := func(s Sample) *row {
		k := [2]string{s.Labels["po"], s.Labels["service_option"]}
		r := rows[k]
		if r == nil {
			r = &row{po: k[0], so: k[1]}
			rows[k] = r
		}
		return r
	}
	for _, q := range []struct {
		expr string
		set  func(r *row, v float64)
	}{
		{qWaiting, func(r *row, v float64) { r.waiting = v }},
		{qOldest, func(r *row, v float64) { r.oldest = v }},
		{qOffered, func(r *row, v float64) { r.offered = v }},
		{qWithin, func(r *row, v float64) { r.within, r.hasWithin = v, true }},
		{qAband, func(r *row, v float64) { r.aband, r.hasAband = v, true }},
	} {
		samples, err := src.Query(ctx, q.expr)
		if err != nil {
			return Snapshot{}, fmt.Errorf("board query %s: %w", q.expr, err)
		}
		for _, s := range samples {
			q.set(get(s), s.Value)
		}
	}
	lts, err := takeLineTests(ctx, src)
	if err != nil {
		return Snapshot{}, err
	}
	lws, err := takeLoneWorkers(ctx, src)
	if err != nil {
		return Snapshot{}, err
	}
	crm, err := takeCRM(ctx, src)
	if err != nil {
		return Snapshot{}, err
	}
	mail, err := takeMailroom(ctx, src)
	if err != nil {
		return Snapshot{}, err
	}
	kpis, err := takeKPIs(ctx, src)
	if err != nil {
		return Snapshot{}, err
	}
	alerts := src.Alerts()
	for _, a := range alerts {
		if a.Labels["po"] == "" {
			continue
		}
		r := get(Sample{Labels: a.Labels})
		r.alerts = append(r.alerts, a.Name+" ("+a.State+")")
	}
	snap := Snapshot{At: now, alerts: alerts, lineTests: lts, loneWorkers: lws, crm: crm, mail: mail, kpis: kpis}
	for _, r := range rows {
		if r.offered >= 0.5 || r.waiting > 0 || len(r.alerts) > 0 {
			snap.rows = append(snap.rows, r)
		}
	}
	sort.Slice(snap.rows, func(i, j int) bool {
		a, b := snap.rows[i], snap.rows[j]
		if (len(a.alerts) > 0) != (len(b.alerts) > 0) {
			return len(a.alerts) > 0
		}
		return a.po < b.po || a.po == b.po && a.so < b.so
	})
	return snap, nil
}

// Render writes the snapshot, at most maxRows rows (0: all).
func (s Snapshot) Render(w io.Writer, maxRows int) {
	firing, waiting := 0, 0.0
	for _, a := range s.alerts {
		if a.State == "firing" {
			firing++
		}
	}
	for _, r := range s.rows {
		waiting += r.waiting
	}
	fmt.Fprintf(w, "slawatch live board  %s   calls waiting %.0f   alerts firing %d\n\n",
		s.At.Format("Mon 02 Jan 15:04:05 MST"), waiting, firing)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PO\tSERVICE OPTION\tWAITING\tOLDEST\tOFFERED 1H\tWITHIN TARGET 1H\tABANDONED 1H\tALERTS")
	shown := s.rows
	if maxRows > 0 && len(shown) > maxRows {
		shown = shown[:maxRows]
	}
	for _, r := range shown {
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%.0f\t%s\t%s\t%s\n", r.po, r.so, r.waiting, secs(r.oldest, r.waiting),
			r.offered, ratio(r.within, r.hasWithin), ratio(r.aband, r.hasAband), strings.Join(r.alerts, ", "))
	}
	tw.Flush()
	if len(s.rows) == 0 {
		fmt.Fprintln(w, "(no calls in the last hour yet)")
	}
	if more := len(s.rows) - len(shown); more > 0 {
		fmt.Fprintf(w, "... and %d more rows\n", more)
	}
	s.renderLineTests(w)
	s.renderLoneWorkers(w)
	s.renderCRM(w)
	s.renderMailroom(w)
	s.renderKPIs(w)
}

// takeLineTests reads the line-test gauges, one entry per number.
func takeLineTests(ctx context.Context, src Source) ([]*lineTest, error) {
	byNum := map[string]*lineTest{}
	get := func(s Sample) *lineTest {
		n := s.Labels["access_number"]
		if byNum[n] == nil {
			byNum[n] = &lineTest{po: s.Labels["po"], number: n}
		}
		return byNum[n]
	}
	for _, q := range []struct {
		expr string
		set  func(l *lineTest, v float64)
	}{
		{qLTRequired, func(l *lineTest, v float64) { l.required = v == 1 }},
		{qLTLast, func(l *lineTest, v float64) { l.last, l.hasLast = v, true }},
	} {
		samples, err := src.Query(ctx, q.expr)
		if err != nil {
			return nil, fmt.Errorf("board query %s: %w", q.expr, err)
		}
		for _, s := range samples {
			q.set(get(s), s.Value)
		}
	}
	var out []*lineTest
	for _, l := range byNum {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].po < out[j].po || out[i].po == out[j].po && out[i].number < out[j].number
	})
	return out, nil
}

// renderLineTests writes one line: the numbers under test (quiet ones)
// with their last verdict, failures first; busy numbers are only counted.
func (s Snapshot) renderLineTests(w io.Writer) {
	if len(s.lineTests) == 0 {
		return
	}
	var failed, tested []string
	busy := 0
	for _, l := range s.lineTests {
		name := l.po + " " + l.number
		switch {
		case l.hasLast && l.last == 0:
			failed = append(failed, name+" FAILED")
		case l.required && l.hasLast:
			tested = append(tested, name+" ok")
		case l.required:
			tested = append(tested, name+" testing")
		default:
			busy++
		}
	}
	fmt.Fprintf(w, "\nline tests: %s; %d busy numbers need none\n", orNone(strings.Join(append(failed, tested...), ", ")), busy)
}

func orNone(s string) string {
	if s == "" {
		return "no quiet number under test"
	}
	return s
}

func secs(v, waiting float64) string {
	if waiting == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0fs", v)
}

func ratio(v float64, ok bool) string {
	if !ok || v != v { // NaN: no calls in the window
		return "-"
	}
	return fmt.Sprintf("%.1f%%", v*100)
}
