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

// query is the SQL of one page. Positions are passed as text parameters;
// PostgreSQL parses them as the columns' own types.
func (t *Table) query(kind queryKind, batch int) string {
	cols := make([]string, len(t.cols))
	for i, c := range t.cols {
		cols[i] = quoteIdent(c)
	}
	order := make([]string, 0, 1+len(t.Key))
	order = append(order, quoteIdent(t.Cursor))
	for _, i := range t.tiebreak {
		order = append(order, quoteIdent(t.Key[i]))
	}
	tuple := "(" + strings.Join(order, ", ") + ")"
	params := func(from int) string {
		ps := make([]string, len(order))
		for i := range ps {
			ps[i] = "$" + strconv.Itoa(from+i)
		}
		return "(" + strings.Join(ps, ", ") + ")"
	}
	var where string
	switch kind {
	case queryStart:
		where = quoteIdent(t.Cursor) + " IS NOT NULL"
	case queryAfter:
		where = tuple + " > " + params(1)
	case queryLagStart:
		where = quoteIdent(t.Cursor) + " >= $1 AND " + tuple + " <= " + params(2)
	case queryLagAfter:
		where = tuple + " > " + params(1) + " AND " + tuple + " <= " + params(1+len(order))
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + quoteName(t.Name) +
		" WHERE " + where + " ORDER BY " + strings.Join(order, ", ") + " LIMIT " + strconv.Itoa(batch)
}

// Explain writes what the mapping reads: per table, its cursor, lag, the
// SQL of each query form and the events with the columns they read.
func (m *Mapping) Explain(w io.Writer, batch int) {
	fmt.Fprintf(w, "# %s: source %q, time zone %s, %d tables, batch %d\n", m.File, m.Source, m.TimeZone, len(m.Tables), batch)
	for i := range m.Tables {
		t := &m.Tables[i]
		fmt.Fprintf(w, "\n## %s: cursor %s (%s), key %s", t.Name, t.Cursor, t.CursorType, strings.Join(t.Key, ", "))
		switch {
		case t.lag > 0:
			fmt.Fprintf(w, ", lag %s", t.lag)
		case t.lagCount > 0:
			fmt.Fprintf(w, ", lag %d", t.lagCount)
		}
		fmt.Fprintf(w, "\n-- first read (no saved cursor):\n%s;\n", t.query(queryStart, batch))
		fmt.Fprintf(w, "-- every later page ($1 the cursor, then the key of the last row read):\n%s;\n", t.query(queryAfter, batch))
		if t.lag > 0 || t.lagCount > 0 {
			fmt.Fprintf(w, "-- the lag re-read at each poll ($1 the saved cursor minus the lag, then the saved position):\n%s;\n",
				t.query(queryLagStart, batch))
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
