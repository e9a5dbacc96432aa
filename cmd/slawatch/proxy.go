package main

import (
	"context"
	"errors"
	"fmt"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"
	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/tenancy"
)

// runProxy dispatches `slawatch proxy serve|token`.
func runProxy(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "proxy", "Usage: slawatch proxy serve|token [flags]\n\n"+
		"  serve   the tenancy proxy: a Prometheus query API per PO credential that forces po=\"<id>\"\n"+
		"          into every selector (Grafana's per-PO organisations query through it)\n"+
		"  token   make a PO credential: prints a fresh token once and its credentials-file entry\n\n"+
		"slawatch proxy COMMAND --help for its flags; docs/PROXY.md for the whole story.\n", []subcommand{
		{"serve", runProxyServe},
		{"token", noCtx(runProxyToken)},
	}, args)
}

func runProxyServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "proxy serve", "proxy serve --credentials FILE [--listen ADDR] [--upstream URL] [--web.config.file FILE]",
		"Serves a Prometheus-compatible query API in front of --upstream where each credential sees\n"+
			"only its PO: po=\"<id>\" of the credential (never of the request) is forced into every\n"+
			"selector of every query (prom-label-proxy's injectproxy), a query naming another PO is\n"+
			"refused (400), and rules and alerts are filtered to the PO.\n\n"+
			"Served, with HTTP Basic credentials (user, token) from --credentials:\n"+
			"  GET|POST /api/v1/query, /api/v1/query_range, /api/v1/series, /api/v1/labels\n"+
			"  GET /api/v1/label/<name>/values, /api/v1/rules, /api/v1/alerts\n"+
			"Any other path is refused (404), including /federate, admin, status, metadata and\n"+
			"exemplars, and a wrong method on a served path gets 405; /-/healthy is the one path\n"+
			"served without a credential. The proxy's own metrics are on --metrics-listen only,\n"+
			"never on --listen (a PO could read them there).\n\n"+
			"Limits: a query or match[] over 16 KiB, or nesting deeper than --max-nesting (brackets\n"+
			"and operators: a + b + c nests 2 deep), is refused (400) before anything parses it\n"+
			"(PromQL's parse time grows with the square of nesting), and so is one with a Unicode\n"+
			"class escape (\\p or \\P, as in =~\"\\\\pL\") in a string (slow for Prometheus to\n"+
			"compile); a POST body over 64 KiB gets 413, request headers (the URL included) over\n"+
			"64 KiB 431; a credential with --max-in-flight requests in progress gets 429 for one more.\n\n"+
			"--upstream must be Prometheus's root URL (no path, query or user info): behind a path\n"+
			"prefix, rules and alerts would not be filtered to the PO.\n\n"+
			"The credentials file (YAML; slawatch proxy token makes entries):\n"+
			"  credentials:\n"+
			"    - {po: rbkc, user: rbkc, token_sha256: \"<64 lower-case hex>\"}\n"+
			"Every po must be a PO of --catalog. SIGHUP reloads the file (to add or revoke a user);\n"+
			"a file that does not load is reported and the old credentials stay (metrics:\n"+
			"slawatch_proxy_credentials_reloads_total{result}, ..._last_reload_success_timestamp_seconds).\n\n"+
			"TLS (and HTTP/2, headers) with --web.config.file, the Prometheus exporter-toolkit web\n"+
			"configuration (tls_server_config: {cert_file, key_file}); without it, plain HTTP.\n"+
			"basic_auth_users there is refused: the credentials file is the one source of users.")
	var c commonFlags
	c.register(fs, false)
	listen := fs.String("listen", "127.0.0.1:9099", "address of the query API (Grafana's PO datasources point here)")
	metricsListen := fs.String("metrics-listen", "", "address of the proxy's own /metrics for Prometheus to scrape, e.g. 127.0.0.1:9098\n"+
		"(requests by PO, endpoint and status; no credential needed); empty: not served")
	upstream := fs.String("upstream", "http://127.0.0.1:9090", "the root URL of the Prometheus the proxy queries (no path)")
	maxInFlight := fs.Int("max-in-flight", tenancy.DefaultMaxInFlight, "requests of one credential served at once; more get 429")
	maxNesting := fs.Int("max-nesting", tenancy.DefaultMaxNesting, "deepest nesting of a query or match[] (brackets and operators); deeper gets 400")
	credsFile := fs.String("credentials", "", "credentials file (YAML, token hashes only); required")
	webConfig := fs.String("web.config.file", "", "exporter-toolkit web configuration file for TLS; empty: plain HTTP")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *credsFile == "" {
		return usagef("--credentials is required: the file of PO credentials (slawatch proxy token --po PO --credentials FILE makes one)")
	}
	up, err := url.Parse(*upstream)
	if err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" {
		return usagef("--upstream %q: want Prometheus's URL, e.g. http://127.0.0.1:9090", *upstream)
	}
	if err := tenancy.CheckUpstream(up); err != nil {
		return usagef("--upstream %s: %v", up.Redacted(), err)
	}
	if *maxInFlight < 1 {
		return usagef("--max-in-flight %d: want 1 or more (requests of one credential served at once)", *maxInFlight)
	}
	if *maxNesting < 1 {
		return usagef("--max-nesting %d: want 1 or more (how deep a query may nest)", *maxNesting)
	}
	log, err := c.logger(e)
	if err != nil {
		return err
	}
	// injectproxy (prom-label-proxy) takes no logger: it logs through the
	// standard library's log.Default(). The only way in is the log
	// package's global output, so it is set here, in this thin main and
	// never in the tenancy package, for as long as the proxy serves.
	// (slog.SetDefault would do it too, but would also replace
	// slog.Default and log at Info.)
	defer routeStdLog(log.With("component", "injectproxy"), slog.LevelWarn)()
	if err := checkWebConfig(*webConfig); err != nil {
		return err
	}
	cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	pos := cat.POIDs()
	load := func() (*tenancy.Credentials, error) {
		cs, err := tenancy.LoadCredentials(*credsFile)
		if err != nil {
			return nil, err
		}
		return cs, cs.CheckPOs(pos)
	}
	cs, err := load()
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	p, err := tenancy.New(tenancy.Options{Upstream: up, Credentials: cs, Logger: log.With("component", "proxy"), Registerer: reg,
		MaxInFlight: *maxInFlight, MaxNesting: *maxNesting})
	if err != nil {
		return err
	}
	reloader, err := tenancy.NewReloader(p, load, reg, log, time.Now)
	if err != nil {
		return err
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				reloader.Reload() // logs and counts the outcome
			}
		}
	}()

	scheme := "http"
	if *webConfig != "" {
		scheme = "https (per --web.config.file)"
	}
	errs := make(chan error, 2)
	var servers []*http.Server
	start := func(addr string, h http.Handler, what string) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("proxy listen %s: %w", addr, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
			MaxHeaderBytes: tenancy.MaxHeaderBytes,
			ErrorLog:       slog.NewLogLogger(log.With("component", "http").Handler(), slog.LevelWarn)}
		servers = append(servers, srv)
		bound := ln.Addr().String()
		fmt.Fprintf(e.stdout, "slawatch proxy %s on %s://%s\n", what, strings.Fields(scheme)[0], bound)
		flags := &web.FlagConfig{WebListenAddresses: &[]string{bound}, WebSystemdSocket: new(bool), WebConfigFile: webConfig}
		go func() { errs <- web.Serve(ln, srv, flags, log.With("component", "web", "serves", what)) }()
		return nil
	}
	if err := start(*listen, p, "serving the query API (upstream "+up.Redacted()+")"); err != nil {
		return err
	}
	if *metricsListen != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
		mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
		if err := start(*metricsListen, mux, "serving /metrics"); err != nil {
			servers[0].Close()
			return err
		}
	}
	log.Info("proxy started", "users", len(cs.List()), "tls", *webConfig != "")
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errs:
	}
	shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, s := range servers {
		s.Shutdown(shut)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("proxy: %w", serveErr)
	}
	return nil
}

// routeStdLog sends what the standard library's log package writes
// through l's handler at level, and returns the function that puts the
// log package's output, flags and prefix back.
func routeStdLog(l *slog.Logger, level slog.Level) (restore func()) {
	w, flags, prefix := stdlog.Writer(), stdlog.Flags(), stdlog.Prefix()
	stdlog.SetOutput(slog.NewLogLogger(l.Handler(), level).Writer())
	stdlog.SetFlags(0)
	stdlog.SetPrefix("")
	return func() {
		stdlog.SetOutput(w)
		stdlog.SetFlags(flags)
		stdlog.SetPrefix(prefix)
	}
}

// checkWebConfig validates an exporter-toolkit web configuration and
// refuses basic_auth_users (the credentials file is the only source of
// users; both would ask for the same Basic header).
func checkWebConfig(path string) error {
	if path == "" {
		return nil
	}
	if err := web.Validate(path); err != nil {
		return fmt.Errorf("--web.config.file %s: %w", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--web.config.file: %w", err)
	}
	var users struct {
		Users map[string]any `yaml:"basic_auth_users"`
	}
	if err := yaml.Unmarshal(data, &users); err != nil {
		return fmt.Errorf("--web.config.file %s: %w", path, err)
	}
	if len(users.Users) > 0 {
		return fmt.Errorf("--web.config.file %s: basic_auth_users: remove it; the proxy's users are in --credentials", path)
	}
	return nil
}

func runProxyToken(e *env, args []string) error {
	fs := newFlags(e, "proxy token", "proxy token --po PO [--user NAME] [--credentials FILE]",
		"Makes a credential for the tenancy proxy: a fresh token (32 random bytes) printed once,\n"+
			"and its entry for the credentials file (the token's SHA-256 only; the token is not kept).\n"+
			"Give the token to Grafana as the basic-auth password of the PO's datasource (user NAME),\n"+
			"e.g. env SLAWATCH_PROXY_TOKEN_<PO upper-cased> for the generated provisioning.\n\n"+
			"With --credentials FILE the entry is appended to FILE (created when missing) and only the\n"+
			"token is printed, on one line, for scripts; then SIGHUP (or restart) the proxy.\n"+
			"To revoke a user, delete its entry and SIGHUP the proxy.")
	var c commonFlags
	c.register(fs, false)
	po := fs.String("po", "", "the PO the credential sees (a catalogue PO id); required")
	user := fs.String("user", "", "the Basic user name (default: the PO id)")
	credsFile := fs.String("credentials", "", "append the entry to this credentials file instead of printing it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *po == "" {
		return usagef("--po is required: the PO the credential sees")
	}
	if *user == "" {
		*user = *po
	}
	if err := tenancy.CheckUser(*user); err != nil {
		return usagef("--user %v", err)
	}
	cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	if _, ok := cat.PO(*po); !ok {
		return usagef("--po %q is not a PO of %s; POs: %s", *po, c.catalog, strings.Join(cat.POIDs(), ", "))
	}
	tok, err := tenancy.NewToken()
	if err != nil {
		return err
	}
	if *credsFile != "" {
		if err := tenancy.AddCredential(*credsFile, *po, *user, tok); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "added user %s (po %s) to %s; SIGHUP or restart the proxy. The token (shown once) is on stdout.\n",
			*user, *po, *credsFile)
		fmt.Fprintln(e.stdout, tok.Reveal())
		return nil
	}
	fmt.Fprintf(e.stdout, "token for user %s (po %s), shown once; Grafana's basic-auth password (env SLAWATCH_PROXY_TOKEN_%s):\n%s\n\n"+
		"credentials-file entry (paste under `credentials:`, then SIGHUP or restart the proxy):\n%s",
		*user, *po, strings.ToUpper(*po), tok.Reveal(), tenancy.Entry(*po, *user, tok))
	return nil
}
