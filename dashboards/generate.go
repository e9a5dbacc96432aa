package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/slawatch/slawatch/catalog"
)

// Generate renders every dashboard from the catalogue. Keys are paths
// relative to DefaultDir: ProviderFolder/<name>.json for the provider's
// boards and POFolder(po)/po.json for each PO's board. The output is
// deterministic: the same catalogue gives the same bytes (keys sorted,
// panels in catalogue order, nothing taken from the clock).
func Generate(c *catalog.Catalog) (map[string][]byte, error) {
	type gen struct {
		file string
		fn   func() (dashboard.Dashboard, error)
	}
	gens := []gen{
		{path.Join(ProviderFolder, "duty-manager.json"), func() (dashboard.Dashboard, error) { return dutyManager(c) }},
		{path.Join(ProviderFolder, "service-option.json"), func() (dashboard.Dashboard, error) { return serviceOption(c) }},
		{path.Join(ProviderFolder, "line-tests.json"), func() (dashboard.Dashboard, error) { return lineTests(c) }},
		{path.Join(ProviderFolder, "lone-workers.json"), func() (dashboard.Dashboard, error) { return loneWorkers(c) }},
		{path.Join(ProviderFolder, "platform-health.json"), func() (dashboard.Dashboard, error) { return platformHealth(c) }},
	}
	for i := range c.Organisations {
		p := &c.Organisations[i]
		gens = append(gens, gen{path.Join(POFolder(p.ID), "po.json"), func() (dashboard.Dashboard, error) { return poBoard(c, p) }})
	}
	out := make(map[string][]byte, len(gens))
	for _, g := range gens {
		d, err := g.fn()
		if err != nil {
			return nil, fmt.Errorf("dashboards: %s: %w", g.file, err)
		}
		data, err := render(d)
		if err != nil {
			return nil, fmt.Errorf("dashboards: %s: %w", g.file, err)
		}
		out[g.file] = data
	}
	return out, nil
}

// render writes a dashboard as indented JSON with every object's keys
// sorted (the SDK's struct order re-read as maps), numbers kept as
// written, no HTML escaping (PromQL's < and > stay readable), and a final
// newline.
func render(d dashboard.Dashboard) ([]byte, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
