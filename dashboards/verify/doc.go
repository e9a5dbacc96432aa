// Package verify runs every query of every generated dashboard against a
// Prometheus and reports each one that errors, returns no series or only
// NaN values, naming the board, the panel and the expanded query.
//
// Its integration test (live_test.go) builds slawatch, runs `slawatch demo`
// (the simulator, with scenarios so line tests, lone workers, CRM, the mail
// room and paging have data) and Debian's prometheus scraping the demo's
// exporters under the production job names with the committed rules, then
// checks the boards under dashboards/generated. Variables are given a value
// that exists: the variable's own query is evaluated and a value chosen
// (preferred values first, then the one that gives the board's queries
// data).
package verify
