-- Dictionaries of the few distinct strings every call repeats: a call row
-- then carries two small integers instead of six strings, which is most of
-- the cost of writing it. Rows are only ever added (never changed or
-- deleted), so a Store may cache them for good once committed.
CREATE TABLE sources (
    id   {{ID}},
    name TEXT NOT NULL,
    UNIQUE (name)
);

-- One telephony series: the labels of the exporter's metrics.
CREATE TABLE series (
    id             {{ID}},
    po             TEXT NOT NULL,
    service_option TEXT NOT NULL,
    access_number  TEXT NOT NULL,
    standard       TEXT NOT NULL,
    UNIQUE (po, service_option, access_number, standard)
);

-- Calls, written once by (source, call_id). Times are UTC unix nanoseconds;
-- durations are integer nanoseconds (exact: threshold comparisons match the
-- exporters' float histograms, and sums are identical on every backend).
-- outcome: 1 answered, 2 abandoned, 3 ivr_only.
-- flags: bit 0 within target, bit 1 within rest, bit 2 short abandon,
-- bit 3 test (line-test) call; a call without bit 3 is a public call.
-- source_id and series_id are ids in sources and series (not declared as
-- foreign keys: only the store writes them, and the checks would cost two
-- more b-tree lookups per call).
CREATE TABLE calls (
    source_id       BIGINT   NOT NULL,
    call_id         TEXT     NOT NULL,
    series_id       BIGINT   NOT NULL,
    queued_at_ns    BIGINT   NOT NULL,
    answered_at_ns  BIGINT,
    ended_at_ns     BIGINT,
    wait_ns         BIGINT   NOT NULL,
    talk_ns         BIGINT   NOT NULL,
    acw_ns          BIGINT   NOT NULL,
    outcome         SMALLINT NOT NULL,
    flags           SMALLINT NOT NULL,
    PRIMARY KEY (source_id, call_id)
) {{WITHOUT_ROWID}};

-- Summary counts calls one by one only in the partial 15-minute intervals
-- at the edges of an unaligned period: a time range of all POs, filtered by
-- series. Calls arrive roughly in time order, so this index is appended to
-- at one place; an index by (series_id or po, queued_at_ns) would be
-- written at hundreds of places and cost about a third of ingest.
CREATE INDEX calls_queued ON calls (queued_at_ns);

-- Exact aggregates per series and 15-minute interval (interval_start_ns =
-- queued_at truncated to 15 minutes UTC), maintained in the transaction that
-- inserts the calls. Counts are public calls only, except test_calls.
CREATE TABLE call_intervals (
    series_id               BIGINT NOT NULL,
    interval_start_ns       BIGINT NOT NULL,
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
    PRIMARY KEY (series_id, interval_start_ns)
) {{WITHOUT_ROWID}};
