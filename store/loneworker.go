package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

// Lone-worker session states (loneworker_sessions.state).
const (
	SessionActive     = "active"
	SessionOverdue    = "overdue" // the deadline passed and the alarm was raised
	SessionCheckedOut = "checked_out"
)

// Lone-worker event kinds (loneworker_events.kind).
const (
	LWCheckIn  = "checkin"
	LWCheckOut = "checkout"
	LWExtend   = "extend"
	LWReminder = "reminder"
	LWAlarm    = "alarm"
	LWAck      = "ack"
	LWNote     = "note"
)

// How a lone-worker action reached the service (loneworker_events.via).
// ViaTimer is the service's own timer (reminders and alarms); ViaPager an
// acknowledgement of the alarm's page (SMS code, Slack button, `slawatch
// ack`), carried over by the service.
const (
	ViaAPI     = "api"
	ViaPhone   = "phone"
	ViaSMS     = "sms"
	ViaConsole = "console"
	ViaPager   = "pager"
	ViaTimer   = "timer"
)

// Limits on lone-worker sessions.
const (
	// MaxLoneWorkerSession bounds any session (deadline - started), whatever
	// the catalogue says: a longer one is a mistake (hours for minutes).
	MaxLoneWorkerSession = 24 * time.Hour
	maxLWRefBytes        = 200
	maxLWLocationBytes   = 500
	maxLWDetailBytes     = 1000
)

var (
	// ErrInvalidLoneWorker is matched (errors.Is) by every validation error
	// of the lone-worker methods; the message names the field and what is
	// valid, never a personal value.
	ErrInvalidLoneWorker = errors.New("invalid lone-worker request")
	// ErrNoSession is returned for a session id that does not exist.
	ErrNoSession = errors.New("no such lone-worker session")
	// ErrSessionOpen is matched by CheckIn's error when the officer already
	// has an open session; errors.As gives the *SessionOpenError with its id.
	ErrSessionOpen = errors.New("officer already has an open lone-worker session")
	// ErrSessionClosed is returned by Extend and AckAlarm for a session that
	// is checked out.
	ErrSessionClosed = errors.New("lone-worker session is checked out")
	// ErrSessionOverdue is returned by Extend once the deadline has passed
	// (whether or not the alarm has been raised yet): the officer must check
	// out, which closes the alarm, and check in again.
	ErrSessionOverdue = errors.New("lone-worker session is past its deadline")
	// ErrExtensionRefused is returned by Extend when the extension would go
	// past the maximum session length or the maximum number of extensions.
	ErrExtensionRefused = errors.New("extension refused")
	// ErrNotOverdue is returned by AckAlarm for a session whose alarm has
	// not been raised.
	ErrNotOverdue = errors.New("lone-worker session has no alarm raised")
)

// SessionOpenError is CheckIn's error for an officer with an open session.
type SessionOpenError struct {
	// ID is the open session's id; State its state (active or overdue).
	ID    int64
	State string
}

func (e *SessionOpenError) Error() string {
	return fmt.Sprintf("store: check in: the officer already has open lone-worker session %d (%s); check it out first", e.ID, e.State)
}

// Is makes errors.Is(err, ErrSessionOpen) true.
func (e *SessionOpenError) Is(target error) bool { return target == ErrSessionOpen }

type invalidLW struct{ msg string }

func (e *invalidLW) Error() string        { return e.msg }
func (e *invalidLW) Is(target error) bool { return target == ErrInvalidLoneWorker }

func badLW(what, field, format string, args ...any) error {
	return &invalidLW{fmt.Sprintf("store: lone-worker %s: %s %s", what, field, fmt.Sprintf(format, args...))}
}

// LoneWorkerSession is one lone-worker session. Officer, OfficerPhone and
// Location are personal data and never print (catalog.Private).
type LoneWorkerSession struct {
	ID             int64
	PO, StaffGroup string
	// Officer is the catalogue person id or another reference the PO uses
	// (it may be a name); one open session per officer of a PO.
	Officer catalog.Private
	// OfficerPhone is the callback number (E.164), optional.
	OfficerPhone catalog.Private
	// Location is the address of the visit, optional (a phone check-in may
	// have none); UPRN its Unique Property Reference Number, optional.
	Location catalog.Private
	UPRN     string
	Started  time.Time
	Deadline time.Time
	// Reminder is when to remind the officer (zero: no reminder).
	Reminder time.Time
	// State is SessionActive, SessionOverdue or SessionCheckedOut.
	State      string
	Extensions int
	// Reminded: the reminder was claimed (ClaimReminder). AlarmRaised: the
	// deadline alarm was claimed (ClaimAlarm); it stays true after a
	// check-out so that the caller resolves the page.
	Reminded, AlarmRaised bool
	// CheckedOut is zero while the session is open.
	CheckedOut time.Time
	// AckedBy is who acknowledged the alarm ("" until AckAlarm).
	AckedBy string
	Updated time.Time
}

// Open reports whether the session is not checked out.
func (s LoneWorkerSession) Open() bool { return s.State == SessionActive || s.State == SessionOverdue }

// LoneWorkerEvent is one row of a session's audit trail.
type LoneWorkerEvent struct {
	ID, SessionID int64
	At            time.Time
	Kind          string // LWCheckIn, …
	Via           string // ViaAPI, …
	By            string // who acted: a person id or reference
	Detail        string
}

const lwColumns = `id, po, staff_group, officer, officer_phone, location, uprn, started_ns, deadline_ns, reminder_ns,
 state, extensions, reminded, alarm_raised, checked_out_ns, acked_by, updated_ns`

func scanLW(r rowScanner) (LoneWorkerSession, error) {
	var s LoneWorkerSession
	var officer, phone, location string
	var started, deadline, updated int64
	var reminder, out sql.NullInt64
	var reminded, alarm int
	if err := r.Scan(&s.ID, &s.PO, &s.StaffGroup, &officer, &phone, &location, &s.UPRN, &started, &deadline, &reminder,
		&s.State, &s.Extensions, &reminded, &alarm, &out, &s.AckedBy, &updated); err != nil {
		return s, err
	}
	s.Officer, s.OfficerPhone, s.Location = catalog.NewPrivate(officer), catalog.NewPrivate(phone), catalog.NewPrivate(location)
	s.Started, s.Deadline, s.Updated = utcNanos(started), utcNanos(deadline), utcNanos(updated)
	if reminder.Valid {
		s.Reminder = utcNanos(reminder.Int64)
	}
	if out.Valid {
		s.CheckedOut = utcNanos(out.Int64)
	}
	s.Reminded, s.AlarmRaised = reminded == 1, alarm == 1
	return s, nil
}

// oneLine checks a one-line text of at most max bytes; the message never
// repeats the value.
func oneLine(v string, max int) string {
	switch {
	case len(v) > max:
		return fmt.Sprintf("is %d bytes; at most %d", len(v), max)
	case !validText(v):
		return "has control characters or invalid UTF-8; want one line of text"
	}
	return ""
}

func validText(v string) bool { return checkText("", "", v, len(v)) == nil }

func validUPRN(u string) bool {
	if len(u) < 1 || len(u) > 12 {
		return false
	}
	for i := 0; i < len(u); i++ {
		if u[i] < '0' || u[i] > '9' {
			return false
		}
	}
	return true
}

func validateVia(what, via string, timer bool) error {
	switch via {
	case ViaAPI, ViaPhone, ViaSMS, ViaConsole, ViaPager:
		return nil
	case ViaTimer:
		if timer {
			return nil
		}
	}
	return badLW(what, "via", "is %q; want api, phone, sms, console or pager", via)
}

func validateActor(what, by string) error {
	if strings.TrimSpace(by) == "" {
		return badLW(what, "by", "is empty; want who acted (a person id or reference such as \"officer\")")
	}
	if msg := oneLine(by, maxLWRefBytes); msg != "" {
		return badLW(what, "by", "%s", msg)
	}
	return nil
}

// validateAction checks the how, who and when of an action on a session.
func validateAction(what, via, by string, at time.Time) error {
	if err := validateVia(what, via, false); err != nil {
		return err
	}
	if err := validateActor(what, by); err != nil {
		return err
	}
	return validateAt(what, "at", at)
}

func validateAt(what, field string, t time.Time) error {
	if !inNanoRange(t) {
		return badLW(what, field, "is zero or out of range; want the current time")
	}
	return nil
}

func validateCheckIn(s *LoneWorkerSession, via, by string) error {
	const what = "check in"
	bad := func(field, format string, args ...any) error { return badLW(what, field, format, args...) }
	if err := validateVia(what, via, false); err != nil {
		return err
	}
	if err := validateActor(what, by); err != nil {
		return err
	}
	officer, phone, location := s.Officer.Reveal(), s.OfficerPhone.Reveal(), s.Location.Reveal()
	switch {
	case s.ID != 0:
		return bad("ID", "is %d; leave it 0, the store assigns it", s.ID)
	case strings.TrimSpace(s.PO) == "" || oneLine(s.PO, maxLWRefBytes) != "":
		return bad("PO", "is empty, too long or not one line; want a catalogue PO id")
	case strings.TrimSpace(s.StaffGroup) == "" || oneLine(s.StaffGroup, maxLWRefBytes) != "":
		return bad("StaffGroup", "is empty, too long or not one line; want the catalogue staff group")
	case strings.TrimSpace(officer) == "":
		return bad("Officer", "is empty; want the officer's person id or reference")
	case oneLine(officer, maxLWRefBytes) != "":
		return bad("Officer", "%s", oneLine(officer, maxLWRefBytes))
	case phone != "" && !validE164(phone):
		return bad("OfficerPhone", "is not E.164; want + and the country code, no spaces, e.g. +447700900000 (or empty)")
	case oneLine(location, maxLWLocationBytes) != "":
		return bad("Location", "%s", oneLine(location, maxLWLocationBytes))
	case s.UPRN != "" && !validUPRN(s.UPRN):
		return bad("UPRN", "is not 1 to 12 digits; want the property's UPRN (or empty)")
	case s.State != "" && s.State != SessionActive:
		return bad("State", "is %q; a session starts active (leave it empty)", s.State)
	case s.Extensions != 0 || s.Reminded || s.AlarmRaised || !s.CheckedOut.IsZero() || s.AckedBy != "":
		return bad("Extensions, Reminded, AlarmRaised, CheckedOut and AckedBy", "must be empty at check-in")
	case !inNanoRange(s.Started):
		return bad("Started", "is zero or out of range; want the check-in time")
	case !inNanoRange(s.Deadline):
		return bad("Deadline", "is zero or out of range; want when the officer must have checked out")
	case !s.Deadline.After(s.Started):
		return bad("Deadline", "(%s) is not after the check-in (%s); want a deadline in the future",
			s.Deadline.UTC().Format(time.RFC3339), s.Started.UTC().Format(time.RFC3339))
	case s.Deadline.Sub(s.Started) > MaxLoneWorkerSession:
		return bad("Deadline", "is %s after the check-in; at most %s", s.Deadline.Sub(s.Started), MaxLoneWorkerSession)
	case !s.Reminder.IsZero() && (!s.Reminder.After(s.Started) || !s.Reminder.Before(s.Deadline)):
		return bad("Reminder", "is not between the check-in and the deadline; want a time strictly between them (or zero for none)")
	}
	return nil
}

func (st *Store) addLWEvent(ctx context.Context, tx *sql.Tx, e LoneWorkerEvent) error {
	if _, err := tx.ExecContext(ctx, st.d.rebind(`INSERT INTO loneworker_events (session_id, at_ns, kind, via, actor, detail)
 VALUES (?, ?, ?, ?, ?, ?)`), e.SessionID, e.At.UnixNano(), e.Kind, e.Via, e.By, e.Detail); err != nil {
		return fmt.Errorf("store: add %s event to lone-worker session %d: %w", e.Kind, e.SessionID, err)
	}
	return nil
}

// CheckIn stores a new session, active, with its checkin event, and returns
// it with its ID and times in UTC. It needs PO, StaffGroup, Officer,
// Started and Deadline (after Started, at most MaxLoneWorkerSession later);
// OfficerPhone (E.164), Location, UPRN and Reminder (strictly between
// Started and Deadline) are optional; the rest must be empty. via is api,
// phone, sms or console; by who checked in. Validation errors match
// ErrInvalidLoneWorker. An officer with an open session (active or
// overdue) of the same PO is refused with a *SessionOpenError (errors.Is
// ErrSessionOpen), across processes: a unique index enforces it.
func (st *Store) CheckIn(ctx context.Context, s LoneWorkerSession, via, by string) (LoneWorkerSession, error) {
	if err := validateCheckIn(&s, via, by); err != nil {
		return LoneWorkerSession{}, err
	}
	s.State, s.Started, s.Deadline = SessionActive, s.Started.UTC(), s.Deadline.UTC()
	if !s.Reminder.IsZero() {
		s.Reminder = s.Reminder.UTC()
	}
	s.Updated = s.Started
	// The open session that refused us may close before we read it; try
	// again then.
	for attempt := 0; attempt < 3; attempt++ {
		created, err := st.tryCheckIn(ctx, &s, via, by)
		if err != nil || created {
			return s, err
		}
		open, err := st.openSessionOf(ctx, s.PO, s.Officer.Reveal())
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return LoneWorkerSession{}, fmt.Errorf("store: check in (%s %s): read the open session: %w", s.PO, s.StaffGroup, err)
		}
		return LoneWorkerSession{}, &SessionOpenError{ID: open.ID, State: open.State}
	}
	return LoneWorkerSession{}, fmt.Errorf("store: check in (%s %s): the officer's open session kept changing; try again", s.PO, s.StaffGroup)
}

func (st *Store) tryCheckIn(ctx context.Context, s *LoneWorkerSession, via, by string) (created bool, err error) {
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: begin check-in (%s %s): %w", s.PO, s.StaffGroup, err)
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, st.d.rebind(`INSERT INTO loneworker_sessions (po, staff_group, officer, officer_phone,
 location, uprn, started_ns, deadline_ns, reminder_ns, state, extensions, reminded, alarm_raised, checked_out_ns, acked_by, updated_ns)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, NULL, '', ?) ON CONFLICT DO NOTHING RETURNING id`),
		s.PO, s.StaffGroup, s.Officer.Reveal(), s.OfficerPhone.Reveal(), s.Location.Reveal(), s.UPRN,
		s.Started.UnixNano(), s.Deadline.UnixNano(), nullableNanos(s.Reminder), SessionActive, s.Updated.UnixNano()).Scan(&s.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: check in (%s %s): %w", s.PO, s.StaffGroup, err)
	}
	detail := "deadline " + s.Deadline.Format(time.RFC3339)
	if err := st.addLWEvent(ctx, tx, LoneWorkerEvent{SessionID: s.ID, At: s.Started, Kind: LWCheckIn, Via: via, By: by, Detail: detail}); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: commit check-in (%s %s): %w", s.PO, s.StaffGroup, err)
	}
	return true, nil
}

func (st *Store) openSessionOf(ctx context.Context, po, officer string) (LoneWorkerSession, error) {
	return scanLW(st.db.QueryRowContext(ctx, st.d.rebind(`SELECT `+lwColumns+` FROM loneworker_sessions
 WHERE po = ? AND officer = ? AND state <> ?`), po, officer, SessionCheckedOut))
}

// Session returns one session (ErrNoSession if none).
func (st *Store) Session(ctx context.Context, id int64) (LoneWorkerSession, error) {
	return st.sessionQ(ctx, st.db, id)
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (st *Store) sessionQ(ctx context.Context, q rowQuerier, id int64) (LoneWorkerSession, error) {
	s, err := scanLW(q.QueryRowContext(ctx, st.d.rebind(`SELECT `+lwColumns+` FROM loneworker_sessions WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("store: lone-worker session %d: %w", id, ErrNoSession)
	}
	if err != nil {
		return s, fmt.Errorf("store: read lone-worker session %d: %w", id, err)
	}
	return s, nil
}

// CheckOut closes an open session (active or overdue) at at, with its
// checkout event, and returns it. It is idempotent: for a session already
// checked out it returns it with changed false and writes nothing. The
// returned session's AlarmRaised tells the caller that the deadline alarm
// had been raised and its page must be resolved (everyone paged told).
// An unknown id is ErrNoSession.
func (st *Store) CheckOut(ctx context.Context, id int64, via, by string, at time.Time) (s LoneWorkerSession, changed bool, err error) {
	what := fmt.Sprintf("check out of session %d", id)
	if err := validateAction(what, via, by, at); err != nil {
		return s, false, err
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return s, false, fmt.Errorf("store: begin %s: %w", what, err)
	}
	defer tx.Rollback()
	s, err = scanLW(tx.QueryRowContext(ctx, st.d.rebind(`UPDATE loneworker_sessions SET state = ?, checked_out_ns = ?, updated_ns = ?
 WHERE id = ? AND state IN (?, ?) RETURNING `+lwColumns), SessionCheckedOut, at.UnixNano(), at.UnixNano(), id, SessionActive, SessionOverdue))
	if errors.Is(err, sql.ErrNoRows) {
		tx.Rollback()
		s, err := st.Session(ctx, id)
		return s, false, err
	}
	if err != nil {
		return s, false, fmt.Errorf("store: %s: %w", what, err)
	}
	detail := "checked out before the deadline"
	if s.AlarmRaised {
		detail = "checked out after the alarm was raised"
	} else if !at.Before(s.Deadline) {
		detail = "checked out after the deadline, before the alarm"
	}
	if err := st.addLWEvent(ctx, tx, LoneWorkerEvent{SessionID: id, At: at, Kind: LWCheckOut, Via: via, By: by, Detail: detail}); err != nil {
		return s, false, err
	}
	if err := tx.Commit(); err != nil {
		return LoneWorkerSession{}, false, fmt.Errorf("store: commit %s: %w", what, err)
	}
	return s, true, nil
}

// Extend moves an active session's deadline (and its reminder, keeping
// the same lead) by minutes, with its extend event, and returns it.
//
// Rules: the session must be active and its deadline not yet passed at at
// (else ErrSessionOverdue: once the deadline has passed the alarm stands
// and only a check-out closes it; a checked-out session is
// ErrSessionClosed). The new deadline must be at most max after Started,
// and the session may have been extended at most maxExtensions times
// before (0: extension not allowed); otherwise ErrExtensionRefused, saying
// what is left. A reminder already sent is reset when its moved time is
// still ahead, so the officer is reminded again before the new deadline.
func (st *Store) Extend(ctx context.Context, id int64, minutes int, max time.Duration, maxExtensions int, via, by string, at time.Time) (LoneWorkerSession, error) {
	what := fmt.Sprintf("extend session %d", id)
	switch {
	case minutes < 1 || minutes > int(MaxLoneWorkerSession/time.Minute): // compared before multiplying: no overflow
		return LoneWorkerSession{}, badLW(what, "minutes", "is %d; want 1 to %d", minutes, int(MaxLoneWorkerSession/time.Minute))
	case max <= 0:
		return LoneWorkerSession{}, badLW(what, "max", "is %s; want the catalogue's maximum session length (> 0)", max)
	case maxExtensions < 0:
		return LoneWorkerSession{}, badLW(what, "maxExtensions", "is %d; want >= 0 (0: extension not allowed)", maxExtensions)
	}
	if err := validateVia(what, via, false); err != nil {
		return LoneWorkerSession{}, err
	}
	if err := validateActor(what, by); err != nil {
		return LoneWorkerSession{}, err
	}
	if err := validateAt(what, "at", at); err != nil {
		return LoneWorkerSession{}, err
	}
	by1 := time.Duration(minutes) * time.Minute
	for attempt := 0; attempt < 3; attempt++ {
		s, err := st.Session(ctx, id)
		if err != nil {
			return s, err
		}
		switch {
		case s.State == SessionCheckedOut:
			return LoneWorkerSession{}, fmt.Errorf("store: %s: %w", what, ErrSessionClosed)
		case s.State == SessionOverdue || !at.Before(s.Deadline):
			return LoneWorkerSession{}, fmt.Errorf("store: %s: the deadline %s has passed; check out (closing the alarm) and check in again: %w",
				what, s.Deadline.Format(time.RFC3339), ErrSessionOverdue)
		case s.Extensions >= maxExtensions:
			return LoneWorkerSession{}, fmt.Errorf("store: %s: extended %d times already, at most %d allowed: %w", what, s.Extensions, maxExtensions, ErrExtensionRefused)
		}
		deadline := s.Deadline.Add(by1)
		if deadline.Sub(s.Started) > max {
			left := max - s.Deadline.Sub(s.Started)
			return LoneWorkerSession{}, fmt.Errorf("store: %s: %d minutes would make the session %s long, at most %s allowed (%d minutes left): %w",
				what, minutes, deadline.Sub(s.Started), max, int(left/time.Minute), ErrExtensionRefused)
		}
		changed, s2, err := st.tryExtend(ctx, s, deadline, by1, via, by, at)
		if err != nil || changed {
			return s2, err
		}
	}
	return LoneWorkerSession{}, fmt.Errorf("store: %s: the session kept changing; try again", what)
}

func (st *Store) tryExtend(ctx context.Context, s LoneWorkerSession, deadline time.Time, by1 time.Duration, via, by string, at time.Time) (bool, LoneWorkerSession, error) {
	what := fmt.Sprintf("extend session %d", s.ID)
	var reminder any
	reminded := s.Reminded
	if !s.Reminder.IsZero() {
		r := s.Reminder.Add(by1)
		reminder = r.UnixNano()
		if r.After(at) {
			reminded = false
		}
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return false, s, fmt.Errorf("store: begin %s: %w", what, err)
	}
	defer tx.Rollback()
	// The conditions make this a claim: a concurrent alarm, check-out or
	// extension wins and we re-read.
	out, err := scanLW(tx.QueryRowContext(ctx, st.d.rebind(`UPDATE loneworker_sessions
 SET deadline_ns = ?, reminder_ns = ?, reminded = ?, extensions = extensions + 1, updated_ns = ?
 WHERE id = ? AND state = ? AND alarm_raised = 0 AND deadline_ns = ? AND extensions = ? AND deadline_ns > ? RETURNING `+lwColumns),
		deadline.UnixNano(), reminder, boolInt(reminded), at.UnixNano(), s.ID, SessionActive, s.Deadline.UnixNano(), s.Extensions, at.UnixNano()))
	if errors.Is(err, sql.ErrNoRows) {
		return false, s, nil
	}
	if err != nil {
		return false, s, fmt.Errorf("store: %s: %w", what, err)
	}
	detail := fmt.Sprintf("+%d min: deadline %s", int(by1/time.Minute), deadline.Format(time.RFC3339))
	if err := st.addLWEvent(ctx, tx, LoneWorkerEvent{SessionID: s.ID, At: at, Kind: LWExtend, Via: via, By: by, Detail: detail}); err != nil {
		return false, s, err
	}
	if err := tx.Commit(); err != nil {
		return false, s, fmt.Errorf("store: commit %s: %w", what, err)
	}
	return true, out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AckAlarm records who took charge of an overdue session's alarm (the
// escalation stops), with its ack event. changed is false when it was
// acknowledged already (the first acknowledgement is kept). A session
// without an alarm is ErrNotOverdue, a checked-out one ErrSessionClosed.
func (st *Store) AckAlarm(ctx context.Context, id int64, via, by string, at time.Time) (s LoneWorkerSession, changed bool, err error) {
	what := fmt.Sprintf("acknowledge session %d", id)
	if err := validateAction(what, via, by, at); err != nil {
		return s, false, err
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return s, false, fmt.Errorf("store: begin %s: %w", what, err)
	}
	defer tx.Rollback()
	s, err = scanLW(tx.QueryRowContext(ctx, st.d.rebind(`UPDATE loneworker_sessions SET acked_by = ?, updated_ns = ?
 WHERE id = ? AND state = ? AND acked_by = '' RETURNING `+lwColumns), by, at.UnixNano(), id, SessionOverdue))
	if errors.Is(err, sql.ErrNoRows) {
		tx.Rollback()
		s, err := st.Session(ctx, id)
		switch {
		case err != nil:
			return s, false, err
		case s.State == SessionOverdue:
			return s, false, nil
		case s.State == SessionCheckedOut:
			return s, false, fmt.Errorf("store: %s: %w", what, ErrSessionClosed)
		}
		return s, false, fmt.Errorf("store: %s: %w", what, ErrNotOverdue)
	}
	if err != nil {
		return s, false, fmt.Errorf("store: %s: %w", what, err)
	}
	if err := st.addLWEvent(ctx, tx, LoneWorkerEvent{SessionID: id, At: at, Kind: LWAck, Via: via, By: by, Detail: "alarm acknowledged"}); err != nil {
		return s, false, err
	}
	if err := tx.Commit(); err != nil {
		return LoneWorkerSession{}, false, fmt.Errorf("store: commit %s: %w", what, err)
	}
	return s, true, nil
}

// AddSessionNote appends a note to a session's audit trail (open or not).
func (st *Store) AddSessionNote(ctx context.Context, id int64, via, by, detail string, at time.Time) error {
	what := fmt.Sprintf("note on session %d", id)
	if err := validateAction(what, via, by, at); err != nil {
		return err
	}
	if strings.TrimSpace(detail) == "" {
		return badLW(what, "detail", "is empty; want the note")
	}
	if msg := oneLine(detail, maxLWDetailBytes); msg != "" {
		return badLW(what, "detail", "%s", msg)
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin %s: %w", what, err)
	}
	defer tx.Rollback()
	if _, err := st.sessionQ(ctx, tx, id); err != nil {
		return err
	}
	if err := st.addLWEvent(ctx, tx, LoneWorkerEvent{SessionID: id, At: at, Kind: LWNote, Via: via, By: by, Detail: detail}); err != nil {
		return err
	}
	return tx.Commit()
}

func (st *Store) querySessions(ctx context.Context, what, where string, args ...any) ([]LoneWorkerSession, error) {
	rows, err := st.db.QueryContext(ctx, st.d.rebind(`SELECT `+lwColumns+` FROM loneworker_sessions `+where), args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []LoneWorkerSession
	for rows.Next() {
		s, err := scanLW(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// OpenSessions lists the open sessions (active and overdue) of po, or of
// every PO when po is "", by deadline then id. At start the service
// rebuilds its timers from it (with po "").
func (st *Store) OpenSessions(ctx context.Context, po string) ([]LoneWorkerSession, error) {
	if po == "" {
		return st.querySessions(ctx, "open lone-worker sessions", `WHERE state IN (?, ?) ORDER BY deadline_ns, id`, SessionActive, SessionOverdue)
	}
	return st.querySessions(ctx, "open lone-worker sessions of "+po, `WHERE po = ? AND state IN (?, ?) ORDER BY deadline_ns, id`,
		po, SessionActive, SessionOverdue)
}

// SessionEvents is a session's audit trail, oldest first.
func (st *Store) SessionEvents(ctx context.Context, id int64) ([]LoneWorkerEvent, error) {
	rows, err := st.db.QueryContext(ctx, st.d.rebind(`SELECT id, session_id, at_ns, kind, via, actor, detail
 FROM loneworker_events WHERE session_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, fmt.Errorf("store: events of lone-worker session %d: %w", id, err)
	}
	defer rows.Close()
	var out []LoneWorkerEvent
	for rows.Next() {
		var e LoneWorkerEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.SessionID, &at, &e.Kind, &e.Via, &e.By, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: events of lone-worker session %d: %w", id, err)
		}
		e.At = utcNanos(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// DueReminders are the active sessions whose reminder is due at now and
// not yet claimed, deadline not yet passed (past it, the alarm is what is
// due), by reminder time then id. Send one only after ClaimReminder.
func (st *Store) DueReminders(ctx context.Context, now time.Time) ([]LoneWorkerSession, error) {
	if err := validateAt("due reminders", "now", now); err != nil {
		return nil, err
	}
	return st.querySessions(ctx, "due lone-worker reminders", `WHERE state = ? AND reminder_ns <= ? AND reminded = 0 AND deadline_ns > ?
 ORDER BY reminder_ns, id`, SessionActive, now.UnixNano(), now.UnixNano())
}

// ClaimReminder marks a due reminder as sent, with its reminder event, in
// one conditional update: of any number of processes claiming it, exactly
// one gets true. false: not due, claimed already, or the session is no
// longer active or is past its deadline.
func (st *Store) ClaimReminder(ctx context.Context, id int64, now time.Time) (bool, error) {
	n := now.UnixNano()
	return st.claim(ctx, id, now, LWReminder, "reminder due", `UPDATE loneworker_sessions SET reminded = 1, updated_ns = ?
 WHERE id = ? AND reminded = 0 AND state = ? AND reminder_ns <= ? AND deadline_ns > ?`, n, id, SessionActive, n, n)
}

// DueAlarms are the active sessions whose deadline has passed at now, alarm
// not yet raised, by deadline then id. Raise one only after ClaimAlarm.
func (st *Store) DueAlarms(ctx context.Context, now time.Time) ([]LoneWorkerSession, error) {
	if err := validateAt("due alarms", "now", now); err != nil {
		return nil, err
	}
	return st.querySessions(ctx, "due lone-worker alarms", `WHERE state = ? AND deadline_ns <= ? AND alarm_raised = 0
 ORDER BY deadline_ns, id`, SessionActive, now.UnixNano())
}

// ClaimAlarm raises a session's deadline alarm: the session becomes
// overdue with AlarmRaised, and gets its alarm event, in one conditional
// update: of any number of processes claiming it (two instances on one
// PostgreSQL), exactly one gets true and pages. false: the deadline has not
// passed, the alarm was raised already, or the session was checked out.
//
// The claim commits before the page is sent: a process that dies between
// the two leaves an overdue session whose page is not out, so the service
// (re)raises the page of every overdue session that has none
// (OpenSessions), idempotently keyed by the session id, on every tick.
func (st *Store) ClaimAlarm(ctx context.Context, id int64, now time.Time) (bool, error) {
	n := now.UnixNano()
	return st.claim(ctx, id, now, LWAlarm, "deadline passed without a check-out", `UPDATE loneworker_sessions
 SET alarm_raised = 1, state = ?, updated_ns = ? WHERE id = ? AND alarm_raised = 0 AND state = ? AND deadline_ns <= ?`,
		SessionOverdue, n, id, SessionActive, n)
}

// claim runs the conditional update q and appends the event when it
// changed the row.
func (st *Store) claim(ctx context.Context, id int64, now time.Time, kind, detail, q string, args ...any) (bool, error) {
	what := fmt.Sprintf("claim %s of session %d", kind, id)
	if err := validateAt(what, "now", now); err != nil {
		return false, err
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: begin %s: %w", what, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, st.d.rebind(q), args...)
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", what, err)
	}
	if c, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("store: %s: %w", what, err)
	} else if c == 0 {
		return false, nil
	}
	if err := st.addLWEvent(ctx, tx, LoneWorkerEvent{SessionID: id, At: now, Kind: kind, Via: ViaTimer, By: "slawatch", Detail: detail}); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: commit %s: %w", what, err)
	}
	return true, nil
}

// PurgeLoneWorker deletes po's sessions checked out before before, with
// their events (the PO's retention), and returns how many sessions went.
// Open sessions are never purged, however old.
func (st *Store) PurgeLoneWorker(ctx context.Context, po string, before time.Time) (int64, error) {
	const what = "purge"
	if strings.TrimSpace(po) == "" {
		return 0, badLW(what, "po", "is empty; want the PO whose retention ran out")
	}
	if !inNanoRange(before) {
		return 0, badLW(what, "before", "is zero or out of range; want now minus the PO's retention")
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: begin lone-worker purge of %s: %w", po, err)
	}
	defer tx.Rollback()
	const closed = `SELECT id FROM loneworker_sessions WHERE po = ? AND state = ? AND checked_out_ns < ?`
	args := []any{po, SessionCheckedOut, before.UnixNano()}
	if _, err := tx.ExecContext(ctx, st.d.rebind(`DELETE FROM loneworker_events WHERE session_id IN (`+closed+`)`), args...); err != nil {
		return 0, fmt.Errorf("store: purge lone-worker events of %s: %w", po, err)
	}
	res, err := tx.ExecContext(ctx, st.d.rebind(`DELETE FROM loneworker_sessions WHERE po = ? AND state = ? AND checked_out_ns < ?`), args...)
	if err != nil {
		return 0, fmt.Errorf("store: purge lone-worker sessions of %s: %w", po, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: purge lone-worker sessions of %s: %w", po, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: commit lone-worker purge of %s: %w", po, err)
	}
	return n, nil
}
