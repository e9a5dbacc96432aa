package apiauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
)

// Caller is the authenticated client of a request.
type Caller struct {
	// Name is the credential's name: the author of what the caller does.
	Name string
	// Scope is a PO id or ScopeAll.
	Scope string
}

// Allows reports whether the caller may read and change the PO's data.
func (c Caller) Allows(po string) bool { return c.Scope == ScopeAll || c.Scope == po }

type callerKey struct{}

// WithCaller returns a context carrying the caller.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom is the caller Middleware put in the context.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// Authenticate finds the credential of a bearer token. Every credential is
// compared, in constant time, whatever matches, so the time taken tells
// nothing about the token.
func (cs *Credentials) Authenticate(token Secret) (Caller, bool) {
	if token.IsZero() {
		return Caller{}, false
	}
	h := sha256.Sum256([]byte(token.Reveal()))
	found := -1
	for i := range cs.list {
		if subtle.ConstantTimeCompare(h[:], cs.list[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Caller{}, false
	}
	return Caller{Name: cs.list[found].Name, Scope: cs.list[found].Scope}, true
}

// Realm is the realm of the WWW-Authenticate challenge.
const Realm = "slawatch"

// Middleware lets through only requests with "Authorization: Bearer TOKEN"
// of a known credential, with the Caller in their context; others get 401
// with a WWW-Authenticate challenge (RFC 6750) and a JSON error. Failures
// are logged (at warn) with the remote address, never the token.
func (cs *Credentials) Middleware(logger *slog.Logger, next http.Handler) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			unauthorized(w, `Bearer realm="`+Realm+`"`, "missing Authorization header; send Authorization: Bearer TOKEN")
			return
		}
		scheme, tok, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			unauthorized(w, `Bearer realm="`+Realm+`", error="invalid_request"`, "Authorization must be: Bearer TOKEN")
			return
		}
		c, ok := cs.Authenticate(NewSecret(strings.TrimSpace(tok)))
		if !ok {
			logger.Warn("api: unknown bearer token", "remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path)
			unauthorized(w, `Bearer realm="`+Realm+`", error="invalid_token"`, "unknown or revoked token")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithCaller(r.Context(), c)))
	})
}

func unauthorized(w http.ResponseWriter, challenge, msg string) {
	w.Header().Set("WWW-Authenticate", challenge)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
