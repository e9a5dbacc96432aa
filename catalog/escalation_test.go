package catalog

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestEscalationFor(t *testing.T) {
	c := loadRotas(t)
	for _, tc := range []struct{ po, so, want string }{
		{"acme", "highways", "highways"},
		{"acme", "noise", "default"},
		{"acme", "", "default"},
		{"bravo", "repairs", ""},
		{"nope", "noise", ""},
	} {
		p, ok := c.EscalationFor(tc.po, tc.so)
		got := ""
		if ok {
			got = p.ID
		}
		if got != tc.want {
			t.Errorf("EscalationFor(%s, %s) = %q, want %q", tc.po, tc.so, got, tc.want)
		}
	}
	def, _ := c.EscalationFor("acme", "noise")
	hw, _ := c.EscalationFor("acme", "highways")
	if !def.ImplicitCatchAll() || hw.ImplicitCatchAll() {
		t.Errorf("implicit catch-all: default %v (want true), highways %v (want false)", def.ImplicitCatchAll(), hw.ImplicitCatchAll())
	}
}

// summary renders a plan as one line per step: offset from start, pass,
// index, flags and who is paged.
func summary(start time.Time, plan []Step) []string {
	var out []string
	for _, s := range plan {
		var who []string
		for _, p := range s.Pages {
			switch p.Kind {
			case TargetPerson:
				who = append(who, p.Person.ID)
			case TargetDutyManagers:
				who = append(who, "DM")
			case TargetSlackChannel:
				who = append(who, p.SlackChannel)
			}
		}
		flags := ""
		if s.Skipped {
			flags += " skipped"
		}
		if s.CatchAll {
			flags += " catch-all"
		}
		if s.Implicit {
			flags += " implicit"
		}
		out = append(out, fmt.Sprintf("+%v p%d s%d%s: %s", s.At.Sub(start), s.Pass, s.Index, flags, strings.Join(who, ",")))
	}
	return out
}

func TestPlan(t *testing.T) {
	c := loadRotas(t)
	for _, tc := range []struct {
		name, po, so string
		start        time.Time
		want         []string
	}{
		{
			// Step 0's rota has nobody: skipped at once, step 1 pages at
			// the same instant; one repeat; the implicit catch-all last.
			name: "gap skipped, repeat, implicit catch-all", po: "acme", so: "noise",
			start: london(t, "2026-04-08 22:00"),
			want: []string{
				"+0s p0 s0 skipped: ",
				"+0s p0 s1: c-1",
				"+10m0s p1 s0 skipped: ",
				"+10m0s p1 s1: c-1",
				"+20m0s p0 s-1 catch-all implicit: DM",
			},
		},
		{
			// The rota is resolved at each step's instant: the page at
			// 17:05 goes to the person who took over at 17:00.
			name: "rota resolved at the step's instant", po: "acme", so: "noise",
			start: london(t, "2026-04-10 16:55"),
			want: []string{
				"+0s p0 s0 skipped: ",
				"+0s p0 s1: c-1",
				"+10m0s p1 s0 skipped: ",
				"+10m0s p1 s1: a-1",
				"+20m0s p0 s-1 catch-all implicit: DM",
			},
		},
		{
			// mute-1 (no channel) is on the muted rota: the step is skipped
			// but its Slack post still goes out; b-1's step has no delay
			// given, so it waits the default 15m. Two repeats; the listed
			// catch-all (duty managers and their channel) is not repeated.
			name: "unreachable person, default delay, explicit catch-all", po: "acme", so: "highways",
			start: london(t, "2026-04-08 22:00"),
			want: []string{
				"+0s p0 s0 skipped: #acme-highways",
				"+0s p0 s1: b-1",
				"+15m0s p1 s0 skipped: #acme-highways",
				"+15m0s p1 s1: b-1",
				"+30m0s p2 s0 skipped: #acme-highways",
				"+30m0s p2 s1: b-1",
				"+45m0s p0 s-1 catch-all: DM,#provider-duty",
			},
		},
		{
			// a-1 is on the muted rota this week: paged, and the delay runs.
			name: "reachable person waits the delay", po: "acme", so: "highways",
			start: london(t, "2026-04-13 22:00"),
			want: []string{
				"+0s p0 s0: a-1,#acme-highways",
				"+5m0s p0 s1: b-1",
				"+20m0s p1 s0: a-1,#acme-highways",
				"+25m0s p1 s1: b-1",
				"+40m0s p2 s0: a-1,#acme-highways",
				"+45m0s p2 s1: b-1",
				"+1h0m0s p0 s-1 catch-all: DM,#provider-duty",
			},
		},
		{
			name: "no policy: the duty managers alone", po: "bravo", so: "repairs",
			start: london(t, "2026-04-08 22:00"),
			want:  []string{"+0s p0 s-1 catch-all: DM"},
		},
		{name: "unknown PO", po: "nope", so: "x", start: london(t, "2026-04-08 22:00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := summary(tc.start, c.Plan(tc.po, tc.so, tc.start))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestPlanUnreachedReasons(t *testing.T) {
	c := loadRotas(t)
	plan := c.Plan("acme", "highways", london(t, "2026-04-08 22:00"))
	if got := strings.Join(plan[0].Unreached, "; "); got != "rota muted: mute-1 has no channel" {
		t.Errorf("unreached = %q", got)
	}
	plan = c.Plan("acme", "noise", london(t, "2026-04-08 22:00"))
	if got := strings.Join(plan[0].Unreached, "; "); got != "rota empty: nobody on call" {
		t.Errorf("unreached = %q", got)
	}
}

// The example catalogue: Waltham Forest's highways escalate from the
// stage 1 to the stage 2 on-call, both changing daily at 08:00.
func TestExamplePlans(t *testing.T) {
	c := loadExample(t)
	start := london(t, "2026-03-02 02:00") // Monday night: Sunday's 08:00 slot
	got := summary(start, c.Plan("waltham_forest", "highways_emergencies", start))
	want := []string{
		"+0s p0 s0: wf-hw-3,#wf-highways",
		"+10m0s p0 s1: wf-hw-mgr-2",
		"+20m0s p1 s0: wf-hw-3,#wf-highways",
		"+30m0s p1 s1: wf-hw-mgr-2",
		"+40m0s p0 s-1 catch-all implicit: DM",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, po := range []string{"ealing", "waltham_forest", "rbkc"} {
		p, _ := c.PO(po)
		if len(p.Rotas) == 0 || len(p.People) == 0 {
			t.Errorf("%s has no rotas", po)
		}
		if g := c.Gaps(po, start, start.AddDate(0, 0, 28)); len(g) != 0 {
			t.Errorf("%s: example rotas have gaps: %v", po, g)
		}
	}
}
