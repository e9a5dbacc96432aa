package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/loneworker"
	"github.com/slawatch/slawatch/internal/apiauth"
	"github.com/slawatch/slawatch/internal/secret"
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

// mountLoneWorker serves the lone-worker check-ins on the public mux: the
// HTTP API behind the credentials (none without --api-tokens), and, with
// Twilio's auth token and --public-url, the signed voice and SMS webhooks
// of the lone-worker number. It returns what it mounted, for the log.
func mountLoneWorker(public *http.ServeMux, lw *loneworker.Service, creds *apiauth.Credentials, twilioToken, publicURL string,
	log *slog.Logger) ([]string, error) {
	var mounted []string
	if creds != nil {
		public.Handle(loneworker.APIPrefix, creds.Middleware(log, lw.API(log)))
		mounted = append(mounted, "API "+loneworker.APIPrefix)
	}
	if twilioToken == "" || publicURL == "" {
		return mounted, nil
	}
	o := loneworker.WebhookOptions{PublicURL: publicURL, AuthToken: secret.New(twilioToken), Logger: log.With("component", "loneworker")}
	sms, err := lw.SMSWebhook(o)
	if err != nil {
		return nil, fmt.Errorf("lone-worker SMS webhook: %w", err)
	}
	voice, err := lw.VoiceWebhook(o)
	if err != nil {
		return nil, fmt.Errorf("lone-worker voice webhook: %w", err)
	}
	public.Handle(sms.Path(), sms)
	public.Handle(voice.Path(), voice)
	return append(mounted, "SMS "+sms.URL(), "voice "+voice.URL()), nil
}
