// Package dashboards generates the Grafana dashboards from the catalogue
// with grafana-foundation-sdk, as classic dashboard JSON (the form Grafana's
// file provisioning loads): the duty manager's live board, one board per PO
// for its client officers, and the service option, line-test, lone-worker
// and platform-health boards. The JSON is committed under generated/; a test
// fails when it is stale (`slawatch generate dashboards`).
//
// Every panel queries the datasource whose uid is DatasourceUID: in the
// provider's Grafana organisation it is Prometheus itself, in a PO's
// organisation it is the tenancy proxy with that PO's credential.
package dashboards
