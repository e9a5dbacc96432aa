-- Rota changes made through the rota API (alerting/rotaapi): overrides that
-- put a person on call from from_ns to to_ns, and cancels of overrides.
-- Rows are only ever appended, never updated or deleted: the table is the
-- whole history, each row with who made it (author: the API credential's
-- name) and when (created_ns). Times are UTC unix nanoseconds.
--
-- kind 'override': person is a catalogue person id, cancels is NULL.
-- kind 'cancel': person is '', cancels is the id of the override it ends;
-- the override is void from from_ns (its own start when cancelled before
-- it began) and to_ns repeats the override's end. One cancel per override.
-- reason is free text; it is not expected to hold personal data.
CREATE TABLE rota_changes (
    id         {{ID}},
    po         TEXT   NOT NULL,
    rota       TEXT   NOT NULL,
    kind       TEXT   NOT NULL CHECK (kind IN ('override', 'cancel')),
    person     TEXT   NOT NULL,
    from_ns    BIGINT NOT NULL,
    to_ns      BIGINT NOT NULL,
    cancels    BIGINT REFERENCES rota_changes (id),
    reason     TEXT   NOT NULL,
    author     TEXT   NOT NULL,
    created_ns BIGINT NOT NULL,
    CHECK (to_ns > from_ns),
    CHECK ((kind = 'override' AND person <> '' AND cancels IS NULL)
        OR (kind = 'cancel' AND person = '' AND cancels IS NOT NULL))
);

CREATE INDEX rota_changes_po ON rota_changes (po, id);

CREATE UNIQUE INDEX rota_changes_cancels ON rota_changes (cancels);
