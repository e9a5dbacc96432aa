package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/amembed"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/exporters/loneworker"
	"github.com/slawatch/slawatch/store"
)

// paging is the demo's alert path, as in production but in process: the
// embedded Alertmanager routes the engine's alerts by alertmanager.yml
// (generated from the catalogue into --data) to the notifier's webhook
// on --notify-listen, whose intake stores incidents and pages through
// the pager (demoSenders).
type paging struct {
	// linetestReg takes the line-test prober's metrics, served on the
	// notifier's address at linetestMetricsPath.
	linetestReg *prometheus.Registry
	am          *amembed.Alertmanager
	lw          *loneworker.Service
	srv         *http.Server
	pages       *pageLog
	addr        string // the notifier's listen address
	config      string // the alertmanager.yml in use
}

func startPaging(ctx context.Context, f *demoFlags, cat *catalog.Catalog, st *store.Store, reg prometheus.Registerer, log *slog.Logger, stdout io.Writer, tty bool) (*paging, error) {
	ln, err := net.Listen("tcp", f.notifyListen)
	if err != nil {
		return nil, fmt.Errorf("notifier listen %s: %w", f.notifyListen, err)
	}
	pg := &paging{addr: ln.Addr().String(), config: filepath.Join(f.data, "alertmanager.yml")}
	fail := func(err error) (*paging, error) { pg.close(); ln.Close(); return nil, err }
	yml, err := alerting.GenerateAlertmanager(cat, alerting.AMConfig{NotifierURL: "http://" + pg.addr})
	if err != nil {
		return fail(err)
	}
	if err := alerting.WriteAlertmanager(pg.config, yml); err != nil {
		return fail(err)
	}
	amData := filepath.Join(f.data, "alertmanager")
	if err := os.MkdirAll(amData, 0o750); err != nil {
		return fail(err)
	}
	if pg.am, err = amembed.New(amembed.Options{ConfigFile: pg.config, DataDir: amData,
		Logger: log.With("component", "alertmanager")}); err != nil {
		return fail(err)
	}
	var out io.Writer
	if !tty { // on a terminal the board shows the last pages instead
		out = stdout
	}
	if pg.pages, err = openPageLog(filepath.Join(f.data, "pages.log"), out); err != nil {
		return fail(err)
	}
	current, senders := catalogFor(cat, st, log), demoSenders(pg.pages)
	pager, err := alerting.NewPager(alerting.PagerOptions{Catalog: current, Store: st,
		Logger: log.With("component", "pager"), Senders: senders, Registerer: reg, Speedup: f.speedup})
	if err != nil {
		return fail(err)
	}
	go pager.Run(ctx, time.Second)
	// The lone-worker timers, as in `slawatch notify`; reminders go to the
	// page log.
	if pg.lw, err = newLoneWorker(current, st, pager, senders, reg, log); err != nil {
		return fail(err)
	}
	runLoneWorker(ctx, pg.lw, time.Second)
	intake, err := alerting.NewIntake(alerting.IntakeOptions{Store: st, Logger: log.With("component", "notifier"),
		Notifiers: []alerting.Notifier{pager}})
	if err != nil {
		return fail(err)
	}
	mux := http.NewServeMux()
	mux.Handle(alerting.WebhookPath, intake)
	mux.Handle(alerting.AppPagePath, pager.AppIntake(nil)) // loopback, in process
	// The line-test prober's metrics, scraped as job linetest.
	pg.linetestReg = prometheus.NewRegistry()
	pg.linetestReg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux.Handle(linetestMetricsPath, promhttp.HandlerFor(pg.linetestReg, promhttp.HandlerOpts{Registry: pg.linetestReg}))
	pg.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	go pg.srv.Serve(ln)
	return pg, nil
}

// demoSenders deliver the demo's pages: the full pager (rotas, escalation
// policies, acknowledgements) with the console as its only channel, one
// line per page into pages.
func demoSenders(pages io.Writer) []alerting.Sender {
	return []alerting.Sender{alerting.NewConsoleSender(pages, nil)}
}

// linetestMetricsPath is where the demo serves the prober's metrics.
const linetestMetricsPath = "/linetest/metrics"

// close stops the notifier, letting a webhook in flight finish its pages;
// the Alertmanager stops with the demo's context.
func (pg *paging) close() {
	if pg.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pg.srv.Shutdown(ctx)
	}
	if pg.am != nil {
		pg.am.Close()
	}
	if pg.pages != nil {
		pg.pages.file.Close()
	}
}

// pageLog takes the notifiers' lines: it appends them to a file, keeps
// the last few for the board, and copies them to out unless out is nil.
// Its lock also serialises the board's writes, so a page line never lands
// inside a board.
type pageLog struct {
	mu      sync.Mutex
	path    string
	file    *os.File
	out     io.Writer
	last    []string
	partial []byte
}

const pageLogKeep = 5

func openPageLog(path string, out io.Writer) (*pageLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, err
	}
	return &pageLog{path: path, file: f, out: out}, nil
}

func (p *pageLog) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.file.Write(b); err != nil {
		return 0, fmt.Errorf("page log %s: %w", p.path, err)
	}
	if p.out != nil {
		p.out.Write(b) // best effort: the file has it
	}
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			break
		}
		p.last = append(p.last, string(p.partial[:i]))
		p.partial = p.partial[i+1:]
	}
	if n := len(p.last); n > pageLogKeep {
		p.last = append([]string(nil), p.last[n-pageLogKeep:]...)
	}
	return len(b), nil
}

// print writes b (a board) to w without a page line in the middle.
func (p *pageLog) print(w io.Writer, b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w.Write(b)
}

// renderLast writes the last n page lines, for below the board.
func (p *pageLog) renderLast(w io.Writer, n int) {
	p.mu.Lock()
	last := p.last[max(0, len(p.last)-n):]
	p.mu.Unlock()
	if len(last) == 0 {
		fmt.Fprintf(w, "\nPages: none yet (all pages go to %s)\n", p.path)
		return
	}
	fmt.Fprintf(w, "\nPages (the last %d; all in %s):\n  %s\n", len(last), p.path, strings.Join(last, "\n  "))
}
