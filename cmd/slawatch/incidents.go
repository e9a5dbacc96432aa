package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/slawatch/slawatch/store"
)

func runIncidents(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incidents", "incidents [--po P] [--status firing|resolved|all] [--since RFC3339] [--format table|json] [--id N]",
		"Lists the incidents the notifier stored (from Alertmanager's webhooks and the application's\n"+
			"own pages), newest first, with the number of events in each one's audit trail. --id N shows\n"+
			"one incident in full: its escalation (acknowledged by whom, how, when), every page (who,\n"+
			"which channel, the ack code, queued/sent/delivered when, attempts, failures) and the audit\n"+
			"trail of alert and escalation events in time order.")
	var c commonFlags
	c.register(fs, true)
	po := fs.String("po", "", "only this PO's incidents (catalogue id, e.g. rbkc)")
	status := fs.String("status", "all", "firing, resolved or all")
	since := fs.String("since", "", "only incidents open at some time since this RFC 3339 time")
	format := fs.String("format", "table", "table or json")
	id := fs.Int64("id", 0, "show the audit trail of this incident")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; incidents takes flags only", fs.Arg(0))
	}
	f := store.IncidentFilter{PO: *po}
	switch *status {
	case "all":
	case store.IncidentFiring, store.IncidentResolved:
		f.Status = *status
	default:
		return usagef("--status %q: use firing, resolved or all", *status)
	}
	if *since != "" {
		t, err := time.Parse(time.RFC3339, *since)
		if err != nil {
			return usagef("--since %q: use an RFC 3339 time such as 2025-01-06T18:00:00Z", *since)
		}
		f.Since = t
	}
	if *format != "table" && *format != "json" {
		return usagef("--format %q: use table or json", *format)
	}
	log, err := c.logger(e)
	if err != nil {
		return err
	}
	st, err := c.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if *id != 0 {
		return showIncident(ctx, e, st, *id, *format)
	}
	incs, err := st.ListIncidents(ctx, f)
	if err != nil {
		return err
	}
	if *format == "json" {
		if incs == nil {
			incs = []store.Incident{}
		}
		return writeJSON(e.stdout, incs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tRECEIVER\tALERT\tPO\tSERVICE OPTION\tSEVERITY\tSTARTS\tENDS\tEVENTS\tSUMMARY")
	for _, i := range incs {
		ends := "-"
		if !i.EndsAt.IsZero() {
			ends = i.EndsAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", i.ID, i.Status, i.Receiver, i.AlertName, dash(i.PO),
			dash(i.ServiceOption), dash(i.Severity), i.StartsAt.Format(time.RFC3339), ends, i.Events, i.Summary())
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
