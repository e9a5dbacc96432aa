-- Contract KPIs: manual returns and mitigations (exporters/kpi). Times are
-- UTC unix nanoseconds. Nothing here is ever updated or deleted: a later
-- return for the same KPI and period supersedes the earlier one (the
-- highest id wins) and both are kept; a mitigation is reported beside the
-- raw figure, never changing it. entered_by is the person id given to the
-- CLI (--by) or the API credential's name; via is cli or api.
CREATE TABLE kpi_returns (
    id          {{ID}},
    kpi         TEXT   NOT NULL,
    period      TEXT   NOT NULL,
    numerator   BIGINT NOT NULL CHECK (numerator >= 0),
    denominator BIGINT NOT NULL CHECK (denominator > 0),
    note        TEXT   NOT NULL,
    entered_by  TEXT   NOT NULL CHECK (entered_by <> ''),
    via         TEXT   NOT NULL,
    entered_ns  BIGINT NOT NULL,
    CHECK (numerator <= denominator)
);

CREATE INDEX kpi_returns_kpi_period ON kpi_returns (kpi, period, id);

CREATE TABLE kpi_mitigations (
    id          {{ID}},
    kpi         TEXT   NOT NULL,
    period      TEXT   NOT NULL,
    reason      TEXT   NOT NULL CHECK (reason <> ''),
    agreed_by   TEXT   NOT NULL CHECK (agreed_by <> ''),
    entered_by  TEXT   NOT NULL CHECK (entered_by <> ''),
    via         TEXT   NOT NULL,
    entered_ns  BIGINT NOT NULL
);

CREATE INDEX kpi_mitigations_kpi_period ON kpi_mitigations (kpi, period, id);
