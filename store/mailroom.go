package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Mail-room count periods (mailroom_files.period, mailroom_counts.period).
const (
	MailroomDaily   = "daily"
	MailroomMonthly = "monthly"
)

// Limits of the mail-room records.
const (
	// MaxMailroomCount bounds one count: past it, a value is a typo.
	MaxMailroomCount     = 999_999_999
	maxMailroomNameBytes = 255
	maxMailroomIDBytes   = 200
)

// ErrInvalidMailroom is matched (errors.Is) by every validation error of
// the mail-room methods; the message names the field and what is valid.
var ErrInvalidMailroom = errors.New("invalid mail-room record")

type invalidMailroom struct{ msg string }

func (e *invalidMailroom) Error() string        { return e.msg }
func (e *invalidMailroom) Is(target error) bool { return target == ErrInvalidMailroom }

func badMailroom(format string, args ...any) error {
	return &invalidMailroom{"store: mail room: " + fmt.Sprintf(format, args...)}
}

// MailroomCounts are the counts of SPEC.md's mail-room list for one
// business unit, region and day or month.
type MailroomCounts struct {
	InboundRoyalMail, InboundCourier, InboundOther                                 int64
	OutboundRoyalMail, OutboundCourier, OutboundOther                              int64
	ValuablesTotal, ValuablesBankable, ValuablesUnbankable, ValuablesCustomerValue int64
	Harmful, Missing, Misdirected                                                  int64
	ScanningJobs, ScannedPages                                                     int64
	TypingJobsReceived, TypingJobsCompleted                                        int64
	SwitchboardCallsReceived, SwitchboardCallsAbusive, SwitchboardCallsAbandoned   int64
}

// MailroomCountColumns are the names of the counts, in the order of
// (*MailroomCounts).Fields: the store's columns and the count files'.
func MailroomCountColumns() []string {
	return []string{
		"inbound_royal_mail", "inbound_courier", "inbound_other",
		"outbound_royal_mail", "outbound_courier", "outbound_other",
		"valuables_total", "valuables_bankable", "valuables_unbankable", "valuables_customer_value",
		"harmful", "missing", "misdirected",
		"scanning_jobs", "scanned_pages",
		"typing_jobs_received", "typing_jobs_completed",
		"switchboard_calls_received", "switchboard_calls_abusive", "switchboard_calls_abandoned",
	}
}

// Fields points at every count, in the order of MailroomCountColumns.
func (c *MailroomCounts) Fields() []*int64 {
	return []*int64{
		&c.InboundRoyalMail, &c.InboundCourier, &c.InboundOther,
		&c.OutboundRoyalMail, &c.OutboundCourier, &c.OutboundOther,
		&c.ValuablesTotal, &c.ValuablesBankable, &c.ValuablesUnbankable, &c.ValuablesCustomerValue,
		&c.Harmful, &c.Missing, &c.Misdirected,
		&c.ScanningJobs, &c.ScannedPages,
		&c.TypingJobsReceived, &c.TypingJobsCompleted,
		&c.SwitchboardCallsReceived, &c.SwitchboardCallsAbusive, &c.SwitchboardCallsAbandoned,
	}
}

// IsZero reports whether every count is 0.
func (c MailroomCounts) IsZero() bool { return c == MailroomCounts{} }

// MailroomCountRow is one row of a count file: the counts of a business
// unit and region on Day (YYYY-MM-DD, period daily) or in a month
// (YYYY-MM, period monthly).
type MailroomCountRow struct {
	Period, BusinessUnit, Region, Day string
	Counts                            MailroomCounts
}

// MailroomFile is a count file to store: its name as dropped (no
// directory), the SHA-256 of its bytes in lowercase hex, its one period
// and its rows (at least one; one per business unit, region and day).
type MailroomFile struct {
	Name, SHA256, Period string
	Rows                 []MailroomCountRow
}

// MailroomFileRecord is a stored count file.
type MailroomFileRecord struct {
	ID        int64
	Name      string
	Period    string
	Rows      int
	Processed time.Time
}

// MailroomFileResult is what RecordMailroomFile did.
type MailroomFileResult struct {
	// Duplicate: a file with the same SHA-256 was stored before (Earlier);
	// nothing was written.
	Duplicate bool
	Earlier   MailroomFileRecord
	// File is the stored file (when not Duplicate).
	File MailroomFileRecord
	// Added, per row, is how much each count's high-water mark grew: the
	// row's count less the largest earlier count of the same period,
	// business unit, region and day, or 0 when not larger. It is what a
	// counter that never decreases must add.
	Added []MailroomCounts
	// Replaced, per row, reports that earlier files had counts for the same
	// key: the row is a correction and is now the key's figure.
	Replaced []bool
}

// Corrections is the number of rows that replaced earlier counts.
func (r MailroomFileResult) Corrections() int {
	n := 0
	for _, b := range r.Replaced {
		if b {
			n++
		}
	}
	return n
}

// validMailroomDay checks day against the period's format.
func validMailroomDay(period, day string) bool {
	switch period {
	case MailroomDaily:
		_, err := time.Parse(time.DateOnly, day)
		return err == nil && len(day) == 10
	case MailroomMonthly:
		_, err := time.Parse("2006-01", day)
		return err == nil && len(day) == 7
	}
	return false
}

func validateMailroomRow(i int, period string, r *MailroomCountRow) error {
	what := fmt.Sprintf("row %d", i+1)
	switch {
	case r.Period != period:
		return badMailroom("%s: Period is %q; every row of a file has the file's period %q", what, r.Period, period)
	case !validToken(r.BusinessUnit):
		return badMailroom("%s: BusinessUnit %q is not a catalogue id (1 to 64 of a-z 0-9 _ -)", what, r.BusinessUnit)
	case !validToken(r.Region):
		return badMailroom("%s: Region %q is not a catalogue id (1 to 64 of a-z 0-9 _ -)", what, r.Region)
	case !validMailroomDay(period, r.Day):
		return badMailroom("%s: Day %q is not a %s date; want YYYY-MM-DD for daily, YYYY-MM for monthly", what, r.Day, period)
	}
	for j, p := range r.Counts.Fields() {
		if *p < 0 || *p > MaxMailroomCount {
			return badMailroom("%s: %s is %d; want 0 to %d", what, MailroomCountColumns()[j], *p, MaxMailroomCount)
		}
	}
	return nil
}

func validateMailroomFile(f *MailroomFile) error {
	switch {
	case len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "":
		return badMailroom("file %q: SHA256 is not 64 lowercase hex digits", f.Name)
	case f.Name == "" || len(f.Name) > maxMailroomNameBytes || strings.ContainsAny(f.Name, "/\\") || !validText(f.Name):
		return badMailroom("file name %q: want the file's base name, 1 to %d bytes, one line", f.Name, maxMailroomNameBytes)
	case f.Period != MailroomDaily && f.Period != MailroomMonthly:
		return badMailroom("file %q: Period is %q; want %s or %s", f.Name, f.Period, MailroomDaily, MailroomMonthly)
	case len(f.Rows) == 0:
		return badMailroom("file %q: no rows; a count file has at least one", f.Name)
	}
	seen := map[[3]string]int{}
	for i := range f.Rows {
		r := &f.Rows[i]
		if err := validateMailroomRow(i, f.Period, r); err != nil {
			return err
		}
		k := [3]string{r.BusinessUnit, r.Region, r.Day}
		if j, dup := seen[k]; dup {
			return badMailroom("file %q: rows %d and %d are both %s/%s %s; one row per business unit, region and day", f.Name, j+1, i+1, r.BusinessUnit, r.Region, r.Day)
		}
		seen[k] = i
	}
	return nil
}

func mailroomFileByHash(ctx context.Context, q rowQuerier, d dialect, sha string) (MailroomFileRecord, error) {
	var r MailroomFileRecord
	var ns int64
	err := q.QueryRowContext(ctx, d.rebind(`SELECT id, name, period, row_count, processed_ns FROM mailroom_files WHERE sha256 = ?`), sha).
		Scan(&r.ID, &r.Name, &r.Period, &r.Rows, &ns)
	r.Processed = utcNanos(ns)
	return r, err
}

// MailroomFileByHash returns the stored file with that SHA-256; found is
// false when none.
func (s *Store) MailroomFileByHash(ctx context.Context, sha string) (rec MailroomFileRecord, found bool, err error) {
	rec, err = mailroomFileByHash(ctx, s.db, s.d, sha)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return MailroomFileRecord{}, false, nil
	case err != nil:
		return rec, false, fmt.Errorf("store: mail-room file %.12s…: %w", sha, err)
	}
	return rec, true, nil
}

var mailroomCountCols = strings.Join(MailroomCountColumns(), ", ")

// RecordMailroomFile stores a count file and its rows in one transaction,
// once by SHA-256: a file whose hash is stored already writes nothing and
// returns Duplicate with the earlier file. For each row it returns how much
// each count's high-water mark (the largest count ever stored for the same
// period, business unit, region and day) grew, and whether the row replaced
// earlier counts. processed is when the file was processed. Validation
// errors match ErrInvalidMailroom.
func (s *Store) RecordMailroomFile(ctx context.Context, f MailroomFile, processed time.Time) (MailroomFileResult, error) {
	if err := validateMailroomFile(&f); err != nil {
		return MailroomFileResult{}, err
	}
	if !inNanoRange(processed) {
		return MailroomFileResult{}, badMailroom("file %q: processed time is zero or out of range", f.Name)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return MailroomFileResult{}, fmt.Errorf("store: begin mail-room file %q: %w", f.Name, err)
	}
	defer tx.Rollback()
	res := MailroomFileResult{File: MailroomFileRecord{Name: f.Name, Period: f.Period, Rows: len(f.Rows), Processed: processed.UTC()}}
	err = tx.QueryRowContext(ctx, s.d.rebind(`INSERT INTO mailroom_files (sha256, name, period, row_count, processed_ns)
 VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING RETURNING id`),
		f.SHA256, f.Name, f.Period, len(f.Rows), processed.UnixNano()).Scan(&res.File.ID)
	if errors.Is(err, sql.ErrNoRows) {
		earlier, err := mailroomFileByHash(ctx, tx, s.d, f.SHA256)
		if err != nil {
			return MailroomFileResult{}, fmt.Errorf("store: read the earlier mail-room file of %q: %w", f.Name, err)
		}
		return MailroomFileResult{Duplicate: true, Earlier: earlier}, nil
	}
	if err != nil {
		return MailroomFileResult{}, fmt.Errorf("store: insert mail-room file %q: %w", f.Name, err)
	}
	maxCols := make([]string, 0, 21)
	for _, c := range MailroomCountColumns() {
		maxCols = append(maxCols, "COALESCE(MAX("+c+"), 0)")
	}
	maxCols = append(maxCols, "COUNT(*)")
	prevQ := s.d.rebind(`SELECT ` + strings.Join(maxCols, ", ") + ` FROM mailroom_counts
 WHERE period = ? AND business_unit = ? AND region = ? AND day = ?`)
	ph := strings.TrimSuffix(strings.Repeat("?, ", 25), ", ")
	insQ := s.d.rebind(`INSERT INTO mailroom_counts (file_id, period, business_unit, region, day, ` + mailroomCountCols + `) VALUES (` + ph + `)`)
	for i := range f.Rows {
		r := &f.Rows[i]
		var prev MailroomCounts
		var n int64
		dest := make([]any, 0, 21)
		for _, p := range prev.Fields() {
			dest = append(dest, p)
		}
		if err := tx.QueryRowContext(ctx, prevQ, f.Period, r.BusinessUnit, r.Region, r.Day).Scan(append(dest, &n)...); err != nil {
			return MailroomFileResult{}, fmt.Errorf("store: earlier counts of %s/%s %s: %w", r.BusinessUnit, r.Region, r.Day, err)
		}
		var added MailroomCounts
		af, pf := added.Fields(), prev.Fields()
		args := []any{res.File.ID, f.Period, r.BusinessUnit, r.Region, r.Day}
		for j, p := range r.Counts.Fields() {
			if *p > *pf[j] {
				*af[j] = *p - *pf[j]
			}
			args = append(args, *p)
		}
		if _, err := tx.ExecContext(ctx, insQ, args...); err != nil {
			return MailroomFileResult{}, fmt.Errorf("store: insert counts of %s/%s %s: %w", r.BusinessUnit, r.Region, r.Day, err)
		}
		res.Added = append(res.Added, added)
		res.Replaced = append(res.Replaced, n > 0)
	}
	if err := tx.Commit(); err != nil {
		return MailroomFileResult{}, fmt.Errorf("store: commit mail-room file %q: %w", f.Name, err)
	}
	return res, nil
}

// MailroomCountTotals are, per period, business unit and region, the sums
// over the days (or months) of each count's high-water mark: what the
// exporter's counters hold, restored at start. Ordered by period, business
// unit, region; Day is empty.
func (s *Store) MailroomCountTotals(ctx context.Context) ([]MailroomCountRow, error) {
	var maxes, sums []string
	for _, c := range MailroomCountColumns() {
		maxes = append(maxes, "MAX("+c+") AS "+c)
		sums = append(sums, "CAST(SUM("+c+") AS BIGINT)")
	}
	q := `SELECT period, business_unit, region, ` + strings.Join(sums, ", ") + ` FROM (SELECT period, business_unit, region, day, ` +
		strings.Join(maxes, ", ") + ` FROM mailroom_counts GROUP BY period, business_unit, region, day) m
 GROUP BY period, business_unit, region ORDER BY period, business_unit, region`
	return s.mailroomRows(ctx, "totals", q, false)
}

// MailroomFigures are the current figures (the latest file's row) of every
// business unit, region and day of the period with fromDay <= day <= toDay
// (compared as text: YYYY-MM-DD or YYYY-MM), ordered by business unit,
// region and day. Reports read these.
func (s *Store) MailroomFigures(ctx context.Context, period, fromDay, toDay string) ([]MailroomCountRow, error) {
	if period != MailroomDaily && period != MailroomMonthly {
		return nil, badMailroom("figures: period is %q; want %s or %s", period, MailroomDaily, MailroomMonthly)
	}
	q := `SELECT period, business_unit, region, day, ` + mailroomCountCols + ` FROM mailroom_counts c
 WHERE period = ? AND day >= ? AND day <= ? AND id = (SELECT MAX(id) FROM mailroom_counts l
 WHERE l.period = c.period AND l.business_unit = c.business_unit AND l.region = c.region AND l.day = c.day)
 ORDER BY business_unit, region, day`
	return s.mailroomRows(ctx, "figures", q, true, period, fromDay, toDay)
}

func (s *Store) mailroomRows(ctx context.Context, what, q string, withDay bool, args ...any) ([]MailroomCountRow, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: mail-room %s: %w", what, err)
	}
	defer rows.Close()
	var out []MailroomCountRow
	for rows.Next() {
		var r MailroomCountRow
		dest := []any{&r.Period, &r.BusinessUnit, &r.Region}
		if withDay {
			dest = append(dest, &r.Day)
		}
		for _, p := range r.Counts.Fields() {
			dest = append(dest, p)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: mail-room %s: %w", what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: mail-room %s: %w", what, err)
	}
	return out, nil
}

// MailroomLatest is when the latest count file was processed and the
// latest item event was received (zero when none).
func (s *Store) MailroomLatest(ctx context.Context) (file, item time.Time, err error) {
	var f, i int64
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(processed_ns), 0) FROM mailroom_files),
 (SELECT COALESCE(MAX(received_ns), 0) FROM mailroom_items)`).Scan(&f, &i); err != nil {
		return file, item, fmt.Errorf("store: latest mail-room file and item: %w", err)
	}
	if f != 0 {
		file = utcNanos(f)
	}
	if i != 0 {
		item = utcNanos(i)
	}
	return file, item, nil
}
