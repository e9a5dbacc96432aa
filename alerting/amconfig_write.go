package alerting

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/slawatch/slawatch/internal/atomicfile"
)

// WriteAlertmanager writes data to path through a temporary file in the
// same directory and a rename, so an Alertmanager reloading meanwhile reads
// the old file or the new one, never half of one. The directory is created
// when missing.
func WriteAlertmanager(path string, data []byte) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if name == "" {
		return fmt.Errorf("alerting: %q is a directory; give a file name such as alertmanager.yml", path)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("alerting: %w", err)
	}
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("alerting: writing %s: %w", path, err)
	}
	return nil
}
