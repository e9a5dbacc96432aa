package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slawatch/slawatch/exporters/loneworker"
	"github.com/slawatch/slawatch/store"
)

func lwCheckIn(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "loneworker checkin",
		`loneworker checkin --po P --group G --officer PERSON [--minutes N | --until 22:30] [--location ADDRESS] [--uprn N] [--phone +44…] --by PERSON`,
		"Starts a lone-worker session for an officer who phoned the duty manager before a visit. If the\n"+
			"officer has not checked out by the deadline, the running `slawatch notify` raises the alarm and\n"+
			"pages the staff group's escalation policy. Without --minutes or --until the session lasts the\n"+
			"group's default; --until is a local time (the PO's time zone; today, or tomorrow once past).\n\n"+
			"Example:\n  slawatch loneworker checkin --po haringey --group enforcement --officer haringey-eo-1 \\\n"+
			"      --minutes 45 --location \"12 High St\" --by ooh-dm-1")
	var f lwFlags
	f.register(fs, true)
	po := fs.String("po", "", "the officer's PO (catalogue id, e.g. haringey) (required)")
	group := fs.String("group", "", "the lone-worker staff group (e.g. enforcement) (required)")
	officer := fs.String("officer", "", "the officer's person id (e.g. haringey-eo-1) (required)")
	minutes := fs.Int("minutes", 0, "session length in minutes (default: the group's default)")
	until := fs.String("until", "", "the deadline instead: local time HH:MM (e.g. 22:30) or RFC 3339")
	location := fs.String("location", "", "address of the visit (personal data: kept in the store only)")
	uprn := fs.String("uprn", "", "the property's UPRN (digits)")
	phone := fs.String("phone", "", "callback number, E.164 (default: the officer's SMS number)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q; quote the location: --location \"12 High St\"", fs.Arg(0))
	case *po == "" || *group == "" || *officer == "":
		return usagef("--po, --group and --officer are required, e.g. --po haringey --group enforcement --officer haringey-eo-1")
	case *minutes != 0 && *until != "":
		return usagef("give --minutes or --until, not both")
	case *minutes < 0:
		return usagef("--minutes %d: want a number of minutes, 1 or more", *minutes)
	}
	c, err := f.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer c.st.Close()
	loc := lwLocation(c.cat, *po)
	req := loneworker.CheckIn{PO: *po, StaffGroup: *group, Officer: *officer, Phone: *phone, Location: *location, UPRN: *uprn,
		Minutes: *minutes, Via: store.ViaConsole, By: c.by}
	if *until != "" {
		if req.Until, err = parseUntil(*until, time.Now(), loc); err != nil {
			return err
		}
	}
	s, err := c.svc.CheckIn(ctx, req)
	if err != nil {
		return c.explain(0, "check in", err)
	}
	fmt.Fprintf(e.stdout, "session %d checked in: %s %s, officer %s\n", s.ID, s.PO, s.StaffGroup, s.Officer.Reveal())
	fmt.Fprintf(e.stdout, "  deadline %s (%d min)", lwTime(s.Deadline, loc), int(s.Deadline.Sub(s.Started).Round(time.Minute)/time.Minute))
	if !s.Reminder.IsZero() {
		fmt.Fprintf(e.stdout, "; reminder to the officer at %s", s.Reminder.In(loc).Format("15:04"))
	}
	fmt.Fprintf(e.stdout, "\n  check out: slawatch loneworker checkout %d --by %s\n", s.ID, c.by)
	return nil
}

func lwCheckOut(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "loneworker checkout", "loneworker checkout ID --by PERSON | checkout --officer PERSON --po P --by PERSON",
		"Closes a lone-worker session: the officer is safe. A session already checked out is left as it\n"+
			"was. After the alarm, the running `slawatch notify` resolves its page and tells everyone paged.\n\n"+
			"Examples:\n  slawatch loneworker checkout 12 --by ooh-dm-1\n"+
			"  slawatch loneworker checkout --officer haringey-eo-1 --po haringey --by ooh-dm-1")
	var f lwFlags
	f.register(fs, true)
	officer := fs.String("officer", "", "check out this officer's open session (with --po) instead of naming the session")
	po := fs.String("po", "", "the officer's PO (with --officer)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var id int64
	switch {
	case *officer != "" && fs.NArg() > 0:
		return usagef("name the session or give --officer and --po, not both")
	case *officer != "" && *po == "":
		return usagef("--officer needs --po (the officer's PO, e.g. haringey)")
	case *officer == "":
		var err error
		if id, err = sessionID(fs, "slawatch loneworker checkout 12 --by ooh-dm-1"); err != nil {
			return err
		}
	}
	c, err := f.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer c.st.Close()
	if *officer != "" {
		open, err := c.svc.OpenSessionOf(ctx, *po, *officer)
		if err != nil {
			if _, ok := c.cat.PO(*po); !ok {
				return usagef("--po %q is not a PO of the catalogue; POs: %s", *po, strings.Join(c.cat.POIDs(), ", "))
			}
			return fmt.Errorf("%s has no open session in %s; the open ones: slawatch loneworker list --po %s (%w)",
				*officer, *po, *po, err)
		}
		id = open.ID
	}
	s, changed, err := c.svc.CheckOut(ctx, id, store.ViaConsole, c.by)
	if err != nil {
		return c.explain(id, "check out", err)
	}
	loc := lwLocation(c.cat, s.PO)
	if !changed {
		fmt.Fprintf(e.stdout, "session %d was already checked out at %s; nothing changed\n", s.ID, lwTime(s.CheckedOut, loc))
		return nil
	}
	fmt.Fprintf(e.stdout, "session %d checked out: %s %s, officer %s, at %s\n", s.ID, s.PO, s.StaffGroup, s.Officer.Reveal(),
		lwTime(s.CheckedOut, loc))
	if s.AlarmRaised {
		fmt.Fprintln(e.stdout, "  the alarm had been raised: `slawatch notify` resolves its page and tells everyone paged")
	}
	return nil
}

func lwExtend(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "loneworker extend", "loneworker extend ID --minutes N --by PERSON",
		"Moves an active session's deadline later, within the staff group's maximum length and number of\n"+
			"extensions. Once the deadline has passed a session cannot be extended: check it out (closing\n"+
			"the alarm) and check in again.\n\n"+
			"Example:\n  slawatch loneworker extend 12 --minutes 15 --by ooh-dm-1")
	var f lwFlags
	f.register(fs, true)
	minutes := fs.Int("minutes", 0, "minutes to add (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := sessionID(fs, "slawatch loneworker extend 12 --minutes 15 --by ooh-dm-1")
	if err != nil {
		return err
	}
	if *minutes < 1 {
		return usagef("--minutes is required: how many minutes to add (1 or more), e.g. --minutes 15")
	}
	c, err := f.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer c.st.Close()
	s, err := c.svc.Extend(ctx, id, *minutes, store.ViaConsole, c.by)
	if err != nil {
		return c.explain(id, "extend", err)
	}
	of := ""
	if g, ok := c.cat.StaffGroup(s.PO, s.StaffGroup); ok {
		of = fmt.Sprintf(" of %d", g.Extensions())
	}
	fmt.Fprintf(e.stdout, "session %d extended by %d min: deadline %s (extension %d%s)\n", s.ID, *minutes,
		lwTime(s.Deadline, lwLocation(c.cat, s.PO)), s.Extensions, of)
	return nil
}

func lwAck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "loneworker ack", "loneworker ack ID --by PERSON",
		"Takes charge of an overdue session's alarm: its escalation stops and the running `slawatch notify`\n"+
			"tells everyone paged who took charge. The session stays open until the officer is checked out.\n\n"+
			"Example:\n  slawatch loneworker ack 12 --by ooh-dm-1")
	var f lwFlags
	f.register(fs, true)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := sessionID(fs, "slawatch loneworker ack 12 --by ooh-dm-1")
	if err != nil {
		return err
	}
	c, err := f.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer c.st.Close()
	s, changed, err := c.svc.Ack(ctx, id, store.ViaConsole, c.by)
	if err != nil {
		return c.explain(id, "acknowledge", err)
	}
	if !changed {
		fmt.Fprintf(e.stdout, "session %d's alarm was already acknowledged by %s; nothing changed\n", s.ID, s.AckedBy)
		return nil
	}
	fmt.Fprintf(e.stdout, "session %d's alarm acknowledged by %s: the escalation stops; check the officer out when they are safe\n",
		s.ID, s.AckedBy)
	return nil
}

func lwNote(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "loneworker note", `loneworker note ID --by PERSON "TEXT"`,
		"Adds a note to a session's audit trail (open or closed): what was done, who was called.\n\n"+
			"Example:\n  slawatch loneworker note 12 --by ooh-dm-1 \"rang the officer twice, no answer; calling the manager\"")
	var f lwFlags
	f.register(fs, true)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := sessionID(fs, `slawatch loneworker note 12 --by ooh-dm-1 "rang the officer"`)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(fs.Args()[1:], " "))
	if text == "" {
		return usagef(`say what to note, e.g. slawatch loneworker note %d --by ooh-dm-1 "rang the officer, no answer"`, id)
	}
	c, err := f.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer c.st.Close()
	if err := c.svc.Note(ctx, id, store.ViaConsole, c.by, text); err != nil {
		return c.explain(id, "note", err)
	}
	fmt.Fprintf(e.stdout, "noted on session %d\n", id)
	return nil
}
