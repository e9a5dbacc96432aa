package rules

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/slawatch/slawatch/internal/atomicfile"
)

// Write writes the files into dir (creating it) and removes any other
// *.rules.yml there that this generator wrote before (it starts with the
// generated-by header); files written by hand are left alone. Each file is
// written to a temporary file in dir and renamed over the old one, so a
// Prometheus or vmalert reloading meanwhile reads the old file or the new
// one, never half of one.
func Write(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	for name, data := range files {
		if filepath.Base(name) != name || !strings.HasSuffix(name, ".rules.yml") {
			return fmt.Errorf("rules: file name %q must be a plain *.rules.yml name", name)
		}
		if err := writeAtomic(dir, name, data); err != nil {
			return fmt.Errorf("rules: %w", err)
		}
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.rules.yml"))
	if err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	for _, path := range old {
		if _, keep := files[filepath.Base(path)]; keep {
			continue
		}
		gen, err := generatedByUs(path)
		if err != nil {
			return fmt.Errorf("rules: %w", err)
		}
		if gen {
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("rules: removing stale %s: %w", path, err)
			}
		}
	}
	return nil
}

func generatedByUs(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	return strings.HasPrefix(line, generatedMarker), nil
}

// writeAtomic writes dir/name atomically; the temporary name does not end
// in .rules.yml, so a rule_files glob never picks it up.
func writeAtomic(dir, name string, data []byte) error {
	return atomicfile.Write(filepath.Join(dir, name), data)
}
