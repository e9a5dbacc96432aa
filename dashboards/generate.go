package dashboards

import (
	"errors"

	"github.com/slawatch/slawatch/catalog"
)

// Generate renders every dashboard from the catalogue. Keys are paths
// relative to DefaultDir: ProviderFolder/<name>.json for the provider's
// boards and POFolder(po)/po.json for each PO's board.
// STUB (issue 7, helper A): replace.
func Generate(c *catalog.Catalog) (map[string][]byte, error) {
	return nil, errors.New("dashboards: not written yet")
}
