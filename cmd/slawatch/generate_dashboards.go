package main

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/dashboards"
)

// generateDashboards writes the dashboard JSON (`slawatch generate dashboards`).
func generateDashboards(e *env, cat *catalog.Catalog, out string) error {
	if out == "" {
		out = dashboards.DefaultDir
	}
	files, err := dashboards.Generate(cat)
	if err != nil {
		return err
	}
	if err := dashboards.Write(out, files); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(out, name))
	}
	return nil
}
