package loneworker

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/slawatch/slawatch/internal/apiauth"
	"github.com/slawatch/slawatch/store"
)

// APIPrefix is where the lone-worker API lives; mount it behind the
// credentials:
//
//	mux.Handle(loneworker.APIPrefix, creds.Middleware(log, svc.API(log)))
//
// Routes (the handler sees the full path):
//
//	POST {prefix}sessions                 check in (CheckInRequest) → 201
//	GET  {prefix}sessions[?po=P]          open sessions (SessionList)
//	GET  {prefix}sessions/{id}            a session with its audit trail
//	POST {prefix}sessions/{id}/checkout   check out (idempotent)
//	POST {prefix}sessions/{id}/extend     ExtendRequest
//	POST {prefix}sessions/{id}/ack        acknowledge the alarm (idempotent)
//	POST {prefix}sessions/{id}/notes      NoteRequest → 201
const APIPrefix = "/api/v1/loneworker/"

// API is the authenticated HTTP API of the lone-worker service. It needs
// the apiauth.Caller that Credentials.Middleware puts in the request
// context (401 without one): the caller's credential name is the author
// of every action (via "api"), and a caller acts on and sees the sessions
// of the POs its scope allows only (403 otherwise, nothing written).
// Every action is in the store before its answer is sent. Errors are JSON
// (APIError): 400 bad JSON, 422 invalid request, 409 conflict with the
// session's state, 404 no session, 403 scope, 405 wrong method (with
// Allow), 503 store unavailable (retry). logger gets one line per action
// (ids, PO, staff group and the credential name; never personal data);
// nil uses the service's.
func (s *Service) API(logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = s.o.Logger
	}
	return &api{s: s, log: logger}
}

type api struct {
	s   *Service
	log *slog.Logger
}

// call is one request of an authenticated caller.
type call struct {
	a      *api
	w      http.ResponseWriter
	r      *http.Request
	caller apiauth.Caller
	sess   store.LoneWorkerSession // for the {id} routes, read before acting
}

const routesHelp = "routes: GET|POST " + APIPrefix + "sessions, GET " + APIPrefix + "sessions/{id}, POST " + APIPrefix +
	"sessions/{id}/checkout|extend|ack|notes"

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	caller, ok := apiauth.CallerFrom(r.Context())
	if !ok {
		writeAPIError(w, http.StatusUnauthorized, APIError{Error: "not authenticated; send Authorization: Bearer TOKEN"})
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, APIPrefix)
	if !ok {
		writeAPIError(w, http.StatusNotFound, APIError{Error: "not found; " + routesHelp})
		return
	}
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	c := &call{a: a, w: w, r: r, caller: caller}
	var allow string
	var serve func()
	switch {
	case len(seg) == 1 && seg[0] == "sessions":
		allow = "GET, HEAD, POST"
		serve = c.list
		if r.Method == http.MethodPost {
			serve = c.checkIn
		}
	case len(seg) == 2 && seg[0] == "sessions":
		allow, serve = "GET, HEAD", c.show
	case len(seg) == 3 && seg[0] == "sessions":
		allow = "POST"
		switch seg[2] {
		case "checkout":
			serve = c.checkOut
		case "extend":
			serve = c.extend
		case "ack":
			serve = c.ack
		case "notes":
			serve = c.note
		}
	}
	if serve == nil {
		writeAPIError(w, http.StatusNotFound, APIError{Error: "not found; " + routesHelp})
		return
	}
	if !strings.Contains(", "+allow+",", ", "+r.Method+",") {
		w.Header().Set("Allow", allow)
		writeAPIError(w, http.StatusMethodNotAllowed, APIError{Error: fmt.Sprintf("method %s not allowed here; allowed: %s", clip(r.Method), allow)})
		return
	}
	if len(seg) >= 2 && !c.load(seg[1]) {
		return
	}
	serve()
}

// load reads the session of the {id} route and checks the caller may
// reach its PO; false when an error has been written.
func (c *call) load(idText string) bool {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		writeAPIError(c.w, http.StatusNotFound, APIError{Error: fmt.Sprintf("no session %q; session ids are positive integers", clip(idText))})
		return false
	}
	sess, err := c.a.s.o.Store.Session(c.r.Context(), id)
	if err != nil {
		c.fail("read", id, err)
		return false
	}
	if !c.caller.Allows(sess.PO) {
		c.forbidden()
		return false
	}
	c.sess = sess
	return true
}

func (c *call) forbidden() {
	writeAPIError(c.w, http.StatusForbidden, APIError{Error: fmt.Sprintf("credential %s may only reach sessions of PO %s",
		c.caller.Name, c.caller.Scope)})
}

// logged records an action taken (no personal data).
func (c *call) logged(action string, s store.LoneWorkerSession) {
	c.a.log.Info("lone-worker "+action, "via", store.ViaAPI, "session", s.ID, "po", s.PO, "staff_group", s.StaffGroup,
		"by", c.caller.Name, "state", s.State)
}

func (c *call) checkIn() {
	var req CheckInRequest
	if err := decodeBody(c.w, c.r, &req, false); err != nil {
		writeAPIError(c.w, http.StatusBadRequest, APIError{Error: err.Error()})
		return
	}
	po := strings.TrimSpace(req.PO)
	if po == "" && c.caller.Scope != apiauth.ScopeAll {
		po = c.caller.Scope
	}
	if !c.caller.Allows(po) {
		c.forbidden()
		return
	}
	ci := CheckIn{PO: po, StaffGroup: strings.TrimSpace(req.StaffGroup), Officer: strings.TrimSpace(req.Officer),
		Phone: req.Phone, Location: req.Location, UPRN: req.UPRN, Via: store.ViaAPI, By: c.caller.Name}
	if req.Minutes != nil {
		if *req.Minutes == 0 {
			c.invalid("minutes: 0; want 1 or more minutes within the staff group's maximum, or leave minutes out for the group's default")
			return
		}
		ci.Minutes = *req.Minutes
	}
	if req.Until != "" {
		t, err := parseRFC3339(req.Until)
		if err != nil {
			c.invalid("until: not an RFC 3339 time; want e.g. 2026-11-20T22:30:00Z or 2026-11-20T22:30:00+00:00")
			return
		}
		ci.Until = t
	}
	sess, err := c.a.s.CheckIn(c.r.Context(), ci)
	if err != nil {
		c.fail("check in", 0, err)
		return
	}
	c.logged("check-in", sess)
	c.w.Header().Set("Location", fmt.Sprintf("%ssessions/%d", APIPrefix, sess.ID))
	writeAPIJSON(c.w, http.StatusCreated, sessionJSON(sess))
}

func (c *call) list() {
	po := c.r.URL.Query().Get("po")
	switch {
	case po == "" && c.caller.Scope != apiauth.ScopeAll:
		po = c.caller.Scope
	case po != "" && !c.caller.Allows(po):
		c.forbidden()
		return
	}
	if po != "" {
		cat, err := c.a.s.o.Catalog(c.r.Context())
		if err != nil {
			c.fail("list", 0, err)
			return
		}
		if _, ok := cat.PO(po); !ok {
			c.invalid(fmt.Sprintf("po %q: not in the catalogue; want one of %s", clip(po), strings.Join(cat.POIDs(), ", ")))
			return
		}
	}
	open, err := c.a.s.List(c.r.Context(), po)
	if err != nil {
		c.fail("list", 0, err)
		return
	}
	out := SessionList{Sessions: []SessionJSON{}}
	for _, s := range open {
		if c.caller.Allows(s.PO) { // belt and braces: List is by PO already
			out.Sessions = append(out.Sessions, sessionJSON(s))
		}
	}
	writeAPIJSON(c.w, http.StatusOK, out)
}

func (c *call) show() {
	sess, ev, err := c.a.s.Show(c.r.Context(), c.sess.ID)
	if err != nil {
		c.fail("show", c.sess.ID, err)
		return
	}
	out := sessionJSON(sess)
	out.Events = eventsJSON(ev)
	writeAPIJSON(c.w, http.StatusOK, out)
}

func (c *call) checkOut() {
	if err := decodeBody(c.w, c.r, &struct{}{}, true); err != nil {
		writeAPIError(c.w, http.StatusBadRequest, APIError{Error: err.Error() + " (a check-out takes no fields)"})
		return
	}
	sess, changed, err := c.a.s.CheckOut(c.r.Context(), c.sess.ID, store.ViaAPI, c.caller.Name)
	if err != nil {
		c.fail("check out", c.sess.ID, err)
		return
	}
	if changed {
		c.logged("check-out", sess)
	}
	out := sessionJSON(sess)
	out.Changed = &changed
	writeAPIJSON(c.w, http.StatusOK, out)
}

func (c *call) extend() {
	var req ExtendRequest
	if err := decodeBody(c.w, c.r, &req, false); err != nil {
		writeAPIError(c.w, http.StatusBadRequest, APIError{Error: err.Error() + ` (an extension takes {"minutes": N})`})
		return
	}
	if req.Minutes < 1 {
		c.invalid(fmt.Sprintf("minutes: %d; want how many minutes to add (1 or more, within the staff group's maximum)", req.Minutes))
		return
	}
	sess, err := c.a.s.Extend(c.r.Context(), c.sess.ID, req.Minutes, store.ViaAPI, c.caller.Name)
	if err != nil {
		c.fail("extend", c.sess.ID, err)
		return
	}
	c.logged("extension", sess)
	writeAPIJSON(c.w, http.StatusOK, sessionJSON(sess))
}

func (c *call) ack() {
	if err := decodeBody(c.w, c.r, &struct{}{}, true); err != nil {
		writeAPIError(c.w, http.StatusBadRequest, APIError{Error: err.Error() + " (an acknowledgement takes no fields)"})
		return
	}
	sess, changed, err := c.a.s.Ack(c.r.Context(), c.sess.ID, store.ViaAPI, c.caller.Name)
	if err != nil {
		c.fail("acknowledge", c.sess.ID, err)
		return
	}
	if changed {
		c.logged("acknowledgement", sess)
	}
	out := sessionJSON(sess)
	out.Changed = &changed
	writeAPIJSON(c.w, http.StatusOK, out)
}

func (c *call) note() {
	var req NoteRequest
	if err := decodeBody(c.w, c.r, &req, false); err != nil {
		writeAPIError(c.w, http.StatusBadRequest, APIError{Error: err.Error() + ` (a note takes {"text": "..."})`})
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		c.invalid("text: empty; want the note")
		return
	}
	if err := c.a.s.Note(c.r.Context(), c.sess.ID, store.ViaAPI, c.caller.Name, req.Text); err != nil {
		c.fail("note", c.sess.ID, err)
		return
	}
	c.logged("note", c.sess)
	sess, ev, err := c.a.s.Show(c.r.Context(), c.sess.ID)
	if err != nil { // the note is stored: say so, with the session as read before
		c.a.log.Error("lone-worker note stored; reading the session back failed", "session", c.sess.ID, "err", err)
		writeAPIJSON(c.w, http.StatusCreated, sessionJSON(c.sess))
		return
	}
	out := sessionJSON(sess)
	out.Events = eventsJSON(ev)
	writeAPIJSON(c.w, http.StatusCreated, out)
}

func (c *call) invalid(msg string) {
	writeAPIError(c.w, http.StatusUnprocessableEntity, APIError{Error: msg})
}

func writeAPIJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeAPIError(w http.ResponseWriter, code int, e APIError) { writeAPIJSON(w, code, e) }
