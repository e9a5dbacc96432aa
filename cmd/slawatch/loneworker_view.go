package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/loneworker"
)

func lwList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "loneworker list", "loneworker list [--po P]",
		"Lists the open lone-worker sessions (active and overdue), soonest deadline first: id, PO, staff\n"+
			"group, officer, state, deadline (the PO's local time) and who acknowledged the alarm. Locations are\n"+
			"not listed: `slawatch loneworker show ID` has them.\n\n"+
			"Example:\n  slawatch loneworker list --po haringey")
	var f lwFlags
	f.register(fs, false)
	po := fs.String("po", "", "only this PO's sessions (catalogue id, e.g. haringey)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; list takes flags only (--po P)", fs.Arg(0))
	}
	c, err := f.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer c.st.Close()
	if *po != "" {
		if _, ok := c.cat.PO(*po); !ok {
			return usagef("--po %q is not a PO of the catalogue; POs: %s", *po, strings.Join(c.cat.POIDs(), ", "))
		}
	}
	open, err := c.svc.List(ctx, *po)
	if err != nil {
		return err
	}
	if len(open) == 0 {
		fmt.Fprintln(e.stdout, "no open lone-worker sessions")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPO\tGROUP\tOFFICER\tSTATE\tDEADLINE\tACKED BY")
	for _, s := range open {
		acked := s.AckedBy
		if acked == "" {
			acked = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.PO, s.StaffGroup, s.Officer.Reveal(), s.State,
			lwTime(s.Deadline, lwLocation(c.cat, s.PO)), acked)
	}
	return tw.Flush()
}

func lwShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "loneworker show", "loneworker show ID",
		"Shows a lone-worker session in full (officer, callback number, location, times, the alarm and\n"+
			"who acknowledged it) and its audit trail: every check-in, reminder, alarm, extension,\n"+
			"acknowledgement, note and check-out, with how it came (api, phone, sms, console, pager, timer)\n"+
			"and who did it. Times are the PO's local time.\n\n"+
			"Example:\n  slawatch loneworker show 12")
	var f lwFlags
	f.register(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := sessionID(fs, "slawatch loneworker show 12")
	if err != nil {
		return err
	}
	c, err := f.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer c.st.Close()
	s, events, err := c.svc.Show(ctx, id)
	if err != nil {
		return c.explain(id, "show", err)
	}
	loc := lwLocation(c.cat, s.PO)
	dash := func(v string) string {
		if v == "" {
			return "-"
		}
		return v
	}
	alarm := "not raised"
	if s.AlarmRaised {
		alarm = "raised, not acknowledged"
		if s.AckedBy != "" {
			alarm = "raised, acknowledged by " + s.AckedBy
		}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "session\t%d\n", s.ID)
	fmt.Fprintf(tw, "po / group\t%s / %s\n", s.PO, s.StaffGroup)
	fmt.Fprintf(tw, "state\t%s\n", s.State)
	fmt.Fprintf(tw, "officer\t%s\n", s.Officer.Reveal())
	fmt.Fprintf(tw, "phone\t%s\n", dash(s.OfficerPhone.Reveal()))
	fmt.Fprintf(tw, "location\t%s\n", dash(s.Location.Reveal()))
	fmt.Fprintf(tw, "uprn\t%s\n", dash(s.UPRN))
	fmt.Fprintf(tw, "started\t%s\n", lwTime(s.Started, loc))
	fmt.Fprintf(tw, "deadline\t%s\n", lwTime(s.Deadline, loc))
	fmt.Fprintf(tw, "reminder\t%s\n", lwTime(s.Reminder, loc))
	fmt.Fprintf(tw, "extensions\t%d\n", s.Extensions)
	fmt.Fprintf(tw, "alarm\t%s\n", alarm)
	fmt.Fprintf(tw, "checked out\t%s\n", lwTime(s.CheckedOut, loc))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\ntrail:")
	tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, ev := range events {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", ev.At.In(loc).Format("Mon 2 Jan 15:04:05 MST"), ev.Kind, ev.Via, ev.By, ev.Detail)
	}
	return tw.Flush()
}

func lwPIN(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "loneworker pin", "loneworker pin --person ID   (the PIN on standard input)",
		"Prints the pin_sha256 line for an officer's lone-worker PIN, to put under the officer in the\n"+
			"catalogue: an officer calling from a phone that is not theirs identifies themselves with it.\n"+
			"The PIN (6 digits: the phone line collects exactly that many) is read from standard input and\n"+
			"stored nowhere; the catalogue holds only the SHA-256 of \"<person id>:<pin>\".\n\n"+
			"Example:\n  echo 246810 | slawatch loneworker pin --person haringey-eo-1")
	var f lwFlags
	f.commonFlags.register(fs, false)
	lwQuiet(fs)
	person := fs.String("person", "", "the officer's person id in the catalogue, e.g. haringey-eo-1 (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q; give the PIN on standard input, not on the command line", fs.Arg(0))
	case *person == "":
		return usagef("--person is required: the officer's person id, e.g. haringey-eo-1")
	}
	cat, err := f.loadCatalog()
	if err != nil {
		return err
	}
	if _, _, ok := cat.PersonByID(*person); !ok {
		return usagef("--person %q is not a person of the catalogue", *person)
	}
	if !lwOfficer(cat, *person) {
		fmt.Fprintf(e.stderr, "warning: %s is not an officer of any lone-worker staff group; the PIN works only once they are\n", *person)
	}
	if e.stdin == nil {
		return usagef("no standard input: pipe the PIN in, e.g. echo 246810 | slawatch loneworker pin --person %s", *person)
	}
	fmt.Fprintf(e.stderr, "PIN for %s (%d digits, then Enter): ", *person, loneworker.PINDigits)
	pin, err := readPIN(e.stdin)
	fmt.Fprintln(e.stderr)
	if err != nil {
		return err
	}
	if p, _, _, ok := cat.OfficerByPIN(pin); ok && p.ID != *person {
		return fmt.Errorf("another officer already has this PIN; a phone check-in with it would identify nobody: choose another")
	}
	fmt.Fprintf(e.stdout, "pin_sha256: %s\n", catalog.PINHash(*person, pin))
	fmt.Fprintf(e.stderr, "put the line above under person %s in the catalogue, then run slawatch catalog check\n", *person)
	return nil
}

// readPIN reads the first line: loneworker.PINDigits digits, as the phone line collects.
func readPIN(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 256)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read the PIN: %w", err)
	}
	pin := strings.TrimSpace(line)
	if len(pin) != loneworker.PINDigits || strings.Trim(pin, "0123456789") != "" {
		return "", usagef("the PIN must be %d digits (the phone line collects exactly %d)", loneworker.PINDigits, loneworker.PINDigits)
	}
	return pin, nil
}

// lwOfficer reports whether the person is an officer of some staff group.
func lwOfficer(cat *catalog.Catalog, person string) bool {
	for _, id := range cat.POIDs() {
		p, _ := cat.PO(id)
		for _, g := range p.StaffGroups() {
			if g.HasOfficer(person) {
				return true
			}
		}
	}
	return false
}
