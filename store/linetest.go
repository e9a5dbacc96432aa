package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Line-test run results (linetest_runs.result), the values of the prober's
// contract (exporters/linetest).
const (
	LineTestRunning = "running"
	LineTestPass    = "pass"
	LineTestFail    = "fail"
	LineTestError   = "error"
)

// Limits on the text fields of a line-test run.
const (
	MaxLineTestReasonBytes = 500
	maxLineTestIDBytes     = 200
)

// LineTestRun is one test call to a publicly advertised access number.
type LineTestRun struct {
	ID           int64
	PO           string
	AccessNumber string // E.164, the number tested
	// Trigger is why the test ran: low_demand, handover or manual.
	Trigger string
	// Result is LineTestRunning until FinishLineTestRun (or
	// AbandonRunningLineTests) sets LineTestPass, LineTestFail or
	// LineTestError.
	Result string
	// Reason explains the result ("never reached the queue", "busy", …).
	Reason string
	// DialStatus is the dialer's final call status (completed, busy,
	// no-answer, failed, canceled) and Ref the provider's call id; both
	// are "" until DialedLineTestRun.
	DialStatus, Ref string
	Started         time.Time
	// Dialed is when the call ended (zero until DialedLineTestRun); Ended
	// when the run got its result (zero while running).
	Dialed, Ended time.Time
	// Duration is the test call's duration as the dialer reported it.
	Duration time.Duration
}

// LineTestFilter selects line-test runs; empty fields select all.
type LineTestFilter struct {
	PO, AccessNumber string
	// From and To bound Started: [From, To); a zero time is unbounded.
	From, To time.Time
	// Result is one of the LineTest* results.
	Result string
}

var (
	// ErrInvalidLineTest is matched (errors.Is) by every validation error
	// of the line-test methods; the message names the field and what is
	// valid.
	ErrInvalidLineTest = errors.New("invalid line-test run")
	// ErrNoLineTestRun is returned for a run id that does not exist.
	ErrNoLineTestRun = errors.New("no such line-test run")
	// ErrLineTestNotRunning is returned by DialedLineTestRun for a run that
	// already has its result.
	ErrLineTestNotRunning = errors.New("line-test run is no longer running")
)

type invalidLineTest struct{ msg string }

func (e *invalidLineTest) Error() string        { return e.msg }
func (e *invalidLineTest) Is(target error) bool { return target == ErrInvalidLineTest }

func badLineTest(what, field, format string, args ...any) error {
	return &invalidLineTest{fmt.Sprintf("store: line-test run%s: %s %s", what, field, fmt.Sprintf(format, args...))}
}

// inNanoRange reports whether t is set and fits in int64 unix nanoseconds.
func inNanoRange(t time.Time) bool {
	return !t.IsZero() && !t.Before(time.Unix(0, math.MinInt64+1)) && !t.After(time.Unix(0, math.MaxInt64))
}

// validE164 is + and 2 to 15 digits, the first not 0.
func validE164(n string) bool {
	if len(n) < 3 || len(n) > 16 || n[0] != '+' || n[1] == '0' {
		return false
	}
	for i := 1; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return true
}

// validToken is 1 to 64 of a-z, 0-9, '_' and '-'.
func validToken(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// checkText checks a one-line free-text field of at most max bytes.
func checkText(what, field, v string, max int) error {
	switch {
	case len(v) > max:
		return badLineTest(what, field, "is %d bytes; at most %d", len(v), max)
	case !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0:
		return badLineTest(what, field, "has control characters or invalid UTF-8; want one line of text")
	}
	return nil
}

func validateLineTestStart(r *LineTestRun) error {
	what := fmt.Sprintf(" (%s %s)", r.PO, r.AccessNumber)
	bad := func(field, format string, args ...any) error { return badLineTest(what, field, format, args...) }
	switch {
	case r.ID != 0:
		return bad("ID", "is %d; leave it 0, the store assigns it", r.ID)
	case r.PO == "" || len(r.PO) > maxLineTestIDBytes:
		return bad("PO", "is empty or too long; want a catalogue PO id")
	case !validE164(r.AccessNumber):
		return bad("AccessNumber", "is not E.164; want + and the country code, no spaces, e.g. +442079460001")
	case !validToken(r.Trigger):
		return bad("Trigger", "is %q; want low_demand, handover or manual", r.Trigger)
	case r.Result != "" && r.Result != LineTestRunning:
		return bad("Result", "is %q; a run starts %q (leave it empty), FinishLineTestRun sets its result", r.Result, LineTestRunning)
	case r.DialStatus != "" || r.Ref != "" || !r.Dialed.IsZero() || r.Duration != 0:
		return bad("DialStatus, Ref, Dialed and Duration", "must be empty at the start; DialedLineTestRun sets them")
	case !r.Ended.IsZero():
		return bad("Ended", "must be zero at the start; FinishLineTestRun sets it")
	case !inNanoRange(r.Started):
		return bad("Started", "is zero or out of range; want when the test started")
	}
	return checkText(what, "Reason", r.Reason, MaxLineTestReasonBytes)
}

const lineTestColumns = `id, po, access_number, trigger, result, reason, dial_status, ref,
 started_ns, dialed_ns, ended_ns, duration_ns`

func scanLineTestRun(r rowScanner) (LineTestRun, error) {
	var t LineTestRun
	var started, duration int64
	var dialed, ended sql.NullInt64
	if err := r.Scan(&t.ID, &t.PO, &t.AccessNumber, &t.Trigger, &t.Result, &t.Reason, &t.DialStatus, &t.Ref,
		&started, &dialed, &ended, &duration); err != nil {
		return t, err
	}
	t.Started, t.Duration = utcNanos(started), time.Duration(duration)
	if dialed.Valid {
		t.Dialed = utcNanos(dialed.Int64)
	}
	if ended.Valid {
		t.Ended = utcNanos(ended.Int64)
	}
	return t, nil
}

// StartLineTestRun stores a new run with Result LineTestRunning and returns
// it with its ID and times in UTC. It needs PO, AccessNumber (E.164),
// Trigger and Started; Reason is optional; every other field must be
// empty. Validation errors match ErrInvalidLineTest.
func (s *Store) StartLineTestRun(ctx context.Context, r LineTestRun) (LineTestRun, error) {
	if err := validateLineTestStart(&r); err != nil {
		return LineTestRun{}, err
	}
	r.Result, r.Started = LineTestRunning, r.Started.UTC()
	err := s.db.QueryRowContext(ctx, s.d.rebind(`INSERT INTO linetest_runs (po, access_number, trigger, result, reason,
 dial_status, ref, started_ns, dialed_ns, ended_ns, duration_ns) VALUES (?, ?, ?, ?, ?, '', '', ?, NULL, NULL, 0) RETURNING id`),
		r.PO, r.AccessNumber, r.Trigger, r.Result, r.Reason, r.Started.UnixNano()).Scan(&r.ID)
	if err != nil {
		return LineTestRun{}, fmt.Errorf("store: insert line-test run (%s %s): %w", r.PO, r.AccessNumber, err)
	}
	return r, nil
}

// DialedLineTestRun records how the test call of a running run ended: the
// dialer's status, the provider's call id, when the call ended and its
// duration. The result stays LineTestRunning while the verdict waits for the
// telephony source to see the call arrive; calling it again overwrites.
// A run that has its result already is left alone (ErrLineTestNotRunning);
// an unknown id is ErrNoLineTestRun.
func (s *Store) DialedLineTestRun(ctx context.Context, id int64, dialStatus, ref string, dialed time.Time, duration time.Duration) error {
	what := fmt.Sprintf(" %d", id)
	switch {
	case !validToken(dialStatus):
		return badLineTest(what, "dial status", "is %q; want the dialer's final status (completed, busy, no-answer, failed, canceled)", dialStatus)
	case !inNanoRange(dialed):
		return badLineTest(what, "dialed", "is zero or out of range; want when the call ended")
	case duration < 0:
		return badLineTest(what, "duration", "is %s; want >= 0", duration)
	}
	if err := checkText(what, "ref", ref, maxLineTestIDBytes); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.d.rebind(`UPDATE linetest_runs SET dial_status = ?, ref = ?, dialed_ns = ?, duration_ns = ?
 WHERE id = ? AND result = ?`), dialStatus, ref, dialed.UnixNano(), int64(duration), id, LineTestRunning)
	if err != nil {
		return fmt.Errorf("store: record dial of line-test run %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: record dial of line-test run %d: %w", id, err)
	} else if n == 1 {
		return nil
	}
	result, err := s.lineTestResult(ctx, id)
	if err != nil {
		return err
	}
	return fmt.Errorf("store: record dial of line-test run %d: its result is %s already: %w", id, result, ErrLineTestNotRunning)
}

// lineTestResult is the result of run id, or ErrNoLineTestRun.
func (s *Store) lineTestResult(ctx context.Context, id int64) (string, error) {
	var result string
	err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT result FROM linetest_runs WHERE id = ?`), id).Scan(&result)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: line-test run %d: %w", id, ErrNoLineTestRun)
	}
	if err != nil {
		return "", fmt.Errorf("store: read line-test run %d: %w", id, err)
	}
	return result, nil
}

// FinishLineTestRun gives a running run its result (LineTestPass,
// LineTestFail or LineTestError), reason and end. Only a running run
// changes: for one that has its result already it returns false and
// writes nothing, so a repeated or late finish is harmless (the first
// wins). An unknown id is false with ErrNoLineTestRun.
func (s *Store) FinishLineTestRun(ctx context.Context, id int64, result, reason string, ended time.Time) (bool, error) {
	what := fmt.Sprintf(" %d", id)
	switch {
	case result != LineTestPass && result != LineTestFail && result != LineTestError:
		return false, badLineTest(what, "result", "is %q; want %s, %s or %s", result, LineTestPass, LineTestFail, LineTestError)
	case !inNanoRange(ended):
		return false, badLineTest(what, "ended", "is zero or out of range; want when the run got its result")
	}
	if err := checkText(what, "reason", reason, MaxLineTestReasonBytes); err != nil {
		return false, err
	}
	res, err := s.db.ExecContext(ctx, s.d.rebind(`UPDATE linetest_runs SET result = ?, reason = ?, ended_ns = ?
 WHERE id = ? AND result = ?`), result, reason, ended.UnixNano(), id, LineTestRunning)
	if err != nil {
		return false, fmt.Errorf("store: finish line-test run %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: finish line-test run %d: %w", id, err)
	}
	if n == 1 {
		return true, nil
	}
	if _, err := s.lineTestResult(ctx, id); err != nil {
		return false, err
	}
	return false, nil
}

// LineTestRuns returns the runs that match f, ordered by Started then ID.
func (s *Store) LineTestRuns(ctx context.Context, f LineTestFilter) ([]LineTestRun, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.PO != "" {
		add("po = ?", f.PO)
	}
	if f.AccessNumber != "" {
		add("access_number = ?", f.AccessNumber)
	}
	switch f.Result {
	case "":
	case LineTestRunning, LineTestPass, LineTestFail, LineTestError:
		add("result = ?", f.Result)
	default:
		return nil, badLineTest("s", "filter Result", "is %q; want %s, %s, %s or %s (or empty for all)",
			f.Result, LineTestRunning, LineTestPass, LineTestFail, LineTestError)
	}
	for _, b := range []struct {
		name string
		t    time.Time
		cond string
	}{{"From", f.From, "started_ns >= ?"}, {"To", f.To, "started_ns < ?"}} {
		if b.t.IsZero() {
			continue
		}
		if !inNanoRange(b.t) {
			return nil, badLineTest("s", "filter "+b.name, "is out of range; want a time between 1678 and 2262 (zero: unbounded)")
		}
		add(b.cond, b.t.UnixNano())
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return nil, badLineTest("s", "filter To", "(%s) is before From (%s); want From <= To",
			f.To.UTC().Format(time.RFC3339Nano), f.From.UTC().Format(time.RFC3339Nano))
	}
	q := `SELECT ` + lineTestColumns + ` FROM linetest_runs`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY started_ns, id`
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list line-test runs: %w", err)
	}
	return collectLineTestRuns(rows)
}

func collectLineTestRuns(rows *sql.Rows) ([]LineTestRun, error) {
	defer rows.Close()
	var out []LineTestRun
	for rows.Next() {
		r, err := scanLineTestRun(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read line-test run: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list line-test runs: %w", err)
	}
	return out, nil
}

// AbandonRunningLineTests ends the runs still running that started before
// before (a prober that stopped mid-test leaves them) as LineTestError with
// reason and Ended now, and returns them so ordered by Started then ID.
// Each run is ended once even when two probers do it at the same time.
func (s *Store) AbandonRunningLineTests(ctx context.Context, before time.Time, reason string, now time.Time) ([]LineTestRun, error) {
	switch {
	case !inNanoRange(before):
		return nil, badLineTest("s", "before", "is zero or out of range; want the start time before which a running run is abandoned")
	case !inNanoRange(now):
		return nil, badLineTest("s", "now", "is zero or out of range; want the current time")
	case strings.TrimSpace(reason) == "":
		return nil, badLineTest("s", "reason", "is empty; say why the runs are abandoned, e.g. \"prober restarted mid-test\"")
	}
	if err := checkText("s", "reason", reason, MaxLineTestReasonBytes); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`UPDATE linetest_runs SET result = ?, reason = ?, ended_ns = ?
 WHERE result = ? AND started_ns < ? RETURNING `+lineTestColumns),
		LineTestError, reason, now.UnixNano(), LineTestRunning, before.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("store: abandon running line-test runs: %w", err)
	}
	out, err := collectLineTestRuns(rows)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b LineTestRun) int {
		if c := a.Started.Compare(b.Started); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// CallsOnNumber counts the calls on an access number queued in [from, to):
// public calls (offered and IVR-only: every call that is not a line test)
// and line-test calls, apart. Like Summary, whole 15-minute intervals are
// read from the aggregates and only the calls in the partial intervals at
// the edges are counted one by one.
func (s *Store) CallsOnNumber(ctx context.Context, accessNumber string, from, to time.Time) (public, test int, err error) {
	if err := checkPeriod("CallsOnNumber", from, to); err != nil {
		return 0, 0, err
	}
	if accessNumber == "" {
		return 0, 0, badLineTest("s", "CallsOnNumber access number", "is empty; want an E.164 access number")
	}
	f, t := from.UnixNano(), to.UnixNano()
	lo, hi := intervalStart(from), intervalStart(to) // whole intervals: [lo, hi)
	if lo < f {
		lo += int64(IntervalLength)
	}
	var parts [][3]int64 // {0 calls | 1 intervals, from, to}
	if lo < f || lo >= hi {
		parts = append(parts, [3]int64{0, f, t})
	} else {
		parts = append(parts, [3]int64{1, lo, hi})
		if f < lo {
			parts = append(parts, [3]int64{0, f, lo})
		}
		if hi < t {
			parts = append(parts, [3]int64{0, hi, t})
		}
	}
	const series = `series_id IN (SELECT id FROM series WHERE access_number = ?)`
	calls := fmt.Sprintf(`SELECT CAST(COALESCE(SUM(CASE WHEN (flags & %d) = 0 THEN 1 ELSE 0 END), 0) AS BIGINT),
 CAST(COALESCE(SUM(CASE WHEN (flags & %d) <> 0 THEN 1 ELSE 0 END), 0) AS BIGINT)
 FROM calls WHERE queued_at_ns >= ? AND queued_at_ns < ? AND `+series, flagTest, flagTest)
	intervals := `SELECT CAST(COALESCE(SUM(offered + ivr_only), 0) AS BIGINT), CAST(COALESCE(SUM(test_calls), 0) AS BIGINT)
 FROM call_intervals WHERE interval_start_ns >= ? AND interval_start_ns < ? AND ` + series
	for _, p := range parts {
		q := calls
		if p[0] == 1 {
			q = intervals
		}
		var pub, tst int64
		if err := s.db.QueryRowContext(ctx, s.d.rebind(q), p[1], p[2], accessNumber).Scan(&pub, &tst); err != nil {
			return 0, 0, fmt.Errorf("store: CallsOnNumber %s: %w", accessNumber, err)
		}
		public += int(pub)
		test += int(tst)
	}
	return public, test, nil
}
