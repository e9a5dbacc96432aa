package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/telephony"
	"github.com/slawatch/slawatch/store"
)

// exporterStack is an exporter's HTTP endpoint (ingest API, /metrics); exp
// is set for the telephony exporter.
type exporterStack struct {
	exp     *telephony.Exporter
	reg     *prometheus.Registry
	addr    string // where it listens, host:port
	srv     *http.Server
	done    chan error    // Serve's result
	stopped chan struct{} // closed when Shutdown has finished in-flight requests
}

// startExporter restores the exporter from the store and starts serving on
// listen. more, when not nil, adds other exporters to the same registry and
// mux (the demo serves every source family from one address). It stops
// when ctx ends (see wait).
func startExporter(ctx context.Context, log *slog.Logger, cat *catalog.Catalog, st *store.Store, listen string,
	more func(reg prometheus.Registerer, mux *http.ServeMux) error) (*exporterStack, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	exp, err := telephony.New(ctx, telephony.Options{Catalog: cat, Store: st, Logger: log, Registerer: reg})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", exp.Handler())
	if more != nil {
		if err := more(reg, mux); err != nil {
			return nil, err
		}
	}
	s, err := serveMetrics(ctx, reg, mux, listen)
	if err != nil {
		return nil, err
	}
	s.exp = exp
	log.Info("telephony exporter listening", "address", s.addr,
		"endpoints", "/metrics, POST /api/v1/calls, POST /api/v1/queue")
	return s, nil
}

// serveMetrics serves mux, with /metrics from reg and /-/healthy added, on
// listen until ctx ends; requests in flight then get 30 s to finish.
func serveMetrics(ctx context.Context, reg *prometheus.Registry, mux *http.ServeMux, listen string) (*exporterStack, error) {
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, EnableOpenMetrics: true}))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", listen, err)
	}
	s := &exporterStack{reg: reg, addr: ln.Addr().String(), done: make(chan error, 1), stopped: make(chan struct{}),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}}
	go func() { s.done <- s.srv.Serve(ln) }()
	go func() {
		defer close(s.stopped)
		<-ctx.Done()
		// Requests in flight finish (their events reach the store) before
		// the caller closes the store.
		shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s.srv.Shutdown(shut)
	}()
	return s, nil
}

// wait returns when the server has stopped and, after a shutdown, when the
// requests in flight have finished; a clean shutdown is nil.
func (s *exporterStack) wait() error {
	if err := <-s.done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-s.stopped
	return nil
}
