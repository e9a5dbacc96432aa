package dashboards

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/slawatch/slawatch/internal/atomicfile"
)

// Write writes files (paths relative to dir, *.json) into dir, creating
// folders, and removes every other *.json under dir: the folder is wholly
// generated. Each file is replaced atomically, so a Grafana rescanning
// meanwhile reads the old board or the new one, never half of one.
func Write(dir string, files map[string][]byte) error {
	for name, data := range files {
		clean := filepath.ToSlash(filepath.Clean(name))
		if clean != name || strings.HasPrefix(name, "../") || filepath.IsAbs(name) || !strings.HasSuffix(name, ".json") {
			return fmt.Errorf("dashboards: file name %q must be a relative path to a *.json file", name)
		}
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("dashboards: %w", err)
		}
		if err := atomicfile.Write(path, data); err != nil {
			return fmt.Errorf("dashboards: %w", err)
		}
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if _, keep := files[filepath.ToSlash(rel)]; keep {
			return nil
		}
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("dashboards: removing stale %s: %w", path, err)
		}
		return nil
	})
}
