// Package tenancy is the tenancy proxy: a Prometheus-compatible query
// endpoint in front of Prometheus where each credential sees only the
// series of its PO.
//
// Every request needs HTTP Basic credentials (user and a machine-made
// token) from the credentials file; the PO comes from the credential,
// never from the request. The allowed endpoints (query, query_range,
// series, labels, label values, rules, alerts) go through
// prom-label-proxy's injectproxy, which forces po="<id>" into every
// selector of every query and filters rules and alerts; anything else is
// refused. Requests are first put in one canonical form (parameters in
// the URL of a GET or the form body of a POST, never both, one query), so
// the enforcer and Prometheus read the same thing. See docs/PROXY.md.
package tenancy

// Label is the label every selector is forced to carry.
const Label = "po"
