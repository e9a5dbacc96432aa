-- Calls, written once by (source, call_id). Times are UTC unix nanoseconds;
-- durations are integer nanoseconds (exact: threshold comparisons match the
-- exporters' float histograms, and sums are identical on every backend).
-- flags: bit 0 within target, bit 1 within rest, bit 2 short abandon.
CREATE TABLE calls (
    source          TEXT     NOT NULL,
    call_id         TEXT     NOT NULL,
    po              TEXT     NOT NULL,
    service_option  TEXT     NOT NULL,
    access_number   TEXT     NOT NULL,
    standard        TEXT     NOT NULL,
    kind            TEXT     NOT NULL,
    outcome         TEXT     NOT NULL,
    queued_at_ns    BIGINT   NOT NULL,
    answered_at_ns  BIGINT,
    ended_at_ns     BIGINT,
    wait_ns         BIGINT   NOT NULL,
    talk_ns         BIGINT   NOT NULL,
    acw_ns          BIGINT   NOT NULL,
    flags           SMALLINT NOT NULL,
    PRIMARY KEY (source, call_id)
) {{WITHOUT_ROWID}};

CREATE INDEX calls_po_queued ON calls (po, queued_at_ns);

-- Exact aggregates per 15-minute interval (interval_start_ns = queued_at
-- truncated to 15 minutes UTC), maintained in the transaction that inserts
-- the calls. Counts are public calls only, except test_calls.
CREATE TABLE call_intervals (
    po                      TEXT   NOT NULL,
    interval_start_ns       BIGINT NOT NULL,
    service_option          TEXT   NOT NULL,
    access_number           TEXT   NOT NULL,
    standard                TEXT   NOT NULL,
    offered                 BIGINT NOT NULL,
    answered                BIGINT NOT NULL,
    answered_within_target  BIGINT NOT NULL,
    answered_within_rest    BIGINT NOT NULL,
    abandoned               BIGINT NOT NULL,
    abandoned_under_20      BIGINT NOT NULL,
    abandoned_20_to_60      BIGINT NOT NULL,
    abandoned_over_60       BIGINT NOT NULL,
    short_abandons          BIGINT NOT NULL,
    ivr_only                BIGINT NOT NULL,
    test_calls              BIGINT NOT NULL,
    answer_wait_ns          BIGINT NOT NULL,
    talk_ns                 BIGINT NOT NULL,
    acw_ns                  BIGINT NOT NULL,
    PRIMARY KEY (po, interval_start_ns, service_option, access_number, standard)
) {{WITHOUT_ROWID}};
