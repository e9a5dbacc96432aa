package rules

import "github.com/slawatch/slawatch/catalog"

// MailroomFileName is the rule file of the mail-room exception alerts.
const MailroomFileName = "mailroom.rules.yml"

// GenerateMailroom renders the mail-room exception alerts; nil when the catalogue has nothing for them.
func GenerateMailroom(c *catalog.Catalog) ([]byte, error) { return nil, nil }
