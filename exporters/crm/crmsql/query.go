package crmsql

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// quoteIdent double-quotes one identifier. Mapping identifiers match
// reIdent, so there is nothing to escape; doubling quotes keeps it safe
// anyway.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteName quotes each part of a possibly schema-qualified name.
func quoteName(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = quoteIdent(p)
	}
	return strings.Join(parts, ".")
}

// The forms of a table's page query.
type queryKind int

const (
	// queryStart reads from the beginning (no saved cursor).
	queryStart queryKind = iota
	// queryAfter reads the rows after a position: ($1 cursor, $2… key).
	queryAfter
	// queryLagStart reads the lag window: cursor >= $1 and at or before
	// the saved position ($2 cursor, $3… key).
	queryLagStart
	// queryLagAfter continues the lag window after a position ($1, $2…)
	// up to the saved one.
	queryLagAfter
)

// bounded reports whether the table's reads stop at the horizon (now plus
// the clock skew): timestamp cursors do, so that a row with a cursor in the
// future (a wrong clock, a typo of 2099) is not read yet, and the cursor
// is never saved beyond the present.
func (t *Table) bounded() bool { return t.CursorType == CursorTimestamp }

// order is the columns of the read order: the cursor, then the key
// columns other than it.
func (t *Table) order() []string {
	order := make([]string, 0, 1+len(t.Key))
	order = append(order, quoteIdent(t.Cursor))
	for _, i := range t.tiebreak {
		order = append(order, quoteIdent(t.Key[i]))
	}
	return order
}

// where is the condition of a query form; its parameters are numbered from
// 1: the positions, then (bounded tables, the forms reading past the saved
// position) the horizon.
func (t *Table) where(kind queryKind, horizon bool) string {
	order := t.order()
	tuple := "(" + strings.Join(order, ", ") + ")"
	params := func(from int) string {
		ps := make([]string, len(order))
		for i := range ps {
			ps[i] = "$" + strconv.Itoa(from+i)
		}
		return "(" + strings.Join(ps, ", ") + ")"
	}
	cur := quoteIdent(t.Cursor)
	var conds []string
	next := 1
	switch kind {
	case queryStart:
		if t.bounded() {
			conds = append(conds, cur+" > '-infinity'")
		} else {
			conds = append(conds, cur+" IS NOT NULL")
		}
	case queryAfter:
		conds, next = append(conds, tuple+" > "+params(1)), 1+len(order)
	case queryLagStart:
		conds = append(conds, cur+" >= $1", tuple+" <= "+params(2))
	case queryLagAfter:
		conds = append(conds, tuple+" > "+params(1), tuple+" <= "+params(1+len(order)))
	}
	if horizon && t.bounded() && (kind == queryStart || kind == queryAfter) {
		conds = append(conds, cur+" <= $"+strconv.Itoa(next))
	}
	// A NULL key cannot be a position: such rows (of a view) are never read.
	for _, i := range t.tiebreak {
		conds = append(conds, quoteIdent(t.Key[i])+" IS NOT NULL")
	}
	return strings.Join(conds, " AND ")
}

// query is the SQL of one page. Positions are passed as text parameters;
// PostgreSQL parses them as the columns' own types.
func (t *Table) query(kind queryKind, batch int) string {
	cols := make([]string, len(t.cols))
	for i, c := range t.cols {
		cols[i] = quoteIdent(c)
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + quoteName(t.Name) +
		" WHERE " + t.where(kind, true) + " ORDER BY " + strings.Join(t.order(), ", ") + " LIMIT " + strconv.Itoa(batch)
}

// describeQuery reads no row: its result's column types are checked
// before the table is read.
func (t *Table) describeQuery() string {
	cols := make([]string, len(t.cols))
	for i, c := range t.cols {
		cols[i] = quoteIdent(c)
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + quoteName(t.Name) + " LIMIT 0"
}

// maxHeldCount bounds the count of the rows a poll left unread.
const maxHeldCount = 10000

// heldQuery counts (up to maxHeldCount) the rows after a position ($1,
// $2…), or from the start without one: after a poll, the rows it held
// back (a cursor beyond the horizon, or behind an event time in the
// future).
func (t *Table) heldQuery(fromStart bool) string {
	w := t.where(queryAfter, false)
	if fromStart {
		w = t.where(queryStart, false)
	}
	return "SELECT COUNT(*) FROM (SELECT 1 FROM " + quoteName(t.Name) + " WHERE " + w + " LIMIT " + strconv.Itoa(maxHeldCount) + ") AS held"
}

// Explain writes what the mapping reads: per table, its cursor, lag, the
// SQL of each query form and the events with the columns they read.
func (m *Mapping) Explain(w io.Writer, batch int) {
	fmt.Fprintf(w, "# %s: source %q, time zone %s, %d tables, batch %d\n", m.File, m.Source, m.TimeZone, len(m.Tables), batch)
	for _, warn := range m.Warnings() {
		fmt.Fprintf(w, "# warning: %s\n", warn)
	}
	for i := range m.Tables {
		t := &m.Tables[i]
		fmt.Fprintf(w, "\n## %s: cursor %s (%s), key %s", t.Name, t.Cursor, t.CursorType, strings.Join(t.Key, ", "))
		switch {
		case t.lag > 0:
			fmt.Fprintf(w, ", lag %s", t.lag)
		case t.lagCount > 0:
			fmt.Fprintf(w, ", lag %d", t.lagCount)
		}
		horizon := ""
		if t.bounded() {
			horizon = "; the last parameter is the horizon, now plus the clock skew (wall-clock time in time_zone for a column without a zone)"
		}
		fmt.Fprintf(w, "\n-- first read (no saved cursor%s):\n%s;\n", horizon, t.query(queryStart, batch))
		fmt.Fprintf(w, "-- every later page ($1 the cursor, then the key of the last row read%s):\n%s;\n", horizon, t.query(queryAfter, batch))
		if t.lag > 0 || t.lagCount > 0 {
			fmt.Fprintf(w, "-- the lag re-read at each poll ($1 the saved cursor minus the lag, then the saved position):\n%s;\n",
				t.query(queryLagStart, batch))
			fmt.Fprintf(w, "-- its later pages ($1… the last row read, then the saved position):\n%s;\n",
				t.query(queryLagAfter, batch))
		}
		for _, e := range t.Events {
			fmt.Fprintf(w, "-- event %s at %s, id %s", e.Type, e.Time, e.ID)
			for _, fs := range fieldSpecs {
				f := fs.get(&e)
				switch {
				case f == nil:
				case f.Value != "":
					fmt.Fprintf(w, ", %s=%q", fs.name, f.Value)
				case f.Map != nil:
					fmt.Fprintf(w, ", %s=%s (%d codes mapped)", fs.name, f.Column, len(f.Map))
				default:
					fmt.Fprintf(w, ", %s=%s", fs.name, f.Column)
				}
			}
			fmt.Fprintln(w)
		}
	}
}
