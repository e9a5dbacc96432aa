package loneworker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Tick does what is due at the clock's now: reminders, alarms, the
// reconciliation of alarms with their pages, the metrics, and the
// retention purge (every PurgeEvery). It needs the Pager.
func (s *Service) Tick(ctx context.Context) error {
	if s.o.Pager == nil {
		return errors.New("loneworker: Tick needs a Pager to raise alarms")
	}
	now := s.o.Now()
	var errs []error
	// Alarms first: a reminder's send (up to its timeout) must not delay one.
	if err := s.claimAlarms(ctx, now); err != nil {
		errs = append(errs, fmt.Errorf("alarms: %w", err))
	}
	open, err := s.o.Store.OpenSessions(ctx, "")
	if err != nil {
		errs = append(errs, err)
	} else {
		if err := s.reconcile(ctx, open); err != nil {
			errs = append(errs, fmt.Errorf("reconcile: %w", err))
		}
		s.mu.Lock()
		s.m.setSessions(open, now)
		s.mu.Unlock()
	}
	if err := s.remind(ctx, now); err != nil {
		errs = append(errs, fmt.Errorf("reminders: %w", err))
	}
	if err := s.countEvents(ctx); err != nil {
		errs = append(errs, fmt.Errorf("metrics: %w", err))
	}
	if err := s.purge(ctx, now); err != nil {
		errs = append(errs, fmt.Errorf("retention: %w", err))
	}
	if len(errs) > 0 {
		s.m.tickErrors.Inc()
		return errors.Join(errs...)
	}
	s.m.lastTick.Set(float64(now.UnixNano()) / 1e9)
	return nil
}

// remind claims each due reminder once and sends it. A reminder is a
// courtesy: one that fails to send is logged and counted, not retried (the
// alarm at the deadline is what must not fail).
func (s *Service) remind(ctx context.Context, now time.Time) error {
	due, err := s.o.Store.DueReminders(ctx, now)
	if err != nil {
		return err
	}
	var errs []error
	for _, sess := range due {
		ok, err := s.o.Store.ClaimReminder(ctx, sess.ID, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		s.m.reminders(sess.PO, sess.StaffGroup, s.sendReminder(ctx, sess)).Inc()
	}
	return errors.Join(errs...)
}

// sendReminder texts the officer; it returns the outcome label.
func (s *Service) sendReminder(ctx context.Context, sess store.LoneWorkerSession) string {
	if s.o.Reminder == nil || sess.OfficerPhone.IsZero() {
		return "not_sent"
	}
	cat, err := s.o.Catalog(ctx)
	if err != nil {
		s.o.Logger.Error("reminder not sent: no catalogue", "session", sess.ID, "err", err)
		return "failed"
	}
	m := alerting.Message{Kind: alerting.MessagePage, Ref: fmt.Sprintf("LW%d", sess.ID), Severity: "warning", PO: sess.PO,
		AlertName: "LoneWorkerReminder", Summary: reminderText(cat, sess),
		To: alerting.Recipient{PersonID: sess.Officer.Reveal(), Phone: sess.OfficerPhone}}
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, _, err := s.o.Reminder.Send(sctx, m); err != nil {
		s.o.Logger.Warn("lone-worker reminder not sent", "session", sess.ID, "po", sess.PO, "err", err)
		return "failed"
	}
	return "sent"
}

// reminderText is the reminder's words (the sender adds the reference
// LW<id>): no personal data. It offers EXT only to a group that may extend.
func reminderText(cat *catalog.Catalog, sess store.LoneWorkerSession) string {
	how := "Reply OUT"
	if g, ok := cat.StaffGroup(sess.PO, sess.StaffGroup); ok && g.Extensions() > sess.Extensions {
		how += ", or EXT and minutes"
	}
	return fmt.Sprintf("Lone worker: check out by %s or the alarm is raised. %s",
		sess.Deadline.In(cat.Location()).Format("15:04"), how)
}

// claimAlarms claims each due alarm once (across processes); the page is
// raised by reconcile, which also repairs a claim whose page was lost to a
// crash.
func (s *Service) claimAlarms(ctx context.Context, now time.Time) error {
	due, err := s.o.Store.DueAlarms(ctx, now)
	if err != nil {
		return err
	}
	var errs []error
	for _, sess := range due {
		ok, err := s.o.Store.ClaimAlarm(ctx, sess.ID, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			s.o.Logger.Warn("lone-worker deadline passed without a check-out: alarm raised", "session", sess.ID,
				"po", sess.PO, "staff_group", sess.StaffGroup, "late", now.Sub(sess.Deadline).Round(time.Millisecond))
		}
	}
	return errors.Join(errs...)
}

// purge applies each PO's retention to closed sessions, every PurgeEvery.
func (s *Service) purge(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	due := s.lastPurge.IsZero() || now.Sub(s.lastPurge) >= s.o.PurgeEvery
	if due {
		s.lastPurge = now
	}
	s.mu.Unlock()
	if !due {
		return nil
	}
	cat, err := s.o.Catalog(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range cat.POIDs() {
		p, _ := cat.PO(id)
		if len(p.StaffGroups()) == 0 {
			continue
		}
		n, err := s.o.Store.PurgeLoneWorker(ctx, id, now.Add(-p.Retention()))
		if err != nil {
			errs = append(errs, err)
		} else if n > 0 {
			s.o.Logger.Info("lone-worker sessions past retention purged", "po", id, "sessions", n)
		}
	}
	return errors.Join(errs...)
}
