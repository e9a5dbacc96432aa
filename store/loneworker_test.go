package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

func TestLoneWorkerSQLite(t *testing.T) { runLoneWorkerSuite(t, sqliteBackend()) }

func TestLoneWorkerPostgres(t *testing.T) {
	postgresDSN(t)
	runLoneWorkerSuite(t, postgresBackend())
}

func runLoneWorkerSuite(t *testing.T, b backend) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, open func() (*Store, error))
	}{
		{"CheckInOut", testLWCheckInOut},
		{"DuplicateCheckIn", testLWDuplicate},
		{"ExtendRules", testLWExtend},
		{"ClaimsExactlyOnce", testLWClaimsOnce},
		{"CheckOutAfterAlarm", testLWCheckOutAfterAlarm},
		{"Purge", testLWPurge},
		{"ReopenKeepsEverything", testLWReopen},
		{"InvalidWritesNothing", testLWInvalid},
		{"SchemaRefusesBadRows", testLWSchema},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, b.fresh(t)) })
	}
}

// lwBase is a Thursday afternoon visit, 14:05:00.25 UTC.
var lwBase = time.Date(2026, 3, 12, 14, 5, 0, 250_000_000, time.UTC)

// Personal values: they must never show in an error or a printed session.
const (
	lwOfficer  = "Jo Bloggs-Private"
	lwPhone    = "+447700900123"
	lwLocation = "12 Secret Street, N17"
)

func lwSession(po, officer string, minutes int) LoneWorkerSession {
	return LoneWorkerSession{
		PO: po, StaffGroup: "housing_officers", Officer: catalog.NewPrivate(officer),
		OfficerPhone: catalog.NewPrivate(lwPhone), Location: catalog.NewPrivate(lwLocation), UPRN: "100021234567",
		Started: lwBase, Deadline: lwBase.Add(time.Duration(minutes) * time.Minute),
		Reminder: lwBase.Add(time.Duration(minutes-10) * time.Minute),
	}
}

func mustCheckIn(t *testing.T, s *Store, sess LoneWorkerSession) LoneWorkerSession {
	t.Helper()
	got, err := s.CheckIn(context.Background(), sess, ViaAPI, "officer")
	if err != nil {
		t.Fatalf("CheckIn: %v", err)
	}
	return got
}

func lwKinds(t *testing.T, s *Store, id int64) []string {
	t.Helper()
	ev, err := s.SessionEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ev {
		out = append(out, e.Kind)
	}
	return out
}

func mustSession(t *testing.T, s *Store, id int64) LoneWorkerSession {
	t.Helper()
	got, err := s.Session(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func noPersonal(t *testing.T, what, text string) {
	t.Helper()
	for _, p := range []string{lwOfficer, lwPhone, "Secret Street", "Bloggs"} {
		if strings.Contains(text, p) {
			t.Errorf("%s shows personal data %q: %s", what, p, text)
		}
	}
}

func testLWCheckInOut(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	london, _ := time.LoadLocation("Europe/London")
	in := lwSession("haringey", lwOfficer, 45)
	in.Started, in.Deadline = in.Started.In(london), in.Deadline.In(london)
	got := mustCheckIn(t, s, in)
	if got.ID == 0 || got.State != SessionActive || got.Started.Location() != time.UTC || !got.Deadline.Equal(lwBase.Add(45*time.Minute)) {
		t.Fatalf("CheckIn returned %+v", got)
	}
	read := mustSession(t, s, got.ID)
	if !reflect.DeepEqual(read, got) {
		t.Fatalf("Session = %+v\nCheckIn returned %+v", read, got)
	}
	if read.Officer.Reveal() != lwOfficer || read.OfficerPhone.Reveal() != lwPhone || read.Location.Reveal() != lwLocation || read.UPRN != "100021234567" {
		t.Fatalf("personal fields did not round-trip")
	}
	noPersonal(t, "a printed session", fmt.Sprintf("%v %+v %#v", read, read, read))
	for _, po := range []string{"haringey", ""} {
		if open, err := s.OpenSessions(ctx, po); err != nil || len(open) != 1 || open[0].ID != got.ID {
			t.Fatalf("OpenSessions(%q) = %+v, %v; want the session", po, open, err)
		}
	}
	if open, _ := s.OpenSessions(ctx, "camden"); len(open) != 0 {
		t.Fatalf("OpenSessions(camden) = %+v, want none", open)
	}
	at := lwBase.Add(30 * time.Minute)
	out, changed, err := s.CheckOut(ctx, got.ID, ViaSMS, "officer", at)
	if err != nil || !changed || out.State != SessionCheckedOut || !out.CheckedOut.Equal(at) || out.AlarmRaised {
		t.Fatalf("CheckOut = %+v, %v, %v; want checked out at %s, no alarm", out, changed, err, at)
	}
	again, changed, err := s.CheckOut(ctx, got.ID, ViaPhone, "officer", at.Add(time.Minute))
	if err != nil || changed || !again.CheckedOut.Equal(at) {
		t.Fatalf("second CheckOut = %+v, %v, %v; want unchanged, first time kept", again, changed, err)
	}
	if k := lwKinds(t, s, got.ID); !reflect.DeepEqual(k, []string{LWCheckIn, LWCheckOut}) {
		t.Fatalf("events %v, want checkin, checkout", k)
	}
	ev, _ := s.SessionEvents(ctx, got.ID)
	if ev[1].Via != ViaSMS || ev[1].By != "officer" || !ev[1].At.Equal(at) {
		t.Fatalf("checkout event %+v", ev[1])
	}
	if open, _ := s.OpenSessions(ctx, ""); len(open) != 0 {
		t.Fatalf("OpenSessions after check-out = %+v", open)
	}
	if _, _, err := s.CheckOut(ctx, 999999, ViaAPI, "officer", at); !errors.Is(err, ErrNoSession) {
		t.Fatalf("CheckOut of an unknown session: %v, want ErrNoSession", err)
	}
	if _, err := s.Session(ctx, 999999); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Session of an unknown id: %v, want ErrNoSession", err)
	}
	// A due-reminder and alarm sweep finds nothing for a checked-out session.
	if r, _ := s.DueReminders(ctx, lwBase.Add(40*time.Minute)); len(r) != 0 {
		t.Fatalf("DueReminders after check-out = %+v", r)
	}
	if a, _ := s.DueAlarms(ctx, lwBase.Add(time.Hour)); len(a) != 0 {
		t.Fatalf("DueAlarms after check-out = %+v", a)
	}
}

func testLWDuplicate(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	first := mustCheckIn(t, s, lwSession("haringey", lwOfficer, 45))
	_, err := s.CheckIn(ctx, lwSession("haringey", lwOfficer, 30), ViaPhone, "officer")
	var open1 *SessionOpenError
	if !errors.Is(err, ErrSessionOpen) || !errors.As(err, &open1) || open1.ID != first.ID || open1.State != SessionActive {
		t.Fatalf("duplicate CheckIn: %v; want ErrSessionOpen naming session %d", err, first.ID)
	}
	if !strings.Contains(err.Error(), fmt.Sprint(first.ID)) {
		t.Errorf("error %q does not name the open session %d", err, first.ID)
	}
	noPersonal(t, "the duplicate error", err.Error())
	// Another PO's session for the same reference, and another officer, are fine.
	mustCheckIn(t, s, lwSession("camden", lwOfficer, 45))
	mustCheckIn(t, s, lwSession("haringey", "P0042", 45))
	// Still refused once overdue; allowed again after the check-out.
	if ok, err := s.ClaimAlarm(ctx, first.ID, first.Deadline); err != nil || !ok {
		t.Fatalf("ClaimAlarm = %v, %v", ok, err)
	}
	if _, err := s.CheckIn(ctx, lwSession("haringey", lwOfficer, 30), ViaPhone, "officer"); !errors.As(err, &open1) || open1.State != SessionOverdue {
		t.Fatalf("CheckIn while overdue: %v; want ErrSessionOpen (overdue)", err)
	}
	if _, _, err := s.CheckOut(ctx, first.ID, ViaPhone, "officer", first.Deadline.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	next := lwSession("haringey", lwOfficer, 30)
	next.Started, next.Deadline, next.Reminder = lwBase.Add(2*time.Hour), lwBase.Add(150*time.Minute), time.Time{}
	if got := mustCheckIn(t, s, next); got.ID == first.ID {
		t.Fatal("a new check-in reused the old id")
	}
	// Concurrent check-ins of one officer: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, refused := 0, 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.CheckIn(ctx, lwSession("enfield", "P0099", 45), ViaAPI, "officer")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, ErrSessionOpen):
				refused++
			default:
				t.Errorf("concurrent CheckIn: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || refused != 7 {
		t.Fatalf("concurrent check-ins: %d won, %d refused; want 1 and 7", wins, refused)
	}
}

func testLWExtend(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	sess := mustCheckIn(t, s, lwSession("haringey", lwOfficer, 45)) // reminder at +35
	at := lwBase.Add(40 * time.Minute)
	if ok, err := s.ClaimReminder(ctx, sess.ID, at); err != nil || !ok {
		t.Fatalf("ClaimReminder = %v, %v", ok, err)
	}
	if _, err := s.Extend(ctx, sess.ID, 15, 2*time.Hour, 0, ViaSMS, "officer", at); !errors.Is(err, ErrExtensionRefused) {
		t.Fatalf("Extend with no extensions allowed: %v; want ErrExtensionRefused", err)
	}
	// Minutes that overflow a Duration when multiplied must not wrap round
	// into a deadline moved earlier.
	for _, m := range []int{1<<53 - 30, 1<<53 - 61, 1<<62 + 1, 24*60 + 1} {
		if _, err := s.Extend(ctx, sess.ID, m, 2*time.Hour, 3, ViaSMS, "officer", at); !errors.Is(err, ErrInvalidLoneWorker) {
			t.Fatalf("Extend by %d minutes: %v; want ErrInvalidLoneWorker (1 to 1440)", m, err)
		}
	}
	if _, err := s.Extend(ctx, sess.ID, 30, time.Hour, 3, ViaSMS, "officer", at); !errors.Is(err, ErrExtensionRefused) ||
		!strings.Contains(err.Error(), "15 minutes left") {
		t.Fatalf("Extend past the maximum: %v; want ErrExtensionRefused saying 15 minutes left", err)
	}
	got, err := s.Extend(ctx, sess.ID, 15, time.Hour, 2, ViaSMS, "officer", at)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Deadline.Equal(lwBase.Add(time.Hour)) || !got.Reminder.Equal(lwBase.Add(50*time.Minute)) || got.Reminded || got.Extensions != 1 {
		t.Fatalf("after Extend: deadline %s reminder %s reminded %v extensions %d; want +60m, +50m, false, 1",
			got.Deadline, got.Reminder, got.Reminded, got.Extensions)
	}
	if !reflect.DeepEqual(mustSession(t, s, sess.ID), got) {
		t.Fatal("Extend's result differs from the stored session")
	}
	// The moved reminder is due again, once.
	if due, _ := s.DueReminders(ctx, lwBase.Add(49*time.Minute)); len(due) != 0 {
		t.Fatalf("reminder due before its moved time: %+v", due)
	}
	if due, _ := s.DueReminders(ctx, lwBase.Add(50*time.Minute)); len(due) != 1 {
		t.Fatalf("moved reminder not due: %+v", due)
	}
	// The old deadline no longer alarms.
	if ok, err := s.ClaimAlarm(ctx, sess.ID, lwBase.Add(45*time.Minute)); err != nil || ok {
		t.Fatalf("ClaimAlarm at the old deadline = %v, %v; want false", ok, err)
	}
	// Two in a session of at most an hour and a half, but only 2 allowed.
	if _, err := s.Extend(ctx, sess.ID, 10, 90*time.Minute, 2, ViaAPI, "duty", at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Extend(ctx, sess.ID, 10, 90*time.Minute, 2, ViaAPI, "duty", at); !errors.Is(err, ErrExtensionRefused) ||
		!strings.Contains(err.Error(), "at most 2") {
		t.Fatalf("third Extend: %v; want ErrExtensionRefused (at most 2)", err)
	}
	// Past the deadline (alarm not yet claimed, then claimed): refused.
	deadline := lwBase.Add(70 * time.Minute)
	if _, err := s.Extend(ctx, sess.ID, 10, 3*time.Hour, 9, ViaSMS, "officer", deadline); !errors.Is(err, ErrSessionOverdue) {
		t.Fatalf("Extend at the deadline: %v; want ErrSessionOverdue", err)
	}
	if ok, _ := s.ClaimAlarm(ctx, sess.ID, deadline); !ok {
		t.Fatal("alarm not claimed at the extended deadline")
	}
	if _, err := s.Extend(ctx, sess.ID, 10, 3*time.Hour, 9, ViaSMS, "officer", deadline.Add(-time.Minute)); !errors.Is(err, ErrSessionOverdue) {
		t.Fatalf("Extend of an overdue session: %v; want ErrSessionOverdue", err)
	}
	if _, _, err := s.CheckOut(ctx, sess.ID, ViaSMS, "officer", deadline.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Extend(ctx, sess.ID, 10, 3*time.Hour, 9, ViaSMS, "officer", deadline); !errors.Is(err, ErrSessionClosed) {
		t.Fatalf("Extend of a checked-out session: %v; want ErrSessionClosed", err)
	}
	if _, err := s.Extend(ctx, 999999, 10, 3*time.Hour, 9, ViaSMS, "officer", deadline); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Extend of an unknown session: %v; want ErrNoSession", err)
	}
	want := []string{LWCheckIn, LWReminder, LWExtend, LWExtend, LWAlarm, LWCheckOut}
	if k := lwKinds(t, s, sess.ID); !reflect.DeepEqual(k, want) {
		t.Fatalf("events %v, want %v", k, want)
	}
}

// testLWClaimsOnce runs 8 claimers, each on its own *Store on the same
// database, over sessions with staggered reminders and deadlines, sweeping
// the way the service does: every reminder and every alarm is claimed by
// exactly one of them.
func testLWClaimsOnce(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	const n = 12
	var ids []int64
	for i := 0; i < n; i++ {
		sess := lwSession("haringey", fmt.Sprintf("P%04d", i), 20+i)
		if i%3 == 0 {
			sess.Reminder = time.Time{} // no reminder
		}
		ids = append(ids, mustCheckIn(t, s, sess).ID)
	}
	stores := make([]*Store, 8)
	for i := range stores {
		stores[i] = mustOpen(t, open)
	}
	type claimKey struct {
		kind string
		id   int64
	}
	var mu sync.Mutex
	claims := map[claimKey]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Sweep minute by minute, each claimer starting at a different offset.
			for m := 0; m <= 40; m++ {
				now := lwBase.Add(time.Duration(m)*time.Minute + time.Duration(w)*time.Second)
				rem, err := st.DueReminders(ctx, now)
				if err != nil {
					t.Error(err)
					return
				}
				for _, r := range rem {
					ok, err := st.ClaimReminder(ctx, r.ID, now)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						claims[claimKey{LWReminder, r.ID}]++
						mu.Unlock()
					}
				}
				al, err := st.DueAlarms(ctx, now)
				if err != nil {
					t.Error(err)
					return
				}
				for _, a := range al {
					ok, err := st.ClaimAlarm(ctx, a.ID, now)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						claims[claimKey{LWAlarm, a.ID}]++
						mu.Unlock()
					}
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	for i, id := range ids {
		wantRem := 1
		if i%3 == 0 {
			wantRem = 0
		}
		if c := claims[claimKey{LWReminder, id}]; c != wantRem {
			t.Errorf("session %d: reminder claimed %d times, want %d", id, c, wantRem)
		}
		if c := claims[claimKey{LWAlarm, id}]; c != 1 {
			t.Errorf("session %d: alarm claimed %d times, want 1", id, c)
		}
		want := []string{LWCheckIn, LWReminder, LWAlarm}
		if wantRem == 0 {
			want = []string{LWCheckIn, LWAlarm}
		}
		if k := lwKinds(t, s, id); !reflect.DeepEqual(k, want) {
			t.Errorf("session %d: events %v, want %v", id, k, want)
		}
		got := mustSession(t, s, id)
		if got.State != SessionOverdue || !got.AlarmRaised || got.Reminded != (wantRem == 1) {
			t.Errorf("session %d: state %s alarm %v reminded %v", id, got.State, got.AlarmRaised, got.Reminded)
		}
	}
	// Head to head: every claimer claims every session at the same instant,
	// without the Due* filter in between.
	var race []int64
	for i := 0; i < n; i++ {
		race = append(race, mustCheckIn(t, s, lwSession("barnet", fmt.Sprintf("R%04d", i), 30)).ID)
	}
	remAt, alarmAt := lwBase.Add(25*time.Minute), lwBase.Add(31*time.Minute)
	counts := map[claimKey]int{}
	start = make(chan struct{})
	for _, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for _, id := range race {
				for _, c := range []struct {
					kind  string
					claim func(context.Context, int64, time.Time) (bool, error)
					at    time.Time
				}{{LWReminder, st.ClaimReminder, remAt}, {LWAlarm, st.ClaimAlarm, alarmAt}} {
					ok, err := c.claim(ctx, id, c.at)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						counts[claimKey{c.kind, id}]++
						mu.Unlock()
					}
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, id := range race {
		if r, a := counts[claimKey{LWReminder, id}], counts[claimKey{LWAlarm, id}]; r != 1 || a != 1 {
			t.Errorf("head to head, session %d: reminder claimed %d times, alarm %d; want 1 and 1", id, r, a)
		}
	}
	// A reminder is not claimed early, nor past the deadline.
	late := mustCheckIn(t, s, lwSession("camden", "P9000", 30)) // reminder +20
	if ok, _ := s.ClaimReminder(ctx, late.ID, lwBase.Add(19*time.Minute)); ok {
		t.Error("reminder claimed before it was due")
	}
	if due, _ := s.DueReminders(ctx, lwBase.Add(30*time.Minute)); len(due) != 0 {
		t.Errorf("DueReminders past the deadline = %+v; the alarm is what is due", due)
	}
	if ok, _ := s.ClaimReminder(ctx, late.ID, lwBase.Add(30*time.Minute)); ok {
		t.Error("reminder claimed at the deadline")
	}
	if ok, _ := s.ClaimAlarm(ctx, late.ID, lwBase.Add(30*time.Minute-time.Nanosecond)); ok {
		t.Error("alarm claimed before the deadline")
	}
}

func testLWCheckOutAfterAlarm(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	sess := mustCheckIn(t, s, lwSession("haringey", lwOfficer, 45))
	if _, _, err := s.AckAlarm(ctx, sess.ID, ViaConsole, "duty_manager", lwBase); !errors.Is(err, ErrNotOverdue) {
		t.Fatalf("AckAlarm before the alarm: %v; want ErrNotOverdue", err)
	}
	due, err := s.DueAlarms(ctx, sess.Deadline)
	if err != nil || len(due) != 1 || due[0].ID != sess.ID {
		t.Fatalf("DueAlarms at the deadline = %+v, %v", due, err)
	}
	if ok, err := s.ClaimAlarm(ctx, sess.ID, sess.Deadline.Add(time.Second)); err != nil || !ok {
		t.Fatalf("ClaimAlarm = %v, %v", ok, err)
	}
	if ok, _ := s.ClaimAlarm(ctx, sess.ID, sess.Deadline.Add(time.Minute)); ok {
		t.Fatal("alarm claimed twice")
	}
	acked, changed, err := s.AckAlarm(ctx, sess.ID, ViaConsole, "duty_manager", sess.Deadline.Add(2*time.Minute))
	if err != nil || !changed || acked.AckedBy != "duty_manager" {
		t.Fatalf("AckAlarm = %+v, %v, %v", acked, changed, err)
	}
	if again, changed, err := s.AckAlarm(ctx, sess.ID, ViaAPI, "someone_else", sess.Deadline.Add(3*time.Minute)); err != nil || changed || again.AckedBy != "duty_manager" {
		t.Fatalf("second AckAlarm = %q, %v, %v; want the first kept", again.AckedBy, changed, err)
	}
	if err := s.AddSessionNote(ctx, sess.ID, ViaConsole, "duty_manager", "phoned the officer, no answer", sess.Deadline.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	out, changed, err := s.CheckOut(ctx, sess.ID, ViaPhone, "officer", sess.Deadline.Add(5*time.Minute))
	if err != nil || !changed || !out.AlarmRaised || out.State != SessionCheckedOut || out.AckedBy != "duty_manager" {
		t.Fatalf("CheckOut after the alarm = %+v, %v, %v; want changed with AlarmRaised", out, changed, err)
	}
	if _, _, err := s.AckAlarm(ctx, sess.ID, ViaConsole, "duty_manager", sess.Deadline.Add(6*time.Minute)); !errors.Is(err, ErrSessionClosed) {
		t.Fatalf("AckAlarm after check-out: %v; want ErrSessionClosed", err)
	}
	ev, _ := s.SessionEvents(ctx, sess.ID)
	want := []string{LWCheckIn, LWAlarm, LWAck, LWNote, LWCheckOut}
	if k := lwKinds(t, s, sess.ID); !reflect.DeepEqual(k, want) {
		t.Fatalf("events %v, want %v", k, want)
	}
	if ev[1].Via != ViaTimer || !strings.Contains(ev[4].Detail, "after the alarm") {
		t.Fatalf("alarm event %+v, checkout event %+v", ev[1], ev[4])
	}
}

func testLWPurge(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	oldClosed := mustCheckIn(t, s, lwSession("haringey", "P1", 45))
	oldOpen := mustCheckIn(t, s, lwSession("haringey", "P2", 45))
	recent := mustCheckIn(t, s, lwSession("haringey", "P3", 45))
	otherPO := mustCheckIn(t, s, lwSession("camden", "P1", 45))
	for _, c := range []struct {
		id int64
		at time.Time
	}{{oldClosed.ID, lwBase.Add(time.Hour)}, {recent.ID, lwBase.Add(48 * time.Hour)}, {otherPO.ID, lwBase.Add(time.Hour)}} {
		if _, _, err := s.CheckOut(ctx, c.id, ViaAPI, "officer", c.at); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PurgeLoneWorker(ctx, "haringey", lwBase.Add(24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PurgeLoneWorker = %d, %v; want 1", n, err)
	}
	if _, err := s.Session(ctx, oldClosed.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("purged session still there: %v", err)
	}
	if ev, _ := s.SessionEvents(ctx, oldClosed.ID); len(ev) != 0 {
		t.Fatalf("purged session's events still there: %+v", ev)
	}
	for _, id := range []int64{oldOpen.ID, recent.ID, otherPO.ID} {
		mustSession(t, s, id)
		if k := lwKinds(t, s, id); len(k) == 0 {
			t.Errorf("session %d lost its events", id)
		}
	}
	if n, err := s.PurgeLoneWorker(ctx, "haringey", lwBase.Add(24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("second PurgeLoneWorker = %d, %v; want 0", n, err)
	}
	if _, err := s.PurgeLoneWorker(ctx, "", lwBase); !errors.Is(err, ErrInvalidLoneWorker) {
		t.Fatalf("PurgeLoneWorker with no PO: %v; want ErrInvalidLoneWorker", err)
	}
}

func testLWReopen(t *testing.T, open func() (*Store, error)) {
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := mustCheckIn(t, s, lwSession("haringey", lwOfficer, 45))
	b := mustCheckIn(t, s, lwSession("haringey", "P2", 20))
	c := mustCheckIn(t, s, lwSession("camden", "P3", 60))
	if _, err := s.Extend(ctx, a.ID, 15, 2*time.Hour, 1, ViaSMS, "officer", lwBase.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.ClaimAlarm(ctx, b.ID, lwBase.Add(20*time.Minute)); !ok {
		t.Fatal("alarm not claimed")
	}
	if _, _, err := s.CheckOut(ctx, c.ID, ViaPhone, "officer", lwBase.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var before []LoneWorkerSession
	var beforeEv [][]LoneWorkerEvent
	for _, id := range []int64{a.ID, b.ID, c.ID} {
		before = append(before, mustSession(t, s, id))
		ev, _ := s.SessionEvents(ctx, id)
		beforeEv = append(beforeEv, ev)
	}
	s.Close()
	s2 := mustOpen(t, open)
	for i, id := range []int64{a.ID, b.ID, c.ID} {
		if got := mustSession(t, s2, id); !reflect.DeepEqual(got, before[i]) {
			t.Errorf("after reopening, session %d = %+v\nwant %+v", id, got, before[i])
		}
		if ev, _ := s2.SessionEvents(ctx, id); !reflect.DeepEqual(ev, beforeEv[i]) {
			t.Errorf("after reopening, events of %d = %+v\nwant %+v", id, ev, beforeEv[i])
		}
	}
	// The timers rebuild from the store: a's deadline (moved) and b's alarm.
	openS, _ := s2.OpenSessions(ctx, "")
	if len(openS) != 2 || openS[0].ID != b.ID || openS[1].ID != a.ID || openS[0].State != SessionOverdue {
		t.Fatalf("OpenSessions after reopening = %+v; want b (overdue) then a", openS)
	}
	if due, _ := s2.DueAlarms(ctx, lwBase.Add(time.Hour)); len(due) != 1 || due[0].ID != a.ID {
		t.Fatalf("DueAlarms after reopening = %+v; want a", due)
	}
	// Still one open session per officer after the restart.
	if _, err := s2.CheckIn(ctx, lwSession("haringey", lwOfficer, 30), ViaAPI, "officer"); !errors.Is(err, ErrSessionOpen) {
		t.Fatalf("duplicate CheckIn after reopening: %v", err)
	}
}

func testLWInvalid(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	mod := func(f func(*LoneWorkerSession)) LoneWorkerSession {
		v := lwSession("haringey", lwOfficer, 45)
		f(&v)
		return v
	}
	for _, tc := range []struct {
		name    string
		sess    LoneWorkerSession
		via, by string
		want    string
	}{
		{"deadline in the past", mod(func(v *LoneWorkerSession) { v.Deadline, v.Reminder = lwBase.Add(-time.Minute), time.Time{} }), ViaAPI, "officer", "Deadline (2026-03-12T14:04:00Z) is not after the check-in"},
		{"deadline at check-in", mod(func(v *LoneWorkerSession) { v.Deadline, v.Reminder = lwBase, time.Time{} }), ViaAPI, "officer", "want a deadline in the future"},
		{"too long", mod(func(v *LoneWorkerSession) { v.Deadline = lwBase.Add(25 * time.Hour) }), ViaAPI, "officer", "Deadline is 25h0m0s after the check-in; at most 24h0m0s"},
		{"no deadline", mod(func(v *LoneWorkerSession) { v.Deadline = time.Time{} }), ViaAPI, "officer", "Deadline is zero"},
		{"no start", mod(func(v *LoneWorkerSession) { v.Started = time.Time{} }), ViaAPI, "officer", "Started is zero"},
		{"reminder after deadline", mod(func(v *LoneWorkerSession) { v.Reminder = v.Deadline }), ViaAPI, "officer", "Reminder is not between"},
		{"reminder at check-in", mod(func(v *LoneWorkerSession) { v.Reminder = v.Started }), ViaAPI, "officer", "Reminder is not between"},
		{"no PO", mod(func(v *LoneWorkerSession) { v.PO = " " }), ViaAPI, "officer", "PO is empty"},
		{"no staff group", mod(func(v *LoneWorkerSession) { v.StaffGroup = "" }), ViaAPI, "officer", "StaffGroup is empty"},
		{"no officer", mod(func(v *LoneWorkerSession) { v.Officer = catalog.Private{} }), ViaAPI, "officer", "Officer is empty"},
		{"officer two lines", mod(func(v *LoneWorkerSession) { v.Officer = catalog.NewPrivate(lwOfficer + "\nx") }), ViaAPI, "officer", "Officer has control characters"},
		{"bad phone", mod(func(v *LoneWorkerSession) { v.OfficerPhone = catalog.NewPrivate("07700 900123") }), ViaAPI, "officer", "OfficerPhone is not E.164"},
		{"long location", mod(func(v *LoneWorkerSession) { v.Location = catalog.NewPrivate(strings.Repeat("Secret Street ", 40)) }), ViaAPI, "officer", "Location is 560 bytes; at most 500"},
		{"bad UPRN", mod(func(v *LoneWorkerSession) { v.UPRN = "UPRN-1" }), ViaAPI, "officer", "UPRN is not 1 to 12 digits"},
		{"id set", mod(func(v *LoneWorkerSession) { v.ID = 7 }), ViaAPI, "officer", "ID is 7; leave it 0"},
		{"state set", mod(func(v *LoneWorkerSession) { v.State = SessionOverdue }), ViaAPI, "officer", `State is "overdue"`},
		{"alarm set", mod(func(v *LoneWorkerSession) { v.AlarmRaised = true }), ViaAPI, "officer", "must be empty at check-in"},
		{"bad via", lwSession("haringey", lwOfficer, 45), "fax", "officer", `via is "fax"; want api, phone, sms, console or pager`},
		{"timer via", lwSession("haringey", lwOfficer, 45), ViaTimer, "officer", `via is "timer"`},
		{"no by", lwSession("haringey", lwOfficer, 45), ViaAPI, "", "by is empty"},
	} {
		_, err := s.CheckIn(ctx, tc.sess, tc.via, tc.by)
		if !errors.Is(err, ErrInvalidLoneWorker) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: CheckIn error %v; want ErrInvalidLoneWorker containing %q", tc.name, err, tc.want)
			continue
		}
		noPersonal(t, tc.name, err.Error())
	}
	if open, _ := s.OpenSessions(ctx, ""); len(open) != 0 {
		t.Fatalf("invalid check-ins stored sessions: %+v", open)
	}
	sess := mustCheckIn(t, s, lwSession("haringey", lwOfficer, 45))
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"extend 0 minutes", extendErr(s, sess.ID, 0, time.Hour, 1, ViaSMS, "officer", lwBase), "minutes is 0; want 1 to 1440"},
		{"extend no max", extendErr(s, sess.ID, 10, 0, 1, ViaSMS, "officer", lwBase), "max is 0s"},
		{"extend negative count", extendErr(s, sess.ID, 10, time.Hour, -1, ViaSMS, "officer", lwBase), "maxExtensions is -1"},
		{"extend no time", extendErr(s, sess.ID, 10, time.Hour, 1, ViaSMS, "officer", time.Time{}), "at is zero"},
		{"checkout bad via", checkoutErr(s, sess.ID, "carrier pigeon", "officer", lwBase), `via is "carrier pigeon"`},
		{"checkout no by", checkoutErr(s, sess.ID, ViaAPI, " ", lwBase), "by is empty"},
		{"checkout no time", checkoutErr(s, sess.ID, ViaAPI, "officer", time.Time{}), "at is zero"},
		{"note empty", s.AddSessionNote(ctx, sess.ID, ViaConsole, "duty", "", lwBase), "detail is empty"},
	} {
		if !errors.Is(tc.err, ErrInvalidLoneWorker) || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v; want ErrInvalidLoneWorker containing %q", tc.name, tc.err, tc.want)
		}
	}
	if got := mustSession(t, s, sess.ID); !reflect.DeepEqual(got, sess) {
		t.Fatalf("invalid calls changed the session: %+v", got)
	}
	if k := lwKinds(t, s, sess.ID); !reflect.DeepEqual(k, []string{LWCheckIn}) {
		t.Fatalf("invalid calls wrote events: %v", k)
	}
	if _, err := s.DueAlarms(ctx, time.Time{}); !errors.Is(err, ErrInvalidLoneWorker) {
		t.Fatalf("DueAlarms(zero): %v", err)
	}
	if _, err := s.ClaimAlarm(ctx, sess.ID, time.Time{}); !errors.Is(err, ErrInvalidLoneWorker) {
		t.Fatalf("ClaimAlarm(zero): %v", err)
	}
}

func extendErr(s *Store, id int64, minutes int, max time.Duration, n int, via, by string, at time.Time) error {
	_, err := s.Extend(context.Background(), id, minutes, max, n, via, by, at)
	return err
}

func checkoutErr(s *Store, id int64, via, by string, at time.Time) error {
	_, _, err := s.CheckOut(context.Background(), id, via, by, at)
	return err
}

// testLWSchema writes rows past the API: the schema itself refuses
// sessions that would break the timers.
func testLWSchema(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	ins := `INSERT INTO loneworker_sessions (po, staff_group, officer, officer_phone, location, uprn, started_ns, deadline_ns,
 reminder_ns, state, extensions, reminded, alarm_raised, checked_out_ns, acked_by, updated_ns)
 VALUES ('p', 'g', ?, '', '', '', ?, ?, ?, ?, 0, 0, ?, ?, '', 0)`
	b := lwBase.UnixNano()
	m := int64(time.Minute)
	for _, tc := range []struct {
		name string
		args []any
	}{
		{"deadline before start", []any{"o1", b, b - m, nil, SessionActive, 0, nil}},
		{"reminder after deadline", []any{"o2", b, b + m, b + 2*m, SessionActive, 0, nil}},
		{"unknown state", []any{"o3", b, b + m, nil, "escalated", 0, nil}},
		{"overdue without alarm", []any{"o4", b, b + m, nil, SessionOverdue, 0, nil}},
		{"checked out without time", []any{"o5", b, b + m, nil, SessionCheckedOut, 0, nil}},
		{"active with check-out time", []any{"o6", b, b + m, nil, SessionActive, 0, b}},
	} {
		if _, err := s.db.ExecContext(ctx, s.d.rebind(ins), tc.args...); err == nil {
			t.Errorf("%s: the schema accepted the row", tc.name)
		}
	}
	if _, err := s.db.ExecContext(ctx, s.d.rebind(ins), "ok", b, b+m, nil, SessionActive, 0, nil); err != nil {
		t.Fatalf("a valid row was refused: %v", err)
	}
	if _, err := s.db.ExecContext(ctx, s.d.rebind(ins), "ok", b, b+m, nil, SessionOverdue, 1, nil); err == nil {
		t.Error("a second open session of one officer was accepted")
	}
}
