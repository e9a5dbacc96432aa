package provision_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/slawatch/slawatch/dashboards/provision"
	"github.com/slawatch/slawatch/dashboards/provision/grafanatest"
)

// readyStack is a stack after setup: every PO organisation exists.
func readyStack(t *testing.T) *stack {
	t.Helper()
	s := newStack(t)
	if _, err := s.setup(t); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *stack) org(t *testing.T, po string) provision.Org {
	t.Helper()
	for _, o := range s.orgs {
		if o.PO == po {
			return o
		}
	}
	t.Fatalf("no organisation for PO %s", po)
	return provision.Org{}
}

func wantOnly(t *testing.T, g *grafanatest.Grafana, userID, orgID int64, role string) {
	t.Helper()
	got := g.Memberships(userID)
	if len(got) != 1 || got[orgID] != role {
		t.Errorf("user %d is in %v, want only organisation %d as %s", userID, got, orgID, role)
	}
}

// A new client officer: made in the PO's organisation as a Viewer, and in no
// other, whatever Grafana's [users] settings would have done alone.
func TestAddViewerNewUser(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings grafanatest.UserSettings
	}{
		{"grafana defaults", grafanatest.UserSettings{}},
		{"auto-assign role Editor", grafanatest.UserSettings{AutoAssignOrgRole: "Editor"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := readyStack(t)
			s.fake.UserSettings = tc.settings
			haringey := s.org(t, "haringey")
			res, err := provision.AddViewer(context.Background(), s.client, haringey,
				provision.NewUser{Login: "officer-1", Password: "pw-of-officer-1"}, provision.ViewerOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Created {
				t.Error("not reported as created")
			}
			wantOnly(t, s.fake, res.UserID, haringey.ID, provision.RoleViewer)
		})
	}
}

// Without auto-assignment Grafana ignores OrgId and makes the user the
// Admin of an organisation of their own, and will not remove its last
// Admin: AddViewer says what to set and what to clean up.
func TestAddViewerWithoutAutoAssign(t *testing.T) {
	s := readyStack(t)
	s.fake.UserSettings = grafanatest.UserSettings{NoAutoAssignOrg: true}
	_, err := provision.AddViewer(context.Background(), s.client, s.org(t, "haringey"),
		provision.NewUser{Login: "officer-1", Password: "pw-of-officer-1"}, provision.ViewerOptions{})
	if err == nil || !strings.Contains(err.Error(), "GF_USERS_AUTO_ASSIGN_ORG=true") || !strings.Contains(err.Error(), "deleted again") {
		t.Fatalf("err = %v, want the setting to change and the user deleted again", err)
	}
	if _, found, err := s.client.UserByLogin(context.Background(), "officer-1"); err != nil || found {
		t.Errorf("the half-made user is still there (found %v, err %v)", found, err)
	}
}

// A login that is free but an e-mail that is taken: Grafana answers 412
// quoting the e-mail; AddViewer's error does not repeat it.
func TestAddViewerEmailTaken(t *testing.T) {
	s := readyStack(t)
	ctx := context.Background()
	haringey := s.org(t, "haringey")
	if _, err := provision.AddViewer(ctx, s.client, haringey, provision.NewUser{Login: "a", Email: "person@example.org", Password: "pw-a-long"}, provision.ViewerOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := provision.AddViewer(ctx, s.client, haringey, provision.NewUser{Login: "b", Email: "person@example.org", Password: "pw-b-long"}, provision.ViewerOptions{})
	if err == nil || !strings.Contains(err.Error(), "e-mail belongs to another user") || strings.Contains(err.Error(), "person@") {
		t.Errorf("err = %v, want the e-mail taken, not quoted", err)
	}
}

// An existing user in another organisation is refused unless moved; a
// moved one ends a Viewer of the PO only. Running it again changes nothing.
func TestAddViewerExistingUser(t *testing.T) {
	s := readyStack(t)
	haringey, ealing := s.org(t, "haringey"), s.org(t, "ealing")
	id := s.fake.AddUser("someone", "pw-someone") // the UI's New user: organisation 1, Viewer
	s.fake.SetRole(ealing.ID, id, "Editor")
	ctx := context.Background()
	nu := provision.NewUser{Login: "someone"}

	_, err := provision.AddViewer(ctx, s.client, haringey, nu, provision.ViewerOptions{})
	if err == nil || !strings.Contains(err.Error(), "--move") || !strings.Contains(err.Error(), `organisation 1 "Main Org." (Viewer)`) {
		t.Fatalf("err = %v, want a refusal naming organisation 1 and --move", err)
	}
	if got := s.fake.Memberships(id); len(got) != 2 {
		t.Fatalf("a refusal changed the memberships: %v", got)
	}

	res, err := provision.AddViewer(ctx, s.client, haringey, nu, provision.ViewerOptions{Move: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || !res.Joined || len(res.Removed) != 2 {
		t.Errorf("result %+v: want joined, two organisations left", res)
	}
	wantOnly(t, s.fake, id, haringey.ID, provision.RoleViewer)

	// An Editor of the PO's organisation is made a Viewer.
	s.fake.SetRole(haringey.ID, id, "Editor")
	res, err = provision.AddViewer(ctx, s.client, haringey, nu, provision.ViewerOptions{})
	if err != nil || res.RoleWas != "Editor" || res.Joined {
		t.Fatalf("res %+v, err %v", res, err)
	}
	wantOnly(t, s.fake, id, haringey.ID, provision.RoleViewer)
	res, err = provision.AddViewer(ctx, s.client, haringey, nu, provision.ViewerOptions{})
	if err != nil || res.RoleWas != "Viewer" || res.Joined || len(res.Removed) != 0 {
		t.Fatalf("second run: res %+v, err %v", res, err)
	}
}

func TestAddViewerRefusals(t *testing.T) {
	s := readyStack(t)
	haringey := s.org(t, "haringey")
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		org  provision.Org
		nu   provision.NewUser
		want string
	}{
		{"server admin", haringey, provision.NewUser{Login: "admin"}, "server administrator"},
		{"no login", haringey, provision.NewUser{Password: "pw"}, "login is needed"},
		{"new user without password", haringey, provision.NewUser{Login: "new"}, "password is needed"},
		{"organisation not made", provision.Org{ID: 99, Name: "Nowhere", PO: "nowhere"}, provision.NewUser{Login: "x", Password: "pw-x-long"}, "grafana setup"},
		{"organisation renamed", provision.Org{ID: haringey.ID, Name: "Other", PO: "haringey"}, provision.NewUser{Login: "x", Password: "pw-x-long"}, "grafana setup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := provision.AddViewer(ctx, s.client, tc.org, tc.nu, provision.ViewerOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
			if err != nil && tc.nu.Password != "" && strings.Contains(err.Error(), tc.nu.Password) {
				t.Errorf("the password is in the error: %v", err)
			}
		})
	}
	if _, found, _ := s.client.UserByLogin(ctx, "x"); found {
		t.Error("a refused run made the user")
	}
}

// The audit finds every membership that breaks isolation, and only those.
func TestAudit(t *testing.T) {
	s := readyStack(t)
	ctx := context.Background()
	haringey, ealing, rbkc := s.org(t, "haringey"), s.org(t, "ealing"), s.org(t, "rbkc")
	for _, login := range []string{"good-1", "good-2"} {
		if _, err := provision.AddViewer(ctx, s.client, haringey, provision.NewUser{Login: login, Password: "pw-" + login}, provision.ViewerOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := provision.Audit(ctx, s.client, s.orgs, provision.AuditOptions{Admin: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 0 || rep.Viewers["haringey"] != 2 || rep.Viewers["ealing"] != 0 {
		t.Fatalf("clean Grafana: findings %q, viewers %v", rep.Findings, rep.Viewers)
	}
	if fmt.Sprint(rep.Admins) != "[admin]" {
		t.Errorf("admins %v: setup's admin is Admin of every organisation it made", rep.Admins)
	}

	s.fake.AddUser("duty-manager", "pw-dm")      // organisation 1 only: provider staff, fine
	leaky := s.fake.AddUser("leaky", "pw-leaky") // organisation 1, and a PO's
	s.fake.SetRole(ealing.ID, leaky, "Viewer")
	editor := s.fake.AddUser("editor", "pw-editor")
	s.fake.SetRole(rbkc.ID, editor, "Editor")
	two := s.fake.AddUser("two", "pw-two")
	s.fake.SetRole(ealing.ID, two, "Viewer")
	s.fake.SetRole(rbkc.ID, two, "Viewer")
	for _, id := range []int64{editor, two} {
		if err := s.client.RemoveFromOrg(ctx, 1, id); err != nil {
			t.Fatal(err)
		}
	}

	rep, err = provision.Audit(ctx, s.client, s.orgs, provision.AuditOptions{Admin: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rep.Findings, "\n")
	for _, want := range []string{
		`user "leaky" is in organisation 1, the provider's (every PO's data), as Viewer, and in the organisation of PO ealing`,
		fmt.Sprintf(`user "editor" has role Editor in organisation %d (PO rbkc)`, rbkc.ID),
		`user "two" is in the organisations of several POs: ealing, rbkc`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if len(rep.Findings) != 3 || strings.Contains(got, "duty-manager") {
		t.Errorf("want exactly 3 findings, none of provider staff:\n%s", got)
	}
	if rep.Viewers["ealing"] != 2 || rep.Viewers["rbkc"] != 1 {
		t.Errorf("viewers %v", rep.Viewers)
	}

	// A Viewer of their PO who is also the Admin of an organisation that
	// is no PO's, and a server administrator other than the auditor.
	own, err := provision.AddViewer(ctx, s.client, haringey, provision.NewUser{Login: "own", Password: "pw-own"}, provision.ViewerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	side := s.fake.AddOrg("Side project")
	s.fake.SetRole(side, own.UserID, "Admin")
	boss := s.fake.AddUser("boss", "pw-boss")
	s.fake.SetServerAdmin(boss)
	s.fake.SetRole(haringey.ID, boss, "Viewer")
	rep, err = provision.Audit(ctx, s.client, s.orgs, provision.AuditOptions{Admin: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	got = strings.Join(rep.Findings, "\n")
	for _, want := range []string{
		fmt.Sprintf(`user "own" is also in organisation %d "Side project", no PO's, as Admin`, side),
		`user "boss" is a Grafana server administrator`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if len(rep.Findings) != 5 {
		t.Errorf("want 5 findings:\n%s", got)
	}
	// The auditor's own login is not a finding; another auditor's is.
	rep, err = provision.Audit(ctx, s.client, s.orgs, provision.AuditOptions{Admin: "boss"})
	if err != nil || !strings.Contains(strings.Join(rep.Findings, "\n"), `user "admin" is a Grafana server administrator`) {
		t.Errorf("auditing as boss: findings %q, err %v", rep.Findings, err)
	}

	s.fake.DeleteOrg(rbkc.ID)
	rep, err = provision.Audit(ctx, s.client, s.orgs, provision.AuditOptions{Admin: "admin"})
	if err != nil || !strings.Contains(strings.Join(rep.Findings, "\n"), "(PO rbkc) is not in Grafana") {
		t.Errorf("a missing organisation: findings %q, err %v", rep.Findings, err)
	}
}
