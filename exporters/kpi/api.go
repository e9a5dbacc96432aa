package kpi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/internal/apiauth"
)

// APIPrefix is where the KPI API lives; mount it behind the credentials:
//
//	mux.Handle(kpi.APIPrefix, creds.Middleware(log, exp.Handler()))
//
// Routes:
//
//	POST {prefix}returns       ReturnRequest → 201 ReturnJSON        (scope * only)
//	POST {prefix}mitigations   MitigationRequest → 201 MitigationJSON (scope * only)
//	GET  {prefix}status?period=2026-Q3 → 200 StatusJSON
const APIPrefix = "/api/v1/kpi/"

// MaxBody bounds a request body.
const MaxBody = 16 << 10

// ReturnRequest is the body of POST …/returns; the caller's credential
// name is recorded as who entered it. Unknown fields are refused.
type ReturnRequest struct {
	KPI         string          `json:"kpi"`
	Period      string          `json:"period"`
	Numerator   json.RawMessage `json:"numerator"`
	Denominator json.RawMessage `json:"denominator"`
	Note        string          `json:"note"`
}

// MitigationRequest is the body of POST …/mitigations.
type MitigationRequest struct {
	KPI      string `json:"kpi"`
	Period   string `json:"period"`
	Reason   string `json:"reason"`
	AgreedBy string `json:"agreed_by"`
}

// StatusJSON is the answer to GET …/status.
type StatusJSON struct {
	Period string `json:"period"`
	Rows   []Row  `json:"kpis"`
}

// APIError is the body of every error answer.
type APIError struct {
	Error string `json:"error"`
}

// Handler serves the KPI API. It needs the apiauth.Caller that
// Credentials.Middleware puts in the context (401 without one). Entering
// returns and mitigations needs scope * (403 otherwise, nothing written);
// a PO-scoped caller's status shows only the KPIs of its PO. Errors are
// JSON (APIError): 400 bad JSON or period, 422 invalid request, 403, 404,
// 405 (with Allow), 503 store unavailable (retry).
func (e *Exporter) Handler() http.Handler { return http.HandlerFunc(e.serve) }

const routesHelp = "routes: POST " + APIPrefix + "returns, POST " + APIPrefix + "mitigations, GET " + APIPrefix + "status?period=2026-Q3"

func (e *Exporter) serve(w http.ResponseWriter, r *http.Request) {
	caller, ok := apiauth.CallerFrom(r.Context())
	if !ok {
		writeJSON(w, http.StatusUnauthorized, APIError{"not authenticated; send Authorization: Bearer TOKEN"})
		return
	}
	route, _ := strings.CutPrefix(r.URL.Path, APIPrefix)
	allow := map[string]string{"returns": "POST", "mitigations": "POST", "status": "GET, HEAD"}[strings.TrimSuffix(route, "/")]
	if allow == "" || !strings.HasPrefix(r.URL.Path, APIPrefix) {
		writeJSON(w, http.StatusNotFound, APIError{"not found; " + routesHelp})
		return
	}
	if !strings.Contains(", "+allow+",", ", "+r.Method+",") {
		w.Header().Set("Allow", allow)
		writeJSON(w, http.StatusMethodNotAllowed, APIError{fmt.Sprintf("method %.10s not allowed here; allowed: %s", r.Method, allow)})
		return
	}
	switch strings.TrimSuffix(route, "/") {
	case "status":
		e.serveStatus(w, r, caller)
		return
	}
	if caller.Scope != apiauth.ScopeAll {
		writeJSON(w, http.StatusForbidden, APIError{fmt.Sprintf("credential %s is scoped to PO %s; entering KPI returns and mitigations needs a provider credential (scope *)",
			caller.Name, caller.Scope)})
		return
	}
	if strings.TrimSuffix(route, "/") == "returns" {
		var req ReturnRequest
		if !decode(w, r, &req) {
			return
		}
		num, err1 := count("numerator", req.Numerator)
		den, err2 := count("denominator", req.Denominator)
		if err := errors.Join(err1, err2); err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, APIError{strings.ReplaceAll(err.Error(), "\n", "; ")})
			return
		}
		got, err := e.AddReturn(r.Context(), Return{KPI: req.KPI, Period: req.Period, Numerator: num, Denominator: den,
			Note: req.Note, By: caller.Name, Via: "api"})
		if e.failed(w, "return", err) {
			return
		}
		writeJSON(w, http.StatusCreated, returnJSON(got))
		return
	}
	var req MitigationRequest
	if !decode(w, r, &req) {
		return
	}
	got, err := e.AddMitigation(r.Context(), Mitigation{KPI: req.KPI, Period: req.Period, Reason: req.Reason,
		AgreedBy: req.AgreedBy, By: caller.Name, Via: "api"})
	if e.failed(w, "mitigation", err) {
		return
	}
	writeJSON(w, http.StatusCreated, mitigationJSON(got))
}

func (e *Exporter) serveStatus(w http.ResponseWriter, r *http.Request, caller apiauth.Caller) {
	p, err := catalog.ParsePeriod(r.URL.Query().Get("period"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, APIError{"query parameter " + err.Error()})
		return
	}
	rows, err := e.Status(r.Context(), p, e.o.Querier)
	if errors.Is(err, ErrNotStarted) {
		writeJSON(w, http.StatusBadRequest, APIError{err.Error()})
		return
	}
	if e.failed(w, "status", err) {
		return
	}
	out := StatusJSON{Period: p.String(), Rows: []Row{}}
	for _, row := range rows {
		if caller.Scope == apiauth.ScopeAll || row.PO == caller.Scope {
			out.Rows = append(out.Rows, row)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// failed writes the answer to an error (false for nil): the caller's
// mistake 422, anything else 503 (logged, retry).
func (e *Exporter) failed(w http.ResponseWriter, what string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrInvalid):
		writeJSON(w, http.StatusUnprocessableEntity, APIError{err.Error()})
	default:
		e.o.Logger.Error("kpi api: store failed", "action", what, "err", err)
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, APIError{fmt.Sprintf("the event store is unavailable, so the %s was not done; retry", what)})
	}
	return true
}

// decode reads one JSON object with no unknown fields; false when a 400
// has been written.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, APIError{fmt.Sprintf("request body over %d bytes", MaxBody)})
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, APIError{"body is not the JSON object wanted: " + err.Error()})
		return false
	}
	if dec.More() {
		writeJSON(w, http.StatusBadRequest, APIError{"body has more than one JSON value; send one object"})
		return false
	}
	return true
}

// count parses a JSON whole number (1e3 and 80.5 are refused: returns are
// exact counts).
func count(field string, raw json.RawMessage) (int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, fmt.Errorf("%s is missing; want a whole number", field)
	}
	if raw[0] == '"' {
		return 0, fmt.Errorf("%s must be a JSON number, not a string", field)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("%s must be a whole number, not %.20s", field, raw)
	}
	v, err := n.Int64()
	if err != nil {
		return 0, fmt.Errorf("%s must be a whole number (an exact count), not %.20s", field, n)
	}
	return v, nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
