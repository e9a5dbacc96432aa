package linetest

import (
	"log/slog"
	"net/http"
)

// CallbackHandler serves Twilio's call status callbacks, verified with
// X-Twilio-Signature against PublicURL + CallbackPath (+ ?query) whatever
// path it is mounted on: 405 for anything but POST, 400 for a body that
// is not a form, 403 for a missing or bad signature, 400 for a callback
// that is not one of this dialer's (no dial token, CallSid or
// CallStatus), and 204 otherwise, also for a call no Dial waits for any
// more. Only verified callbacks reach a Dial.
func (d *TwilioDialer) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		form, ok := d.verify.Read(rw, r, d.o.CallbackPath)
		if !ok {
			return
		}
		s, err := parseTwilioStatus(r.URL.Query(), form)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		run, ok := d.record(s)
		d.log.LogAttrs(r.Context(), slog.LevelDebug, "line-test call status",
			slog.Int64("run_id", run), slog.Bool("awaited", ok), slog.String("call_sid", s.CallSid),
			slog.String("status", s.CallStatus), slog.Int("sequence", s.Sequence))
		rw.WriteHeader(http.StatusNoContent)
	})
}
