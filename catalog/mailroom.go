package catalog

// MailRoom is the government mail room the mail-room exporter watches:
// its business units and their regions.
type MailRoom struct{}

// resolveMailRoom validates the catalogue's mail_room: section.
func (c *Catalog) resolveMailRoom(v *validator, p path) {}
