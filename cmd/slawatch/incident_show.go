package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/slawatch/slawatch/store"
)

// incidentReport is one incident in full, for `incidents --id N`.
type incidentReport struct {
	Incident   store.Incident          `json:"incident"`
	Escalation *store.Escalation       `json:"escalation,omitempty"`
	Pages      []store.Page            `json:"pages"`
	Events     []store.IncidentEvent   `json:"events"`
	Escalating []store.EscalationEvent `json:"escalation_events"`
}

func showIncident(ctx context.Context, e *env, st *store.Store, id int64, format string) error {
	var r incidentReport
	var err error
	if r.Incident, err = st.Incident(ctx, id); err != nil {
		return err
	}
	if r.Events, err = st.IncidentEvents(ctx, id); err != nil {
		return err
	}
	switch esc, err := st.Escalation(ctx, id); {
	case err == nil:
		r.Escalation = &esc
	case !errors.Is(err, store.ErrNoEscalation):
		return err
	}
	if r.Pages, err = st.Pages(ctx, id); err != nil {
		return err
	}
	if r.Escalating, err = st.EscalationEvents(ctx, id); err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(e.stdout, r)
	}
	inc := r.Incident
	fmt.Fprintf(e.stdout, "incident %d  %s  %s  %s %s/%s  since %s\n%s\n", inc.ID, inc.Status, inc.Receiver,
		inc.AlertName, dash(inc.PO), dash(inc.ServiceOption), inc.StartsAt.Format(time.RFC3339), inc.Summary())
	if x := r.Escalation; x != nil {
		fmt.Fprintf(e.stdout, "escalation: %s", x.State)
		if !x.NextAt.IsZero() {
			fmt.Fprintf(e.stdout, ", step %d due %s", x.NextStep+1, x.NextAt.Format(time.RFC3339))
		}
		if x.AckedBy != "" {
			fmt.Fprintf(e.stdout, "; acknowledged by %s via %s at %s", x.AckedBy, x.AckedVia, x.Acked.Format(time.RFC3339))
		}
		fmt.Fprintln(e.stdout)
	}
	if len(r.Pages) > 0 {
		fmt.Fprintln(e.stdout, "\npages:")
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTEP\tKIND\tTO\tCHANNEL\tCODE\tSTATUS\tTRIES\tQUEUED\tSENT\tDONE\tDETAIL")
		for _, p := range r.Pages {
			to := p.Person
			if to == "" {
				to = p.SlackChannel
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", p.ID, p.Step+1, p.Kind, to, p.Channel,
				dash(p.AckCode), p.Status, p.Attempts, clock(p.Created), clock(p.Sent), clock(p.Done), dash(p.Detail))
		}
		tw.Flush()
	}
	type line struct {
		at                  time.Time
		kind, who, ch, what string
	}
	var trail []line
	for _, x := range r.Events {
		trail = append(trail, line{x.At, x.Kind, "-", "-", x.Detail})
	}
	for _, x := range r.Escalating {
		what := x.Detail
		switch x.Kind {
		case store.EscStarted, store.EscAcknowledged, store.EscResolved, store.EscEscalated, store.EscSuppressed:
		default:
			what = fmt.Sprintf("step %d: %s", x.Step+1, x.Detail)
		}
		trail = append(trail, line{x.At, x.Kind, dash(x.Person), dash(x.Channel), what})
	}
	sort.SliceStable(trail, func(i, j int) bool { return trail[i].at.Before(trail[j].at) })
	fmt.Fprintln(e.stdout, "\ntrail:")
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tKIND\tWHO\tCHANNEL\tDETAIL")
	for _, x := range trail {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", x.at.Format(time.RFC3339), x.kind, x.who, x.ch, x.what)
	}
	return tw.Flush()
}

// clock is a time of day, or - for the zero time.
func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("15:04:05")
}
