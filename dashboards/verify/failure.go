package verify

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Failure is one query (or variable) of one board that errors or returns
// no data.
type Failure struct {
	Board      string // the dashboard's uid
	PanelID    int    // 0 for a variable
	PanelTitle string // the panel's title, or "variable $name"
	RefID      string
	Expr       string // as run (variables expanded), or as written when expansion failed
	Reason     string
	// NoValues: the result has series but every value is NaN (a board's
	// "or x * NaN" rows for things not measured yet). Grafana shows the
	// rows without values; whether that is a fault depends on the data.
	NoValues bool
}

// Split separates the failures that are errors or empty results from
// the NoValues ones.
func Split(fs []Failure) (hard, noValues []Failure) {
	for _, f := range fs {
		if f.NoValues {
			noValues = append(noValues, f)
		} else {
			hard = append(hard, f)
		}
	}
	return hard, noValues
}

func (f Failure) String() string {
	where := fmt.Sprintf("panel %d %q", f.PanelID, f.PanelTitle)
	if f.PanelID == 0 {
		where = f.PanelTitle
	}
	if f.RefID != "" {
		where += " (" + f.RefID + ")"
	}
	return fmt.Sprintf("%s %s: %s\n    %s", f.Board, where, f.Reason, strings.Join(strings.Fields(f.Expr), " "))
}

// Report sorts failures by board, panel and target and writes one per
// line ("" when there are none).
func Report(fs []Failure) string {
	fs = slices.Clone(fs)
	slices.SortFunc(fs, func(a, b Failure) int {
		return cmp.Or(cmp.Compare(a.Board, b.Board), cmp.Compare(a.PanelID, b.PanelID), cmp.Compare(a.RefID, b.RefID),
			cmp.Compare(a.PanelTitle, b.PanelTitle))
	})
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}
