package board

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// KPI queries (rules/generated/kpi.rules.yml): the outturn of every KPI and
// the RAG status of those with thresholds.
const (
	qKPIOutturn = `kpi:outturn:ratio`
	qKPIRAG     = `kpi:rag:status`
)

type kpiLine struct {
	outturn, rag map[string]float64 // by kpi
}

func takeKPIs(ctx context.Context, src Source) (kpiLine, error) {
	var l kpiLine
	var err error
	if l.outturn, err = byLabel(ctx, src, qKPIOutturn, "kpi"); err != nil {
		return kpiLine{}, err
	}
	if l.rag, err = byLabel(ctx, src, qKPIRAG, "kpi"); err != nil {
		return kpiLine{}, err
	}
	return l, nil
}

// renderKPIs writes one line: how many KPIs are green, which are amber and
// red with their outturn, and how many are information only.
func (s Snapshot) renderKPIs(w io.Writer) {
	l := s.kpis
	if len(l.outturn) == 0 && len(l.rag) == 0 {
		return
	}
	names := map[float64][]string{}
	for id, v := range l.rag {
		o := "-"
		if x, ok := l.outturn[id]; ok {
			o = fmt.Sprintf("%.1f%%", x)
		}
		names[v] = append(names[v], id+" "+o)
	}
	for _, n := range names {
		sort.Strings(n)
	}
	info := 0
	for id := range l.outturn {
		if _, ok := l.rag[id]; !ok {
			info++
		}
	}
	parts := []string{fmt.Sprintf("%d green", len(names[2]))}
	if n := names[1]; len(n) > 0 {
		parts = append(parts, fmt.Sprintf("%d amber (%s)", len(n), strings.Join(n, ", ")))
	}
	if n := names[0]; len(n) > 0 {
		parts = append(parts, fmt.Sprintf("%d RED (%s)", len(n), strings.Join(n, ", ")))
	}
	if info > 0 {
		parts = append(parts, fmt.Sprintf("%d information only", info))
	}
	fmt.Fprintf(w, "KPIs: %s\n", strings.Join(parts, ", "))
}
