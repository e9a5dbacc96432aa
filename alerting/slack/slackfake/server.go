// Package slackfake is a loopback fake of the Slack Web API methods that
// package slack uses (chat.postMessage, chat.update, chat.postEphemeral,
// auth.test), answering in Slack's shapes, with switches for outages, rate
// limits and per-channel errors, and helpers that press a posted message's
// buttons with a signed interactive callback, as Slack does.
package slackfake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Identities the fake reports (auth.test, payloads).
const (
	TeamID    = "T0FAKE"
	BotUserID = "U0FAKEBOT"
	BotID     = "B0FAKEBOT"
	AppID     = "A0FAKEAPP"
)

// Options configures a Server.
type Options struct {
	// Token is the bot token callers must present, as "Authorization:
	// Bearer <token>" or the form field "token" (slack-go sends the latter
	// for chat.* methods). Required.
	Token string
	// Channels maps channel names (without "#") to ids ("C…").
	Channels map[string]string
	// Users are the member ids ("U…") that exist: a post to one opens a
	// direct message (channel "D…"), and they can get ephemeral messages.
	Users []string
}

// Message is one accepted chat call, or the current state of a message.
type Message struct {
	Method  string // chat.postMessage, chat.update or chat.postEphemeral
	Channel string // the channel id ("C…", "D…")
	TS      string
	User    string // the recipient of an ephemeral message
	Text    string
	Blocks  json.RawMessage // the blocks JSON as sent ("" when none)
}

// Server is the fake; it is safe for concurrent use.
type Server struct {
	srv      *httptest.Server
	token    string
	channels map[string]string // name → id
	ids      map[string]bool   // channel ids
	users    map[string]bool   // member ids
	mu       sync.Mutex
	log      []Message
	current  map[string]Message // channel/ts → latest
	seq      int
	calls    map[string]int
	outage   bool
	retry    time.Duration
	failures map[string]string // channel name, id or member id → error code
}

// New starts a Server on the loopback interface; Close stops it.
func New(o Options) *Server {
	s := &Server{token: o.Token, channels: map[string]string{}, ids: map[string]bool{}, users: map[string]bool{},
		current: map[string]Message{}, calls: map[string]int{}, failures: map[string]string{}}
	for name, id := range o.Channels {
		s.channels[strings.TrimPrefix(name, "#")] = id
		s.ids[id] = true
	}
	for _, u := range o.Users {
		s.users[u] = true
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the Web API base URL, for slack.Options.APIURL (ends with "/").
func (s *Server) URL() string { return s.srv.URL + "/api/" }

// Client is an http.Client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// SetOutage makes every call answer HTTP 503 (with an HTML body, as Slack's
// front end does) while on.
func (s *Server) SetOutage(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = on
}

// SetRateLimit makes every call answer HTTP 429 with Retry-After (whole
// seconds, at least 1) while retryAfter > 0; 0 turns it off.
func (s *Server) SetRateLimit(retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retry = retryAfter
}

// FailChannel makes chat calls to channel (a name such as "#rbkc-ooh", a
// channel id or a member id) answer {"ok":false,"error":code}; code ""
// clears it.
func (s *Server) FailChannel(channel, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.TrimPrefix(channel, "#")
	if code == "" {
		delete(s.failures, key)
		return
	}
	s.failures[key] = code
}

// DMChannel is the direct-message channel id the fake opens for user.
func DMChannel(user string) string { return "D" + strings.TrimPrefix(user, "U") }

// Messages are the accepted chat calls, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.log...)
}

// Message is the current state of the message channel/ts (after updates).
func (s *Server) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.current[channel+"/"+ts]
	return m, ok
}

// Calls is how many requests reached method, accepted or not.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// serve answers one Web API call.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		if strings.HasPrefix(r.URL.Path, "/actions/") { // a payload's response_url
			writeJSON(w, http.StatusOK, map[string]any{"ok": true})
			return
		}
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	switch {
	case s.outage:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<html><body><h1>503 Service Unavailable</h1></body></html>")
		return
	case s.retry > 0:
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Max(1, math.Ceil(s.retry.Seconds())))))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusOK, fail("invalid_request"))
		return
	}
	args, err := readArgs(r)
	if err != nil {
		writeJSON(w, http.StatusOK, fail("invalid_form_data"))
		return
	}
	if code := s.auth(r, args); code != "" {
		writeJSON(w, http.StatusOK, fail(code))
		return
	}
	var out map[string]any
	switch method {
	case "auth.test":
		out = map[string]any{"ok": true, "url": "https://slawatch-fake.slack.com/", "team": "slawatch fake",
			"user": "slawatch", "team_id": TeamID, "user_id": BotUserID, "bot_id": BotID}
	case "chat.postMessage":
		out = s.postMessage(args)
	case "chat.update":
		out = s.update(args)
	case "chat.postEphemeral":
		out = s.postEphemeral(args)
	default:
		out = fail("unknown_method")
	}
	writeJSON(w, http.StatusOK, out)
}

// auth is "" when the token is right, else Slack's error code.
func (s *Server) auth(r *http.Request, args map[string]string) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		tok = args["token"]
	}
	switch {
	case tok == "":
		return "not_authed"
	case tok != s.token:
		return "invalid_auth"
	}
	return ""
}

func fail(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
