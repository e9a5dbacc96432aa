package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/loneworker"
	"github.com/slawatch/slawatch/simulator"
	"github.com/slawatch/slawatch/store"
)

// demoOverdueAfter is when the demo's lone worker was due to check out
// (the shortest session a check-in may ask for).
const demoOverdueAfter = 70 * time.Second

// demoSpeedup is the escalation speed-up of a demo with an overdue
// scenario unless --escalation-speedup says otherwise: the example's
// 15-minute steps a minute apart.
const demoSpeedup = 15

// playOverdue checks in, for each overdue scenario, the first officer of
// the PO's first staff group, due out in demoOverdueAfter, who never checks
// out: the alarm pages the group's policy step by step until someone
// acknowledges (`slawatch ack --incident N` on the incident paged, or `slawatch
// loneworker ack SESSION`). After a restart the session is still open and
// carries on.
func playOverdue(ctx context.Context, svc *loneworker.Service, cat *catalog.Catalog, scenarios []simulator.Scenario,
	out io.Writer, log *slog.Logger) error {
	for _, sc := range scenarios {
		if sc.Kind != simulator.Overdue {
			continue
		}
		p, _ := cat.PO(sc.PO)
		g := p.StaffGroups()[0] // ParseScenario checked there is one
		s, err := svc.CheckIn(ctx, loneworker.CheckIn{PO: sc.PO, StaffGroup: g.ID, Officer: g.Officers[0],
			Location: "Demo visit, 1 Example Road", Until: time.Now().Add(demoOverdueAfter), Via: store.ViaConsole, By: "slawatch-demo"})
		var open *store.SessionOpenError
		switch {
		case errors.As(err, &open):
			fmt.Fprintf(out, "slawatch demo: lone worker %s of %s %s is still on site (session %d, %s)\n", g.Officers[0], sc.PO, g.ID, open.ID, open.State)
			continue
		case err != nil:
			return fmt.Errorf("scenario %s:%s: %w", sc.Kind, sc.PO, err)
		}
		log.Info("demo lone worker checked in; will not check out", "session", s.ID, "po", sc.PO, "staff_group", g.ID)
		fmt.Fprintf(out, "slawatch demo: lone worker %s of %s %s checked in (session %d), due out at %s and will not check out;\n"+
			"  acknowledge the page with `slawatch ack --incident N --by ooh-dm-1` (N from the page: #N) or `slawatch loneworker ack %d --by ooh-dm-1`\n",
			g.Officers[0], sc.PO, g.ID, s.ID, s.Deadline.In(cat.Location()).Format("15:04:05"), s.ID)
	}
	return nil
}
