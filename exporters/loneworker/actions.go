package loneworker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// ErrInvalid is matched (errors.Is) by every request the catalogue or the
// store rejects: unknown PO, staff group or officer, a length out of
// bounds. The message names the field and what is valid, never a personal
// value; channels tell the caller and record nothing.
var ErrInvalid = errors.New("invalid lone-worker request")

// ErrNoOpenSession is returned by CheckOutOfficer and OpenSessionOf for an
// officer without an open session.
var ErrNoOpenSession = errors.New("no open lone-worker session")

type invalid struct{ msg string }

func (e *invalid) Error() string        { return e.msg }
func (e *invalid) Is(target error) bool { return target == ErrInvalid }

func bad(format string, args ...any) error { return &invalid{fmt.Sprintf(format, args...)} }

// CheckIn is a request to start a session.
type CheckIn struct {
	PO, StaffGroup string
	// Officer is the officer's person id in the catalogue (an officer of
	// the staff group).
	Officer string
	// Phone is the callback number (E.164); default the officer's sms
	// number in the catalogue.
	Phone string
	// Location is the address of the visit; UPRN its property reference.
	// Both optional (a phone check-in may give neither).
	Location, UPRN string
	// Minutes is the session length (0: the group's default). Until, when
	// set instead, is the deadline itself ("until 22:30").
	Minutes int
	Until   time.Time
	// Via is how it arrived (store.ViaAPI, …); By who checked in (the
	// officer, or the duty manager on the console).
	Via, By string
}

// CheckIn validates the request against the catalogue and stores the
// session; only then is it acknowledged to the caller. An officer with an
// open session gets an error matching store.ErrSessionOpen.
func (s *Service) CheckIn(ctx context.Context, r CheckIn) (store.LoneWorkerSession, error) {
	cat, err := s.o.Catalog(ctx)
	if err != nil {
		return store.LoneWorkerSession{}, err
	}
	g, err := group(cat, r.PO, r.StaffGroup)
	if err != nil {
		return store.LoneWorkerSession{}, err
	}
	if !g.HasOfficer(r.Officer) {
		return store.LoneWorkerSession{}, bad("officer %q: not an officer of %s %s; want one of %s", clip(r.Officer), r.PO, g.ID,
			strings.Join(g.Officers, ", "))
	}
	now := s.o.Now().UTC().Truncate(time.Second)
	deadline, err := sessionDeadline(g, r, now)
	if err != nil {
		return store.LoneWorkerSession{}, err
	}
	sess := store.LoneWorkerSession{PO: r.PO, StaffGroup: g.ID, Officer: catalog.NewPrivate(r.Officer),
		Location: catalog.NewPrivate(strings.TrimSpace(r.Location)), UPRN: strings.TrimSpace(r.UPRN), Started: now, Deadline: deadline}
	phone := strings.TrimSpace(r.Phone)
	if phone == "" {
		if p, _, ok := cat.PersonByID(r.Officer); ok && !p.SMS.IsZero() {
			phone = p.SMS.Reveal()
		}
	}
	sess.OfficerPhone = catalog.NewPrivate(phone)
	if rem := deadline.Add(-g.Reminder()); g.Reminder() > 0 && rem.After(now) {
		sess.Reminder = rem
	}
	by := r.By
	if by == "" {
		by = r.Officer
	}
	out, err := s.o.Store.CheckIn(ctx, sess, r.Via, by)
	if errors.Is(err, store.ErrInvalidLoneWorker) {
		return out, &invalid{err.Error()}
	}
	return out, err
}

// sessionDeadline is now + Minutes (or the group's default), or Until,
// within the group's maximum.
func sessionDeadline(g *catalog.StaffGroup, r CheckIn, now time.Time) (time.Time, error) {
	limit := fmt.Sprintf("1 to %d minutes", g.MaxMinutes)
	switch {
	case !r.Until.IsZero() && r.Minutes != 0:
		return time.Time{}, bad("give minutes or until, not both")
	case !r.Until.IsZero():
		d := r.Until.Sub(now)
		if d < time.Minute || d > g.Max() {
			return time.Time{}, bad("until: %s is %s from now; want %s ahead (%s %s)", r.Until.UTC().Format(time.RFC3339),
				d.Round(time.Second), limit, g.PO(), g.ID)
		}
		return r.Until.UTC(), nil
	case r.Minutes == 0:
		return now.Add(g.Default()), nil
	case r.Minutes < 1 || r.Minutes > g.MaxMinutes:
		return time.Time{}, bad("minutes: %d; want %s (%s %s)", r.Minutes, limit, g.PO(), g.ID)
	}
	return now.Add(time.Duration(r.Minutes) * time.Minute), nil
}

// group finds the staff group, or says what exists.
func group(cat *catalog.Catalog, po, id string) (*catalog.StaffGroup, error) {
	p, ok := cat.PO(po)
	if !ok {
		return nil, bad("po %q: not in the catalogue; want one of %s", clip(po), strings.Join(cat.POIDs(), ", "))
	}
	var ids []string
	for _, g := range p.StaffGroups() {
		ids = append(ids, g.ID)
	}
	if len(ids) == 0 {
		return nil, bad("po %s has no lone-worker support in the catalogue", po)
	}
	g, ok := cat.StaffGroup(po, id)
	if !ok {
		return nil, bad("staff group %q: not a lone-worker staff group of %s; want one of %s", clip(id), po, strings.Join(ids, ", "))
	}
	return g, nil
}

// clip shortens what a caller typed for an error message.
func clip(v string) string {
	if len(v) > 40 {
		return v[:40] + "…"
	}
	return v
}

// CheckOut closes a session (idempotent: changed is false when it was
// closed already). A check-out after the alarm resolves its page at once
// when this instance has the pager, else at the next tick of the one
// that has: everyone paged is told.
func (s *Service) CheckOut(ctx context.Context, id int64, via, by string) (sess store.LoneWorkerSession, changed bool, err error) {
	sess, changed, err = s.o.Store.CheckOut(ctx, id, via, by, s.o.Now())
	if err != nil {
		return sess, changed, s.wrap(err)
	}
	if changed && sess.AlarmRaised && s.o.Pager != nil {
		if err := s.resolve(ctx, sess); err != nil {
			s.o.Logger.Error("check-out stored; resolving the alarm's page failed (the next tick retries)", "session", id, "err", err)
		}
	}
	s.Wake()
	return sess, changed, nil
}

// OpenSessionOf is the officer's open session of po.
func (s *Service) OpenSessionOf(ctx context.Context, po, officer string) (store.LoneWorkerSession, error) {
	open, err := s.o.Store.OpenSessions(ctx, po)
	if err != nil {
		return store.LoneWorkerSession{}, err
	}
	for _, x := range open {
		if x.Officer.Reveal() == officer {
			return x, nil
		}
	}
	return store.LoneWorkerSession{}, fmt.Errorf("%w for that officer of %s", ErrNoOpenSession, po)
}

// CheckOutOfficer checks out the officer's open session (phone and SMS
// check-outs know the officer, not the session).
func (s *Service) CheckOutOfficer(ctx context.Context, po, officer, via string) (store.LoneWorkerSession, error) {
	open, err := s.OpenSessionOf(ctx, po, officer)
	if err != nil {
		return open, err
	}
	sess, _, err := s.CheckOut(ctx, open.ID, via, officer)
	return sess, err
}

// Extend moves an active session's deadline by minutes, within the
// group's maximum length and number of extensions.
func (s *Service) Extend(ctx context.Context, id int64, minutes int, via, by string) (store.LoneWorkerSession, error) {
	cur, err := s.o.Store.Session(ctx, id)
	if err != nil {
		return cur, s.wrap(err)
	}
	cat, err := s.o.Catalog(ctx)
	if err != nil {
		return cur, err
	}
	g, err := group(cat, cur.PO, cur.StaffGroup)
	if err != nil {
		return cur, err
	}
	out, err := s.o.Store.Extend(ctx, id, minutes, g.Max(), g.Extensions(), via, by, s.o.Now())
	return out, s.wrap(err)
}

// Ack records who took charge of an overdue session's alarm; its page stops
// escalating (at once with the pager, else at the next tick).
func (s *Service) Ack(ctx context.Context, id int64, via, by string) (store.LoneWorkerSession, bool, error) {
	sess, changed, err := s.o.Store.AckAlarm(ctx, id, via, by, s.o.Now())
	if err != nil {
		return sess, changed, s.wrap(err)
	}
	if changed && s.o.Pager != nil {
		if err := s.ackPage(ctx, sess); err != nil {
			s.o.Logger.Error("acknowledgement stored; stopping the page failed (the next tick retries)", "session", id, "err", err)
		}
	}
	s.Wake()
	return sess, changed, nil
}

// Note appends a note to a session's trail.
func (s *Service) Note(ctx context.Context, id int64, via, by, text string) error {
	return s.wrap(s.o.Store.AddSessionNote(ctx, id, via, by, text, s.o.Now()))
}

// List is the open sessions of po (every PO for "").
func (s *Service) List(ctx context.Context, po string) ([]store.LoneWorkerSession, error) {
	return s.o.Store.OpenSessions(ctx, po)
}

// Show is a session with its audit trail.
func (s *Service) Show(ctx context.Context, id int64) (store.LoneWorkerSession, []store.LoneWorkerEvent, error) {
	sess, err := s.o.Store.Session(ctx, id)
	if err != nil {
		return sess, nil, s.wrap(err)
	}
	ev, err := s.o.Store.SessionEvents(ctx, id)
	return sess, ev, err
}

// wrap makes the store's validation errors ErrInvalid too.
func (s *Service) wrap(err error) error {
	if errors.Is(err, store.ErrInvalidLoneWorker) {
		return &invalid{err.Error()}
	}
	return err
}
