package mailroom

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Key columns of a count file; the count columns are
// store.MailroomCountColumns().
const (
	ColPeriod       = "period"
	ColBusinessUnit = "business_unit"
	ColRegion       = "region"
	ColDate         = "date"
)

// MaxFileRows bounds the rows of one count file.
const MaxFileRows = 10_000

// Reason codes of a rejected file: the reason label of
// mailroom_exporter_file_rejections_total.
const (
	ReasonEmpty               = "empty"
	ReasonTooLarge            = "too_large"
	ReasonCSV                 = "csv_syntax"
	ReasonHeader              = "header"
	ReasonPeriod              = "period"
	ReasonDate                = "date"
	ReasonCount               = "count"
	ReasonUnknownBusinessUnit = "unknown_business_unit"
	ReasonUnknownRegion       = "unknown_region"
	ReasonDuplicateRow        = "duplicate_row"
	ReasonDuplicateFile       = "duplicate_file"
)

// FileReasons lists every file rejection reason code.
func FileReasons() []string {
	return []string{ReasonEmpty, ReasonTooLarge, ReasonCSV, ReasonHeader, ReasonPeriod, ReasonDate, ReasonCount,
		ReasonUnknownBusinessUnit, ReasonUnknownRegion, ReasonDuplicateRow, ReasonDuplicateFile}
}

// CountFile is a parsed, valid count file: one period, at least one row.
type CountFile struct {
	Period string
	Rows   []store.MailroomCountRow
}

// FileError is why a count file was rejected: Line is the file's line
// (1 = header; 0 for the whole file), Column the column's name.
type FileError struct {
	Line   int
	Column string
	Code   string
	Reason string
}

func (e *FileError) Error() string {
	switch {
	case e.Line > 0 && e.Column != "":
		return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return e.Reason
}

func fileErr(line int, col, code, format string, args ...any) *FileError {
	return &FileError{Line: line, Column: col, Code: code, Reason: fmt.Sprintf(format, args...)}
}

// Header is the header row of a count file in the canonical order.
func Header() []string {
	return append([]string{ColPeriod, ColBusinessUnit, ColRegion, ColDate}, store.MailroomCountColumns()...)
}

// ParseCountFile parses and validates a count file against the catalogue's
// mail room. today is the current local date (catalogue time zone): a
// daily date after it, or a month after its month, is refused. It is pure:
// no I/O, the same bytes give the same answer.
func ParseCountFile(data []byte, mr *catalog.MailRoom, today time.Time) (CountFile, *FileError) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's UTF-8 BOM
	if len(bytes.TrimSpace(data)) == 0 {
		return CountFile{}, fileErr(0, "", ReasonEmpty, "the file is empty; want a header row and one row per business unit, region and date")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.TrimLeadingSpace = true
	r.ReuseRecord = false
	head, err := r.Read()
	if err != nil {
		return CountFile{}, csvErr(err, 0)
	}
	cols, ferr := parseHeader(head)
	if ferr != nil {
		return CountFile{}, ferr
	}
	r.FieldsPerRecord = len(head)
	var f CountFile
	seen := map[[3]string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return CountFile{}, csvErr(err, len(head))
		}
		line, _ := r.FieldPos(0)
		if len(f.Rows) == MaxFileRows {
			return CountFile{}, fileErr(line, "", ReasonTooLarge, "more than %d rows; split the file", MaxFileRows)
		}
		row, ferr := parseRow(rec, cols, line, mr, today)
		if ferr != nil {
			return CountFile{}, ferr
		}
		if f.Period == "" {
			f.Period = row.Period
		} else if row.Period != f.Period {
			return CountFile{}, fileErr(line, ColPeriod, ReasonPeriod, "%q but line 2 is %q; a file holds one period (send daily and monthly counts in separate files)", row.Period, f.Period)
		}
		k := [3]string{row.BusinessUnit, row.Region, row.Day}
		if prev, dup := seen[k]; dup {
			return CountFile{}, fileErr(line, "", ReasonDuplicateRow, "%s/%s %s is on line %d already; one row per business unit, region and date", row.BusinessUnit, row.Region, row.Day, prev)
		}
		seen[k] = line
		f.Rows = append(f.Rows, row)
	}
	if len(f.Rows) == 0 {
		return CountFile{}, fileErr(0, "", ReasonEmpty, "a header and no rows; want one row per business unit, region and date")
	}
	return f, nil
}

func csvErr(err error, fields int) *FileError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return fileErr(pe.Line, "", ReasonCSV, "wrong number of fields; every row has the header's %d columns", fields)
		}
		return fileErr(pe.Line, "", ReasonCSV, "%v (column %d); want comma-separated values, text with commas in double quotes", pe.Err, pe.Column)
	}
	return fileErr(0, "", ReasonCSV, "%v", err)
}

// columns maps each column's name to its index in a row.
type columns struct {
	period, bu, region, date int
	counts                   []int // in store.MailroomCountColumns order
}

func parseHeader(head []string) (columns, *FileError) {
	idx := map[string]int{}
	valid := Header()
	known := map[string]bool{}
	for _, v := range valid {
		known[v] = true
	}
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case name == "":
			return columns{}, fileErr(1, fmt.Sprint(i+1), ReasonHeader, "column %d has no name; the header names every column", i+1)
		case !known[name]:
			return columns{}, fileErr(1, strconv.Quote(truncate(name, 40)), ReasonHeader, "unknown column; valid columns: %s", strings.Join(valid, ", "))
		}
		if _, dup := idx[name]; dup {
			return columns{}, fileErr(1, name, ReasonHeader, "the column appears twice")
		}
		idx[name] = i
	}
	var missing []string
	for _, v := range valid {
		if _, ok := idx[v]; !ok {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return columns{}, fileErr(1, "", ReasonHeader, "missing column(s) %s; a count file has every column (write 0 for none): %s",
			strings.Join(missing, ", "), strings.Join(valid, ", "))
	}
	c := columns{period: idx[ColPeriod], bu: idx[ColBusinessUnit], region: idx[ColRegion], date: idx[ColDate]}
	for _, name := range store.MailroomCountColumns() {
		c.counts = append(c.counts, idx[name])
	}
	return c, nil
}

func parseRow(rec []string, c columns, line int, mr *catalog.MailRoom, today time.Time) (store.MailroomCountRow, *FileError) {
	cell := func(i int) string { return strings.TrimSpace(rec[i]) }
	var row store.MailroomCountRow
	row.Period = strings.ToLower(cell(c.period))
	if row.Period != store.MailroomDaily && row.Period != store.MailroomMonthly {
		return row, fileErr(line, ColPeriod, ReasonPeriod, "%q; want daily (date YYYY-MM-DD) or monthly (date YYYY-MM)", truncate(cell(c.period), 40))
	}
	row.BusinessUnit = cell(c.bu)
	bu, ok := mr.BusinessUnit(row.BusinessUnit)
	if !ok {
		return row, fileErr(line, ColBusinessUnit, ReasonUnknownBusinessUnit, "%q is not a business unit of the catalogue; valid: %s",
			truncate(row.BusinessUnit, 40), strings.Join(mr.BusinessUnitIDs(), ", "))
	}
	row.Region = cell(c.region)
	if !bu.Region(row.Region) {
		return row, fileErr(line, ColRegion, ReasonUnknownRegion, "%q is not a region of business unit %s; valid: %s",
			truncate(row.Region, 40), bu.ID, strings.Join(bu.RegionIDs(), ", "))
	}
	day, ferr := parseDate(cell(c.date), row.Period, line, today)
	if ferr != nil {
		return row, ferr
	}
	row.Day = day
	names := store.MailroomCountColumns()
	for j, p := range row.Counts.Fields() {
		v, ferr := parseCount(cell(c.counts[j]), names[j], line)
		if ferr != nil {
			return row, ferr
		}
		*p = v
	}
	return row, nil
}

func parseDate(s, period string, line int, today time.Time) (string, *FileError) {
	layout, want := time.DateOnly, "YYYY-MM-DD"
	if period == store.MailroomMonthly {
		layout, want = "2006-01", "YYYY-MM"
	}
	t, err := time.Parse(layout, s)
	if err != nil || len(s) != len(layout) {
		return "", fileErr(line, ColDate, ReasonDate, "%q is not a %s date; want %s", truncate(s, 40), period, want)
	}
	y, m, d := today.Date()
	limit := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if period == store.MailroomMonthly {
		limit = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	}
	switch {
	case t.After(limit):
		return "", fileErr(line, ColDate, ReasonDate, "%s is in the future (today is %s); counts are of days that have happened", s, today.Format(time.DateOnly))
	case t.Year() < 2000:
		return "", fileErr(line, ColDate, ReasonDate, "%s is before 2000; check the year", s)
	}
	return s, nil
}

func parseCount(s, col string, line int) (int64, *FileError) {
	if s == "" {
		return 0, fileErr(line, col, ReasonCount, "empty; write 0 for none")
	}
	if strings.Trim(s, "0123456789") != "" || len(s) > 9 {
		return 0, fileErr(line, col, ReasonCount, "%q is not a count; want a whole number from 0 to %d, digits only (no sign, decimals or separators)",
			truncate(s, 40), store.MaxMailroomCount)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fileErr(line, col, ReasonCount, "%q is not a count: %v", s, err)
	}
	return v, nil
}

// truncate shortens untrusted text for a message.
func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
