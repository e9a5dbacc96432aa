package linetest

import (
	"log/slog"
	"net/http"
)

// twilioMaxForm bounds a callback's body; Twilio's are about a kilobyte.
const twilioMaxForm = 64 << 10

// CallbackHandler serves Twilio's call status callbacks, verified with
// X-Twilio-Signature against PublicURL + CallbackPath (+ ?query) whatever
// path it is mounted on: 405 for anything but POST, 400 for a body that
// is not a form, 403 for a missing or bad signature, 400 for a callback
// that is not one of this dialer's (no dial token, CallSid or
// CallStatus), and 204 otherwise, also for a call no Dial waits for any
// more. Only verified callbacks reach a Dial.
func (d *TwilioDialer) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			rw.Header().Set("Allow", http.MethodPost)
			http.Error(rw, "Twilio status callbacks are POST", http.StatusMethodNotAllowed)
			return
		}
		r.Body = http.MaxBytesReader(rw, r.Body, twilioMaxForm)
		if err := r.ParseForm(); err != nil {
			http.Error(rw, "want an application/x-www-form-urlencoded body of at most 64 KiB", http.StatusBadRequest)
			return
		}
		signed := d.CallbackURL()
		if r.URL.RawQuery != "" {
			signed += "?" + r.URL.RawQuery
		}
		params := make(map[string]string, len(r.PostForm))
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
		sig := r.Header.Get("X-Twilio-Signature")
		if sig == "" || !d.validator.Validate(signed, params, sig) {
			d.log.LogAttrs(r.Context(), slog.LevelWarn, "line-test callback with a missing or bad signature",
				slog.Bool("signature_present", sig != ""))
			http.Error(rw, "X-Twilio-Signature missing or not valid for this URL", http.StatusForbidden)
			return
		}
		s, err := parseTwilioStatus(r.URL.Query(), r.PostForm)
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
