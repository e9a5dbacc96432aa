// Package twiliofake is a loopback stand-in for Twilio's Messages and
// Calls APIs (calls.go), for tests that drive the real twilio-go client:
// basic auth, Twilio's JSON errors and codes, E.164 checks, opted-out
// numbers, and status callbacks signed like Twilio's, sent when the test
// steps them (never on a timer). It also signs inbound SMS webhooks, as
// Twilio would.
package twiliofake

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Defaults of Config.
const (
	DefaultAccountSID = "AC00000000000000000000000000000fake"
	DefaultAuthToken  = "fakeauthtoken0123456789abcdef0123"
	// DefaultNumber is the fake's own number (Ofcom's drama range).
	DefaultNumber = "+447700900000"
)

// Config configures a Server; every field has a default.
type Config struct {
	AccountSID string
	AuthToken  string
	// Number is the Twilio number inbound SMS are sent to.
	Number string
	// Client posts status callbacks and inbound SMS (default: 10s timeout).
	Client *http.Client
	Now    func() time.Time
}

// Outcome is what becomes of a message to a number.
type Outcome int

// Outcomes and the status callbacks each sends.
const (
	Deliver   Outcome = iota // queued, sent, delivered
	Fail                     // queued, failed (ErrorCode, default 30008)
	Undeliver                // queued, sent, undelivered (ErrorCode, default 30003)
	Silent                   // no callback at all
)

// Delivery is how messages to one number fare.
type Delivery struct {
	Outcome   Outcome
	ErrorCode int
	// OutOfOrder swaps the last two callbacks (delivered before sent).
	OutOfOrder bool
}

// Message is a message the fake accepted, as it stands now.
type Message struct {
	SID, AccountSID, To, From, MessagingServiceSID, Body, StatusCallback string
	Status                                                               string
	ErrorCode                                                            int
	// Segments and Encoding ("GSM-7" or "UCS-2") are as Twilio would bill.
	Segments    int
	Encoding    string
	DateCreated time.Time
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to use instead of https://api.twilio.com.
	URL string
	cfg Config
	srv *httptest.Server

	mu        sync.Mutex
	messages  []*Message
	pending   []event
	delivery  map[string]Delivery
	optedOut  map[string]bool
	outage    bool
	rateLimit int
	hang      bool
	requests  int
	voice     voice // the Calls API (calls.go)
	closed    chan struct{}
	closeOnce sync.Once
}

// New starts a fake on a loopback port; Close it when done.
func New(cfg Config) *Server {
	if cfg.AccountSID == "" {
		cfg.AccountSID = DefaultAccountSID
	}
	if cfg.AuthToken == "" {
		cfg.AuthToken = DefaultAuthToken
	}
	if cfg.Number == "" {
		cfg.Number = DefaultNumber
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{
		cfg:      cfg,
		delivery: map[string]Delivery{},
		optedOut: map[string]bool{},
		closed:   make(chan struct{}),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close releases hanging requests and stops the server.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	s.srv.Close()
}

// AccountSID and AuthToken are the credentials the fake accepts.
func (s *Server) AccountSID() string { return s.cfg.AccountSID }

// AuthToken is the auth token that authenticates requests and signs
// callbacks.
func (s *Server) AuthToken() string { return s.cfg.AuthToken }

// Number is the fake's own number, the To of inbound SMS.
func (s *Server) Number() string { return s.cfg.Number }

// SetDelivery sets how messages to number fare from now on.
func (s *Server) SetDelivery(number string, d Delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delivery[number] = d
}

// OptOut makes number an unsubscribed recipient (error 21610); OptIn
// undoes it.
func (s *Server) OptOut(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.optedOut[number] = true
}

// OptIn lets number receive messages again.
func (s *Server) OptIn(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.optedOut, number)
}

// SetOutage makes every request fail with 500 (error 20500) while on.
func (s *Server) SetOutage(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = on
}

// RateLimit makes the next n requests fail with 429 (error 20429).
func (s *Server) RateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimit = n
}

// SetHang makes requests hang, unanswered, until the client gives up
// or the server closes.
func (s *Server) SetHang(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hang = on
}

// Requests is how many requests reached the fake, failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Messages are the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = *m
	}
	return out
}

func newSID(prefix string) string {
	b := make([]byte, 16)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
