package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// storePager is a pager that only writes to the store (no senders, never
// ticks): the running notifier sends what it queues. catalogFor applies
// the stored rota changes.
func storePager(cat *catalog.Catalog, st *store.Store, log *slog.Logger) (*alerting.Pager, error) {
	return alerting.NewPager(alerting.PagerOptions{Catalog: catalogFor(cat, st, log), Store: st, Logger: log})
}

func runPage(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "page", `page --po P [--service-option S] [--by PERSON] "message"`,
		"Pages the on-call person for a PO now, as a duty manager would by phone: the page opens an\n"+
			"incident and escalates by the PO's policy for the service option (the catch-all to the\n"+
			"provider's duty managers without one), exactly like an alert. It is written to the event\n"+
			"store; the running `slawatch notify` sends it within a second. Keep personal data out of\n"+
			"the message: it goes to Slack and SMS. Acknowledge with the code in the page, the Slack\n"+
			"button, or `slawatch ack`.")
	var c commonFlags
	c.register(fs, true)
	po := fs.String("po", "", "PO to page (catalogue id, e.g. rbkc); \"provider\" pages the duty managers")
	so := fs.String("service-option", "", "service option whose escalation policy to follow (default: the PO's default policy)")
	by := fs.String("by", "", "who is paging (a person id of the catalogue, e.g. ooh-dm-1)")
	severity := fs.String("severity", "page", "page or critical")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	msg := strings.TrimSpace(strings.Join(fs.Args(), " "))
	switch {
	case *po == "":
		return usagef("--po is required (a catalogue PO id, or provider)")
	case msg == "":
		return usagef(`say what is wrong, e.g. slawatch page --po rbkc "lift stuck at Trellick Tower"`)
	}
	log, err := c.logger(e)
	if err != nil {
		return err
	}
	cat, st, err := c.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := storePager(cat, st, log)
	if err != nil {
		return err
	}
	now := time.Now()
	inc, opened, err := p.Raise(ctx, alerting.AppPage{Source: "manual", Key: fmt.Sprintf("manual-%d", now.UnixNano()),
		PO: *po, ServiceOption: *so, AlertName: "ManualPage", Severity: *severity, Summary: msg, By: *by})
	if err != nil {
		return err
	}
	if !opened {
		return fmt.Errorf("incident %d was not opened", inc.ID)
	}
	fmt.Fprintf(e.stdout, "incident %d opened: %s\n", inc.ID, msg)
	if step, _, ok := cat.StepAt(inc.PO, *so, 0, now); ok {
		var who []string
		for _, pg := range step.Pages {
			switch pg.Kind {
			case catalog.TargetPerson:
				who = append(who, pg.Person.ID+" ("+pg.Via+")")
			case catalog.TargetDutyManagers:
				who = append(who, "the provider's duty managers")
			default:
				who = append(who, pg.SlackChannel)
			}
		}
		if len(who) == 0 {
			who = []string{"nobody reachable: the step is skipped"}
		}
		fmt.Fprintf(e.stdout, "first step pages %s; `slawatch notify` sends it.\n", strings.Join(who, ", "))
	}
	return nil
}

func runAck(ctx context.Context, e *env, args []string) error {
	return incidentAction(ctx, e, args, "ack", "ack --incident N --by PERSON",
		"Records a verbal acknowledgement (the on-call person answered the duty manager's phone call):\n"+
			"the escalation stops and everyone already paged is told who took charge.")
}

func runEscalate(ctx context.Context, e *env, args []string) error {
	return incidentAction(ctx, e, args, "escalate", "escalate --incident N --by PERSON",
		"Pages the next step of an incident's escalation now instead of waiting out the step's delay.")
}

func incidentAction(ctx context.Context, e *env, args []string, name, synopsis, help string) error {
	fs := newFlags(e, name, synopsis, help)
	var c commonFlags
	c.register(fs, true)
	id := fs.Int64("incident", 0, "incident id (from `slawatch incidents` or the page: #12)")
	by := fs.String("by", "", "who is acting (a person id of the catalogue, e.g. ooh-dm-1)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id <= 0 || *by == "" {
		return usagef("--incident N and --by PERSON are required")
	}
	log, err := c.logger(e)
	if err != nil {
		return err
	}
	cat, st, err := c.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, _, ok := cat.PersonByID(*by); !ok {
		return usagef("--by %q is not a person of the catalogue; use a person id such as ooh-dm-1", *by)
	}
	p, err := storePager(cat, st, log)
	if err != nil {
		return err
	}
	var out alerting.Outcome
	if name == "ack" {
		out, err = p.Acknowledge(ctx, *id, *by, "verbal")
	} else {
		out, err = p.Escalate(ctx, *id, *by, "console")
	}
	if out.Text != "" {
		fmt.Fprintln(e.stdout, out.Text)
	}
	return err
}
