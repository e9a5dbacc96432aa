package verify

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/slawatch/slawatch/dashboards"
)

// LoadBoards reads every *.json dashboard under dir (recursively), in
// path order.
func LoadBoards(dir string) ([]dashboards.Board, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Ext(p) == ".json" {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []dashboards.Board
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		b, err := dashboards.ReadBoard(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if b.UID == "" {
			return nil, fmt.Errorf("%s: dashboard has no uid", p)
		}
		out = append(out, b)
	}
	return out, nil
}
