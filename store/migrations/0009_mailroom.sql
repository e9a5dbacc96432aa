-- The mail room (exporters/mailroom). Times are UTC unix nanoseconds. No
-- personal data: business units and regions are catalogue ids.
--
-- mailroom_files: every count file whose counts were stored, once by the
-- SHA-256 of its bytes (the drop folder's dedup key). name is the file's
-- name as dropped (no directory); period is daily or monthly.
CREATE TABLE mailroom_files (
    id           {{ID}},
    sha256       TEXT    NOT NULL UNIQUE CHECK (length(sha256) = 64),
    name         TEXT    NOT NULL,
    period       TEXT    NOT NULL CHECK (period IN ('daily', 'monthly')),
    row_count    INTEGER NOT NULL CHECK (row_count > 0),
    processed_ns BIGINT  NOT NULL
);

-- mailroom_counts: the rows of those files, kept for ever. A later file
-- with a row for the same (period, business_unit, region, day) is a
-- correction: the latest row (highest id) is the figure reports use, the
-- earlier rows stay as the audit trail. day is YYYY-MM-DD (daily) or
-- YYYY-MM (monthly).
CREATE TABLE mailroom_counts (
    id                          {{ID}},
    file_id                     BIGINT NOT NULL REFERENCES mailroom_files (id),
    period                      TEXT   NOT NULL CHECK (period IN ('daily', 'monthly')),
    business_unit               TEXT   NOT NULL,
    region                      TEXT   NOT NULL,
    day                         TEXT   NOT NULL,
    inbound_royal_mail          BIGINT NOT NULL CHECK (inbound_royal_mail >= 0),
    inbound_courier             BIGINT NOT NULL CHECK (inbound_courier >= 0),
    inbound_other               BIGINT NOT NULL CHECK (inbound_other >= 0),
    outbound_royal_mail         BIGINT NOT NULL CHECK (outbound_royal_mail >= 0),
    outbound_courier            BIGINT NOT NULL CHECK (outbound_courier >= 0),
    outbound_other              BIGINT NOT NULL CHECK (outbound_other >= 0),
    valuables_total             BIGINT NOT NULL CHECK (valuables_total >= 0),
    valuables_bankable          BIGINT NOT NULL CHECK (valuables_bankable >= 0),
    valuables_unbankable        BIGINT NOT NULL CHECK (valuables_unbankable >= 0),
    valuables_customer_value    BIGINT NOT NULL CHECK (valuables_customer_value >= 0),
    harmful                     BIGINT NOT NULL CHECK (harmful >= 0),
    missing                     BIGINT NOT NULL CHECK (missing >= 0),
    misdirected                 BIGINT NOT NULL CHECK (misdirected >= 0),
    scanning_jobs               BIGINT NOT NULL CHECK (scanning_jobs >= 0),
    scanned_pages               BIGINT NOT NULL CHECK (scanned_pages >= 0),
    typing_jobs_received        BIGINT NOT NULL CHECK (typing_jobs_received >= 0),
    typing_jobs_completed       BIGINT NOT NULL CHECK (typing_jobs_completed >= 0),
    switchboard_calls_received  BIGINT NOT NULL CHECK (switchboard_calls_received >= 0),
    switchboard_calls_abusive   BIGINT NOT NULL CHECK (switchboard_calls_abusive >= 0),
    switchboard_calls_abandoned BIGINT NOT NULL CHECK (switchboard_calls_abandoned >= 0),
    UNIQUE (file_id, business_unit, region, day)
);

CREATE INDEX mailroom_counts_key ON mailroom_counts (period, business_unit, region, day, id);

-- mailroom_items: item events pushed by scanners and sorting stations,
-- once by their source id. kind and detail are the exporter's contract
-- (inbound/outbound with the route, valuable with its kind, scan_job and
-- typing_job with their state, switchboard_call with the call kind);
-- quantity is how many items the event stands for, pages the scanned
-- pages of a completed scanning job.
CREATE TABLE mailroom_items (
    id            {{ID}},
    item_id       TEXT   NOT NULL UNIQUE,
    at_ns         BIGINT NOT NULL,
    business_unit TEXT   NOT NULL,
    region        TEXT   NOT NULL,
    kind          TEXT   NOT NULL,
    detail        TEXT   NOT NULL,
    quantity      BIGINT NOT NULL CHECK (quantity >= 1),
    pages         BIGINT NOT NULL CHECK (pages >= 0),
    received_ns   BIGINT NOT NULL
);

CREATE INDEX mailroom_items_at ON mailroom_items (at_ns);
