package loneworker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slawatch/slawatch/alerting/sms"
	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// Steps of a lone-worker call, carried in the query of each <Gather>'s
// action URL with the officer's person id (a reference, never the
// number). Twilio signs the full URL, query included, so they cannot be
// forged.
const (
	stepStart   = ""
	stepPIN     = "pin"
	stepMenu    = "menu"
	stepGroup   = "group"
	stepMinutes = "minutes"
	stepExtend  = "extend"
)

// Limits of a call.
const (
	// PINDigits is the length of an officer's lone-worker PIN.
	PINDigits = 6
	// maxTries is how many wrong entries (PINs, keys) a step takes before
	// the call ends.
	maxTries = 3
)

// Phrases of the lone-worker line.
const (
	voiceMenu    = "To check in, press 1. To check out, press 2. To extend your session, press 3."
	voiceFailed  = "Sorry, something went wrong and nothing was recorded. Please try again, or call the duty manager. Goodbye."
	voiceGoodbye = "Goodbye."
)

// VoiceWebhook is the handler for Twilio's voice webhook of the
// lone-worker number (default path DefaultVoicePath). The caller is
// identified by From (their sms number in the catalogue) or, from another
// phone, by their 6-digit PIN (three tries); a menu then offers 1 check
// in (minutes ended by #, # alone for the group's default; a second menu
// picks the group of an officer in several), 2 check out and 3 extend.
// Each outcome is said back (session number, deadline as "22 30") and
// stored first, with Via store.ViaPhone and By the officer's person id.
// A prompt with no key is repeated once, then the call ends.
func (s *Service) VoiceWebhook(o WebhookOptions) (*Webhook, error) {
	w, err := s.newWebhook(o, DefaultVoicePath, "lone-worker voice webhook")
	if err != nil {
		return nil, err
	}
	w.serve = func(rw http.ResponseWriter, r *http.Request, form url.Values) {
		c := voiceCall{s: s, w: w, q: r.URL.Query(), form: form}
		v := c.step(r.Context())
		attrs := []slog.Attr{slog.String("step", c.q.Get("step")), slog.String("outcome", c.outcome),
			slog.String("call", form.Get("CallSid"))}
		if c.session != 0 {
			attrs = append(attrs, slog.Int64("session", c.session))
		}
		level := slog.LevelInfo
		if c.outcome == "failed" {
			level = slog.LevelError
			attrs = append(attrs, slog.String("err", c.err.Error()))
		}
		w.log.LogAttrs(r.Context(), level, "lone-worker call", attrs...)
		sms.WriteTwiML(rw, v.doc())
	}
	return w, nil
}

// voiceCall is one request of a lone-worker call.
type voiceCall struct {
	s    *Service
	w    *Webhook
	q    url.Values // step, who, g, try
	form url.Values // From, Digits, CallSid

	cat     *catalog.Catalog
	who     string // person id
	po      string
	groups  []string
	outcome string
	session int64
	err     error
}

// action is the URL of step, with the officer and more state in its query.
func (c *voiceCall) action(step string, kv ...string) string {
	q := url.Values{"step": {step}}
	if c.who != "" {
		q.Set("who", c.who)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return c.w.URL() + "?" + q.Encode()
}

// digits is what the caller keyed, without the # or * that ended it.
func (c *voiceCall) digits() string {
	return strings.Trim(c.form.Get("Digits"), "#*")
}

func (c *voiceCall) tries() int {
	n, _ := strconv.Atoi(c.q.Get("try"))
	return n
}

func (c *voiceCall) fail(err error) *voiceTwiML {
	c.outcome, c.err = "failed", err
	return (&voiceTwiML{}).say(voiceFailed).hangup()
}

func (c *voiceCall) step(ctx context.Context) *voiceTwiML {
	cat, err := c.s.catalogue(ctx)
	if err != nil {
		return c.fail(err)
	}
	c.cat = cat
	step := c.q.Get("step")
	switch step {
	case stepStart:
		p, po, groups, ok := cat.OfficerBy(c.form.Get("From"))
		if !ok && c.s.pins.locked(c.s.o.Now()) {
			c.outcome = "pin_locked"
			return (&voiceTwiML{}).say(voicePINLocked).hangup()
		}
		if !ok {
			c.outcome = "unknown_number"
			return (&voiceTwiML{}).gather(c.action(stepPIN), PINDigits,
				"Welcome to the lone worker line. This phone is not registered. Please enter your 6 digit PIN.")
		}
		c.who, c.po, c.groups, c.outcome = p.ID, po, groups, "identified_by_number"
		return c.menu(ctx, "Welcome to the lone worker line.")
	case stepPIN:
		return c.pin(ctx)
	}
	c.who = c.q.Get("who")
	_, po, groups, ok := cat.OfficerByID(c.who)
	if !ok {
		c.outcome = "officer_gone"
		return (&voiceTwiML{}).say("Sorry, you are no longer registered for lone worker check in. Goodbye.").hangup()
	}
	c.po, c.groups = po, groups
	switch step {
	case stepMenu:
		return c.menuChoice(ctx)
	case stepGroup:
		k, err := strconv.Atoi(c.digits())
		if err != nil || k < 1 || k > len(c.groups) {
			return c.retry("Sorry, that is not one of the choices.", c.groupPrompt())
		}
		return c.minutesPrompt(c.groups[k-1], "", 0)
	case stepMinutes:
		return c.checkIn(ctx)
	case stepExtend:
		return c.extend(ctx)
	}
	c.outcome = "bad_step"
	return (&voiceTwiML{}).say(voiceFailed).hangup()
}

// voicePINLocked is said while PIN entry is locked (pinLock).
const voicePINLocked = "Sorry, PIN entry is not available at the moment. Please call the duty manager. Goodbye."

// pin identifies a caller by the PIN they keyed.
func (c *voiceCall) pin(ctx context.Context) *voiceTwiML {
	if c.s.pins.locked(c.s.o.Now()) {
		c.outcome = "pin_locked"
		return (&voiceTwiML{}).say(voicePINLocked).hangup()
	}
	d := c.digits()
	if len(d) == PINDigits {
		if p, po, groups, ok := c.cat.OfficerByPIN(d); ok {
			c.who, c.po, c.groups, c.outcome = p.ID, po, groups, "identified_by_pin"
			return c.menu(ctx, "Thank you.")
		}
	}
	c.outcome = "wrong_pin"
	if c.s.pins.failed(c.s.o.Now()) {
		c.outcome = "pin_locked"
		c.s.o.Logger.Error("lone-worker phone line: too many wrong PINs; PIN entry locked",
			"failures", pinLockFailures, "within", pinLockWindow.String())
		return (&voiceTwiML{}).say(voicePINLocked).hangup()
	}
	if c.tries()+1 >= maxTries {
		c.outcome = "wrong_pin_goodbye"
		return (&voiceTwiML{}).say("Sorry, that PIN was not recognised. " + voiceGoodbye).hangup()
	}
	return (&voiceTwiML{}).gather(c.action(stepPIN, "try", strconv.Itoa(c.tries()+1)), PINDigits,
		"That PIN was not recognised. Please enter your 6 digit PIN.")
}

// menu says intro, the officer's open session if any, and the menu.
func (c *voiceCall) menu(ctx context.Context, intro string) *voiceTwiML {
	text := intro
	if open, err := c.s.OpenSessionOf(ctx, c.po, c.who); err == nil {
		text += " " + c.openText(open)
	}
	return (&voiceTwiML{}).gather(c.action(stepMenu), 1, strings.TrimSpace(text+" "+voiceMenu))
}

func (c *voiceCall) openText(open store.LoneWorkerSession) string {
	if open.State == store.SessionOverdue || !c.s.o.Now().Before(open.Deadline) {
		return fmt.Sprintf("Session %d is past its deadline and the alarm is raised. If you are safe, press 2 to check out.", open.ID)
	}
	return fmt.Sprintf("You have session %d open until %s.", open.ID, c.sayDeadline(open))
}

func (c *voiceCall) sayDeadline(sess store.LoneWorkerSession) string {
	return sayClock(sess.Deadline, c.s.o.Now(), c.cat.Location())
}

// retry says sorry and prompts again (prompt is given the try count), or ends the
// call after maxTries wrong entries.
func (c *voiceCall) retry(sorry string, prompt func(try int) *voiceTwiML) *voiceTwiML {
	c.outcome = "wrong_key"
	if c.tries()+1 >= maxTries {
		return (&voiceTwiML{}).say(sorry + " " + voiceGoodbye).hangup()
	}
	v := prompt(c.tries() + 1)
	v.verbs = append([]any{say(sorry)}, v.verbs...)
	return v
}

func (c *voiceCall) menuChoice(ctx context.Context) *voiceTwiML {
	switch c.digits() {
	case "1":
		if len(c.groups) > 1 {
			return c.groupPrompt()(0)
		}
		return c.minutesPrompt(c.groups[0], "", 0)
	case "2":
		return c.checkOut(ctx)
	case "3":
		if _, err := c.s.OpenSessionOf(ctx, c.po, c.who); errors.Is(err, ErrNoOpenSession) {
			c.outcome = "refused_no_session"
			return c.menu(ctx, "You have no open session to extend.")
		} else if err != nil {
			return c.fail(err)
		}
		return (&voiceTwiML{}).gather(c.action(stepExtend), 0, "Enter the minutes to add, then press hash.")
	}
	return c.retry("Sorry, that is not one of the choices.", func(try int) *voiceTwiML {
		return (&voiceTwiML{}).gather(c.action(stepMenu, "try", strconv.Itoa(try)), 1, voiceMenu)
	})
}

// groupPrompt asks which of the officer's groups to check in under.
func (c *voiceCall) groupPrompt() func(try int) *voiceTwiML {
	return func(try int) *voiceTwiML {
		var b strings.Builder
		for i, g := range c.groups {
			fmt.Fprintf(&b, "For %s, press %d. ", spoken(g), i+1)
		}
		kv := []string{}
		if try > 0 {
			kv = []string{"try", strconv.Itoa(try)}
		}
		return (&voiceTwiML{}).gather(c.action(stepGroup, kv...), 1, strings.TrimSpace(b.String()))
	}
}

// minutesPrompt asks for the length of the visit under group (after
// sorry, when the last answer was wrong; try wrong answers so far).
func (c *voiceCall) minutesPrompt(group, sorry string, try int) *voiceTwiML {
	g, ok := c.cat.StaffGroup(c.po, group)
	if !ok {
		return c.fail(fmt.Errorf("staff group %s of %s gone from the catalogue", group, c.po))
	}
	v := &voiceTwiML{}
	if sorry != "" {
		v.say(sorry)
	}
	kv := []string{"g", group}
	if try > 0 {
		kv = append(kv, "try", strconv.Itoa(try))
	}
	return v.gather(c.action(stepMinutes, kv...), 0, fmt.Sprintf(
		"Enter the length of your visit in minutes, then press hash. For the default of %d minutes, just press hash.", g.DefaultMinutes))
}

func (c *voiceCall) checkIn(ctx context.Context) *voiceTwiML {
	group := c.q.Get("g")
	g, ok := c.cat.StaffGroup(c.po, group)
	if !ok || !g.HasOfficer(c.who) {
		return c.fail(fmt.Errorf("staff group %q of %s gone from the catalogue, or the officer from it", clip(group), c.po))
	}
	minutes := 0
	if d := c.digits(); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > g.MaxMinutes {
			c.outcome = "wrong_minutes"
			if c.tries()+1 >= maxTries {
				return (&voiceTwiML{}).say("Sorry, that is not a length I can accept. Nothing was recorded. " + voiceGoodbye).hangup()
			}
			return c.minutesPrompt(group, fmt.Sprintf("Sorry, a visit is 1 to %d minutes.", g.MaxMinutes), c.tries()+1)
		}
		minutes = n
	}
	phone := ""
	if p, _, _, ok := c.cat.OfficerBy(c.form.Get("From")); ok && p.ID == c.who {
		phone = c.form.Get("From")
	}
	sess, err := c.s.CheckIn(ctx, CheckIn{PO: c.po, StaffGroup: group, Officer: c.who, Phone: phone, Minutes: minutes,
		Via: store.ViaPhone, By: c.who})
	var open *store.SessionOpenError
	switch {
	case errors.As(err, &open):
		c.outcome, c.session = "refused_duplicate", open.ID
		cur, err := c.s.o.Store.Session(ctx, open.ID)
		if err != nil {
			return c.menu(ctx, fmt.Sprintf("You already have session %d open. Nothing new was recorded. Check out first by pressing 2.", open.ID))
		}
		return c.menu(ctx, "Nothing new was recorded. "+c.openText(cur)+" Check out first by pressing 2.")
	case errors.Is(err, ErrInvalid):
		c.outcome = "refused_invalid"
		return (&voiceTwiML{}).say("Sorry, the check in was refused and nothing was recorded. Please call the duty manager. " + voiceGoodbye).hangup()
	case err != nil:
		return c.fail(err)
	}
	c.outcome, c.session = "checked_in", sess.ID
	return (&voiceTwiML{}).say(fmt.Sprintf("You are checked in for %s. Session %d. Your deadline is %s. Call this number, or text OUT, when you are safe. %s",
		spoken(group), sess.ID, c.sayDeadline(sess), voiceGoodbye)).hangup()
}

func (c *voiceCall) checkOut(ctx context.Context) *voiceTwiML {
	sess, err := c.s.CheckOutOfficer(ctx, c.po, c.who, store.ViaPhone)
	switch {
	case errors.Is(err, ErrNoOpenSession), errors.Is(err, store.ErrSessionClosed):
		c.outcome = "refused_no_session"
		return c.menu(ctx, "You have no open session to check out.")
	case err != nil:
		return c.fail(err)
	}
	c.outcome, c.session = "checked_out", sess.ID
	text := fmt.Sprintf("You are checked out. Session %d is closed.", sess.ID)
	if sess.AlarmRaised {
		text += " Its alarm is cancelled and everyone paged is told."
	}
	return (&voiceTwiML{}).say(text + " " + voiceGoodbye).hangup()
}

func (c *voiceCall) extend(ctx context.Context) *voiceTwiML {
	cur, err := c.s.OpenSessionOf(ctx, c.po, c.who)
	switch {
	case errors.Is(err, ErrNoOpenSession):
		c.outcome = "refused_no_session"
		return c.menu(ctx, "You have no open session to extend.")
	case err != nil:
		return c.fail(err)
	}
	c.session = cur.ID
	n, err := strconv.Atoi(c.digits())
	if err != nil || n < 1 || n > MaxCommandMinutes {
		return c.retry("Sorry, that is not a number of minutes.", func(try int) *voiceTwiML {
			return (&voiceTwiML{}).gather(c.action(stepExtend, "try", strconv.Itoa(try)), 0, "Enter the minutes to add, then press hash.")
		})
	}
	sess, err := c.s.Extend(ctx, cur.ID, n, store.ViaPhone, c.who)
	switch {
	case errors.Is(err, store.ErrSessionOverdue):
		c.outcome = "refused_overdue"
		return c.menu(ctx, fmt.Sprintf("Too late to extend: session %d is past its deadline and the alarm is raised.", cur.ID))
	case errors.Is(err, store.ErrExtensionRefused):
		c.outcome = "refused_extension"
		return c.menu(ctx, fmt.Sprintf("Extension refused: %s.", spoken(extensionRefusal(c.cat, cur, n))))
	case errors.Is(err, store.ErrSessionClosed):
		c.outcome = "refused_no_session"
		return c.menu(ctx, "You have no open session to extend.")
	case errors.Is(err, ErrInvalid):
		c.outcome = "refused_invalid"
		return (&voiceTwiML{}).say("Sorry, the extension was refused and nothing was recorded. Please call the duty manager. " + voiceGoodbye).hangup()
	case err != nil:
		return c.fail(err)
	}
	c.outcome = "extended"
	return (&voiceTwiML{}).say(fmt.Sprintf("Session %d is extended. Your new deadline is %s. %s", sess.ID, c.sayDeadline(sess), voiceGoodbye)).hangup()
}

// spoken is an id as words (anti_social_behaviour: anti social behaviour).
func spoken(s string) string { return strings.NewReplacer("_", " ", "-", " ").Replace(s) }
