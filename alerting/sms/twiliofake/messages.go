package twiliofake

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

var (
	messagesPath = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)/Messages\.json$`)
	e164         = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// maxBody is Twilio's limit on a message body, in characters.
const maxBody = 1600

// apiError is Twilio's JSON error body.
type apiError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(apiError{
		Code: code, Message: msg, Status: status,
		MoreInfo: fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
	})
}

// serve is the API: failure switches first, as an outage would be, then
// authentication, routing and the message itself.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	hang, outage := s.hang, s.outage
	limited := s.rateLimit > 0
	if limited {
		s.rateLimit--
	}
	s.mu.Unlock()
	switch {
	case hang:
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		return
	case outage:
		writeError(w, http.StatusInternalServerError, 20500, "An internal server error has occurred")
		return
	case limited:
		writeError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.AccountSID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.AuthToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if c := callsPath.FindStringSubmatch(r.URL.Path); c != nil && c[1] == s.cfg.AccountSID {
		s.createCall(w, r) // calls.go
		return
	}
	m := messagesPath.FindStringSubmatch(r.URL.Path)
	if m == nil || m[1] != s.cfg.AccountSID {
		writeError(w, http.StatusNotFound, 20404, fmt.Sprintf("The requested resource %s was not found", r.URL.Path))
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	}
	s.create(w, r)
}

// create is POST …/Messages.json.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 20001, "Could not parse the request body")
		return
	}
	to, from, mg, body := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("MessagingServiceSid"), r.PostForm.Get("Body")
	switch {
	case to == "":
		writeError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case from == "" && mg == "":
		writeError(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case body == "":
		writeError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	case len([]rune(body)) > maxBody:
		writeError(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
		return
	case !e164.MatchString(to):
		// Twilio's message names the number: callers must not pass it on.
		writeError(w, http.StatusBadRequest, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
		return
	}
	msg := &Message{
		SID: newSID("SM"), AccountSID: s.cfg.AccountSID, To: to, From: from,
		MessagingServiceSID: mg, Body: body, StatusCallback: r.PostForm.Get("StatusCallback"),
		Status: "queued", DateCreated: s.cfg.Now().UTC().Truncate(time.Second),
	}
	if mg != "" {
		msg.Status = "accepted"
	}
	msg.Segments, msg.Encoding = segments(body)
	s.mu.Lock()
	if s.optedOut[to] {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
		return
	}
	s.messages = append(s.messages, msg)
	s.schedule(msg, s.delivery[to])
	out := resource(msg)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(out)
}

// resource is the message's JSON as Twilio's API returns it.
func resource(m *Message) map[string]any {
	uri := fmt.Sprintf("/2010-04-01/Accounts/%s/Messages/%s", m.AccountSID, m.SID)
	date := m.DateCreated.Format(time.RFC1123Z)
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return map[string]any{
		"account_sid":           m.AccountSID,
		"api_version":           "2010-04-01",
		"body":                  m.Body,
		"date_created":          date,
		"date_sent":             nil,
		"date_updated":          date,
		"direction":             "outbound-api",
		"error_code":            nil,
		"error_message":         nil,
		"from":                  nullable(m.From),
		"messaging_service_sid": nullable(m.MessagingServiceSID),
		"num_media":             "0",
		"num_segments":          fmt.Sprint(m.Segments),
		"price":                 nil,
		"price_unit":            "USD",
		"sid":                   m.SID,
		"status":                m.Status,
		"subresource_uris":      map[string]string{"media": uri + "/Media.json"},
		"to":                    m.To,
		"uri":                   uri + ".json",
	}
}
