package grafanatest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Users and organisation members, answered as Grafana's pkg/api
// (admin_users.go, user.go, org_users.go) and its user and org services do.

const (
	roleViewer = "Viewer"
	roleEditor = "Editor"
	roleAdmin  = "Admin"
)

func validRole(r string) bool { return r == roleViewer || r == roleEditor || r == roleAdmin }

// user is one Grafana user.
type user struct {
	ID                 int64
	Login, Email, Name string
	Password           string
	Admin              bool // server administrator (isGrafanaAdmin)
}

// Settings of Grafana's [users] section the fake follows. The zero value is
// Grafana's default: auto_assign_org = true, auto_assign_org_id = 1,
// auto_assign_org_role = Viewer.
type UserSettings struct {
	// NoAutoAssignOrg is auto_assign_org = false: a new user gets an
	// organisation of their own (named after their e-mail or login) as its
	// Admin, and POST /api/admin/users ignores OrgId.
	NoAutoAssignOrg bool
	// AutoAssignOrgRole is auto_assign_org_role ("" is Viewer).
	AutoAssignOrgRole string
}

// AddUser makes a user by hand (the UI's "New user" form: no organisation
// given, so Grafana's auto-assignment decides) and returns its id.
func (g *Grafana) AddUser(login, password string) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	id, _ := g.createUser(user{Login: login, Password: password}, 0)
	return id
}

// SetRole puts a user in an organisation with role (as the UI's "Add user
// to organisation" or a role change would).
func (g *Grafana) SetRole(orgID, userID int64, role string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.members[orgID] == nil {
		g.members[orgID] = map[int64]string{}
	}
	g.members[orgID][userID] = role
}

// SetServerAdmin makes a user a Grafana server administrator (the UI's
// "Grafana Admin" permission).
func (g *Grafana) SetServerAdmin(userID int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if u, ok := g.users[userID]; ok {
		u.Admin = true
	}
}

// Memberships returns a user's roles by organisation id.
func (g *Grafana) Memberships(userID int64) map[int64]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[int64]string{}
	for orgID, ms := range g.members {
		if role, ok := ms[userID]; ok {
			out[orgID] = role
		}
	}
	return out
}

// authenticate checks basic-auth credentials: the server administrator,
// a Viewers entry, or a user made through the API. Call with g.mu held.
func (g *Grafana) authenticate(ok bool, login, password string) (admin, known bool) {
	if !ok {
		return false, false
	}
	if login == g.User && password == g.Password {
		return true, true
	}
	if vp, isViewer := g.Viewers[login]; isViewer && password == vp {
		return false, true
	}
	if u, found := g.userByLogin(login); found && u.Password != "" && u.Password == password {
		return u.Admin, true
	}
	return false, false
}

// userByLogin finds a user by login or e-mail, ignoring case (Grafana's
// case_insensitive_login default). Call with g.mu held.
func (g *Grafana) userByLogin(loginOrEmail string) (*user, bool) {
	for _, id := range g.userIDs() {
		u := g.users[id]
		if strings.EqualFold(u.Login, loginOrEmail) || (u.Email != "" && strings.EqualFold(u.Email, loginOrEmail)) {
			return u, true
		}
	}
	return nil, false
}

func (g *Grafana) userIDs() []int64 {
	ids := make([]int64, 0, len(g.users))
	for id := range g.users {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// createUser is userimpl's Create with orgimpl's GetIDForNewUser: the
// organisation is orgID when auto-assigning and it is given (400 when it
// does not exist), else the auto-assign organisation 1, else a new one of
// the user's own; the role is auto_assign_org_role when auto-assigning,
// else Admin. Call with g.mu held. It returns the id, or an HTTP status and
// message.
func (g *Grafana) createUser(u user, orgID int64) (int64, error) {
	if u.Email == "" {
		u.Email = u.Login
	}
	if _, taken := g.userByLogin(u.Login); taken {
		return 0, httpError{http.StatusPreconditionFailed, "User with email '" + u.Email + "' or username '" + u.Login + "' already exists"}
	}
	if _, taken := g.userByLogin(u.Email); taken {
		return 0, httpError{http.StatusPreconditionFailed, "User with email '" + u.Email + "' or username '" + u.Login + "' already exists"}
	}
	role := roleAdmin
	switch {
	case !g.UserSettings.NoAutoAssignOrg && orgID != 0:
		if _, ok := g.orgs[orgID]; !ok {
			return 0, httpError{http.StatusBadRequest, "organization not found"}
		}
	case !g.UserSettings.NoAutoAssignOrg:
		orgID = 1
	default:
		orgID = g.nextID
		g.nextID++
		g.orgs[orgID] = u.Email
	}
	if !g.UserSettings.NoAutoAssignOrg && !u.Admin {
		role = roleViewer
		if g.UserSettings.AutoAssignOrgRole != "" {
			role = g.UserSettings.AutoAssignOrgRole
		}
	}
	u.ID = g.nextUserID
	g.nextUserID++
	g.users[u.ID] = &u
	if g.members[orgID] == nil {
		g.members[orgID] = map[int64]string{}
	}
	g.members[orgID][u.ID] = role
	return u.ID, nil
}

type httpError struct {
	status int
	msg    string
}

func (e httpError) Error() string { return e.msg }

func profile(u *user) map[string]any {
	return map[string]any{"id": u.ID, "login": u.Login, "email": u.Email, "name": u.Name,
		"isGrafanaAdmin": u.Admin, "isDisabled": false, "isExternal": false}
}

// serveUsers answers the user and organisation-member routes; false when
// the request is not one of them. Call with g.mu held; the caller has
// refused non-administrators already.
func (g *Grafana) serveUsers(w http.ResponseWriter, r *http.Request) bool {
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if seg[0] != "api" {
		return false
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/admin/users":
		var form struct {
			Login, Email, Name, Password string
			OrgID                        int64 `json:"OrgId"`
		}
		if err := json.NewDecoder(r.Body).Decode(&form); err != nil {
			message(w, http.StatusBadRequest, "bad request data")
			return true
		}
		form.Login, form.Email = strings.TrimSpace(form.Login), strings.TrimSpace(form.Email)
		if form.Login == "" {
			form.Login = form.Email
		}
		if form.Login == "" {
			message(w, http.StatusBadRequest, "Validation error, need specify either username or email")
			return true
		}
		if len(form.Password) < 4 {
			message(w, http.StatusBadRequest, "Password is missing or too short")
			return true
		}
		id, err := g.createUser(user{Login: form.Login, Email: form.Email, Name: form.Name, Password: form.Password}, form.OrgID)
		if he, ok := err.(httpError); ok {
			message(w, he.status, he.msg)
			return true
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "message": "User created"})
	case r.Method == http.MethodDelete && len(seg) == 4 && seg[1] == "admin" && seg[2] == "users":
		id := atoi(seg[3])
		if _, ok := g.users[id]; !ok {
			message(w, http.StatusNotFound, "user not found")
			return true
		}
		delete(g.users, id)
		for _, ms := range g.members {
			delete(ms, id)
		}
		message(w, http.StatusOK, "User deleted")
	case r.Method == http.MethodGet && r.URL.Path == "/api/users/lookup":
		u, ok := g.userByLogin(r.URL.Query().Get("loginOrEmail"))
		if !ok {
			message(w, http.StatusNotFound, "user not found")
			return true
		}
		writeJSON(w, http.StatusOK, profile(u))
	case r.Method == http.MethodGet && len(seg) == 3 && seg[1] == "users":
		u, ok := g.users[atoi(seg[2])]
		if !ok {
			message(w, http.StatusNotFound, "user not found")
			return true
		}
		writeJSON(w, http.StatusOK, profile(u))
	case r.Method == http.MethodGet && len(seg) == 4 && seg[1] == "users" && seg[3] == "orgs":
		// GetUserOrgList: ordered by organisation name.
		id := atoi(seg[2])
		out := []map[string]any{}
		for orgID, ms := range g.members {
			if role, ok := ms[id]; ok {
				out = append(out, map[string]any{"orgId": orgID, "name": g.orgs[orgID], "role": role})
			}
		}
		slices.SortFunc(out, func(a, b map[string]any) int { return strings.Compare(a["name"].(string), b["name"].(string)) })
		writeJSON(w, http.StatusOK, out)
	case len(seg) >= 4 && seg[1] == "orgs" && seg[3] == "users":
		g.serveOrgUsers(w, r, atoi(seg[2]), seg[4:])
	default:
		return false
	}
	return true
}

// serveOrgUsers is GET and POST /api/orgs/:orgId/users and PATCH and
// DELETE /api/orgs/:orgId/users/:userId.
func (g *Grafana) serveOrgUsers(w http.ResponseWriter, r *http.Request, orgID int64, rest []string) {
	ms := g.members[orgID]
	switch {
	case r.Method == http.MethodGet && len(rest) == 0:
		out := []map[string]any{}
		for _, id := range g.userIDs() {
			if role, ok := ms[id]; ok {
				u := g.users[id]
				out = append(out, map[string]any{"orgId": orgID, "userId": id, "login": u.Login, "email": u.Email, "name": u.Name, "role": role})
			}
		}
		writeJSON(w, http.StatusOK, out)
	case r.Method == http.MethodPost && len(rest) == 0:
		var cmd struct{ LoginOrEmail, Role string }
		if err := json.NewDecoder(r.Body).Decode(&cmd); err != nil {
			message(w, http.StatusBadRequest, "bad request data")
			return
		}
		if !validRole(cmd.Role) {
			message(w, http.StatusBadRequest, "Invalid role specified")
			return
		}
		u, ok := g.userByLogin(cmd.LoginOrEmail)
		if !ok {
			message(w, http.StatusNotFound, "User not found")
			return
		}
		if _, member := ms[u.ID]; member {
			message(w, http.StatusConflict, "User is already member of this organization")
			return
		}
		if ms == nil {
			ms = map[int64]string{}
			g.members[orgID] = ms
		}
		ms[u.ID] = cmd.Role
		writeJSON(w, http.StatusOK, map[string]any{"message": "User added to organization", "userId": u.ID})
	case (r.Method == http.MethodPatch || r.Method == http.MethodDelete) && len(rest) == 1:
		id := atoi(rest[0])
		role, member := ms[id]
		newRole := ""
		if r.Method == http.MethodPatch {
			var cmd struct{ Role string }
			if err := json.NewDecoder(r.Body).Decode(&cmd); err != nil || !validRole(cmd.Role) {
				message(w, http.StatusBadRequest, "Invalid role specified")
				return
			}
			newRole = cmd.Role
		}
		// orgimpl's store: a change of a non-member fails (500), the
		// removal of one succeeds; either is refused when it would leave
		// the organisation without an Admin (validateOneAdminLeftInOrg).
		if !member {
			if r.Method == http.MethodPatch {
				message(w, http.StatusInternalServerError, "Failed update org user")
				return
			}
			message(w, http.StatusOK, "User removed from organization")
			return
		}
		left := g.admins(orgID)
		if role == roleAdmin && newRole != roleAdmin {
			left--
		}
		if left == 0 {
			msg := "Cannot change role so that there is no organization admin left"
			if r.Method == http.MethodDelete {
				msg = "Cannot remove last organization admin"
			}
			message(w, http.StatusBadRequest, msg)
			return
		}
		if r.Method == http.MethodPatch {
			ms[id] = newRole
			message(w, http.StatusOK, "Organization user updated")
			return
		}
		delete(ms, id)
		message(w, http.StatusOK, "User removed from organization")
	default:
		message(w, http.StatusNotFound, "Not found")
	}
}

func (g *Grafana) admins(orgID int64) int {
	n := 0
	for _, role := range g.members[orgID] {
		if role == roleAdmin {
			n++
		}
	}
	return n
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
