package main

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/kpi"
	"github.com/slawatch/slawatch/internal/apiauth"
	"github.com/slawatch/slawatch/store"
)

// mountKPIs exports the contract KPIs' manual returns and mitigations
// (kpi_* on the notifier's /metrics: the recording rules read them) and,
// with credentials, serves the KPI API on the public mux (returns and
// mitigations need scope *; status answers any caller for its own PO's
// KPIs, PromQL ones evaluated against promURL when it is set).
func mountKPIs(public *http.ServeMux, cat *catalog.Catalog, st *store.Store, reg prometheus.Registerer, creds *apiauth.Credentials,
	promURL string, log *slog.Logger) error {
	var q kpi.Querier
	if promURL != "" {
		pq, err := kpi.NewPromQuerier(promURL, nil)
		if err != nil {
			return usagef("--prometheus %s: %v", promURL, err)
		}
		q = pq
	}
	k, err := kpi.New(kpi.Options{Catalog: cat, Store: st, Logger: log.With("component", "kpi"), Registerer: reg, Querier: q})
	if err != nil {
		return err
	}
	if creds != nil {
		public.Handle(kpi.APIPrefix, creds.Middleware(log, k.Handler()))
	}
	return nil
}
