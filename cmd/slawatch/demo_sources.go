package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/crm"
	"github.com/slawatch/slawatch/exporters/kpi"
	"github.com/slawatch/slawatch/exporters/mailroom"
	"github.com/slawatch/slawatch/internal/apiauth"
	"github.com/slawatch/slawatch/simulator"
	"github.com/slawatch/slawatch/store"
)

// demoSources are the CRM, mail-room and KPI exporters the demo serves
// beside the telephony exporter (one registry, one address: the engine's
// job "telephony" scrapes them all), and the traffic that feeds them.
type demoSources struct {
	cat  *catalog.Catalog
	st   *store.Store
	log  *slog.Logger
	drop string // the mail room's drop folder

	crm  *crm.Exporter
	mail *mailroom.Exporter // nil without a mail_room: section
	kpi  *kpi.Exporter
}

// mount builds the exporters on the telephony exporter's registry and mux
// (startExporter's more): counters restored from the store, as ever.
func (d *demoSources) mount(ctx context.Context) func(reg prometheus.Registerer, mux *http.ServeMux) error {
	return func(reg prometheus.Registerer, mux *http.ServeMux) error {
		var err error
		if d.crm, err = crm.New(ctx, crm.Options{Catalog: d.cat, Store: d.st, Logger: d.log, Registerer: reg}); err != nil {
			return err
		}
		mux.Handle(crm.EventsPath, d.crm.Handler())
		if d.cat.MailRoom != nil {
			// The simulator writes its count files whole (dotfile, rename):
			// no need to wait long for a writer to finish.
			d.mail, err = mailroom.New(ctx, mailroom.Options{Catalog: d.cat, Store: d.st, Logger: d.log, Registerer: reg,
				Settle: time.Second})
			if err != nil {
				return err
			}
			mux.Handle(mailroom.ItemsPath, d.mail.Handler())
		}
		if d.kpi, err = kpi.New(kpi.Options{Catalog: d.cat, Store: d.st, Logger: d.log, Registerer: reg}); err != nil {
			return err
		}
		// The demo's API is loopback and unauthenticated: whoever calls it
		// is the demo's duty manager.
		demo := apiauth.Caller{Name: "demo", Scope: apiauth.ScopeAll}
		mux.Handle("/api/v1/kpi/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d.kpi.Handler().ServeHTTP(w, r.WithContext(apiauth.WithCaller(r.Context(), demo)))
		}))
		return nil
	}
}

// play starts the CRM and mail-room traffic towards the exporter at base
// and enters the demo's manual KPI returns; the traffic stops with ctx.
// The returned function waits for it.
func (d *demoSources) play(ctx context.Context, base string, f *demoFlags, scenarios []simulator.Scenario, now time.Time,
	offset time.Duration) (wait func(), err error) {
	var slow, harmful []string
	for _, sc := range scenarios {
		switch sc.Kind {
		case simulator.SlowReferrals:
			slow = append(slow, sc.PO)
		case simulator.Harmful:
			harmful = append(harmful, sc.PO)
		}
	}
	crmSim, err := simulator.NewCRM(simulator.CRMOptions{Catalog: d.cat, Seed: f.seed, Start: now, Volume: f.volume, SlowReferrals: slow,
		ProfileOffset: offset, CatchUp: f.catchUp})
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	var running []chan struct{}
	goRun := func(fn func()) {
		done := make(chan struct{})
		running = append(running, done)
		go func() { defer close(done); fn() }()
	}
	crmFeed := &simulator.CRMFeed{BaseURL: base, Client: client, Logger: d.log, Retries: 5}
	goRun(func() { simulator.DriveCRM(ctx, crmSim, crmFeed, time.Now, time.Second) })
	if d.mail != nil {
		mailSim, err := simulator.NewMailroom(simulator.MailroomOptions{Catalog: d.cat, Seed: f.seed, Start: now, Harmful: harmful})
		if err != nil {
			return nil, err
		}
		if err := d.dropDueCounts(mailSim, now); err != nil {
			return nil, err
		}
		goRun(func() {
			if err := d.mail.Run(ctx, d.drop, 2*time.Second); err != nil && ctx.Err() == nil {
				d.log.Error("mail-room drop folder stopped", "err", err)
			}
		})
		mailFeed := &simulator.MailroomFeed{Feed: simulator.Feed{BaseURL: base, Client: client, Logger: d.log, Retries: 5}}
		goRun(func() { simulator.DriveMailroom(ctx, mailSim, mailFeed, time.Now, 5*time.Second) })
	}
	if err := d.enterReturns(ctx, now); err != nil {
		return nil, err
	}
	return func() {
		for _, done := range running {
			<-done
		}
	}, nil
}

// dropDueCounts writes the daily count file of every sample day of this
// month and the last whose count is due by now, as the mail room would
// have sent them (the exporter takes each once, by content: a restart
// drops the same bytes again and nothing counts twice).
func (d *demoSources) dropDueCounts(sim *simulator.MailroomSim, now time.Time) error {
	if err := os.MkdirAll(d.drop, 0o750); err != nil {
		return err
	}
	days := append(d.cat.MailRoomSampleDays(now.AddDate(0, -1, 0)), d.cat.MailRoomSampleDays(now)...)
	for _, day := range days {
		if d.cat.MailRoomCountDue(day).After(now) {
			continue
		}
		if _, err := sim.DropDailyCounts(d.drop, day); err != nil {
			return fmt.Errorf("mail-room count file for %s: %w", day.Format(time.DateOnly), err)
		}
	}
	return nil
}

// demoReturn is a manual KPI return the demo enters, with a mitigation
// when one is agreed.
type demoReturn struct {
	num, den   int64
	mitigation string
}

// demoReturns are the demo's returns for the current period, by KPI: one
// green, one amber, one red but mitigated.
func demoReturns() map[string]demoReturn {
	return map[string]demoReturn{
		"caller_satisfaction": {412, 480, ""},
		"invoices_undisputed": {1161, 1200, ""},
		"care_visits_missed":  {62, 1000, "storm damage closed roads for two days; agreed at the contract board"},
	}
}

// enterReturns enters demoReturns for each manual KPI that has no return
// for its current period yet (a restarted demo keeps its own).
func (d *demoSources) enterReturns(ctx context.Context, now time.Time) error {
	returns := demoReturns()
	for _, k := range d.cat.KPIs {
		r, ok := returns[k.ID]
		if !ok || !k.Manual() {
			continue
		}
		period := catalog.PeriodOf(k.Frequency, now, d.cat.Location()).String()
		have, err := d.st.KPIReturns(ctx, store.KPIFilter{KPI: k.ID, Periods: []string{period}})
		if err != nil {
			return err
		}
		if len(have) > 0 {
			continue
		}
		if _, err := d.kpi.AddReturn(ctx, kpi.Return{KPI: k.ID, Period: period, Numerator: r.num, Denominator: r.den,
			Note: "demo return", By: "ooh-dm-1", Via: "cli"}); err != nil {
			return fmt.Errorf("demo return for %s: %w", k.ID, err)
		}
		if r.mitigation != "" {
			if _, err := d.kpi.AddMitigation(ctx, kpi.Mitigation{KPI: k.ID, Period: period, Reason: r.mitigation,
				AgreedBy: "contract board", By: "ooh-dm-1", Via: "cli"}); err != nil {
				return fmt.Errorf("demo mitigation for %s: %w", k.ID, err)
			}
		}
	}
	return nil
}

// mailDrop is the demo's mail-room drop folder under its data directory.
func mailDrop(data string) string { return filepath.Join(data, "mailroom") }
