package loneworker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/store"
)

// groupKey is the incidents' group key of lone-worker alarms.
const groupKey = "app/" + Source

// keyPrefix starts every alarm's AppPage key: "session:<id>".
const keyPrefix = "session:"

func pageKey(id int64) string { return keyPrefix + strconv.FormatInt(id, 10) }

// reconcile makes the pages agree with the sessions: every overdue session
// has its firing incident, every firing incident of a closed session is
// resolved, and an acknowledgement on either side is carried to the other.
// It is level-triggered, so it repairs whatever a crash left half done.
func (s *Service) reconcile(ctx context.Context, open []store.LoneWorkerSession) error {
	firing, err := s.o.Store.ListIncidents(ctx, store.IncidentFilter{GroupKey: groupKey, Status: store.IncidentFiring})
	if err != nil {
		return err
	}
	byKey := make(map[string]store.Incident, len(firing))
	for _, inc := range firing {
		byKey[inc.Fingerprint] = inc
	}
	isOpen := make(map[string]bool, len(open))
	var errs []error
	for _, sess := range open {
		isOpen[pageKey(sess.ID)] = true
		if !sess.AlarmRaised {
			continue
		}
		inc, ok := byKey[pageKey(sess.ID)]
		if !ok {
			// Read it again: a check-out since this tick's list must not
			// page anyone.
			cur, err := s.o.Store.Session(ctx, sess.ID)
			if err != nil || !cur.Open() {
				continue // gone or closed: nothing to page (a read error retries next tick)
			}
			if inc, err = s.raise(ctx, cur); err != nil {
				errs = append(errs, fmt.Errorf("session %d: raise the alarm's page: %w", sess.ID, err))
				continue
			}
			sess = cur // acknowledged already (on the console, before a crash)? stop the page now
		}
		if err := s.syncAck(ctx, sess, inc); err != nil {
			errs = append(errs, fmt.Errorf("session %d: %w", sess.ID, err))
		}
	}
	for _, inc := range firing {
		if isOpen[inc.Fingerprint] {
			continue
		}
		if err := s.resolveClosed(ctx, inc); err != nil {
			errs = append(errs, fmt.Errorf("incident %d: %w", inc.ID, err))
		}
	}
	return errors.Join(errs...)
}

// raise pages the session's alarm: one incident per session (keyed by its
// id, starting at its deadline), escalated by its staff group's policy.
func (s *Service) raise(ctx context.Context, sess store.LoneWorkerSession) (store.Incident, error) {
	cat, err := s.o.Catalog(ctx)
	if err != nil {
		return store.Incident{}, err
	}
	a := alerting.AppPage{Source: Source, Key: pageKey(sess.ID), PO: sess.PO, AlertName: AlertName, Severity: "critical",
		StartsAt: sess.Deadline}
	if g, ok := cat.StaffGroup(sess.PO, sess.StaffGroup); ok {
		a.Policy = g.EscalationPolicy
	} else {
		s.o.Logger.Error("lone-worker alarm: the staff group is no longer in the catalogue; paging the PO's default policy",
			"session", sess.ID, "po", sess.PO, "staff_group", sess.StaffGroup)
	}
	if p, ok := cat.PO(sess.PO); ok {
		if _, ok := p.Option(ServiceOption); ok {
			a.ServiceOption = ServiceOption
		}
	}
	officer := "officer ref " + sess.Officer.Reveal()
	if g, ok := cat.StaffGroup(sess.PO, sess.StaffGroup); !ok || !g.HasOfficer(sess.Officer.Reveal()) {
		officer = "officer ref in the session"
	}
	a.Summary = fmt.Sprintf("LONE WORKER OVERDUE: %s %s session %d, %s, was due to check out at %s and has not. "+
		"Location: ask the duty manager (slawatch loneworker show %d).", sess.PO, sess.StaffGroup, sess.ID, officer,
		sess.Deadline.In(cat.Location()).Format("15:04"), sess.ID)
	inc, opened, err := s.o.Pager.Raise(ctx, a)
	if err != nil {
		return inc, err
	}
	if opened {
		s.o.Logger.Warn("lone-worker alarm paged", "session", sess.ID, "incident", inc.ID, "po", sess.PO,
			"staff_group", sess.StaffGroup, "policy", a.Policy)
	}
	return inc, nil
}

// ServiceOption is the service option a lone-worker alarm is filed under
// when the PO has it (reference/service-options.csv).
const ServiceOption = "lone_worker_support"

// syncAck carries an acknowledgement from the page to the session, or from
// the session to the page.
func (s *Service) syncAck(ctx context.Context, sess store.LoneWorkerSession, inc store.Incident) error {
	e, err := s.o.Store.Escalation(ctx, inc.ID)
	if errors.Is(err, store.ErrNoEscalation) {
		return nil // the pager has not started it yet
	}
	if err != nil {
		return err
	}
	switch {
	case sess.AckedBy == "" && e.State == store.EscalationAcknowledged:
		_, changed, err := s.o.Store.AckAlarm(ctx, sess.ID, store.ViaPager, e.AckedBy, e.Acked)
		if errors.Is(err, store.ErrSessionClosed) {
			return nil // checked out meanwhile: the next tick resolves
		}
		if err == nil && changed {
			s.o.Logger.Info("lone-worker alarm acknowledged on its page", "session", sess.ID, "incident", inc.ID, "via", e.AckedVia)
		}
		return err
	case sess.AckedBy != "" && (e.State == store.EscalationActive || e.State == store.EscalationExhausted):
		_, err := s.o.Pager.Acknowledge(ctx, inc.ID, sess.AckedBy, "loneworker")
		return err
	}
	return nil
}

// ackPage carries the session's acknowledgement to its page now.
func (s *Service) ackPage(ctx context.Context, sess store.LoneWorkerSession) error {
	inc, err := s.incidentOf(ctx, sess.ID)
	if err != nil || inc.Status != store.IncidentFiring {
		return err // none yet: reconcile raises it, then carries the ack
	}
	return s.syncAck(ctx, sess, inc)
}

// incidentOf is the latest incident of the session's alarm (ErrNoIncident
// when none).
func (s *Service) incidentOf(ctx context.Context, id int64) (store.Incident, error) {
	list, err := s.o.Store.ListIncidents(ctx, store.IncidentFilter{GroupKey: groupKey, Fingerprint: pageKey(id), Limit: 1})
	if err != nil {
		return store.Incident{}, err
	}
	if len(list) == 0 {
		return store.Incident{}, store.ErrNoIncident
	}
	return list[0], nil
}

// resolveClosed resolves a firing alarm whose session is checked out (or
// purged). A session that is open after all (it raced this tick's read) is
// left alone.
func (s *Service) resolveClosed(ctx context.Context, inc store.Incident) error {
	id, err := strconv.ParseInt(strings.TrimPrefix(inc.Fingerprint, keyPrefix), 10, 64)
	if err != nil || !strings.HasPrefix(inc.Fingerprint, keyPrefix) {
		return fmt.Errorf("key %q is not %s<session id>", inc.Fingerprint, keyPrefix)
	}
	sess, err := s.o.Store.Session(ctx, id)
	switch {
	case errors.Is(err, store.ErrNoSession):
		sess = store.LoneWorkerSession{ID: id, PO: inc.PO}
	case err != nil:
		return err
	case sess.Open():
		return nil
	}
	return s.resolve(ctx, sess)
}

// resolve clears the session's alarm page: everyone paged is told.
func (s *Service) resolve(ctx context.Context, sess store.LoneWorkerSession) error {
	_, _, err := s.o.Pager.Raise(ctx, alerting.AppPage{Source: Source, Key: pageKey(sess.ID), PO: sess.PO, AlertName: AlertName,
		Severity: "critical", Resolved: true})
	if errors.Is(err, alerting.ErrNothingToResolve) {
		return nil // the alarm was claimed but never paged (a crash): nothing to clear
	}
	if err == nil {
		s.o.Logger.Info("lone-worker alarm resolved: the officer checked out", "session", sess.ID, "po", sess.PO)
	}
	return err
}
