package catalog

import (
	"testing"
	"time"
)

func loadRotas(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load("testdata/rota-ok.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type onCallCase struct {
	name string
	at   time.Time
	want string // person id; "" for nobody
}

func checkOnCall(t *testing.T, c *Catalog, rota string, cases []onCallCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := c.OnCall("acme", rota, tc.at)
			if got := p.ID; got != tc.want || ok != (tc.want != "") {
				t.Errorf("OnCall(%s, %s) = %q, %v; want %q", rota, tc.at.Format(time.RFC3339), got, ok, tc.want)
			}
		})
	}
}

// The weekly rota hands over on Fridays at 17:00 London time: 17:00 UTC in
// GMT, 16:00 UTC in BST. Turns: a-1 from Fri 20 March, b-1 from 27 March,
// c-1 from 3 April, ... (31 weeks later, 23 October, is b-1's turn).
func TestWeeklyRotationAcrossBST(t *testing.T) {
	c := loadRotas(t)
	checkOnCall(t, c, "weekly", []onCallCase{
		{"start day before the first handover", london(t, "2026-03-20 16:59"), ""},
		{"first handover", london(t, "2026-03-20 17:00"), "a-1"},
		{"GMT handover 27 March, a minute before", utc(t, "2026-03-27 16:59"), "a-1"},
		{"GMT handover 27 March at 17:00 UTC", utc(t, "2026-03-27 17:00"), "b-1"},
		{"BST begins 29 March: still b-1", utc(t, "2026-03-29 01:30"), "b-1"},
		{"BST handover 3 April, 15:59 UTC", utc(t, "2026-04-03 15:59"), "b-1"},
		{"BST handover 3 April at 16:00 UTC = 17:00 BST", utc(t, "2026-04-03 16:00"), "c-1"},
		{"BST handover 23 October at 16:00 UTC", utc(t, "2026-10-23 16:00"), "b-1"},
		{"BST ends 25 October: still b-1", utc(t, "2026-10-25 01:30"), "b-1"},
		{"GMT handover 30 October, 16:00 UTC is 16:00 local", utc(t, "2026-10-30 16:00"), "b-1"},
		{"GMT handover 30 October, 16:59 UTC", utc(t, "2026-10-30 16:59"), "b-1"},
		{"GMT handover 30 October at 17:00 UTC", utc(t, "2026-10-30 17:00"), "c-1"},
	})
}

// The daily rota hands over at 08:00 and 17:00 London time and alternates
// a-1 (day shifts) and b-1 (night shifts) from Saturday 28 March, through
// the night the clocks go forward.
func TestDailyRotation(t *testing.T) {
	c := loadRotas(t)
	checkOnCall(t, c, "daily", []onCallCase{
		{"before the first handover", london(t, "2026-03-28 07:59"), ""},
		{"first day shift", london(t, "2026-03-28 08:00"), "a-1"},
		{"first night shift", london(t, "2026-03-28 17:00"), "b-1"},
		{"night of the BST change", utc(t, "2026-03-29 06:59"), "b-1"},
		{"08:00 BST is 07:00 UTC", utc(t, "2026-03-29 07:00"), "a-1"},
		{"a week on, night", london(t, "2026-04-04 23:00"), "b-1"},
		{"a week on, day", london(t, "2026-04-05 12:00"), "a-1"},
	})
}

func TestOverrides(t *testing.T) {
	c := loadRotas(t)
	checkOnCall(t, c, "weekly", []onCallCase{
		// c-1's week (3-10 April) with d-1 covering Monday night.
		{"shift before the override", london(t, "2026-04-06 19:59"), "c-1"},
		{"override starts mid-shift", london(t, "2026-04-06 20:00"), "d-1"},
		{"override", london(t, "2026-04-07 07:59"), "d-1"},
		{"override ended", london(t, "2026-04-07 08:00"), "c-1"},
		// The pre-dated override (written in advance for June): the
		// rotation holds until its date, then it wins for its week.
		{"before the pre-dated override", london(t, "2026-06-01 16:59"), "b-1"},
		{"pre-dated override takes effect", london(t, "2026-06-01 17:00"), "d-1"},
		{"across the rotation's own handover", london(t, "2026-06-05 18:00"), "d-1"},
		{"pre-dated override over", london(t, "2026-06-08 17:00"), "c-1"},
	})
}

func TestOnCallUnknown(t *testing.T) {
	c := loadRotas(t)
	at := london(t, "2026-04-06 20:00")
	for _, q := range [][2]string{{"acme", "nope"}, {"nope", "weekly"}, {"acme", "empty"}, {"bravo", "weekly"}} {
		if p, ok := c.OnCall(q[0], q[1], at); ok {
			t.Errorf("OnCall(%s, %s) = %v, want nobody", q[0], q[1], p)
		}
	}
}

func TestGaps(t *testing.T) {
	c := loadRotas(t)
	from, to := london(t, "2026-03-30 00:00"), london(t, "2026-04-20 00:00")
	got := c.Gaps("acme", from, to)
	// muted: a-1 from Mon 2 March 09:00, mute-1 from 9 March, a-1 16 March,
	// mute-1 23 March, a-1 30 March 09:00, mute-1 6 April, a-1 13 April.
	want := []Gap{
		{PO: "acme", Rota: "empty", From: from, To: to, Reason: "the rota has no people"},
		{PO: "acme", Rota: "muted", From: from, To: london(t, "2026-03-30 09:00"), Person: "mute-1", Reason: "mute-1 has no sms, slack or email"},
		{PO: "acme", Rota: "muted", From: london(t, "2026-04-06 09:00"), To: london(t, "2026-04-13 09:00"), Person: "mute-1", Reason: "mute-1 has no sms, slack or email"},
	}
	if len(got) != len(want) {
		t.Fatalf("Gaps = %d gaps, want %d:\n%v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Rota != w.Rota || !g.From.Equal(w.From) || !g.To.Equal(w.To) || g.Person != w.Person || g.Reason != w.Reason {
			t.Errorf("gap %d = %+v\nwant %+v", i, g, w)
		}
	}
	// Before the rotas start, nobody is on call: a gap too.
	early := c.Gaps("acme", london(t, "2026-03-20 12:00"), london(t, "2026-03-20 18:00"))
	var weekly []Gap
	for _, g := range early {
		if g.Rota == "weekly" {
			weekly = append(weekly, g)
		}
	}
	if len(weekly) != 1 || !weekly[0].To.Equal(london(t, "2026-03-20 17:00")) {
		t.Errorf("weekly gaps before start = %v, want one ending at the first handover", weekly)
	}
	if g := c.Gaps("bravo", from, to); len(g) != 0 {
		t.Errorf("bravo has no rotas, gaps = %v", g)
	}
}
