-- CRM events (exporters/crm), written once by (source, event_id). Times are
-- UTC unix nanoseconds. ref is the CRM's opaque case, complaint or contact
-- reference: no caller name, address or number is ever stored here.
-- Flags are 0/1.
CREATE TABLE crm_events (
    source            TEXT     NOT NULL,
    event_id          TEXT     NOT NULL,
    type              TEXT     NOT NULL CHECK (type IN ('request_created', 'referral_dispatched', 'referral_delivery',
                          'complaint_received', 'complaint_acknowledged', 'complaint_called_back', 'complaint_reported',
                          'complaint_resolved', 'contact_received', 'contact_responded')),
    at_ns             BIGINT   NOT NULL,
    po                TEXT     NOT NULL,
    service_option    TEXT     NOT NULL,
    ref               TEXT     NOT NULL,
    action            TEXT     NOT NULL,
    category          TEXT     NOT NULL,
    channel           TEXT     NOT NULL,
    outcome           TEXT     NOT NULL,
    call_ended_ns     BIGINT,
    urgent            SMALLINT NOT NULL CHECK (urgent IN (0, 1)),
    callback_required SMALLINT NOT NULL CHECK (callback_required IN (0, 1)),
    member_enquiry    SMALLINT NOT NULL CHECK (member_enquiry IN (0, 1)),
    PRIMARY KEY (source, event_id),
    CHECK (type <> 'referral_dispatched' OR (call_ended_ns IS NOT NULL AND call_ended_ns <= at_ns))
);

-- Reports by event time.
CREATE INDEX crm_events_at ON crm_events (po, at_ns);

-- One row per referral channel of a case, joined by (po, ref, channel)
-- whichever of the dispatch and its receipts arrives first. Each time is
-- the first one stored (never moved); receipt_due_ns is the dispatch plus
-- the PO's referral_receipt_timeout.
CREATE TABLE crm_referrals (
    po             TEXT   NOT NULL,
    ref            TEXT   NOT NULL,
    channel        TEXT   NOT NULL,
    service_option TEXT   NOT NULL,
    dispatched_ns  BIGINT,
    receipt_due_ns BIGINT,
    delivered_ns   BIGINT,
    failed_ns      BIGINT,
    PRIMARY KEY (po, ref, channel)
);

CREATE INDEX crm_referrals_undelivered ON crm_referrals (dispatched_ns) WHERE delivered_ns IS NULL;

-- One row per complaint, joined by (po, ref) whichever stage arrives first:
-- the received columns (service_option, urgent, callback_required and the
-- deadlines) are set by complaint_received, each stage's time by its
-- first event. A deadline is the last instant still on time.
CREATE TABLE crm_complaints (
    po                TEXT     NOT NULL,
    ref               TEXT     NOT NULL,
    service_option    TEXT     NOT NULL,
    urgent            SMALLINT NOT NULL CHECK (urgent IN (0, 1)),
    callback_required SMALLINT NOT NULL CHECK (callback_required IN (0, 1)),
    received_ns       BIGINT,
    callback_due_ns   BIGINT,
    report_due_ns     BIGINT,
    acknowledged_ns   BIGINT,
    called_back_ns    BIGINT,
    reported_ns       BIGINT,
    resolved_ns       BIGINT,
    PRIMARY KEY (po, ref),
    CHECK (received_ns IS NULL OR report_due_ns IS NOT NULL)
);

CREATE INDEX crm_complaints_open ON crm_complaints (received_ns) WHERE resolved_ns IS NULL;

-- One row per e-mail or web-form contact, joined by (po, ref).
CREATE TABLE crm_contacts (
    po             TEXT     NOT NULL,
    ref            TEXT     NOT NULL,
    service_option TEXT     NOT NULL,
    channel        TEXT     NOT NULL,
    member_enquiry SMALLINT NOT NULL CHECK (member_enquiry IN (0, 1)),
    received_ns    BIGINT,
    due_ns         BIGINT,
    responded_ns   BIGINT,
    PRIMARY KEY (po, ref),
    CHECK (received_ns IS NULL OR due_ns IS NOT NULL)
);

CREATE INDEX crm_contacts_open ON crm_contacts (due_ns) WHERE responded_ns IS NULL;
