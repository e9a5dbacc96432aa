package provision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// ViewerOptions are the choices of AddViewer.
type ViewerOptions struct {
	// Move lets AddViewer take an existing user out of every other
	// organisation (without it, such a user is an error and nothing changes).
	Move   bool
	Logger *slog.Logger
}

// ViewerResult says what AddViewer did.
type ViewerResult struct {
	UserID  int64
	Created bool
	// Joined: the user was added to the PO's organisation; RoleWas is the
	// role they had there before ("" when they were not a member).
	Joined  bool
	RoleWas string
	// Removed are the organisations the user was taken out of.
	Removed []Membership
}

// AddViewer makes the user nu.Login a client officer of one PO: a Viewer of
// that PO's organisation and of no other (SPEC: each PO sees only its own
// data, read-only). A missing user is made (POST /api/admin/users with the
// organisation's id); Grafana may also have put them in its auto-assign
// organisation (organisation 1, every PO's data): that membership is
// removed. An existing user keeps their password; if they belong to another
// organisation, AddViewer changes nothing and says so unless opt.Move. A
// Grafana server administrator sees every organisation whatever their
// memberships and is refused. The memberships are read back at the end: the
// user must be a Viewer of org and of nothing else.
func AddViewer(ctx context.Context, c *Client, org Org, nu NewUser, opt ViewerOptions) (res ViewerResult, err error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if nu.Login == "" {
		return res, errors.New("grafana: a login is needed (--login)")
	}
	if got, found, err := c.OrgByID(ctx, org.ID); err != nil {
		return res, err
	} else if !found || !strings.EqualFold(got.Name, org.Name) {
		return res, fmt.Errorf("grafana: organisation %d %q (PO %s) is not in Grafana: run `slawatch grafana setup` first", org.ID, org.Name, org.PO)
	}
	u, found, err := c.UserByLogin(ctx, nu.Login)
	if err != nil {
		return res, err
	}
	if found {
		if u.IsGrafanaAdmin {
			return res, fmt.Errorf("grafana: user %q is a Grafana server administrator, who sees every organisation: not a client officer; use another login", nu.Login)
		}
		res.UserID = u.ID
		before, err := c.UserOrgs(ctx, u.ID)
		if err != nil {
			return res, err
		}
		if others := othersThan(before, org.ID); len(others) > 0 && !opt.Move {
			return res, fmt.Errorf("grafana: user %q is also in %s: a client officer must see only their PO's data; "+
				"pass --move to take them out of the others, or use another login", nu.Login, describe(others))
		}
	} else {
		if nu.Password == "" {
			return res, fmt.Errorf("grafana: user %q does not exist: a password is needed to make it (--password-file)", nu.Login)
		}
		nu.OrgID = org.ID
		res.UserID, err = c.CreateUser(ctx, nu)
		if StatusOf(err) == http.StatusPreconditionFailed {
			// Grafana's message quotes the e-mail: not repeated here.
			return res, fmt.Errorf("grafana: user %q cannot be made: its e-mail belongs to another user (Grafana answered 412)", nu.Login)
		}
		if err != nil {
			return res, err
		}
		res.Created = true
		log.Info("grafana user created", "user_id", res.UserID, "org_id", org.ID, "po", org.PO)
		defer func() {
			// A user made here that did not end a Viewer of org only is
			// deleted again: no half-made account with a password is left.
			if err == nil {
				return
			}
			if derr := c.DeleteUser(ctx, res.UserID); derr != nil {
				err = fmt.Errorf("%w; deleting the user %q just made failed too, delete it in Grafana: %v", err, nu.Login, derr)
				return
			}
			log.Info("grafana user deleted again", "user_id", res.UserID)
			err = fmt.Errorf("%w (the user %q just made was deleted again)", err, nu.Login)
			res.Created = false
		}()
	}
	if err = joinAsViewer(ctx, c, org, nu.Login, &res); err != nil {
		return res, err
	}
	ms, err := c.UserOrgs(ctx, res.UserID)
	if err != nil {
		return res, err
	}
	for _, m := range othersThan(ms, org.ID) {
		if err := c.RemoveFromOrg(ctx, m.OrgID, res.UserID); err != nil {
			if res.Created && m.Role == RoleAdmin && StatusOf(err) == http.StatusBadRequest {
				return res, fmt.Errorf("grafana: Grafana made user %q the Admin of an organisation of its own (%d %q) and will not "+
					"take its last Admin out: its [users] auto_assign_org is false (set GF_USERS_AUTO_ASSIGN_ORG=true, "+
					"as docker-compose.yml does); delete that organisation in Grafana, then run this again: %w",
					nu.Login, m.OrgID, m.Name, err)
			}
			return res, fmt.Errorf("%w (taking user %q out of organisation %d %q)", err, nu.Login, m.OrgID, m.Name)
		}
		log.Info("grafana user removed from organisation", "user_id", res.UserID, "org_id", m.OrgID)
		res.Removed = append(res.Removed, m)
	}
	ms, err = c.UserOrgs(ctx, res.UserID)
	if err != nil {
		return res, err
	}
	if len(ms) != 1 || ms[0].OrgID != org.ID || ms[0].Role != RoleViewer {
		return res, fmt.Errorf("grafana: user %q should now be a Viewer of organisation %d only, but is in %s", nu.Login, org.ID, describe(ms))
	}
	return res, nil
}

// joinAsViewer makes the user a Viewer of org: added if not a member (a
// user just made usually is), their role set if it differs.
func joinAsViewer(ctx context.Context, c *Client, org Org, login string, res *ViewerResult) error {
	ms, err := c.UserOrgs(ctx, res.UserID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.OrgID != org.ID {
			continue
		}
		res.RoleWas = m.Role
		if m.Role == RoleViewer {
			return nil
		}
		return c.SetOrgRole(ctx, org.ID, res.UserID, RoleViewer)
	}
	err = c.AddToOrg(ctx, org.ID, login, RoleViewer)
	if StatusOf(err) == http.StatusConflict {
		return c.SetOrgRole(ctx, org.ID, res.UserID, RoleViewer) // joined meanwhile
	}
	res.Joined = err == nil
	return err
}

func othersThan(ms []Membership, orgID int64) []Membership {
	var out []Membership
	for _, m := range ms {
		if m.OrgID != orgID {
			out = append(out, m)
		}
	}
	return out
}

// describe lists memberships as `organisation 1 "Main Org." (Viewer), ...`.
func describe(ms []Membership) string {
	if len(ms) == 0 {
		return "no organisation"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("organisation %d %q (%s)", m.OrgID, m.Name, m.Role)
	}
	return strings.Join(parts, ", ")
}
