package provision

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// AuditReport is what Audit found.
type AuditReport struct {
	// Viewers counts the client officers (Viewers, not server
	// administrators) of each PO, by PO id.
	Viewers map[string]int
	// Admins holds AuditOptions.Admin when it is a member of a PO's
	// organisation (setup's admin user becomes the Admin of each
	// organisation it makes); any other server administrator there is a
	// finding.
	Admins []string
	// Findings are the memberships that break isolation, one sentence each,
	// in a stable order; empty when every PO's users see only their PO.
	Findings []string
}

// AuditOptions are the choices of Audit.
type AuditOptions struct {
	// Admin is the login Audit itself uses (a server administrator, who
	// becomes the Admin of every organisation setup makes): the one server
	// administrator allowed in the PO organisations.
	Admin string
}

// Audit reads the members of every PO's organisation, and each member's
// organisations, and reports what would let a client officer see more than
// their own PO's data, read-only: a member of a PO's organisation who is
// not a Viewer there (an Editor or Admin can add a datasource or change the
// one that goes through the proxy), who is also in organisation 1 (every
// PO's data), in another PO's organisation or in any other organisation, or
// who is a Grafana server administrator (other than opt.Admin). A PO
// organisation missing from Grafana is a finding (run setup). Members of
// organisation 1 only are the provider's staff and are not looked at.
func Audit(ctx context.Context, c *Client, orgs []Org, opt AuditOptions) (AuditReport, error) {
	rep := AuditReport{Viewers: map[string]int{}}
	poOf := map[int64]string{}
	logins := map[int64]string{}
	for _, o := range orgs {
		got, found, err := c.OrgByID(ctx, o.ID)
		if err != nil {
			return rep, err
		}
		if !found || !strings.EqualFold(got.Name, o.Name) {
			rep.Findings = append(rep.Findings, fmt.Sprintf("organisation %d %q (PO %s) is not in Grafana: run `slawatch grafana setup`", o.ID, o.Name, o.PO))
			continue
		}
		us, err := c.OrgUsers(ctx, o.ID)
		if err != nil {
			return rep, err
		}
		poOf[o.ID] = o.PO
		rep.Viewers[o.PO] = 0
		for _, u := range us {
			logins[u.UserID] = u.Login
		}
	}
	ids := make([]int64, 0, len(logins))
	for id := range logins {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		login := logins[id]
		u, err := c.UserByID(ctx, id)
		if err != nil && StatusOf(err) != http.StatusNotFound {
			return rep, err
		}
		if u.IsGrafanaAdmin {
			if strings.EqualFold(login, opt.Admin) {
				rep.Admins = append(rep.Admins, login)
				continue
			}
			rep.Findings = append(rep.Findings, fmt.Sprintf("user %q is a Grafana server administrator (sees every organisation) and a member of a PO's organisation: "+
				"a client officer must not be one; remove the permission in Server admin → Users", login))
			continue
		}
		ms, err := c.UserOrgs(ctx, id)
		if err != nil {
			return rep, err
		}
		rep.Findings = append(rep.Findings, memberFindings(login, ms, poOf, &rep)...)
	}
	return rep, nil
}

// memberFindings are the findings of one member of a PO's organisation,
// given all their memberships; Viewers are counted in rep.
func memberFindings(login string, ms []Membership, poOf map[int64]string, rep *AuditReport) []string {
	var pos []string
	for _, m := range ms {
		if po, ok := poOf[m.OrgID]; ok {
			pos = append(pos, po)
		}
	}
	slices.Sort(pos)
	var out []string
	for _, m := range ms {
		po, isPO := poOf[m.OrgID]
		switch {
		case isPO && m.Role == RoleViewer:
			rep.Viewers[po]++
		case isPO:
			out = append(out, fmt.Sprintf("user %q has role %s in organisation %d (PO %s): client officers must be Viewers "+
				"(an Editor or Admin can add or change datasources)", login, m.Role, m.OrgID, po))
		case m.OrgID == ProviderOrgID:
			out = append(out, fmt.Sprintf("user %q is in organisation %d, the provider's (every PO's data), as %s, and in the organisation of PO %s",
				login, ProviderOrgID, m.Role, strings.Join(pos, ", ")))
		default:
			out = append(out, fmt.Sprintf("user %q is also in organisation %d %q, no PO's, as %s: a client officer belongs to their PO's organisation only",
				login, m.OrgID, m.Name, m.Role))
		}
	}
	if len(pos) > 1 {
		out = append(out, fmt.Sprintf("user %q is in the organisations of several POs: %s", login, strings.Join(pos, ", ")))
	}
	return out
}
