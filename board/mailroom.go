package board

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Mail-room queries (exporters/mailroom): the last hour's items by
// direction as the scanners and sorting stations post them (count files
// overlap them and come a day later: never summed with them), harmful
// items from any source in 24 hours, the third-week daily counts missing.
const (
	qMailItems   = `sum by (direction) (increase(mailroom_items_total{source="api"}[1h]))`
	qMailHarmful = `sum(increase(mailroom_harmful_items_total[24h]))`
	qMailMissing = `sum by (business_unit) (mailroom_daily_count_missing)`
)

type mailLine struct {
	present bool
	items   map[string]float64 // by direction
	harmful float64
	missing map[string]float64 // by business unit
}

func takeMailroom(ctx context.Context, src Source) (mailLine, error) {
	var l mailLine
	var err error
	if l.items, err = byLabel(ctx, src, qMailItems, "direction"); err != nil {
		return mailLine{}, err
	}
	h, err := byLabel(ctx, src, qMailHarmful, "")
	if err != nil {
		return mailLine{}, err
	}
	l.harmful = total(h)
	if l.missing, err = byLabel(ctx, src, qMailMissing, "business_unit"); err != nil {
		return mailLine{}, err
	}
	l.present = len(l.items) > 0 || len(h) > 0 || len(l.missing) > 0
	return l, nil
}

// renderMailroom writes one line: items in and out, harmful items, and the
// business units whose daily count is missing.
func (s Snapshot) renderMailroom(w io.Writer) {
	l := s.mail
	if !l.present {
		return
	}
	line := fmt.Sprintf("mail room last hour: %.0f items in, %.0f out", l.items["inbound"], l.items["outbound"])
	if l.harmful > 0 {
		line += fmt.Sprintf("; %.0f HARMFUL in 24h", l.harmful)
	}
	var units []string
	for bu, v := range l.missing {
		if v > 0 {
			units = append(units, fmt.Sprintf("%s %.0f", bu, v))
		}
	}
	sort.Strings(units)
	if len(units) > 0 {
		line += "; daily counts MISSING: " + strings.Join(units, ", ")
	}
	fmt.Fprintln(w, line)
}
