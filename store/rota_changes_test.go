package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRotaChangesSQLite(t *testing.T) { runRotaChangeSuite(t, sqliteBackend()) }

func TestRotaChangesPostgres(t *testing.T) {
	postgresDSN(t)
	runRotaChangeSuite(t, postgresBackend())
}

func runRotaChangeSuite(t *testing.T, b backend) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, open func() (*Store, error))
	}{
		{"AppendAndList", testRotaAppendList},
		{"CancelRules", testRotaCancel},
		{"Invalid", testRotaInvalid},
		{"ConcurrentCancelsOneWins", testRotaConcurrentCancel},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, b.fresh(t)) })
	}
}

var rotaBase = time.Date(2026, 10, 23, 16, 0, 0, 123456789, time.UTC)

func override(po, rota, person string, from, to time.Time) RotaChange {
	return RotaChange{PO: po, Rota: rota, Kind: RotaOverride, Person: person, From: from, To: to,
		Reason: "swap for leave", Author: "acme-office", Created: rotaBase.Add(-time.Hour)}
}

func mustAddRota(t *testing.T, s *Store, c RotaChange) RotaChange {
	t.Helper()
	got, err := s.AddRotaChange(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func testRotaAppendList(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	// A zone other than UTC goes in; UTC comes out, to the nanosecond.
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	a := mustAddRota(t, s, override("acme", "weekly", "d-1", rotaBase.In(london), rotaBase.Add(25*time.Hour)))
	b := mustAddRota(t, s, override("bravo", "main", "x-1", rotaBase, rotaBase.Add(time.Hour)))
	c := mustAddRota(t, s, override("acme", "daily", "a-1", rotaBase.Add(time.Hour), rotaBase.Add(2*time.Hour)))
	if !(a.ID > 0 && b.ID > a.ID && c.ID > b.ID) {
		t.Fatalf("ids not increasing: %d %d %d", a.ID, b.ID, c.ID)
	}
	got, err := s.RotaChanges(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != a || got[1] != c {
		t.Fatalf("RotaChanges(acme) = %+v\nwant %+v and %+v", got, a, c)
	}
	if got[0].From.Location() != time.UTC || !got[0].From.Equal(rotaBase) || got[0].Created != rotaBase.Add(-time.Hour) {
		t.Errorf("times not kept exactly in UTC: %+v", got[0])
	}
	all, err := s.RotaChanges(ctx, "")
	if err != nil || len(all) != 3 || all[1] != b {
		t.Fatalf("RotaChanges(\"\") = %+v, %v; want all three in id order", all, err)
	}
	// Kept across a reopen.
	s2 := mustOpen(t, open)
	again, err := s2.RotaChanges(ctx, "acme")
	if err != nil || len(again) != 2 || again[1] != c {
		t.Fatalf("after reopen: %+v, %v", again, err)
	}
	none, err := s.RotaChanges(ctx, "nobody")
	if err != nil || len(none) != 0 {
		t.Fatalf("RotaChanges(nobody) = %+v, %v; want none", none, err)
	}
}

func testRotaCancel(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ctx := context.Background()
	o := mustAddRota(t, s, override("acme", "weekly", "d-1", rotaBase.Add(24*time.Hour), rotaBase.Add(48*time.Hour)))
	cancel := RotaChange{PO: "acme", Rota: "weekly", Kind: RotaCancel, Cancels: o.ID, From: rotaBase,
		Reason: "leave withdrawn", Author: "provider-dm", Created: rotaBase}

	// Wrong rota, unknown id, a cancel of a cancel, after the end.
	wrong := cancel
	wrong.Rota = "daily"
	if _, err := s.AddRotaChange(ctx, wrong); !errors.Is(err, ErrInvalidRotaChange) || !strings.Contains(err.Error(), "acme/weekly, not of acme/daily") {
		t.Errorf("cancel through another rota: %v", err)
	}
	unknown := cancel
	unknown.Cancels = o.ID + 100
	if _, err := s.AddRotaChange(ctx, unknown); !errors.Is(err, ErrNoRotaChange) {
		t.Errorf("cancel of unknown id: %v; want ErrNoRotaChange", err)
	}
	late := cancel
	late.From = rotaBase.Add(48 * time.Hour)
	if _, err := s.AddRotaChange(ctx, late); !errors.Is(err, ErrInvalidRotaChange) || !strings.Contains(err.Error(), "nothing is left to cancel") {
		t.Errorf("cancel after the end: %v", err)
	}

	// Before the override starts, the cancel voids it from its own start.
	got := mustAddRota(t, s, cancel)
	if !got.From.Equal(o.From) || !got.To.Equal(o.To) || got.Person != "" || got.Cancels != o.ID {
		t.Errorf("cancel stored as %+v; want From/To of the override %+v", got, o)
	}
	if _, err := s.AddRotaChange(ctx, cancel); !errors.Is(err, ErrRotaChangeCancelled) || !strings.Contains(err.Error(), "by change") {
		t.Errorf("second cancel: %v; want ErrRotaChangeCancelled naming the first", err)
	}
	cc := RotaChange{PO: "acme", Rota: "weekly", Kind: RotaCancel, Cancels: got.ID, From: rotaBase, Author: "x", Created: rotaBase}
	if _, err := s.AddRotaChange(ctx, cc); !errors.Is(err, ErrInvalidRotaChange) || !strings.Contains(err.Error(), "is a cancel, not an override") {
		t.Errorf("cancel of a cancel: %v", err)
	}

	// An override under way is cancelled from the cancel's From.
	o2 := mustAddRota(t, s, override("acme", "weekly", "c-1", rotaBase.Add(-time.Hour), rotaBase.Add(time.Hour)))
	mid := RotaChange{PO: "acme", Rota: "weekly", Kind: RotaCancel, Cancels: o2.ID, From: rotaBase, Author: "x", Created: rotaBase}
	if got := mustAddRota(t, s, mid); !got.From.Equal(rotaBase) {
		t.Errorf("cancel under way stored from %s; want %s", got.From, rotaBase)
	}
	hist, err := s.RotaChanges(ctx, "acme")
	if err != nil || len(hist) != 4 {
		t.Fatalf("history %+v, %v; want 4 rows (nothing deleted)", hist, err)
	}
}

func testRotaInvalid(t *testing.T, open func() (*Store, error)) {
	s := mustOpen(t, open)
	ok := override("acme", "weekly", "d-1", rotaBase, rotaBase.Add(time.Hour))
	for _, tc := range []struct {
		name, want string
		mod        func(c *RotaChange)
	}{
		{"id set", "ID is 5", func(c *RotaChange) { c.ID = 5 }},
		{"no po", "PO is empty", func(c *RotaChange) { c.PO = "" }},
		{"no rota", "Rota is empty", func(c *RotaChange) { c.Rota = "" }},
		{"no author", "Author is empty", func(c *RotaChange) { c.Author = " " }},
		{"no created", "Created is zero", func(c *RotaChange) { c.Created = time.Time{} }},
		{"bad kind", `Kind is "swap"; want "override" or "cancel"`, func(c *RotaChange) { c.Kind = "swap" }},
		{"no person", "Person is empty", func(c *RotaChange) { c.Person = "" }},
		{"no from", "From is zero", func(c *RotaChange) { c.From = time.Time{} }},
		{"no to", "To is zero", func(c *RotaChange) { c.To = time.Time{} }},
		{"to before from", "is not after From", func(c *RotaChange) { c.To = c.From.Add(-time.Minute) }},
		{"to equals from", "is not after From", func(c *RotaChange) { c.To = c.From }},
		{"override cancels", "an override cancels nothing", func(c *RotaChange) { c.Cancels = 3 }},
		{"cancel with person", "a cancel names no person", func(c *RotaChange) { c.Kind = RotaCancel; c.Cancels = 1 }},
		{"cancel without id", "Cancels is 0", func(c *RotaChange) { c.Kind, c.Person = RotaCancel, "" }},
		{"long reason", "Reason is 501 bytes", func(c *RotaChange) { c.Reason = strings.Repeat("x", 501) }},
		{"control chars", "control characters", func(c *RotaChange) { c.Reason = "a\nb" }},
		{"year 3000", "To is zero or out of range", func(c *RotaChange) { c.To = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mod(&c)
			_, err := s.AddRotaChange(context.Background(), c)
			if !errors.Is(err, ErrInvalidRotaChange) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v; want ErrInvalidRotaChange with %q", err, tc.want)
			}
		})
	}
	if got, err := s.RotaChanges(context.Background(), ""); err != nil || len(got) != 0 {
		t.Errorf("invalid changes wrote %d rows (err %v)", len(got), err)
	}
}

// Two processes' worth of cancels of the same override race: exactly one
// is stored.
func testRotaConcurrentCancel(t *testing.T, open func() (*Store, error)) {
	s1, s2 := mustOpen(t, open), mustOpen(t, open)
	o := mustAddRota(t, s1, override("acme", "weekly", "d-1", rotaBase, rotaBase.Add(time.Hour)))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := s1
			if i%2 == 1 {
				s = s2
			}
			_, errs[i] = s.AddRotaChange(context.Background(), RotaChange{PO: "acme", Rota: "weekly", Kind: RotaCancel,
				Cancels: o.ID, From: rotaBase, Author: "x", Created: rotaBase})
		}()
	}
	wg.Wait()
	okN := 0
	for _, err := range errs {
		if err == nil {
			okN++
		}
	}
	hist, err := s1.RotaChanges(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if okN != 1 || len(hist) != 2 {
		t.Fatalf("%d cancels succeeded, %d rows stored; want 1 and 2 (errors: %v)", okN, len(hist), errs)
	}
}
