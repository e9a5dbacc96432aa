package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on the text fields of KPI returns and mitigations.
const (
	MaxKPINoteBytes   = 500
	MaxKPIReasonBytes = 1000
	MaxKPIWhoBytes    = 100
)

// KPIReturn is one manual return of a contract KPI for a period: exact
// counts, numerator/denominator × 100 is the outturn. Returns are never
// changed: a later return for the same KPI and period supersedes the
// earlier one (the highest ID is the latest) and both are kept.
type KPIReturn struct {
	ID int64
	// KPI is the catalogue KPI id, Period its name (2026-09, 2026-Q3,
	// 2026-H2, 2026); the store checks their form, the caller that they
	// exist and match (catalog.Catalog.KPIPeriod).
	KPI, Period string
	// Numerator and Denominator: 0 <= Numerator <= Denominator, Denominator > 0.
	Numerator, Denominator int64
	Note                   string
	// EnteredBy is who entered it (a person id, or an API credential's
	// name); Via how (cli, api).
	EnteredBy, Via string
	Entered        time.Time
}

// KPIMitigation records that a KPI's period is excused by agreement. It is
// reported beside the raw figure and never changes it; a later mitigation
// for the same KPI and period supersedes the earlier one, both are kept.
type KPIMitigation struct {
	ID               int64
	KPI, Period      string
	Reason, AgreedBy string
	EnteredBy, Via   string
	Entered          time.Time
}

// KPIFilter selects returns or mitigations; empty fields select all.
type KPIFilter struct {
	KPI string
	// Periods, if any, are the only periods wanted.
	Periods []string
	// Latest keeps only the latest (highest ID) of each KPI and period.
	Latest bool
}

// ErrInvalidKPI is matched (errors.Is) by every validation error of the
// KPI methods; the message names the field and what is valid.
var ErrInvalidKPI = errors.New("invalid KPI return or mitigation")

type invalidKPI struct{ msg string }

func (e *invalidKPI) Error() string        { return e.msg }
func (e *invalidKPI) Is(target error) bool { return target == ErrInvalidKPI }

func badKPI(what, field, format string, args ...any) error {
	return &invalidKPI{fmt.Sprintf("store: %s: %s %s", what, field, fmt.Sprintf(format, args...))}
}

// validKPIID is a catalogue id: a-z first, then a-z, 0-9, _; at most 64.
func validKPIID(s string) bool {
	if len(s) < 1 || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// validPeriodName is the shape of a period name: 4 to 7 of 0-9, Q, H, -.
func validPeriodName(s string) bool {
	if len(s) < 4 || len(s) > 7 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == 'Q' || c == 'H' || c == '-') {
			return false
		}
	}
	return true
}

// kpiText checks a one-line text field: required or not, at most max bytes.
func kpiText(what, field, v string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return badKPI(what, field, "is empty")
	case len(v) > max:
		return badKPI(what, field, "is %d bytes; at most %d", len(v), max)
	case !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0:
		return badKPI(what, field, "has control characters or invalid UTF-8; want one line of text")
	}
	return nil
}

// kpiKey checks the fields every KPI entry has.
func kpiKey(what string, id int64, kpi, period, by, via string, entered time.Time) error {
	switch {
	case id != 0:
		return badKPI(what, "ID", "is %d; leave it 0, the store assigns it", id)
	case !validKPIID(kpi):
		return badKPI(what, "KPI", "is %q; want a catalogue KPI id (a-z, 0-9, _)", clipKPI(kpi))
	case !validPeriodName(period):
		return badKPI(what, "Period", "is %q; want 2026-09, 2026-Q3, 2026-H2 or 2026", clipKPI(period))
	case !validToken(via):
		return badKPI(what, "Via", "is %q; want cli or api", clipKPI(via))
	case !inNanoRange(entered):
		return badKPI(what, "Entered", "is zero or out of range; want when it was entered")
	}
	return kpiText(what, "EnteredBy", by, MaxKPIWhoBytes, true)
}

func clipKPI(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// AddKPIReturn stores a return and gives it back with its ID and Entered
// in UTC. It needs KPI, Period, EnteredBy, Via and Entered, and
// 0 <= Numerator <= Denominator with Denominator > 0; Note is optional.
// Validation errors match ErrInvalidKPI and store nothing.
func (s *Store) AddKPIReturn(ctx context.Context, r KPIReturn) (KPIReturn, error) {
	what := fmt.Sprintf("KPI return (%s %s)", clipKPI(r.KPI), clipKPI(r.Period))
	if err := kpiKey(what, r.ID, r.KPI, r.Period, r.EnteredBy, r.Via, r.Entered); err != nil {
		return KPIReturn{}, err
	}
	switch {
	case r.Denominator <= 0:
		return KPIReturn{}, badKPI(what, "Denominator", "is %d; want a count above 0", r.Denominator)
	case r.Numerator < 0 || r.Numerator > r.Denominator:
		return KPIReturn{}, badKPI(what, "Numerator", "is %d; want a count from 0 to the denominator %d (x of the y counted)", r.Numerator, r.Denominator)
	}
	if err := kpiText(what, "Note", r.Note, MaxKPINoteBytes, false); err != nil {
		return KPIReturn{}, err
	}
	r.Entered = r.Entered.UTC()
	err := s.db.QueryRowContext(ctx, s.d.rebind(`INSERT INTO kpi_returns (kpi, period, numerator, denominator, note,
 entered_by, via, entered_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		r.KPI, r.Period, r.Numerator, r.Denominator, r.Note, r.EnteredBy, r.Via, r.Entered.UnixNano()).Scan(&r.ID)
	if err != nil {
		return KPIReturn{}, fmt.Errorf("store: insert %s: %w", what, err)
	}
	return r, nil
}

// AddKPIMitigation stores a mitigation and gives it back with its ID. It
// needs KPI, Period, Reason, AgreedBy, EnteredBy, Via and Entered.
// Validation errors match ErrInvalidKPI and store nothing.
func (s *Store) AddKPIMitigation(ctx context.Context, m KPIMitigation) (KPIMitigation, error) {
	what := fmt.Sprintf("KPI mitigation (%s %s)", clipKPI(m.KPI), clipKPI(m.Period))
	if err := kpiKey(what, m.ID, m.KPI, m.Period, m.EnteredBy, m.Via, m.Entered); err != nil {
		return KPIMitigation{}, err
	}
	if err := kpiText(what, "Reason", m.Reason, MaxKPIReasonBytes, true); err != nil {
		return KPIMitigation{}, err
	}
	if err := kpiText(what, "AgreedBy", m.AgreedBy, MaxKPIWhoBytes, true); err != nil {
		return KPIMitigation{}, err
	}
	m.Entered = m.Entered.UTC()
	err := s.db.QueryRowContext(ctx, s.d.rebind(`INSERT INTO kpi_mitigations (kpi, period, reason, agreed_by,
 entered_by, via, entered_ns) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		m.KPI, m.Period, m.Reason, m.AgreedBy, m.EnteredBy, m.Via, m.Entered.UnixNano()).Scan(&m.ID)
	if err != nil {
		return KPIMitigation{}, fmt.Errorf("store: insert %s: %w", what, err)
	}
	return m, nil
}

// kpiWhere builds the WHERE clause of a filter on table t.
func kpiWhere(t string, f KPIFilter) (string, []any) {
	var where []string
	var args []any
	if f.KPI != "" {
		where = append(where, "kpi = ?")
		args = append(args, f.KPI)
	}
	if len(f.Periods) > 0 {
		where = append(where, "period IN (?"+strings.Repeat(", ?", len(f.Periods)-1)+")")
		for _, p := range f.Periods {
			args = append(args, p)
		}
	}
	if f.Latest {
		where = append(where, "id = (SELECT MAX(l.id) FROM "+t+" l WHERE l.kpi = "+t+".kpi AND l.period = "+t+".period)")
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// KPIReturns lists the returns f selects, ordered by KPI, period and ID
// (so the latest of each KPI and period comes last).
func (s *Store) KPIReturns(ctx context.Context, f KPIFilter) ([]KPIReturn, error) {
	where, args := kpiWhere("kpi_returns", f)
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT id, kpi, period, numerator, denominator, note, entered_by, via, entered_ns
 FROM kpi_returns`+where+` ORDER BY kpi, period, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list KPI returns: %w", err)
	}
	defer rows.Close()
	var out []KPIReturn
	for rows.Next() {
		var r KPIReturn
		var ns int64
		if err := rows.Scan(&r.ID, &r.KPI, &r.Period, &r.Numerator, &r.Denominator, &r.Note, &r.EnteredBy, &r.Via, &ns); err != nil {
			return nil, fmt.Errorf("store: read KPI returns: %w", err)
		}
		r.Entered = utcNanos(ns)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read KPI returns: %w", err)
	}
	return out, nil
}

// KPIMitigations lists the mitigations f selects, ordered by KPI, period
// and ID.
func (s *Store) KPIMitigations(ctx context.Context, f KPIFilter) ([]KPIMitigation, error) {
	where, args := kpiWhere("kpi_mitigations", f)
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT id, kpi, period, reason, agreed_by, entered_by, via, entered_ns
 FROM kpi_mitigations`+where+` ORDER BY kpi, period, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list KPI mitigations: %w", err)
	}
	defer rows.Close()
	var out []KPIMitigation
	for rows.Next() {
		var m KPIMitigation
		var ns int64
		if err := rows.Scan(&m.ID, &m.KPI, &m.Period, &m.Reason, &m.AgreedBy, &m.EnteredBy, &m.Via, &ns); err != nil {
			return nil, fmt.Errorf("store: read KPI mitigations: %w", err)
		}
		m.Entered = utcNanos(ns)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read KPI mitigations: %w", err)
	}
	return out, nil
}
