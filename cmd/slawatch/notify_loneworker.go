package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/loneworker"
	"github.com/slawatch/slawatch/store"
)

// newLoneWorker builds the lone-worker service on the notifier's pager: its
// alarms page through it, its reminders go out by SMS when the notifier
// has SMS, else where the pages go (console or file).
func newLoneWorker(cat func(context.Context) (*catalog.Catalog, error), st *store.Store, pager *alerting.Pager,
	senders []alerting.Sender, reg prometheus.Registerer, log *slog.Logger) (*loneworker.Service, error) {
	return loneworker.New(loneworker.Options{Catalog: cat, Store: st, Logger: log.With("component", "loneworker"),
		Pager: pager, Reminder: reminderSender(senders), Registerer: reg})
}

// reminderSender is the SMS sender if there is one, else the first console
// sink (the demo's page log, or the console).
func reminderSender(senders []alerting.Sender) alerting.Sender {
	var console alerting.Sender
	for _, s := range senders {
		switch s.Channel() {
		case alerting.ChannelSMS:
			return s
		case alerting.ChannelConsole:
			if console == nil {
				console = s
			}
		}
	}
	return console
}

// runLoneWorker runs the service's timers until ctx ends; done is closed
// when it has stopped.
func runLoneWorker(ctx context.Context, svc *loneworker.Service, every time.Duration) (done chan struct{}) {
	done = make(chan struct{})
	go func() {
		defer close(done)
		svc.Run(ctx, every)
	}()
	return done
}
