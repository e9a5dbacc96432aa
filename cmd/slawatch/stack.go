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

// exporterStack is the telephony exporter with its HTTP endpoint: ingest
// API, live queue snapshots and /metrics.
type exporterStack struct {
	exp     *telephony.Exporter
	reg     *prometheus.Registry
	addr    string // where it listens, host:port
	srv     *http.Server
	done    chan error    // Serve's result
	stopped chan struct{} // closed when Shutdown has finished in-flight requests
}

// startExporter restores the exporter from the store and starts serving on
// listen. It stops when ctx ends (see wait).
func startExporter(ctx context.Context, log *slog.Logger, cat *catalog.Catalog, st *store.Store, listen string) (*exporterStack, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	exp, err := telephony.New(ctx, telephony.Options{Catalog: cat, Store: st, Logger: log, Registerer: reg})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, EnableOpenMetrics: true}))
	mux.Handle("/api/v1/", exp.Handler())
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("exporter listen %s: %w", listen, err)
	}
	s := &exporterStack{exp: exp, reg: reg, addr: ln.Addr().String(), done: make(chan error, 1), stopped: make(chan struct{}),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}}
	go func() { s.done <- s.srv.Serve(ln) }()
	go func() {
		defer close(s.stopped)
		<-ctx.Done()
		// Requests in flight finish (their calls reach the store) before
		// the caller closes the store.
		shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s.srv.Shutdown(shut)
	}()
	log.Info("telephony exporter listening", "address", s.addr,
		"endpoints", "/metrics, POST /api/v1/calls, POST /api/v1/queue")
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
