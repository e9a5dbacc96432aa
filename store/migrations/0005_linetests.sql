-- Line tests: one row per test call the prober placed (or tried to) to a
-- publicly advertised access number. Times are UTC unix nanoseconds;
-- duration_ns is the test call's duration as the dialer reported it.
--
-- A run starts as 'running'. When the call ends, dial_status, ref (the
-- provider's call id, e.g. a Twilio CallSid), dialed_ns and duration_ns are
-- set while the verdict still waits for the telephony source to see the
-- call arrive. It then finishes once, as 'pass', 'fail' (the line is
-- broken) or 'error' (the prober could not test), with ended_ns and a
-- reason. A prober that crashes leaves 'running' rows; the next one marks
-- them 'error'. trigger is low_demand, handover or manual (the prober's
-- contract; not checked here so that a new trigger needs no migration).
-- No personal data: numbers are the PO's public access numbers.
CREATE TABLE linetest_runs (
    id            {{ID}},
    po            TEXT   NOT NULL,
    access_number TEXT   NOT NULL,
    trigger       TEXT   NOT NULL,
    result        TEXT   NOT NULL CHECK (result IN ('running', 'pass', 'fail', 'error')),
    reason        TEXT   NOT NULL,
    dial_status   TEXT   NOT NULL,
    ref           TEXT   NOT NULL,
    started_ns    BIGINT NOT NULL,
    dialed_ns     BIGINT,
    ended_ns      BIGINT,
    duration_ns   BIGINT NOT NULL,
    CHECK ((result = 'running') = (ended_ns IS NULL))
);

CREATE INDEX linetest_runs_number ON linetest_runs (access_number, started_ns);
CREATE INDEX linetest_runs_po ON linetest_runs (po, started_ns);

-- The few runs still running (AbandonRunningLineTests at a prober's start).
CREATE INDEX linetest_runs_running ON linetest_runs (started_ns) WHERE result = 'running';
