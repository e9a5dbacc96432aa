package twilioapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	twilio "github.com/twilio/twilio-go"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/slawatch/slawatch/internal/secret"
)

const (
	testSID   = "AC0123456789abcdef"
	testToken = "tok123"
	testPhone = "+447700900123"
)

// answer is one scripted reply of the fake Messages API.
type answer struct {
	status     int
	code       int    // Twilio error code in a JSON error body; 0 for a message
	retryAfter string // Retry-After header
	hang       bool   // no answer until the request's ctx ends
}

// fakeAPI is a loopback Messages API that answers from a script, the last
// answer repeating, and records the paths it saw.
type fakeAPI struct {
	mu     sync.Mutex
	script []answer
	paths  []string
	srv    *httptest.Server
}

func newFakeAPI(t *testing.T, script ...answer) *fakeAPI {
	t.Helper()
	f := &fakeAPI{script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.Path)
	a := f.script[min(len(f.paths), len(f.script))-1]
	f.mu.Unlock()
	if a.hang {
		io.Copy(io.Discard, r.Body) // so the server notices the client go
		<-r.Context().Done()
		return
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != testSID || pass != testToken {
		a = answer{status: 401, code: CodeAuthenticate}
	}
	w.Header().Set("Content-Type", "application/json")
	if a.retryAfter != "" {
		w.Header().Set("Retry-After", a.retryAfter)
	}
	w.WriteHeader(a.status)
	if a.code != 0 {
		// Twilio's own message names the number, as the real API's do.
		json.NewEncoder(w).Encode(map[string]any{"code": a.code, "message": "The 'To' number " + testPhone + " is not valid", "status": a.status})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"sid": "SM0001", "status": "queued"})
}

func (f *fakeAPI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...)
}

// newTestClient is a Client on f with quick retries.
func newTestClient(t *testing.T, f *fakeAPI, edit func(*Config)) *Client {
	t.Helper()
	cfg := Config{AccountSID: testSID, AuthToken: secret.New(testToken), BaseURL: f.srv.URL,
		Attempts: 3, Backoff: time.Millisecond, What: "message"}
	if edit != nil {
		edit(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func createMessage(rc *twilio.RestClient) (*openapi.ApiV2010Message, error) {
	p := &openapi.CreateMessageParams{}
	p.SetTo(testPhone)
	p.SetFrom("+447700900999")
	p.SetBody("test")
	return rc.Api.CreateMessage(p)
}
