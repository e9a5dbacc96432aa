-- Incidents: one row per alert episode the notifier took in from
-- Alertmanager's webhook. An episode is (group_key, fingerprint, starts_at):
-- an alert that resolves and fires again later starts a new episode (a new
-- row), so each row keeps its own pages, acknowledgements and end.
-- Times are UTC unix nanoseconds. labels and annotations are the alert's, as
-- a JSON object (alerts carry no personal data: DESIGN.md, metric contract).
-- po, service_option and severity copy those labels ('' when absent) so that
-- listings filter without reading the JSON.
CREATE TABLE incidents (
    id              {{ID}},
    receiver        TEXT   NOT NULL,
    group_key       TEXT   NOT NULL,
    fingerprint     TEXT   NOT NULL,
    alertname       TEXT   NOT NULL,
    po              TEXT   NOT NULL,
    service_option  TEXT   NOT NULL,
    severity        TEXT   NOT NULL,
    labels          TEXT   NOT NULL,
    annotations     TEXT   NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('firing', 'resolved')),
    starts_at_ns    BIGINT NOT NULL,
    ends_at_ns      BIGINT,
    first_seen_ns   BIGINT NOT NULL,
    last_seen_ns    BIGINT NOT NULL,
    updated_ns      BIGINT NOT NULL,
    UNIQUE (group_key, fingerprint, starts_at_ns)
);

CREATE INDEX incidents_po ON incidents (po, status, starts_at_ns);

-- The audit trail: rows are only ever appended. kind: opened, updated
-- (annotations changed), resolved, notified (a notifier delivered it),
-- notify_failed (a notifier gave up).
CREATE TABLE incident_events (
    id          {{ID}},
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    at_ns       BIGINT NOT NULL,
    kind        TEXT   NOT NULL CHECK (kind IN ('opened', 'updated', 'resolved', 'notified', 'notify_failed')),
    detail      TEXT   NOT NULL
);

CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
