package rules

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// promtool evaluates a test's rule groups one after another in map order
// (random from run to run) unless the test lists them in group_eval_order.
// Prometheus runs groups side by side, so a test whose alert reads a series
// recorded in another group passes or fails by chance without the order
// (CI once failed this way on crm.test.yml). Every test file loading more
// than one group must therefore order all of them, and name no other.
func TestPromtoolTestsOrderEveryGroup(t *testing.T) {
	tests, _ := filepath.Glob("tests/*.test.yml")
	if len(tests) == 0 {
		t.Fatal("no tests/*.test.yml")
	}
	for _, path := range tests {
		var tf struct {
			RuleFiles      []string `yaml:"rule_files"`
			GroupEvalOrder []string `yaml:"group_eval_order"`
		}
		readYAML(t, path, &tf)
		var groups []string
		for _, rf := range tf.RuleFiles {
			var f struct {
				Groups []struct {
					Name string `yaml:"name"`
				} `yaml:"groups"`
			}
			readYAML(t, filepath.Join(filepath.Dir(path), rf), &f)
			for _, g := range f.Groups {
				groups = append(groups, g.Name)
			}
		}
		if len(groups) < 2 {
			continue
		}
		for _, g := range groups {
			if !slices.Contains(tf.GroupEvalOrder, g) {
				t.Errorf("%s: group_eval_order does not list group %q of its rule files: promtool would evaluate it in random order", path, g)
			}
		}
		for _, g := range tf.GroupEvalOrder {
			if !slices.Contains(groups, g) {
				t.Errorf("%s: group_eval_order lists %q, which none of its rule_files defines (valid: %v)", path, g, groups)
			}
		}
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
