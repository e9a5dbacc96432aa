package rules

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
)

// The embedded engine uses the Prometheus Go library (newer than Debian's
// promtool): its rule-file parser and PromQL parser must accept the files.
func TestPrometheusLibraryParsesGeneratedRules(t *testing.T) {
	for _, f := range generatedFiles(t) {
		groups, errs := rulefmt.ParseFile(f, false, model.UTF8Validation)
		for _, err := range errs {
			t.Errorf("%s: %v", f, err)
		}
		if want := 4; groups != nil && strings.HasPrefix(filepath.Base(f), "sla_") && len(groups.Groups) != want {
			t.Errorf("%s: %d groups, want fast, long, targets, alerts", f, len(groups.Groups))
		}
	}
}
