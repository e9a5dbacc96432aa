package catalog

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func withChanges(t *testing.T, c *Catalog, changes ...RotaChange) *Catalog {
	t.Helper()
	out, err := c.WithRotaChanges(changes)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func onCallID(c *Catalog, rota string, at time.Time) string {
	p, _ := c.OnCall("acme", rota, at)
	return p.ID
}

// An immediate change (from now) changes who is on call now, and only on
// the returned catalogue.
func TestRotaChangeImmediate(t *testing.T) {
	c := loadRotas(t)
	now := london(t, "2026-05-13 02:10") // b-1's week on the weekly rota
	if got := onCallID(c, "weekly", now); got != "b-1" {
		t.Fatalf("before: %s on call, want b-1", got)
	}
	c2 := withChanges(t, c, RotaChange{ID: 1, PO: "acme", Rota: "weekly", Kind: ChangeOverride, Person: "d-1", From: now, To: now.Add(6 * time.Hour)})
	if got := onCallID(c2, "weekly", now); got != "d-1" {
		t.Errorf("with the change: %s on call now, want d-1", got)
	}
	if got := onCallID(c2, "weekly", now.Add(-time.Minute)); got != "b-1" {
		t.Errorf("a minute before the change: %s, want b-1 (history unchanged)", got)
	}
	if got := onCallID(c2, "weekly", now.Add(6*time.Hour)); got != "b-1" {
		t.Errorf("at the override's end: %s, want b-1", got)
	}
	if got := onCallID(c, "weekly", now); got != "b-1" {
		t.Errorf("the original catalogue changed: %s on call, want b-1", got)
	}
	// Other rotas and POs are untouched; the file's overrides still apply.
	if got := onCallID(c2, "daily", now); got != onCallID(c, "daily", now) {
		t.Errorf("daily rota changed to %s", got)
	}
	if got := onCallID(c2, "weekly", london(t, "2026-04-06 21:00")); got != "d-1" {
		t.Errorf("file override lost: %s, want d-1", got)
	}
	n, ok := c2.Number("+442079460999")
	if p2, _ := c2.PO("acme"); !ok || n.PO() != p2 {
		t.Errorf("Number().PO() of the new catalogue is not its PO")
	}
}

// A pre-dated change from Friday 23 October 17:00 (BST) to Monday 26
// October 09:00 (GMT): the clocks go back between. The rotation has a-1
// until that Friday's handover, then b-1.
func TestRotaChangePreDatedAcrossBST(t *testing.T) {
	c := loadRotas(t)
	from, to := london(t, "2026-10-23 17:00"), london(t, "2026-10-26 09:00")
	c2 := withChanges(t, c, RotaChange{ID: 7, PO: "acme", Rota: "weekly", Kind: ChangeOverride, Person: "d-1", From: from, To: to})
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{utc(t, "2026-10-21 12:00"), "a-1"},
		{utc(t, "2026-10-23 15:59"), "a-1"},
		{utc(t, "2026-10-23 16:00"), "d-1"}, // 17:00 BST
		{utc(t, "2026-10-25 00:30"), "d-1"}, // 01:30 BST
		{utc(t, "2026-10-25 01:30"), "d-1"}, // 01:30 GMT, the repeated hour
		{utc(t, "2026-10-26 08:59"), "d-1"},
		{utc(t, "2026-10-26 09:00"), "b-1"}, // 09:00 GMT
	} {
		if got := onCallID(c2, "weekly", tc.at); got != tc.want {
			t.Errorf("OnCall at %s = %s, want %s", tc.at.Format(time.RFC3339), got, tc.want)
		}
	}
	// Escalation: the default policy pages the weekly rota at start and
	// again 10 minutes later (the empty rota is skipped). Each step
	// resolves the rota at its own instant.
	steps := c2.Plan("acme", "noise", utc(t, "2026-10-23 15:55"))
	var got []string
	for _, s := range steps {
		if s.Skipped || s.CatchAll {
			continue
		}
		got = append(got, s.At.Format("15:04")+" "+s.Pages[0].Person.ID)
	}
	if want := []string{"15:55 a-1", "16:05 d-1"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Plan steps %v, want %v", got, want)
	}
	at, next, ok := c2.NextOnCallChange("acme", "weekly", utc(t, "2026-10-23 12:00"), 7*24*time.Hour)
	if !ok || !at.Equal(from) || next.ID != "d-1" {
		t.Errorf("NextOnCallChange = %s %s %v; want %s d-1", at, next.ID, ok, from)
	}
	at, next, ok = c2.NextOnCallChange("acme", "weekly", from, 7*24*time.Hour)
	if !ok || !at.Equal(to) || next.ID != "b-1" {
		t.Errorf("NextOnCallChange after the override = %s %s %v; want %s b-1", at, next.ID, ok, to)
	}
}

func TestRotaChangeCancel(t *testing.T) {
	c := loadRotas(t)
	from, to := london(t, "2026-10-23 17:00"), london(t, "2026-10-26 09:00")
	o := RotaChange{ID: 3, PO: "acme", Rota: "weekly", Kind: ChangeOverride, Person: "d-1", From: from, To: to}
	during := utc(t, "2026-10-24 12:00")

	// Cancelled before it began: the rotation is back, all of it.
	c2 := withChanges(t, c, o, RotaChange{ID: 4, PO: "acme", Rota: "weekly", Kind: ChangeCancel, Cancels: 3, From: from.Add(-time.Hour), To: to})
	if got := onCallID(c2, "weekly", during); got != "b-1" {
		t.Errorf("cancelled override: %s on call, want b-1 (the rotation)", got)
	}
	// Cancelled while under way: the part served stays history.
	mid := utc(t, "2026-10-24 12:00")
	c3 := withChanges(t, c, o, RotaChange{ID: 4, PO: "acme", Rota: "weekly", Kind: ChangeCancel, Cancels: 3, From: mid, To: to})
	if got := onCallID(c3, "weekly", mid.Add(-time.Minute)); got != "d-1" {
		t.Errorf("before the cancel took effect: %s, want d-1", got)
	}
	if got := onCallID(c3, "weekly", mid); got != "b-1" {
		t.Errorf("after the cancel took effect: %s, want b-1", got)
	}
	// A later override wins over an earlier one; cancelling the later one
	// brings the earlier back.
	later := RotaChange{ID: 9, PO: "acme", Rota: "weekly", Kind: ChangeOverride, Person: "c-1", From: from, To: to}
	c4 := withChanges(t, c, later, o) // given out of order: ids decide
	if got := onCallID(c4, "weekly", during); got != "c-1" {
		t.Errorf("two overrides: %s, want c-1 (the later id)", got)
	}
	c5 := withChanges(t, c, o, later, RotaChange{ID: 10, PO: "acme", Rota: "weekly", Kind: ChangeCancel, Cancels: 9, From: from})
	if got := onCallID(c5, "weekly", during); got != "d-1" {
		t.Errorf("later override cancelled: %s, want d-1", got)
	}
}

func TestRotaChangeGaps(t *testing.T) {
	c := loadRotas(t)
	from, to := london(t, "2026-05-13 18:00"), london(t, "2026-05-13 22:00")
	win0, win1 := london(t, "2026-05-13 17:00"), london(t, "2026-05-14 08:00")
	if g := c.Gaps("acme", win0, win1); hasRotaGap(g, "daily") {
		t.Fatalf("daily rota has a gap before the change: %+v", g)
	}
	c2 := withChanges(t, c, RotaChange{ID: 1, PO: "acme", Rota: "daily", Kind: ChangeOverride, Person: "mute-1", From: from, To: to})
	var found []Gap
	for _, g := range c2.Gaps("acme", win0, win1) {
		if g.Rota == "daily" {
			found = append(found, g)
		}
	}
	if len(found) != 1 || !found[0].From.Equal(from) || !found[0].To.Equal(to) || found[0].Person != "mute-1" ||
		!strings.Contains(found[0].Reason, "no sms, slack or email") {
		t.Errorf("Gaps = %+v; want one gap %s–%s for mute-1 with no channel", found, from, to)
	}
}

func hasRotaGap(gs []Gap, rota string) bool {
	for _, g := range gs {
		if g.Rota == rota {
			return true
		}
	}
	return false
}

func TestRotaChangeErrors(t *testing.T) {
	c := loadRotas(t)
	t0 := london(t, "2026-05-13 18:00")
	ok := RotaChange{ID: 1, PO: "acme", Rota: "weekly", Kind: ChangeOverride, Person: "d-1", From: t0, To: t0.Add(time.Hour)}
	for _, tc := range []struct {
		name    string
		changes []RotaChange
		want    string
	}{
		{"unknown PO", []RotaChange{{ID: 2, PO: "zulu", Rota: "weekly", Kind: ChangeOverride, Person: "d-1", From: t0, To: t0.Add(time.Hour)}},
			`rota change 2: PO "zulu" is not in the catalogue; POs: acme, bravo`},
		{"unknown rota", []RotaChange{{ID: 2, PO: "acme", Rota: "nightly", Kind: ChangeOverride, Person: "d-1", From: t0, To: t0.Add(time.Hour)}},
			`rota change 2: "nightly" is not a rota of acme; rotas: weekly, daily, empty, muted`},
		{"unknown person", []RotaChange{{ID: 2, PO: "acme", Rota: "weekly", Kind: ChangeOverride, Person: "zed", From: t0, To: t0.Add(time.Hour)}},
			`rota change 2: "zed" is not a person of acme; people: a-1, b-1, c-1, d-1, mute-1`},
		{"no length", []RotaChange{{ID: 2, PO: "acme", Rota: "weekly", Kind: ChangeOverride, Person: "d-1", From: t0, To: t0}},
			"an override must have a length"},
		{"bad kind", []RotaChange{{ID: 2, PO: "acme", Rota: "weekly", Kind: "swap"}}, `unknown kind "swap"`},
		{"cancel unknown", []RotaChange{ok, {ID: 2, PO: "acme", Rota: "weekly", Kind: ChangeCancel, Cancels: 5}},
			"rota change 2 cancels 5, which is not an earlier override"},
		{"cancel before override", []RotaChange{{ID: 0, PO: "acme", Rota: "weekly", Kind: ChangeCancel, Cancels: 1}, ok},
			"rota change 0 cancels 1, which is not an earlier override"},
		{"cancel other rota", []RotaChange{ok, {ID: 2, PO: "acme", Rota: "daily", Kind: ChangeCancel, Cancels: 1}},
			"an override of acme/weekly, not of acme/daily"},
		{"cancel twice", []RotaChange{ok, {ID: 2, PO: "acme", Rota: "weekly", Kind: ChangeCancel, Cancels: 1}, {ID: 3, PO: "acme", Rota: "weekly", Kind: ChangeCancel, Cancels: 1}},
			"which change 2 cancelled already"},
		{"duplicate id", []RotaChange{ok, ok}, "rota change 1 is listed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.WithRotaChanges(tc.changes)
			if err == nil || !strings.Contains(err.Error(), tc.want) || got != nil {
				t.Errorf("got %v, %v; want nil and an error with %q", got, err, tc.want)
			}
		})
	}
}

// Readers of the original catalogue race with WithRotaChanges (go test
// -race catches a write to shared state).
func TestRotaChangeConcurrentReaders(t *testing.T) {
	c := loadRotas(t)
	now := london(t, "2026-05-13 02:10")
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				if got := onCallID(c, "weekly", now); got != "b-1" {
					t.Errorf("reader saw %s", got)
					return
				}
				c.Gaps("acme", now, now.Add(24*time.Hour))
			}
		}()
	}
	for j := 0; j < 50; j++ {
		withChanges(t, c, RotaChange{ID: int64(j), PO: "acme", Rota: "weekly", Kind: ChangeOverride, Person: "d-1", From: now, To: now.Add(time.Hour)})
	}
	wg.Wait()
}
