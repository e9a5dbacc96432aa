package provision

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slawatch/slawatch/internal/atomicfile"
)

// Write writes files (Layout paths → content) into dir and removes every
// other *.yaml under it: the folder is wholly generated.
func Write(dir string, files map[string][]byte) error {
	for name, data := range files {
		clean := filepath.ToSlash(filepath.Clean(name))
		if clean != name || strings.HasPrefix(name, "../") || filepath.IsAbs(name) || !strings.HasSuffix(name, ".yaml") {
			return fmt.Errorf("grafana: file name %q must be a relative path to a *.yaml file", name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("grafana: %w", err)
		}
		if err := atomicfile.Write(p, data); err != nil {
			return fmt.Errorf("grafana: %w", err)
		}
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if _, keep := files[filepath.ToSlash(rel)]; keep {
			return nil
		}
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("grafana: removing stale %s: %w", p, err)
		}
		return nil
	})
}

// installed maps a file of the generated folder to where it goes in
// Grafana's provisioning path.
var installed = []struct {
	src, dst string
	orgs     bool
}{
	{ProviderDatasources, "datasources/slawatch.yaml", false},
	{ProviderDashboards, "dashboards/slawatch.yaml", false},
	{OrgsDatasources, "datasources/slawatch-orgs.yaml", true},
	{OrgsDashboards, "dashboards/slawatch-orgs.yaml", true},
}

// Install puts the generated provisioning (src, the folder Generate's files
// were written to) into Grafana's provisioning path dst: the provider's
// files always; the organisations' files when withOrgs (only once every
// organisation exists), else it removes them, so that a Grafana whose
// organisations are gone still starts. Files already equal are not
// rewritten. It returns the dst files it wrote or removed.
func Install(src, dst string, withOrgs bool) (changed []string, err error) {
	for _, f := range installed {
		to := filepath.Join(dst, filepath.FromSlash(f.dst))
		if f.orgs && !withOrgs {
			if err := os.Remove(to); err == nil {
				changed = append(changed, to)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return changed, fmt.Errorf("grafana: %w", err)
			}
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(f.src)))
		if err != nil {
			return changed, fmt.Errorf("grafana: provisioning source (run `slawatch generate grafana`): %w", err)
		}
		if old, err := os.ReadFile(to); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return changed, fmt.Errorf("grafana: %w", err)
		}
		if err := atomicfile.Write(to, data); err != nil {
			return changed, fmt.Errorf("grafana: %w", err)
		}
		changed = append(changed, to)
	}
	slices.Sort(changed)
	return changed, nil
}
