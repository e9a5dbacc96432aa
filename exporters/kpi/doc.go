// Package kpi serves the contract KPIs of the catalogue (SPEC.md
// "Customer-services KPIs", docs/KPI.md): manual returns and mitigations
// entered through the CLI or the HTTP API and kept in the event store,
// their metrics (kpi_return_value, kpi_return_latest_value, kpi_mitigated)
// read from the store at every scrape, so a return entered by another
// process shows at the next scrape, and the status of a reporting period:
// outturn, RAG and mitigation of every KPI, PromQL KPIs evaluated over the
// exact calendar period through a Querier.
package kpi
