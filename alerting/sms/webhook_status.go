package sms

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/internal/twilioapi"
)

// receiptStatuses are the message statuses passed to the Responder;
// Twilio's others (accepted, sending, scheduled, …) are acknowledged and
// dropped.
var receiptStatuses = map[string]bool{
	alerting.StatusQueued: true, alerting.StatusSent: true, alerting.StatusDelivered: true,
	alerting.StatusUndelivered: true, alerting.StatusFailed: true,
}

// status handles a verified status callback: MessageSid, MessageStatus
// and, for failed or undelivered, ErrorCode.
func (w *Webhooks) status(rw http.ResponseWriter, r *http.Request, form url.Values) {
	sid := first(form, "MessageSid", "SmsSid")
	st := strings.ToLower(first(form, "MessageStatus", "SmsStatus"))
	if !isSID(sid) || st == "" {
		http.Error(rw, "want MessageSid (SM…) and MessageStatus", http.StatusBadRequest)
		return
	}
	if !receiptStatuses[st] {
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	detail := ""
	if code, err := strconv.Atoi(form.Get("ErrorCode")); err == nil && code > 0 {
		detail = fmt.Sprintf("ErrorCode %d (%s)", code, twilioapi.Describe(code))
	}
	err := w.o.Responder.Receipt(r.Context(), alerting.ChannelSMS, sid, st, w.o.Now(), detail)
	if err != nil {
		w.log.LogAttrs(r.Context(), slog.LevelError, "recording an SMS status failed",
			slog.String("sid", sid), slog.String("status", st), slog.String("error", err.Error()))
		http.Error(rw, "could not record the status", http.StatusInternalServerError)
		return
	}
	rw.WriteHeader(http.StatusNoContent)
}

// first is the first non-empty of form's keys.
func first(form url.Values, keys ...string) string {
	for _, k := range keys {
		if v := form.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// isSID reports whether s looks like a Twilio SID: two letters then
// letters and digits, at most 64 in all.
func isSID(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
