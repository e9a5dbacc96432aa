package catalog

// CRM holds the deadlines the CRM exporter measures complaints and
// contacts against (SPEC.md "Complaints and incidents", customer-services
// KPIs). Defaults apply to every PO; a PO's crm: overrides field by field.
type CRM struct{}

// resolveCRMDefaults validates and defaults the catalogue's defaults.crm.
func (c *Catalog) resolveCRMDefaults(v *validator, p path) {}

// resolveCRM validates a PO's crm: and merges it over the defaults.
func (c *Catalog) resolveCRM(v *validator, pp path, p *PO) {}
