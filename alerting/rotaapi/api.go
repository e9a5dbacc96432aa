package rotaapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/apiauth"
)

// Prefix is where the API is mounted: mux.Handle(rotaapi.Prefix, h).
const Prefix = "/api/v1/rotas/"

// MaxBody bounds a request body.
const MaxBody = 64 << 10

// handoverHorizon bounds the search for the next handover.
const handoverHorizon = 31 * 24 * time.Hour

// Options configure the API.
type Options struct {
	// Catalog is the catalogue as loaded from its file.
	Catalog *catalog.Catalog
	// Store keeps the change history.
	Store Store
	// Auth holds the API credentials; every request must present one.
	Auth *apiauth.Credentials
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger gets one line per change made (default: discard).
	Logger *slog.Logger
}

// Handler serves the rota API. It is safe for concurrent use.
type Handler struct {
	now    func() time.Time
	log    *slog.Logger
	store  Store
	ov     *overlay
	authed http.Handler
}

// New checks the options and returns the API handler, authentication
// included.
func New(o Options) (*Handler, error) {
	switch {
	case o.Catalog == nil:
		return nil, errors.New("rotaapi: Options.Catalog is nil; pass the loaded catalogue")
	case o.Store == nil:
		return nil, errors.New("rotaapi: Options.Store is nil; pass the event store (*store.Store)")
	case o.Auth == nil:
		return nil, errors.New("rotaapi: Options.Auth is nil; the rota API needs credentials (apiauth.LoadCredentials)")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{now: o.Now, log: o.Logger, store: o.Store, ov: &overlay{base: o.Catalog, st: o.Store}}
	h.authed = o.Auth.Middleware(o.Logger, http.HandlerFunc(h.route))
	return h, nil
}

// ServeHTTP authenticates the request and serves it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.authed.ServeHTTP(w, r) }

// route is one request of an authenticated caller.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	caller  apiauth.Caller
	po      *catalog.PO
	rota    *catalog.Rota
	cat     *catalog.Catalog
	hist    history
	now     time.Time
	overID  string
	handler *Handler
}

func (h *Handler) route(w http.ResponseWriter, r *http.Request) {
	caller, ok := apiauth.CallerFrom(r.Context())
	if !ok { // cannot happen behind the middleware
		writeError(w, http.StatusUnauthorized, "", "not authenticated")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		writeError(w, http.StatusNotFound, "", "not found; the rota API is under "+Prefix)
		return
	}
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	var allow string
	var serve func(*request)
	switch {
	case len(seg) == 1 && seg[0] != "":
		allow, serve = "GET, HEAD", (*request).listRotas
	case len(seg) == 3 && seg[2] == "oncall":
		allow, serve = "GET, HEAD", (*request).onCall
	case len(seg) == 3 && seg[2] == "changes":
		allow, serve = "GET, HEAD", (*request).changes
	case len(seg) == 3 && seg[2] == "overrides":
		allow, serve = "POST", (*request).addOverride
	case len(seg) == 4 && seg[2] == "overrides":
		allow, serve = "DELETE", (*request).cancelOverride
	default:
		writeError(w, http.StatusNotFound, "", "not found; routes: GET "+Prefix+"{po}, GET "+Prefix+"{po}/{rota}/oncall?at=TIME, GET "+
			Prefix+"{po}/{rota}/changes, POST "+Prefix+"{po}/{rota}/overrides, DELETE "+Prefix+"{po}/{rota}/overrides/{id}")
		return
	}
	if m := r.Method; !strings.Contains(", "+allow+",", ", "+m+",") {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("method %s not allowed here; allowed: %s", m, allow))
		return
	}
	if !caller.Allows(seg[0]) {
		writeError(w, http.StatusForbidden, "", fmt.Sprintf("credential %s may only reach PO %s", caller.Name, caller.Scope))
		return
	}
	cat, changes, err := h.ov.current(r.Context())
	if err != nil {
		h.log.Error("rota api: read rota changes", "err", err)
		writeError(w, http.StatusInternalServerError, "", "could not read the rota changes; see the server log")
		return
	}
	q := &request{w: w, r: r, caller: caller, cat: cat, hist: newHistory(changes), now: h.now(), handler: h}
	po, ok := cat.PO(seg[0])
	if !ok {
		writeError(w, http.StatusNotFound, "", fmt.Sprintf("no PO %q; POs: %s", seg[0], strings.Join(cat.POIDs(), ", ")))
		return
	}
	q.po = po
	if len(seg) > 1 {
		if q.rota, ok = po.Rota(seg[1]); !ok {
			writeError(w, http.StatusNotFound, "", fmt.Sprintf("no rota %q in %s; rotas: %s", seg[1], po.ID, strings.Join(rotaIDs(po), ", ")))
			return
		}
	}
	if len(seg) == 4 {
		q.overID = seg[3]
	}
	serve(q)
}

func rotaIDs(p *catalog.PO) []string {
	out := make([]string, 0, len(p.Rotas))
	for _, r := range p.Rotas {
		out = append(out, r.ID)
	}
	return out
}

func (q *request) listRotas() {
	out := POResponse{PO: q.po.ID, At: q.now.In(q.po.Location()), Rotas: []RotaStatus{}}
	for i := range q.po.Rotas {
		r := &q.po.Rotas[i]
		who, ok := q.cat.OnCall(q.po.ID, r.ID, q.now)
		s := RotaStatus{ID: r.ID, TimeZone: r.TimeZone, Rotation: r.Rotation, ServiceOptions: r.ServiceOptions,
			SubCategory: r.SubCategory, OnCall: personID(who, ok), Reachable: ok && who.Reachable(),
			Override: q.hist.inForce(q.po.ID, r.ID, q.now)}
		if s.ServiceOptions == nil {
			s.ServiceOptions = []string{}
		}
		if at, next, ok := q.cat.NextOnCallChange(q.po.ID, r.ID, q.now, handoverHorizon); ok {
			s.NextHandover = &Handover{At: at.In(r.Location()), Person: personID(next, true)}
		}
		out.Rotas = append(out.Rotas, s)
	}
	writeJSON(q.w, http.StatusOK, out)
}

func (q *request) onCall() {
	at := q.now
	if s := q.r.URL.Query().Get("at"); s != "" {
		t, err := parseTime(s, q.rota.Location())
		if err != nil {
			writeError(q.w, http.StatusUnprocessableEntity, "at", "at: "+err.Error())
			return
		}
		at = t
	}
	who, ok := q.cat.OnCall(q.po.ID, q.rota.ID, at)
	writeJSON(q.w, http.StatusOK, OnCallResponse{PO: q.po.ID, Rota: q.rota.ID, At: at.In(q.rota.Location()),
		Person: personID(who, ok), Reachable: ok && who.Reachable(), Override: q.hist.inForce(q.po.ID, q.rota.ID, at)})
}

func (q *request) changes() {
	out := ChangesResponse{PO: q.po.ID, Rota: q.rota.ID, Changes: []Change{}}
	for _, c := range q.hist.all {
		if c.PO == q.po.ID && c.Rota == q.rota.ID {
			out.Changes = append(out.Changes, q.hist.view(c, q.rota.Location(), q.now))
		}
	}
	writeJSON(q.w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, field, msg string) {
	writeJSON(w, code, ErrorResponse{Error: msg, Field: field})
}
