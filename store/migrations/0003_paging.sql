-- Paging: the escalation of each paged incident, every message to a person
-- or channel (the outbox and its record), the escalation audit trail and
-- SMS opt-outs. Times are UTC unix nanoseconds. Person columns hold
-- catalogue person ids (references, not names or numbers).

-- One row per incident being escalated. next_step indexes the incident's
-- escalation (catalog.StepAt); next_at_ns is when it is due (NULL once the
-- steps are exhausted or the escalation ended).
CREATE TABLE escalations (
    incident_id    BIGINT  NOT NULL PRIMARY KEY REFERENCES incidents (id),
    po             TEXT    NOT NULL,
    service_option TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('active', 'exhausted', 'acknowledged', 'resolved')),
    started_ns     BIGINT  NOT NULL,
    next_step      INTEGER NOT NULL,
    next_at_ns     BIGINT,
    acked_by       TEXT    NOT NULL,
    acked_via      TEXT    NOT NULL,
    acked_ns       BIGINT,
    updated_ns     BIGINT  NOT NULL
);

CREATE INDEX escalations_due ON escalations (state, next_at_ns);

-- One row per message to one recipient on one channel. kind page asks for
-- an acknowledgement; acknowledged and resolved are notices. status moves
-- pending -> sending -> sent -> delivered, or to failed / undelivered /
-- cancelled. provider_ref is the provider's id (Twilio SID, Slack
-- channel/ts); messages bundled into one SMS share it.
CREATE TABLE pages (
    id            {{ID}},
    incident_id   BIGINT  NOT NULL REFERENCES incidents (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('page', 'acknowledged', 'resolved')),
    step          INTEGER NOT NULL,
    person        TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    slack_channel TEXT    NOT NULL,
    ack_code      TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'undelivered', 'cancelled')),
    attempts      INTEGER NOT NULL,
    due_ns        BIGINT  NOT NULL,
    created_ns    BIGINT  NOT NULL,
    sent_ns       BIGINT,
    done_ns       BIGINT,
    provider_ref  TEXT    NOT NULL,
    update_ref    TEXT    NOT NULL,
    detail        TEXT    NOT NULL,
    fallback_of   BIGINT
);

CREATE INDEX pages_due ON pages (status, due_ns);
CREATE INDEX pages_incident ON pages (incident_id, id);
CREATE INDEX pages_ref ON pages (channel, provider_ref);
CREATE INDEX pages_ack_code ON pages (ack_code);

-- The escalation audit trail, appended only: steps fired or skipped,
-- deliveries and failures, fallbacks, acknowledgements, escalations by
-- hand, the end.
CREATE TABLE escalation_events (
    id          {{ID}},
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    at_ns       BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    step        INTEGER NOT NULL,
    person      TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    detail      TEXT    NOT NULL
);

CREATE INDEX escalation_events_incident ON escalation_events (incident_id, id);

-- SMS STOP / START per person: a stopped person gets no SMS (Twilio would
-- refuse it) and is paged on their other channels.
CREATE TABLE optouts (
    channel TEXT    NOT NULL,
    person  TEXT    NOT NULL,
    stopped INTEGER NOT NULL,
    at_ns   BIGINT  NOT NULL,
    PRIMARY KEY (channel, person)
) {{WITHOUT_ROWID}};
