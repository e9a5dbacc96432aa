package main

import (
	"flag"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/dashboards/provision"
)

// grafanaGenerateFlags are the flags of `slawatch generate grafana`.
type grafanaGenerateFlags struct {
	proxyURL, prometheusURL, dashboardsPath *string
}

func registerGrafanaGenerateFlags(fs *flag.FlagSet) *grafanaGenerateFlags {
	return &grafanaGenerateFlags{
		proxyURL:       fs.String("proxy-url", provision.DefaultProxyURL, "grafana: the tenancy proxy as Grafana reaches it (PO organisations' datasource)"),
		prometheusURL:  fs.String("prometheus-url", provision.DefaultPrometheusURL, "grafana: Prometheus as Grafana reaches it (the provider's organisation)"),
		dashboardsPath: fs.String("dashboards-path", provision.DefaultDashboardsPath, "grafana: where dashboards/generated is mounted inside Grafana"),
	}
}

// generateGrafana writes Grafana's provisioning (`slawatch generate grafana`).
func generateGrafana(e *env, cat *catalog.Catalog, out string, f *grafanaGenerateFlags) error {
	if out == "" {
		out = provision.DefaultDir
	}
	files, err := provision.Generate(cat, provision.Options{
		ProxyURL: *f.proxyURL, PrometheusURL: *f.prometheusURL, DashboardsPath: *f.dashboardsPath})
	if err != nil {
		return err
	}
	if err := provision.Write(out, files); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(out, name))
	}
	return nil
}
