-- Where each incremental source stopped reading (the CRM SQL source: one
-- row per mapped table). cursor_value is the last row's cursor column value and
-- row_key its key (the tiebreak among rows with the same cursor), both as
-- text in the source's own format; position_columns names the columns they
-- were read from (the source refuses to resume a position in other
-- columns). The source writes them only after the rows' events are safely
-- in the store, so a crash in between re-reads rows the store then ignores
-- as duplicates. updated_ns is UTC unix nanoseconds.
CREATE TABLE source_cursors (
    name             TEXT   NOT NULL PRIMARY KEY,
    cursor_value     TEXT   NOT NULL,
    row_key          TEXT   NOT NULL,
    position_columns TEXT   NOT NULL,
    updated_ns       BIGINT NOT NULL
);
