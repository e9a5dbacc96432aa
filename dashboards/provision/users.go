package provision

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Grafana's organisation roles.
const (
	RoleViewer = "Viewer"
	RoleEditor = "Editor"
	RoleAdmin  = "Admin"
)

// User is a Grafana user as GET /api/users/lookup and /api/users/:id
// answer (only the fields slawatch reads).
type User struct {
	ID             int64  `json:"id"`
	Login          string `json:"login"`
	IsGrafanaAdmin bool   `json:"isGrafanaAdmin"`
	IsDisabled     bool   `json:"isDisabled"`
}

// Membership is one organisation a user belongs to, with their role there
// (GET /api/users/:id/orgs).
type Membership struct {
	OrgID int64  `json:"orgId"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// OrgUser is one member of an organisation (GET /api/orgs/:orgId/users).
type OrgUser struct {
	UserID int64  `json:"userId"`
	Login  string `json:"login"`
	Role   string `json:"role"`
}

// NewUser is what POST /api/admin/users takes. OrgID is the organisation
// the user is made in: Grafana honours it only with [users]
// auto_assign_org = true (its default), and then gives the user the role
// auto_assign_org_role (default Viewer); otherwise the user gets an
// organisation of their own, as its Admin. The caller checks the result.
type NewUser struct {
	Login    string `json:"login"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Password string `json:"password"`
	OrgID    int64  `json:"OrgId,omitempty"`
}

// UserByLogin is GET /api/users/lookup?loginOrEmail=: found is false on 404.
func (c *Client) UserByLogin(ctx context.Context, login string) (u User, found bool, err error) {
	err = c.do(ctx, http.MethodGet, "/api/users/lookup", url.Values{"loginOrEmail": {login}}, nil, &u)
	if StatusOf(err) == http.StatusNotFound {
		return User{}, false, nil
	}
	return u, err == nil, err
}

// UserByID is GET /api/users/:id.
func (c *Client) UserByID(ctx context.Context, id int64) (User, error) {
	var u User
	err := c.do(ctx, http.MethodGet, "/api/users/"+strconv.FormatInt(id, 10), nil, nil, &u)
	return u, err
}

// CreateUser is POST /api/admin/users; it returns the new user's id.
// Grafana answers 412 when the login or e-mail is taken.
func (c *Client) CreateUser(ctx context.Context, nu NewUser) (int64, error) {
	var r struct {
		ID      int64  `json:"id"`
		Message string `json:"message"`
	}
	if err := c.do(ctx, http.MethodPost, "/api/admin/users", nil, nu, &r); err != nil {
		return 0, err
	}
	if r.ID <= 0 {
		return 0, fmt.Errorf("grafana: POST /api/admin/users: no user id in the answer (%q)", r.Message)
	}
	return r.ID, nil
}

// DeleteUser is DELETE /api/admin/users/:id (the user and all their
// memberships).
func (c *Client) DeleteUser(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/api/admin/users/"+strconv.FormatInt(id, 10), nil, nil, nil)
}

// UserOrgs is GET /api/users/:id/orgs: every organisation the user is in.
func (c *Client) UserOrgs(ctx context.Context, userID int64) ([]Membership, error) {
	var ms []Membership
	err := c.do(ctx, http.MethodGet, "/api/users/"+strconv.FormatInt(userID, 10)+"/orgs", nil, nil, &ms)
	return ms, err
}

// OrgUsers is GET /api/orgs/:orgId/users: every member of an organisation.
func (c *Client) OrgUsers(ctx context.Context, orgID int64) ([]OrgUser, error) {
	var us []OrgUser
	err := c.do(ctx, http.MethodGet, orgUsersPath(orgID), nil, nil, &us)
	return us, err
}

// AddToOrg is POST /api/orgs/:orgId/users: an existing user joins the
// organisation with role. Grafana answers 409 when they are a member.
func (c *Client) AddToOrg(ctx context.Context, orgID int64, login, role string) error {
	return c.do(ctx, http.MethodPost, orgUsersPath(orgID), nil,
		map[string]string{"loginOrEmail": login, "role": role}, nil)
}

// SetOrgRole is PATCH /api/orgs/:orgId/users/:userId.
func (c *Client) SetOrgRole(ctx context.Context, orgID, userID int64, role string) error {
	return c.do(ctx, http.MethodPatch, orgUsersPath(orgID)+"/"+strconv.FormatInt(userID, 10), nil,
		map[string]string{"role": role}, nil)
}

// RemoveFromOrg is DELETE /api/orgs/:orgId/users/:userId (the user stays,
// in their other organisations).
func (c *Client) RemoveFromOrg(ctx context.Context, orgID, userID int64) error {
	return c.do(ctx, http.MethodDelete, orgUsersPath(orgID)+"/"+strconv.FormatInt(userID, 10), nil, nil, nil)
}

func orgUsersPath(orgID int64) string { return "/api/orgs/" + strconv.FormatInt(orgID, 10) + "/users" }
