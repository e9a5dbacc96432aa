package main

import (
	"errors"
	"flag"

	"github.com/slawatch/slawatch/catalog"
)

// grafanaGenerateFlags are the flags of `slawatch generate grafana`.
type grafanaGenerateFlags struct{}

func registerGrafanaGenerateFlags(fs *flag.FlagSet) *grafanaGenerateFlags {
	return &grafanaGenerateFlags{}
}

// generateGrafana writes Grafana's provisioning (`slawatch generate grafana`).
// STUB (issue 7, helper C): replace.
func generateGrafana(e *env, cat *catalog.Catalog, out string, f *grafanaGenerateFlags) error {
	return errors.New("generate grafana: not written yet")
}
