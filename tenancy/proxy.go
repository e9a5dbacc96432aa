package tenancy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/prometheus-community/prom-label-proxy/injectproxy"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/slawatch/slawatch/internal/secret"
)

// Realm is the realm of the proxy's Basic challenge.
const Realm = "slawatch proxy"

// Options configure a Proxy.
type Options struct {
	// Upstream is Prometheus's root URL, e.g. http://127.0.0.1:9090 (no
	// path, query, fragment or user info; see CheckUpstream).
	Upstream *url.URL
	// Credentials are the users and their POs (SetCredentials replaces them).
	Credentials *Credentials
	// Logger gets refusals and authentication failures (never a token).
	Logger *slog.Logger
	// Registerer gets slawatch_proxy_* metrics (nil: none registered).
	Registerer prometheus.Registerer
	// MaxBody is the largest POST body accepted (0: DefaultMaxBody).
	MaxBody int64
	// MaxInFlight is how many requests of one credential are served at
	// once; more are answered 429 (0: DefaultMaxInFlight).
	MaxInFlight int
	// MaxNesting is the deepest a query or match[] may nest (brackets
	// and operators, see nesting), checked before anything parses it;
	// deeper ones are answered 400 (0: DefaultMaxNesting).
	MaxNesting int
}

// MaxHeaderBytes is the http.Server.MaxHeaderBytes the proxy's servers
// should use (64 KiB): a GET's URL is a header too, and no allowed query
// needs more.
const MaxHeaderBytes = 64 << 10

// Proxy is the tenancy proxy's HTTP handler.
type Proxy struct {
	creds    atomic.Pointer[Credentials]
	enforcer http.Handler
	log      *slog.Logger
	maxBody  int64
	maxNest  int
	inFlight *inFlight
	requests *prometheus.CounterVec
	authFail *prometheus.CounterVec
}

// New builds the proxy: injectproxy's routes, fed the PO of the
// authenticated credential, behind the allow-list and canonical form.
func New(o Options) (*Proxy, error) {
	if err := CheckUpstream(o.Upstream); err != nil {
		return nil, fmt.Errorf("tenancy: %w", err)
	}
	if o.Credentials == nil {
		return nil, errors.New("tenancy: no credentials")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registerer == nil {
		o.Registerer = prometheus.NewRegistry()
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.MaxNesting <= 0 {
		o.MaxNesting = DefaultMaxNesting
	}
	p := &Proxy{
		log:      o.Logger,
		maxBody:  o.MaxBody,
		maxNest:  o.MaxNesting,
		inFlight: newInFlight(o.MaxInFlight),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slawatch_proxy_requests_total",
			Help: "Requests to the tenancy proxy by PO (empty when not authenticated), endpoint (refused: not an allowed path) and HTTP status code (aborted: the answer was cut off because Prometheus's was).",
		}, []string{"po", "endpoint", "code"}),
		authFail: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slawatch_proxy_auth_failures_total",
			Help: "Requests refused with 401: reason missing (no Basic credentials) or invalid (unknown user or wrong token).",
		}, []string{"reason"}),
	}
	for _, r := range []string{"missing", "invalid"} {
		p.authFail.WithLabelValues(r)
	}
	if err := o.Registerer.Register(p.requests); err != nil {
		return nil, fmt.Errorf("tenancy: metrics: %w", err)
	}
	if err := o.Registerer.Register(p.authFail); err != nil {
		return nil, fmt.Errorf("tenancy: metrics: %w", err)
	}
	routes, err := injectproxy.NewRoutes(o.Upstream, Label, credentialLabeler{},
		injectproxy.WithEnabledLabelsAPI(),
		// x{po="other"} is refused (400), not silently rewritten.
		injectproxy.WithErrorOnReplace(),
		// Alerting rules without a po label show only this PO's alerts.
		injectproxy.WithActiveAlerts(),
		injectproxy.WithPrometheusRegistry(prometheus.WrapRegistererWithPrefix("slawatch_proxy_upstream_", o.Registerer)),
	)
	if err != nil {
		return nil, fmt.Errorf("tenancy: %w", err)
	}
	p.enforcer = routes
	p.creds.Store(o.Credentials)
	return p, nil
}

// SetCredentials replaces the credentials (a reload after a revocation);
// requests already authenticated finish with the old ones.
func (p *Proxy) SetCredentials(cs *Credentials) {
	if cs != nil {
		p.creds.Store(cs)
	}
}

type credentialKey struct{}

// credentialLabeler gives injectproxy the PO of the credential that
// ServeHTTP authenticated. Nothing of the request is read: with no
// credential in the context the request fails.
type credentialLabeler struct{}

// ExtractLabel implements injectproxy.ExtractLabeler.
func (credentialLabeler) ExtractLabel(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := r.Context().Value(credentialKey{}).(Credential)
		if !ok || c.PO == "" {
			apiError(w, http.StatusInternalServerError, "internal", "no authenticated credential")
			return
		}
		next(w, r.WithContext(injectproxy.WithLabelValues(r.Context(), []string{c.PO})))
	})
}

// ServeHTTP authenticates, checks the path and method against the
// allow-list, puts the request in canonical form and hands it to the
// enforcer. /-/healthy is the only path served without a credential.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/-/healthy" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
		return
	}
	sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
	po, name := "", "refused"
	defer func() {
		code := strconv.Itoa(sw.code)
		v := recover()
		if v == http.ErrAbortHandler {
			// The reverse proxy could not copy Prometheus's answer to
			// the end: the client's answer must break too, not end as
			// if complete. net/http closes the connection.
			p.requests.WithLabelValues(po, name, "aborted").Inc()
			p.log.Warn("proxy: answer cut off (Prometheus's answer broke off)", "po", po, "endpoint", name)
			panic(v)
		}
		if v != nil {
			// injectproxy panics on a query node it does not know; the
			// request was not forwarded.
			p.log.Error("proxy: enforcer failed", "po", po, "endpoint", name, "panic", fmt.Sprint(v))
			if !sw.wrote {
				apiError(sw, http.StatusBadRequest, "bad_data", "the query could not be checked")
			}
			code = strconv.Itoa(sw.code)
		}
		p.requests.WithLabelValues(po, name, code).Inc()
	}()

	c, ok := p.authenticate(sw, r)
	if !ok {
		return
	}
	po = c.PO
	ep, found := route(r.URL.Path)
	if !found {
		p.log.Info("proxy: refused path", "po", po, "method", r.Method, "path", r.URL.Path)
		apiError(sw, http.StatusNotFound, "not_found", "the tenancy proxy serves only "+strings.Join(Allowed(), ", "))
		return
	}
	name = ep.name
	if !ep.allows(r.Method) {
		sw.Header().Set("Allow", strings.Join(ep.methods, ", "))
		apiError(sw, http.StatusMethodNotAllowed, "method_not_allowed", fmt.Sprintf("%s takes %s", r.URL.Path, strings.Join(ep.methods, " or ")))
		return
	}
	if !p.inFlight.acquire(c.User) {
		p.log.Warn("proxy: too many requests in flight", "po", po, "endpoint", name, "limit", p.inFlight.max)
		sw.Header().Set("Retry-After", "1")
		apiError(sw, http.StatusTooManyRequests, "too_many_requests",
			fmt.Sprintf("this credential already has %d requests in progress (the limit); retry when one finishes", p.inFlight.max))
		return
	}
	defer p.inFlight.release(c.User)
	cr, err := canonical(r, ep, p.maxBody, p.maxNest)
	if err != nil {
		code, msg := statusOf(err)
		p.log.Info("proxy: refused request", "po", po, "endpoint", name, "code", code, "reason", msg)
		apiError(sw, code, "bad_data", msg)
		return
	}
	p.enforcer.ServeHTTP(sw, cr.WithContext(context.WithValue(cr.Context(), credentialKey{}, c)))
	if sw.code >= 400 {
		p.log.Info("proxy: request failed", "po", po, "endpoint", name, "code", sw.code)
	}
}

// authenticate checks the Basic credentials; on failure it answers 401
// with a challenge. The offered user and password are never logged.
func (p *Proxy) authenticate(w http.ResponseWriter, r *http.Request) (Credential, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok {
		p.authFail.WithLabelValues("missing").Inc()
		unauthorized(w, "send HTTP Basic credentials: the user and token of a PO credential")
		return Credential{}, false
	}
	c, ok := p.creds.Load().Authenticate(user, secret.New(pass))
	if !ok {
		p.authFail.WithLabelValues("invalid").Inc()
		p.log.Warn("proxy: unknown user or wrong token", "remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path)
		unauthorized(w, "unknown user or wrong token")
		return Credential{}, false
	}
	return c, true
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`", charset="UTF-8"`)
	apiError(w, http.StatusUnauthorized, "unauthorized", msg)
}

// apiError answers in the Prometheus API's error shape.
func apiError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"status": "error", "errorType": typ, "error": msg})
}

// statusWriter records the status code written.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.code, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Flush passes flushes on (the reverse proxy streams).
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
