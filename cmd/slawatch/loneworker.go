package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/loneworker"
	"github.com/slawatch/slawatch/store"
)

// runLoneworkerConsole dispatches `slawatch loneworker SUBCOMMAND`: the
// duty manager's console on the lone-worker sessions, working on the event
// store directly (via "console"); the running `slawatch notify` runs the
// timers and pages.
func runLoneworkerConsole(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "loneworker", lwUsage, []subcommand{
		{"checkin", lwCheckIn},
		{"checkout", lwCheckOut},
		{"extend", lwExtend},
		{"ack", lwAck},
		{"note", lwNote},
		{"list", lwList},
		{"show", lwShow},
		{"pin", lwPIN},
	}, args)
}

const lwUsage = `Usage: slawatch loneworker COMMAND [flags]

The duty manager's console on lone-worker sessions (an officer visiting alone checks in; if
they have not checked out by the deadline, the alarm pages their escalation policy). Actions
are written to the event store at once; the running ` + "`slawatch notify`" + ` runs the timers and pages.

  checkin   start a session for an officer who phoned in:
            slawatch loneworker checkin --po haringey --group enforcement --officer haringey-eo-1 --minutes 45 --location "12 High St" --by ooh-dm-1
  checkout  close a session: slawatch loneworker checkout 12 --by ooh-dm-1 (or --officer haringey-eo-1 --po haringey)
  extend    more time: slawatch loneworker extend 12 --minutes 15 --by ooh-dm-1
  ack       take charge of an overdue session's alarm (stops the escalation): slawatch loneworker ack 12 --by ooh-dm-1
  note      add a note to a session's trail: slawatch loneworker note 12 --by ooh-dm-1 "rang the officer, no answer"
  list      the open sessions: slawatch loneworker list [--po haringey]
  show      a session with its audit trail: slawatch loneworker show 12
  pin       the pin_sha256 line of an officer's phone PIN: echo 246810 | slawatch loneworker pin --person haringey-eo-1

slawatch loneworker COMMAND --help for its flags.
`

// lwFlags are the flags every loneworker command shares.
type lwFlags struct {
	commonFlags
	by string
}

func (f *lwFlags) register(fs *flag.FlagSet, withBy bool) {
	f.commonFlags.register(fs, true)
	lwQuiet(fs)
	if withBy {
		fs.StringVar(&f.by, "by", "", "who is acting: your person id in the catalogue, e.g. ooh-dm-1 (required)")
	}
}

// lwConsole is what a loneworker command works with.
type lwConsole struct {
	e   *env
	cat *catalog.Catalog
	st  *store.Store
	svc *loneworker.Service
	by  string
}

// open checks --by (when needBy) against the catalogue, then opens the
// store and the service (without a pager: the console only records). The
// caller closes c.st.
func (f *lwFlags) open(ctx context.Context, e *env, needBy bool) (*lwConsole, error) {
	log, err := f.logger(e)
	if err != nil {
		return nil, err
	}
	cat, err := f.loadCatalog()
	if err != nil {
		return nil, err
	}
	if needBy {
		if err := checkBy(cat, f.by); err != nil {
			return nil, err
		}
	}
	st, err := f.openStore(ctx, log)
	if err != nil {
		return nil, err
	}
	svc, err := loneworker.New(loneworker.Options{Catalog: func(context.Context) (*catalog.Catalog, error) { return cat, nil },
		Store: st, Logger: log})
	if err != nil {
		st.Close()
		return nil, err
	}
	return &lwConsole{e: e, cat: cat, st: st, svc: svc, by: f.by}, nil
}

// checkBy requires --by to be a person of the catalogue.
func checkBy(cat *catalog.Catalog, by string) error {
	var dms []string
	for _, p := range cat.DutyManagers() {
		dms = append(dms, p.ID)
	}
	hint := "your person id in the catalogue"
	if len(dms) > 0 {
		hint += " (duty managers: " + strings.Join(dms, ", ") + ")"
	}
	if by == "" {
		return usagef("--by is required: %s", hint)
	}
	if _, _, ok := cat.PersonByID(by); !ok {
		return usagef("--by %q is not a person of the catalogue; use %s", by, hint)
	}
	return nil
}

// sessionID is the one positional argument: a session id.
func sessionID(fs *flag.FlagSet, example string) (int64, error) {
	if fs.NArg() == 0 {
		return 0, usagef("name the session, e.g. %s (ids: slawatch loneworker list)", example)
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("session %q: want a session id (a positive number, from slawatch loneworker list)", fs.Arg(0))
	}
	return id, nil
}

// explain turns the service's errors into what the duty manager should do.
func (c *lwConsole) explain(id int64, action string, err error) error {
	var open *store.SessionOpenError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &open):
		return fmt.Errorf("the officer already has open session %d (%s); check it out first: slawatch loneworker checkout %d --by %s",
			open.ID, open.State, open.ID, c.by)
	case errors.Is(err, loneworker.ErrInvalid):
		return usageError{strings.TrimPrefix(err.Error(), "store: ")}
	case errors.Is(err, store.ErrNoSession):
		return fmt.Errorf("no lone-worker session %d; the open ones: slawatch loneworker list", id)
	case errors.Is(err, store.ErrSessionClosed):
		return fmt.Errorf("session %d is checked out: nothing to %s; check in again for a new visit", id, action)
	case errors.Is(err, store.ErrSessionOverdue):
		return fmt.Errorf("session %d is past its deadline, so it cannot be extended: the alarm stands. Check it out to close the alarm "+
			"(slawatch loneworker checkout %d --by %s), then check in again", id, id, c.by)
	case errors.Is(err, store.ErrExtensionRefused):
		return errors.New(strings.TrimPrefix(err.Error(), "store: "))
	case errors.Is(err, store.ErrNotOverdue):
		return fmt.Errorf("session %d has no alarm raised (it is not overdue): nothing to acknowledge", id)
	}
	return err
}

// lwLocation is the PO's time zone (the catalogue's when the PO is unknown).
func lwLocation(cat *catalog.Catalog, po string) *time.Location {
	if p, ok := cat.PO(po); ok && p.Location() != nil {
		return p.Location()
	}
	if l := cat.Location(); l != nil {
		return l
	}
	return time.UTC
}

// lwTime is a time as the duty manager reads it: "Fri 20 Nov 22:45 GMT".
func lwTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("Mon 2 Jan 15:04 MST")
}

// parseUntil reads --until: a local time "22:30" (today in loc, or
// tomorrow if that has passed) or an RFC 3339 time.
func parseUntil(v string, now time.Time, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	hm, err := time.Parse("15:04", v)
	if err != nil {
		return time.Time{}, usagef("--until %q: use a local time such as 22:30 (today, or tomorrow once past) or an RFC 3339 time", v)
	}
	n := now.In(loc)
	t := time.Date(n.Year(), n.Month(), n.Day(), hm.Hour(), hm.Minute(), 0, 0, loc)
	if !t.After(now) {
		t = time.Date(n.Year(), n.Month(), n.Day()+1, hm.Hour(), hm.Minute(), 0, 0, loc)
	}
	return t, nil
}

// lwQuiet makes warn the default log level: the console's output is its
// answer, not the store's start-up lines.
func lwQuiet(fs *flag.FlagSet) {
	if l := fs.Lookup("log-level"); l != nil {
		l.DefValue = "warn"
		l.Value.Set("warn")
	}
}
