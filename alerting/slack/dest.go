package slack

import (
	"errors"
	"strings"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
)

// dest is where a message goes. to is a channel name ("#rbkc-ooh"), a
// channel id or a member id (a direct message, which Slack opens on the
// first post); label says which in logs and errors without the member id.
type dest struct {
	to    catalog.Private
	label string
	// user is the member paged in a channel message, mentioned in it.
	user catalog.Private
}

func (d dest) String() string { return d.label }

// mention is "<@member id>" for a channel message that pages a member, else "".
func (d dest) mention() string {
	if d.user.IsZero() {
		return ""
	}
	return "<@" + d.user.Reveal() + ">"
}

// destOf is the recipient's channel if set, else a direct message to its
// member id.
func destOf(r alerting.Recipient) (dest, error) {
	switch {
	case r.SlackChannel != "":
		return dest{to: catalog.NewPrivate(r.SlackChannel), label: "channel " + r.SlackChannel, user: r.SlackUser}, nil
	case !r.SlackUser.IsZero():
		return dest{to: r.SlackUser, label: "a direct message"}, nil
	}
	return dest{}, errors.New("slack: the recipient has neither a Slack channel nor a Slack member id; want To.SlackChannel (e.g. \"#rbkc-ooh\") or To.SlackUser (e.g. \"U0123ABCD\")")
}

// labelOfID names a channel id from a receipt: direct message ids (D…) are
// not shown, channel ids (C…, G…) are.
func labelOfID(id string) string {
	if strings.HasPrefix(id, "D") {
		return "a direct message"
	}
	return "channel " + id
}
