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
	// Admins are the logins of the Grafana server administrators who are
	// members of a PO's organisation (setup's admin user becomes one of
	// each organisation it makes). They see every organisation anyway.
	Admins []string
	// Findings are the memberships that break isolation, one sentence each,
	// in a stable order; empty when every PO's users see only their PO.
	Findings []string
}

// Audit reads the members of organisation 1 and of every PO's organisation
// and reports what would let a client officer see more than their own PO's
// data, read-only: a member of a PO's organisation who is not a Viewer (an
// Editor or Admin can add a datasource or change the one that goes through
// the proxy), or who is also in organisation 1 (every PO's data) or in
// another PO's organisation. Server administrators are listed apart. A PO
// organisation missing from Grafana is a finding (run setup).
func Audit(ctx context.Context, c *Client, orgs []Org) (AuditReport, error) {
	rep := AuditReport{Viewers: map[string]int{}}
	type member struct {
		login string
		roles map[int64]string // org id → role
	}
	members := map[int64]*member{}
	add := func(orgID int64, us []OrgUser) {
		for _, u := range us {
			m := members[u.UserID]
			if m == nil {
				m = &member{login: u.Login, roles: map[int64]string{}}
				members[u.UserID] = m
			}
			m.roles[orgID] = u.Role
		}
	}
	provider, err := c.OrgUsers(ctx, ProviderOrgID)
	if err != nil {
		return rep, err
	}
	add(ProviderOrgID, provider)
	poOf := map[int64]string{}
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
		add(o.ID, us)
	}
	ids := make([]int64, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		m := members[id]
		var pos []string
		var orgIDs []int64
		for orgID := range m.roles {
			if po, ok := poOf[orgID]; ok {
				pos = append(pos, po)
				orgIDs = append(orgIDs, orgID)
			}
		}
		if len(pos) == 0 {
			continue // provider staff: organisation 1 only
		}
		u, err := c.UserByID(ctx, id)
		if err != nil && StatusOf(err) != http.StatusNotFound {
			return rep, err
		}
		if u.IsGrafanaAdmin {
			rep.Admins = append(rep.Admins, m.login)
			continue
		}
		slices.Sort(orgIDs)
		for _, orgID := range orgIDs {
			if role := m.roles[orgID]; role != RoleViewer {
				rep.Findings = append(rep.Findings, fmt.Sprintf("user %q is %s of organisation %d (PO %s): client officers must be Viewers "+
					"(an Editor or Admin can add or change datasources)", m.login, role, orgID, poOf[orgID]))
			} else {
				rep.Viewers[poOf[orgID]]++
			}
		}
		if role, ok := m.roles[ProviderOrgID]; ok {
			rep.Findings = append(rep.Findings, fmt.Sprintf("user %q is in organisation %d, the provider's (every PO's data), as %s, and in the organisation of PO %s",
				m.login, ProviderOrgID, role, strings.Join(sortedCopy(pos), ", ")))
		}
		if len(pos) > 1 {
			rep.Findings = append(rep.Findings, fmt.Sprintf("user %q is in the organisations of several POs: %s", m.login, strings.Join(sortedCopy(pos), ", ")))
		}
	}
	return rep, nil
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
