package alerting

import (
	"context"
	"fmt"
	"strconv"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// message builds what a sender needs for a page: the incident's facts and
// the recipient's contact details, looked up in the catalogue at send
// time (the store keeps person ids only).
func (p *Pager) message(ctx context.Context, cat *catalog.Catalog, pg store.Page) (Message, error) {
	inc, err := p.opts.Store.Incident(ctx, pg.IncidentID)
	if err != nil {
		return Message{}, err
	}
	m := Message{
		Kind: pg.Kind, PageID: pg.ID, IncidentID: inc.ID, Ref: strconv.FormatInt(inc.ID, 10), AckCode: pg.AckCode,
		Severity: inc.Severity, PO: inc.PO, ServiceOption: inc.ServiceOption, AccessNumber: inc.Labels["access_number"],
		AlertName: inc.AlertName, Summary: inc.Summary(), Since: inc.StartsAt, Step: pg.Step, Escalated: pg.Step > 0,
		Update: pg.UpdateRef,
	}
	if pg.Kind != store.PageKindPage {
		m.By, m.Via = ackedBy(ctx, p.opts.Store, inc.ID)
	}
	if pg.Person == "" {
		m.To = Recipient{SlackChannel: pg.SlackChannel}
		return m, nil
	}
	who, _, ok := cat.PersonByID(pg.Person)
	if !ok {
		return m, fmt.Errorf("person %s is no longer in the catalogue", pg.Person)
	}
	m.To = Recipient{PersonID: who.ID, Name: who.Name, Phone: who.SMS, SlackUser: who.Slack}
	return m, nil
}

func ackedBy(ctx context.Context, st *store.Store, id int64) (by, via string) {
	e, err := st.Escalation(ctx, id)
	if err != nil {
		return "", ""
	}
	return e.AckedBy, e.AckedVia
}
