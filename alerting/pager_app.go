package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// AppReceiver is the receiver of the application's own pages (line tests,
// lone workers, a duty manager's `slawatch page`), which do not come
// through Alertmanager.
const AppReceiver = "slawatch"

// AppPagePath is the second intake: the application's own pages.
const AppPagePath = "/api/v1/pages"

// maxClockSkew is how far ahead of this process's clock an AppPage's
// StartsAt is still taken as given.
const maxClockSkew = 5 * time.Minute

// PolicyLabel is the incident label naming the PO's escalation policy to
// follow instead of the service option's (AppPage.Policy).
const PolicyLabel = "escalation_policy"

// AppPage is a page raised by the application rather than by an alert
// rule. Source and Key make it idempotent: the same key while it is firing
// is the same incident.
type AppPage struct {
	// Source names the raiser: manual, linetest, loneworker, rota.
	Source string `json:"source"`
	// Key identifies the condition within the source (a line-test run, a
	// session reference); a new key is a new incident.
	Key           string `json:"key"`
	PO            string `json:"po"`
	ServiceOption string `json:"service_option,omitempty"`
	AccessNumber  string `json:"access_number,omitempty"`
	AlertName     string `json:"alertname"`
	Severity      string `json:"severity,omitempty"`
	Summary       string `json:"summary"`
	// Resolved clears the page raised earlier with the same key.
	Resolved bool `json:"resolved,omitempty"`
	// By is who raised it (a duty manager's person id for manual pages).
	By string `json:"by,omitempty"`
	// Policy names the PO's escalation policy to follow (a lone-worker
	// staff group's chain); "" follows the service option's policy.
	Policy string `json:"policy,omitempty"`
	// StartsAt is when the condition began (default: now). Giving the
	// same StartsAt for the same key makes two raisers on one store open
	// one incident, not two (a lone-worker alarm uses its deadline).
	StartsAt time.Time `json:"starts_at,omitzero"`
}

var reAppWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.:-]{0,99}$`)

// validate checks the page against the catalogue and fills defaults.
func (a *AppPage) validate(cat *catalog.Catalog) error {
	if a.Severity == "" {
		a.Severity = "page"
	}
	switch {
	case !reAppWord.MatchString(a.Source):
		return fmt.Errorf("source %q: want a word such as manual, linetest or loneworker", a.Source)
	case a.Key == "" || len(a.Key) > 200:
		return errors.New("key: want 1 to 200 characters identifying the condition")
	case !reAppWord.MatchString(a.AlertName):
		return fmt.Errorf("alertname %q: want a word such as ManualPage or LineTestFailed", a.AlertName)
	case a.Severity != "page" && a.Severity != "critical" && a.Severity != "warning":
		return fmt.Errorf("severity %q: want page, critical or warning", a.Severity)
	case strings.TrimSpace(a.Summary) == "" && !a.Resolved:
		return errors.New("summary: say what is wrong in a few words (no personal data)")
	}
	if a.PO == "" || a.PO == catalog.ProviderID {
		if a.Policy != "" {
			return fmt.Errorf("policy %q: only a PO's page may name a policy", a.Policy)
		}
		a.PO = ""
		return nil
	}
	po, ok := cat.PO(a.PO)
	if !ok {
		return fmt.Errorf("po %q: not in the catalogue; want one of %s", a.PO, strings.Join(cat.POIDs(), ", "))
	}
	if a.ServiceOption != "" {
		if _, ok := po.Option(a.ServiceOption); !ok {
			return fmt.Errorf("service_option %q: not a service option of %s", a.ServiceOption, a.PO)
		}
	}
	if a.Policy != "" {
		if _, ok := po.Policy(a.Policy); !ok {
			return fmt.Errorf("policy %q: not an escalation policy of %s", a.Policy, a.PO)
		}
	}
	return nil
}

// Raise stores an application page as an incident and starts its
// escalation, or resolves it. opened is true when it opened a new
// incident; a page whose key is already firing is the same incident.
func (p *Pager) Raise(ctx context.Context, a AppPage) (inc store.Incident, opened bool, err error) {
	cat, err := p.opts.Catalog(ctx)
	if err != nil {
		return store.Incident{}, false, err
	}
	if err := a.validate(cat); err != nil {
		return store.Incident{}, false, &ValidationError{err}
	}
	now := p.opts.Now()
	labels := map[string]string{"alertname": a.AlertName, "severity": a.Severity, "source": a.Source}
	for k, v := range map[string]string{"po": a.PO, "service_option": a.ServiceOption, "access_number": a.AccessNumber, PolicyLabel: a.Policy} {
		if v != "" {
			labels[k] = v
		}
	}
	ann := map[string]string{"summary": strings.TrimSpace(a.Summary)}
	if a.By != "" {
		ann["raised_by"] = a.By
	}
	// A StartsAt a little ahead is another process's clock (a lone-worker
	// deadline claimed by an instance whose clock runs fast): honouring it
	// keeps the two raisers on one incident.
	startsAt := now
	if !a.StartsAt.IsZero() && a.StartsAt.Before(now.Add(maxClockSkew)) {
		startsAt = a.StartsAt.UTC()
	}
	ia := store.IncidentAlert{Receiver: AppReceiver, GroupKey: "app/" + a.Source, Fingerprint: a.Key,
		Status: store.IncidentFiring, Labels: labels, Annotations: ann, StartsAt: startsAt}
	latest, err := p.latestApp(ctx, ia)
	if err != nil && !errors.Is(err, store.ErrNoIncident) {
		return store.Incident{}, false, err
	}
	switch {
	case a.Resolved && err == nil:
		ia.Status, ia.EndsAt, ia.StartsAt, ia.Annotations = store.IncidentResolved, now, latest.StartsAt, latest.Annotations
	case a.Resolved:
		return store.Incident{}, false, &ValidationError{fmt.Errorf("key %q: %w %s to resolve", a.Key, ErrNothingToResolve, a.Source)}
	case err == nil && latest.Status == store.IncidentFiring:
		ia.StartsAt = latest.StartsAt // the same condition, still firing
	}
	res, err := p.opts.Store.UpsertAlerts(ctx, []store.IncidentAlert{ia}, now)
	if err != nil {
		return store.Incident{}, false, err
	}
	r := res[0]
	if r.Change == store.EventOpened || r.Change == store.EventResolved {
		if _, err := p.Notify(ctx, Notification{Event: r.Change, At: now, Incident: r.Incident, Receiver: AppReceiver, PO: a.PO}); err != nil {
			return r.Incident, r.Change == store.EventOpened, err
		}
	}
	return r.Incident, r.Change == store.EventOpened, nil
}

func (p *Pager) latestApp(ctx context.Context, ia store.IncidentAlert) (store.Incident, error) {
	list, err := p.opts.Store.ListIncidents(ctx, store.IncidentFilter{GroupKey: ia.GroupKey, Fingerprint: ia.Fingerprint, Limit: 1})
	if err != nil {
		return store.Incident{}, err
	}
	if len(list) == 0 {
		return store.Incident{}, store.ErrNoIncident
	}
	return list[0], nil
}

// AppIntake is the http.Handler of POST AppPagePath: a JSON AppPage in;
// 201 with {"incident": ID, "status": …} when it opened an incident, 200
// when it was already open or has been resolved, 422 for a page the
// catalogue rejects (with the reason), 400 for bad JSON, 503 when the
// store fails (retry).
//
// allow, when not nil, decides whether the request may raise or resolve a
// page for the PO ("" for the provider's own): false answers 403 (the
// caller's credential covers another PO).
func (p *Pager) AppIntake(allow func(r *http.Request, po string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "use POST with a JSON page", http.StatusMethodNotAllowed)
			return
		}
		var a AppPage
		dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			http.Error(w, "bad page JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		if internalSource(a.Source) {
			http.Error(w, fmt.Sprintf("source %q is raised by slawatch itself, not through this intake; use manual or your application's name", a.Source),
				http.StatusUnprocessableEntity)
			return
		}
		if allow != nil && !allow(r, a.PO) {
			http.Error(w, fmt.Sprintf("this credential may not page for po %q", a.PO), http.StatusForbidden)
			return
		}
		inc, opened, err := p.Raise(r.Context(), a)
		var vErr *ValidationError
		switch {
		case errors.As(err, &vErr):
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		case err != nil && inc.ID == 0:
			p.opts.Logger.Error("application page not stored", "source", a.Source, "err", err)
			http.Error(w, "the event store failed; retry later", http.StatusServiceUnavailable)
			return
		case err != nil:
			p.opts.Logger.Error("application page stored; escalation not started", "incident", inc.ID, "err", err)
		}
		w.Header().Set("Content-Type", "application/json")
		if opened {
			w.WriteHeader(http.StatusCreated)
		}
		json.NewEncoder(w).Encode(map[string]any{"incident": inc.ID, "status": inc.Status})
	})
}

// ErrNothingToResolve is matched by Raise's error for a resolve of a key
// that never paged.
var ErrNothingToResolve = errors.New("no page of source")

// internalSource reports whether pages of the source are raised only in
// process: a lone-worker alarm or a rota gap forged or resolved through
// the HTTP intake could silence a real one.
func internalSource(source string) bool { return source == "loneworker" || source == "rota" }

// ValidationError is a page the catalogue rejects (HTTP 422).
type ValidationError struct{ Err error }

func (v *ValidationError) Error() string { return v.Err.Error() }
func (v *ValidationError) Unwrap() error { return v.Err }

// RaiseGap raises a rota gap found ahead of the shift (rotaapi's
// GapWatcher) as a warning to the provider's duty managers (their
// channel), who can fix the rota before anyone needs it. It is idempotent on the gap's PO, rota,
// person, reason and start: a restart raising it again is the same
// incident.
func (p *Pager) RaiseGap(ctx context.Context, g catalog.Gap) error {
	who := "nobody on call"
	if g.Person != "" {
		who = g.Person + " unreachable"
	}
	loc := time.UTC
	if cat, err := p.opts.Catalog(ctx); err == nil {
		loc = cat.Location()
	}
	_, _, err := p.Raise(ctx, AppPage{Source: "rota", AlertName: "RotaGap", Severity: "warning",
		Key: fmt.Sprintf("%s/%s/%s/%s/%d", g.PO, g.Rota, g.Person, g.Reason, g.From.Unix()),
		Summary: fmt.Sprintf("rota gap %s/%s %s to %s: %s (%s)", g.PO, g.Rota,
			g.From.In(loc).Format("Mon 02 Jan 15:04"), g.To.In(loc).Format("Mon 02 Jan 15:04"), who, g.Reason)})
	return err
}
