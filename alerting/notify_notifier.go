package alerting

import (
	"context"
	"strings"
	"time"

	"github.com/slawatch/slawatch/store"
)

// Notifier delivers a page about an incident; retry reports whether a
// failure is transient (worth trying again) or permanent.
type Notifier interface {
	Notify(ctx context.Context, n Notification) (retry bool, err error)
}

// Notification is one change of an incident to tell people about.
type Notification struct {
	// Event is store.EventOpened or store.EventResolved.
	Event    string
	At       time.Time
	Incident store.Incident
	// Receiver is the Alertmanager receiver: po-<id> pages that PO's
	// on-call person, provider-duty-manager the provider's duty manager.
	Receiver string
	// PO is the PO whose on-call person is paged ("" for the provider).
	PO string
}

// Target says in words whose escalation the notification is for (the
// pager resolves it to people by the PO's policy and rotas).
func (n *Notification) Target() string {
	switch {
	case n.PO != "":
		return "on-call of " + n.PO
	case n.Receiver == ProviderReceiver:
		return "provider duty manager"
	}
	return "receiver " + n.Receiver
}

// poOfReceiver is the PO id of a po-<id> receiver, else "".
func poOfReceiver(receiver string) string {
	if id, ok := strings.CutPrefix(receiver, POReceiver("")); ok {
		return id
	}
	return ""
}
