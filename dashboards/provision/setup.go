package provision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// SetupOptions are the steps of Setup besides creating organisations.
type SetupOptions struct {
	// Wait is how long to wait for Grafana's /api/health (0: do not wait,
	// one try), polling every Poll (default 1 s).
	Wait, Poll time.Duration
	// InstallFrom and InstallTo, when both set, are the generated folder and
	// Grafana's provisioning path: the organisations' files are installed
	// there (Install) once every organisation exists, before the reload.
	InstallFrom, InstallTo string
	Logger                 *slog.Logger
}

// Result says what Setup did.
type Result struct {
	// Created are the organisations made by this run.
	Created []Org
	// Installed are the provisioning files written or removed.
	Installed []string
}

// Setup makes Grafana match the provisioning: it waits for Grafana, checks
// that organisation 1 exists and that every PO's organisation that exists
// has the id the files name, creates the missing ones in catalogue order
// (checking each id Grafana gives), installs the organisations' files if
// asked, then reloads datasource and dashboard provisioning. A second run
// creates nothing. Any organisation whose id differs from the files' is an
// error naming it and both ids, before anything is created when it can be
// seen in advance.
func Setup(ctx context.Context, c *Client, orgs []Org, opt SetupOptions) (Result, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var res Result
	if err := WaitHealthy(ctx, c, opt.Wait, opt.Poll); err != nil {
		return res, err
	}
	missing, err := plan(ctx, c, orgs)
	if err != nil {
		return res, err
	}
	for _, o := range missing {
		id, err := c.CreateOrg(ctx, o.Name)
		if StatusOf(err) == http.StatusConflict {
			// Made meanwhile (another setup running): take its id.
			var found bool
			var got Organisation
			got, found, err = c.OrgByName(ctx, o.Name)
			if err == nil && !found {
				err = fmt.Errorf("grafana: organisation %q: name taken, yet not found by name", o.Name)
			}
			id = got.ID
		}
		if err != nil {
			return res, err
		}
		if id != o.ID {
			return res, fmt.Errorf("grafana: organisation %q (PO %s) was given id %d, but provisioning names it %d: "+
				"Grafana numbers organisations in the order they are made, and one was made or deleted by hand; "+
				"delete organisation %d in Grafana and the ones after it, then run setup again", o.Name, o.PO, id, o.ID, id)
		}
		log.Info("grafana organisation created", "po", o.PO, "org_id", id)
		res.Created = append(res.Created, o)
	}
	if opt.InstallFrom != "" && opt.InstallTo != "" {
		res.Installed, err = Install(opt.InstallFrom, opt.InstallTo, true)
		if err != nil {
			return res, err
		}
		for _, f := range res.Installed {
			log.Info("grafana provisioning installed", "file", f)
		}
	}
	if err := c.ReloadDatasources(ctx); err != nil {
		return res, fmt.Errorf("%w (Grafana's log says which file or organisation it could not provision)", err)
	}
	if err := c.ReloadDashboards(ctx); err != nil {
		return res, fmt.Errorf("%w (Grafana's log says which file or organisation it could not provision)", err)
	}
	log.Info("grafana provisioning reloaded", "organisations", len(orgs)+1, "created", len(res.Created))
	return res, nil
}

// plan checks Grafana's organisations against the ones provisioning names,
// one lookup each (by name, then by the id provisioning gives it), and
// returns those to create, in order. Names compare case-insensitively, as
// Grafana's do.
func plan(ctx context.Context, c *Client, orgs []Org) ([]Org, error) {
	if _, found, err := c.OrgByID(ctx, ProviderOrgID); err != nil {
		return nil, err
	} else if !found {
		return nil, fmt.Errorf("grafana: organisation %d (the provider's, Grafana's main one) does not exist", ProviderOrgID)
	}
	var problems []string
	var create []Org
	for _, o := range orgs {
		got, found, err := c.OrgByName(ctx, o.Name)
		if err != nil {
			return nil, err
		}
		if found {
			if got.ID != o.ID {
				problems = append(problems, fmt.Sprintf("organisation %q (PO %s) has id %d in Grafana, but provisioning names it %d", o.Name, o.PO, got.ID, o.ID))
			}
			continue
		}
		got, found, err = c.OrgByID(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		if found && strings.EqualFold(got.Name, o.Name) {
			continue // the name lookup missed it (it should not): it is there
		}
		if found {
			problems = append(problems, fmt.Sprintf("organisation %d, which provisioning gives PO %s (%q), is %q in Grafana", o.ID, o.PO, o.Name, got.Name))
			continue
		}
		create = append(create, o)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("grafana: the organisations do not match the provisioning (ids are given in catalogue order: "+
			"a PO renamed, reordered or removed in the catalogue, or an organisation made by hand?): %s", strings.Join(problems, "; "))
	}
	return create, nil
}

// WaitHealthy polls Grafana's /api/health every poll until it answers ok or
// wait has passed (then the last error is returned). Credentials errors
// end it at once: waiting will not mend them.
func WaitHealthy(ctx context.Context, c *Client, wait, poll time.Duration) error {
	if wait <= 0 {
		return c.Health(ctx)
	}
	if poll <= 0 {
		poll = time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	t := time.NewTicker(poll)
	defer t.Stop()
	var last error
	for {
		err := c.Health(ctx)
		if err == nil {
			return nil
		}
		if s := StatusOf(err); s == http.StatusUnauthorized || s == http.StatusForbidden {
			return err
		}
		if ctx.Err() == nil || last == nil {
			last = err // not the try the deadline cut short
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("grafana: not healthy after %s: %w", wait, last)
			}
			return ctx.Err()
		case <-t.C:
		}
	}
}
