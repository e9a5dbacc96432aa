-- A worked example of the tables a call-handling CRM writes, in PostgreSQL,
-- and the read-only views slawatch's SQL source reads (examples/crm/mapping.yaml
-- maps them to slawatch's CRM events; README.md explains every field).
--
-- What matters to slawatch in any CRM schema:
--   * a primary key per row (the key: tiebreak and event ids);
--   * a cursor column that grows on every INSERT and UPDATE: here updated_at,
--     set by a trigger, or an insert-only table's identity column;
--   * an index on (cursor, key), so that each poll's
--     WHERE (updated_at, id) > ($1, $2) ORDER BY updated_at, id LIMIT n
--     reads only the new rows.
-- The columns holding personal data (caller and complainant names, phone
-- numbers, addresses, free-text notes) are never mapped: slawatch does not
-- read them. Tables are created in the current schema (search_path).

-- updated_at is the wall-clock time of the change (clock_timestamp(), not the
-- transaction's start time now(), so that a long transaction still moves its
-- rows forward). A transaction that commits late can still leave a row
-- behind rows already read: see `lag` in README.md.
CREATE FUNCTION crm_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END
$$;

-- One row per call logged: the PO (org_code), the service option
-- (service_code) and what the call handler did (outcome_code: SP signpost,
-- TR transfer, RF refer to on-call staff, RS resolved, OS out of scope with
-- oos_category).
CREATE TABLE service_requests (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_ref      TEXT        NOT NULL UNIQUE,
    org_code      TEXT        NOT NULL,
    service_code  TEXT        NOT NULL,
    outcome_code  TEXT        NOT NULL,
    oos_category  TEXT,
    call_ended_at TIMESTAMPTZ NOT NULL,
    caller_name   TEXT,
    caller_phone  TEXT,
    address       TEXT,
    notes         TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX service_requests_cursor ON service_requests (updated_at, id);
CREATE TRIGGER service_requests_touch BEFORE UPDATE ON service_requests
    FOR EACH ROW EXECUTE FUNCTION crm_touch_updated_at();

-- A referral of a request to the PO's on-call staff: method PH phone, EM
-- e-mail, SMS, PG pager; dispatched_at is NULL until it was passed on.
CREATE TABLE referrals (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id    BIGINT      NOT NULL REFERENCES service_requests (id),
    method        TEXT        NOT NULL,
    recipient     TEXT,
    dispatched_at TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX referrals_cursor ON referrals (updated_at, id);
CREATE INDEX referrals_request ON referrals (request_id);
CREATE TRIGGER referrals_touch BEFORE UPDATE ON referrals
    FOR EACH ROW EXECUTE FUNCTION crm_touch_updated_at();

-- Delivery receipts of referrals sent by e-mail, SMS or pager, written by the
-- messaging gateway; insert-only, so the identity column is the cursor.
-- status: DLV delivered, FLD failed.
CREATE TABLE referral_receipts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id     BIGINT      NOT NULL REFERENCES referrals (id),
    status          TEXT        NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    gateway_message TEXT
);
CREATE INDEX referral_receipts_referral ON referral_receipts (referral_id);

-- Complaints and their stages; a stage's time is NULL until it happened.
-- priority: U urgent, N normal; callback_needed when no supervisor could
-- take the call.
CREATE TABLE complaints (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    complaint_ref     TEXT        NOT NULL UNIQUE,
    org_code          TEXT        NOT NULL,
    service_code      TEXT,
    priority          TEXT        NOT NULL DEFAULT 'N',
    callback_needed   BOOLEAN     NOT NULL DEFAULT false,
    received_at       TIMESTAMPTZ NOT NULL,
    acknowledged_at   TIMESTAMPTZ,
    called_back_at    TIMESTAMPTZ,
    reported_at       TIMESTAMPTZ,
    resolved_at       TIMESTAMPTZ,
    complainant_name  TEXT,
    complainant_phone TEXT,
    details           TEXT,
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX complaints_cursor ON complaints (updated_at, id);
CREATE TRIGGER complaints_touch BEFORE UPDATE ON complaints
    FOR EACH ROW EXECUTE FUNCTION crm_touch_updated_at();

-- E-mails and web forms to the service (channel_code EM e-mail, WF web
-- form); from_member marks an enquiry from a council member.
CREATE TABLE contacts (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_ref    TEXT        NOT NULL UNIQUE,
    org_code       TEXT        NOT NULL,
    service_code   TEXT,
    channel_code   TEXT        NOT NULL,
    from_member    BOOLEAN     NOT NULL DEFAULT false,
    received_at    TIMESTAMPTZ NOT NULL,
    responded_at   TIMESTAMPTZ,
    sender_address TEXT,
    subject        TEXT,
    body           TEXT,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX contacts_cursor ON contacts (updated_at, id);
CREATE TRIGGER contacts_touch BEFORE UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION crm_touch_updated_at();

-- Read-only views for slawatch: a referral and its receipts carry the PO and
-- service option of their request. The cursor and key are the referral's
-- (or receipt's) own, so the (updated_at, id) index still serves each poll.
CREATE VIEW slawatch_referrals AS
SELECT r.id, r.updated_at, r.method, r.dispatched_at,
       'R' || r.id AS referral_ref,
       s.org_code, s.service_code, s.call_ended_at
  FROM referrals r
  JOIN service_requests s ON s.id = r.request_id;

CREATE VIEW slawatch_referral_receipts AS
SELECT rr.id, rr.status, rr.received_at,
       'R' || r.id AS referral_ref,
       r.method, s.org_code, s.service_code
  FROM referral_receipts rr
  JOIN referrals r ON r.id = rr.referral_id
  JOIN service_requests s ON s.id = r.request_id;

-- The role slawatch reads with (create it once, with a password):
--   CREATE ROLE slawatch_reader LOGIN;
--   GRANT USAGE ON SCHEMA <the CRM's schema> TO slawatch_reader;
--   GRANT SELECT ON service_requests, complaints, contacts,
--                   slawatch_referrals, slawatch_referral_receipts TO slawatch_reader;
