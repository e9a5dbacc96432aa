package board

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// qLW is the open lone-worker sessions by PO and state (exporters/loneworker).
const qLW = `sum by (po, state) (loneworker_sessions)`

// loneWorkers is one PO's open sessions by state.
type loneWorkers struct {
	po     string
	states map[string]float64
}

func (l loneWorkers) onSite() float64 {
	n := 0.0
	for _, v := range l.states {
		n += v
	}
	return n
}

// takeLoneWorkers reads the sessions gauge, one entry per PO with any
// session open.
func takeLoneWorkers(ctx context.Context, src Source) ([]loneWorkers, error) {
	samples, err := src.Query(ctx, qLW)
	if err != nil {
		return nil, fmt.Errorf("board query %s: %w", qLW, err)
	}
	byPO := map[string]loneWorkers{}
	for _, s := range samples {
		po := s.Labels["po"]
		l, ok := byPO[po]
		if !ok {
			l = loneWorkers{po: po, states: map[string]float64{}}
			byPO[po] = l
		}
		l.states[s.Labels["state"]] += s.Value
	}
	var out []loneWorkers
	for _, l := range byPO {
		if l.onSite() > 0 {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].po < out[j].po })
	return out, nil
}

// renderLoneWorkers writes one line: officers on site per PO, with those
// overdue, escalated (nobody has taken charge) and acknowledged.
func (s Snapshot) renderLoneWorkers(w io.Writer) {
	if len(s.loneWorkers) == 0 {
		fmt.Fprintln(w, "lone workers: nobody on site")
		return
	}
	var parts []string
	for _, l := range s.loneWorkers {
		p := fmt.Sprintf("%s %.0f on site", l.po, l.onSite())
		var bad []string
		for _, st := range []string{"escalated", "overdue", "acknowledged"} {
			if v := l.states[st]; v > 0 {
				bad = append(bad, fmt.Sprintf("%.0f %s", v, strings.ToUpper(st)))
			}
		}
		if len(bad) > 0 {
			p += " (" + strings.Join(bad, ", ") + ")"
		}
		parts = append(parts, p)
	}
	fmt.Fprintf(w, "lone workers: %s\n", strings.Join(parts, ", "))
}
