-- Lone-worker sessions and their audit trail. Times are UTC unix
-- nanoseconds. officer, officer_phone and location are personal data: they
-- live here only (never in logs, errors or metrics) and go with the session
-- when the PO's retention purges it.
--
-- A session starts 'active'. At the deadline the timer claims its alarm
-- once (alarm_raised = 1, state 'overdue'); a check-out closes it from
-- either state ('checked_out', checked_out_ns set) and keeps alarm_raised
-- so the caller knows a page is to be resolved. reminded = 1 once the
-- reminder before the deadline was claimed; an extension may reset it.
CREATE TABLE loneworker_sessions (
    id             {{ID}},
    po             TEXT    NOT NULL,
    staff_group    TEXT    NOT NULL,
    officer        TEXT    NOT NULL,
    officer_phone  TEXT    NOT NULL,
    location       TEXT    NOT NULL,
    uprn           TEXT    NOT NULL,
    started_ns     BIGINT  NOT NULL,
    deadline_ns    BIGINT  NOT NULL,
    reminder_ns    BIGINT,
    state          TEXT    NOT NULL CHECK (state IN ('active', 'overdue', 'checked_out')),
    extensions     INTEGER NOT NULL CHECK (extensions >= 0),
    reminded       INTEGER NOT NULL CHECK (reminded IN (0, 1)),
    alarm_raised   INTEGER NOT NULL CHECK (alarm_raised IN (0, 1)),
    checked_out_ns BIGINT,
    acked_by       TEXT    NOT NULL,
    updated_ns     BIGINT  NOT NULL,
    CHECK (deadline_ns > started_ns),
    CHECK (reminder_ns IS NULL OR (reminder_ns > started_ns AND reminder_ns < deadline_ns)),
    CHECK ((state = 'checked_out') = (checked_out_ns IS NOT NULL)),
    CHECK (state <> 'overdue' OR alarm_raised = 1)
);

-- The timers' queries (DueAlarms, DueReminders, OpenSessions).
CREATE INDEX loneworker_sessions_deadline ON loneworker_sessions (state, deadline_ns);
CREATE INDEX loneworker_sessions_reminder ON loneworker_sessions (state, reminder_ns);

-- One open session per officer of a PO, across every process (CheckIn's
-- ErrSessionOpen).
CREATE UNIQUE INDEX loneworker_sessions_open_officer ON loneworker_sessions (po, officer) WHERE state <> 'checked_out';

-- Retention (PurgeLoneWorker).
CREATE INDEX loneworker_sessions_closed ON loneworker_sessions (po, checked_out_ns) WHERE state = 'checked_out';

-- The audit trail, appended only: every check-in, check-out, extension,
-- reminder, alarm, acknowledgement and note, written in the same
-- transaction as the change it records. via 'timer' is the service itself
-- (reminders and alarms), 'pager' an acknowledgement made on the alarm's
-- page; actor is who acted (a person id or reference).
CREATE TABLE loneworker_events (
    id         {{ID}},
    session_id BIGINT NOT NULL REFERENCES loneworker_sessions (id),
    at_ns      BIGINT NOT NULL,
    kind       TEXT   NOT NULL CHECK (kind IN ('checkin', 'checkout', 'extend', 'reminder', 'alarm', 'ack', 'note')),
    via        TEXT   NOT NULL CHECK (via IN ('api', 'phone', 'sms', 'console', 'pager', 'timer')),
    actor      TEXT   NOT NULL,
    detail     TEXT   NOT NULL
);

CREATE INDEX loneworker_events_session ON loneworker_events (session_id, id);
