package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/rules"
)

// generateKinds are what `slawatch generate` writes, in the order of its usage.
var generateKinds = []string{"rules", "alerting", "dashboards", "grafana"}

func runGenerate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "generate", "generate rules|alerting|dashboards|grafana [--catalog FILE] [--out PATH]",
		"Writes the files that are generated from the catalogue. They are committed; tests fail\n"+
			"when they are stale, so run this (or `make generate`) after every catalogue change.\n\n"+
			"rules:      Prometheus recording and alerting rules: SLA figures per PO and service option\n"+
			"            and per access number, and the platform rules (rules/generated/ by default).\n"+
			"alerting:   alertmanager.yml: routes by PO and severity, the PO's hours of service as time\n"+
			"            intervals (bank holidays of this year and next: regenerate each New Year),\n"+
			"            inhibitions, every receiver a webhook to the notifier\n"+
			"            (alerting/generated/alertmanager.yml by default).\n"+
			"dashboards: Grafana dashboard JSON, the form file provisioning loads: the duty manager's\n"+
			"            boards and one board per PO (dashboards/generated/ by default).\n"+
			"grafana:    Grafana provisioning: datasources and dashboard providers, one organisation\n"+
			"            per PO whose datasource goes through the tenancy proxy\n"+
			"            (deploy/grafana/provisioning/ by default).")
	var c commonFlags
	c.register(fs, false)
	out := fs.String("out", "", "where to write (default: see above)")
	notifier := fs.String("notifier-url", alerting.DefaultNotifierURL, "alerting: base URL of slawatch notify")
	watchdog := fs.String("watchdog-url", "", "alerting: webhook of an external dead-man's switch for the Watchdog alert (default: the notifier)")
	gf := registerGrafanaGenerateFlags(fs)
	if len(args) == 0 || !slices.Contains(generateKinds, args[0]) {
		fs.Usage()
		return usagef("say what to generate: rules, alerting, dashboards or grafana")
	}
	what := args[0]
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	switch what {
	case "rules":
		dir := *out
		if dir == "" {
			dir = "rules/generated"
		}
		files, err := rules.Generate(cat)
		if err != nil {
			return err
		}
		if err := rules.Write(dir, files); err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(dir, name))
		}
	case "alerting":
		path := *out
		if path == "" {
			path = "alerting/generated/alertmanager.yml"
		}
		data, err := alerting.GenerateAlertmanager(cat, alerting.AMConfig{NotifierURL: *notifier, WatchdogURL: *watchdog})
		if err != nil {
			return err
		}
		if err := alerting.WriteAlertmanager(path, data); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", path)
	case "dashboards":
		return generateDashboards(e, cat, *out)
	case "grafana":
		return generateGrafana(e, cat, *out, gf)
	}
	return nil
}
