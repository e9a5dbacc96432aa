package telephony

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// requiredColumns must appear in a CSV header.
func requiredColumns() []string {
	return []string{colCallID, colAccessNumber, colServiceOption, colQueuedAt, colEndedAt, colOutcome}
}

// EmitFunc receives each record (err == nil) or each rejected line (err !=
// nil) in file order. Returning an error stops the parse with that error.
type EmitFunc func(line int, rec Record, err *RecordError) error

// ParseCSV reads call records from CSV. The first line is a header naming
// the columns (any order, see Columns); an unknown, repeated or missing
// column is an error for the whole file, naming the column and the valid
// ones. Every later line is one record: a bad line is passed to emit as a
// RecordError with its line number and never stops the rest. Quoted fields
// may not span lines. ParseCSV does no I/O beyond reading r.
func ParseCSV(r io.Reader, emit EmitFunc) error {
	lr := newLineReader(r)
	var cols []string
	for cols == nil {
		line, n, err := lr.next()
		if err == io.EOF {
			return errors.New("csv: empty file: the first line must be a header naming the columns")
		}
		if err != nil {
			return fmt.Errorf("csv: line %d: %w", n, err)
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if cols, err = parseHeader(line); err != nil {
			return fmt.Errorf("csv: line %d: %w", n, err)
		}
	}
	return eachLine(lr, "csv", emit, func(line string, n int) error {
		rec, rerr := parseCSVRow(cols, line, n)
		return emit(n, rec, rerr)
	})
}

func parseHeader(line string) ([]string, error) {
	line = strings.TrimPrefix(line, "\uFEFF")
	fields, err := splitCSV(line)
	if err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	valid := map[string]bool{}
	for _, c := range Columns() {
		valid[c] = true
	}
	seen := map[string]bool{}
	for i, f := range fields {
		f = strings.TrimSpace(f)
		fields[i] = f
		if !valid[f] {
			return nil, fmt.Errorf("header: unknown column %q (column %d); valid columns are %s",
				f, i+1, strings.Join(Columns(), ", "))
		}
		if seen[f] {
			return nil, fmt.Errorf("header: column %q appears twice", f)
		}
		seen[f] = true
	}
	var missing []string
	for _, c := range requiredColumns() {
		if !seen[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("header: missing required column(s) %s", strings.Join(missing, ", "))
	}
	return fields, nil
}

func parseCSVRow(cols []string, line string, n int) (Record, *RecordError) {
	fields, err := splitCSV(line)
	if err != nil {
		return Record{}, recErr(n, "", ReasonSyntax, "not a CSV row: %v", err)
	}
	if len(fields) != len(cols) {
		return Record{}, recErr(n, "", ReasonSyntax, "row has %d fields, the header has %d", len(fields), len(cols))
	}
	var raw rawRecord
	for i, c := range cols {
		raw.set(c, fields[i])
	}
	return raw.toRecord(n)
}

// splitCSV splits one CSV line; the fast path handles lines with no quotes.
func splitCSV(line string) ([]string, error) {
	if !strings.ContainsRune(line, '"') {
		return strings.Split(line, ","), nil
	}
	cr := csv.NewReader(strings.NewReader(line))
	cr.FieldsPerRecord = -1
	fields, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	if _, err := cr.Read(); err != io.EOF {
		return nil, errors.New("a quoted field spans lines")
	}
	return fields, nil
}
