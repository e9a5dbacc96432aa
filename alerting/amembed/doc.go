// Package amembed runs Alertmanager inside slawatch: the real routing tree
// (dispatch), inhibition (inhibit), time intervals (timeinterval), silences
// (silence, in memory), the notification log (nflog) and the notify
// pipeline with its webhook integration, all from the
// github.com/prometheus/alertmanager packages and wired as
// cmd/alertmanager/main.go (v0.31.0) wires them, minus the HTTP API, the
// UI and clustering.
//
// The embedded demo uses it to route the engine's alerts by the generated
// alertmanager.yml into the notifier's webhook intake, so the demo pages
// exactly as production would:
//
//	am, err := amembed.New(amembed.Options{ConfigFile: "alertmanager.yml", DataDir: dir, Logger: log})
//	...
//	eng, err := engine.New(engine.Options{..., Notify: am.NotifyFunc(promURL)})
//	go am.Run(ctx)
//
// Lifecycle: New loads and checks the configuration and builds the
// pipeline; Send (and the NotifyFunc adapter) accept alerts from then on;
// Run dispatches them until its context ends, then releases everything.
// Call Close instead when Run will not be called.
package amembed
