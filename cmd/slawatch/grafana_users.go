package main

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/slawatch/slawatch/dashboards/provision"
)

// envViewerPassword holds a new client officer's password when no file is named.
const envViewerPassword = "SLAWATCH_VIEWER_PASSWORD"

// grafanaOrg finds the Grafana organisation of a PO in the catalogue.
func grafanaOrg(c *commonFlags, po string) (provision.Org, []provision.Org, error) {
	cat, err := c.loadCatalog()
	if err != nil {
		return provision.Org{}, nil, err
	}
	orgs, err := provision.Orgs(cat)
	if err != nil {
		return provision.Org{}, nil, err
	}
	if po == "" {
		return provision.Org{}, orgs, nil
	}
	var ids []string
	for _, o := range orgs {
		if o.PO == po {
			return o, orgs, nil
		}
		ids = append(ids, o.PO)
	}
	return provision.Org{}, nil, usagef("--po %q is not a PO of the catalogue; valid: %v", po, ids)
}

func runGrafanaViewer(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "grafana viewer",
		"grafana viewer --po PO --login LOGIN [--name N] [--email E] [--viewer-password-file F] [--move] [--url URL ...]",
		"Makes a user a client officer of one PO (SPEC: each PO sees only its own data, read-only):\n"+
			"a Viewer of that PO's Grafana organisation and a member of no other. A login that does\n"+
			"not exist is made (POST /api/admin/users in the PO's organisation; its password from\n"+
			"--viewer-password-file, else "+envViewerPassword+"); Grafana may also put a new user in\n"+
			"organisation 1 (every PO's data) by its auto-assignment, and that membership is removed.\n"+
			"An existing login keeps its password; if it is in another organisation nothing changes\n"+
			"unless --move takes it out of the others. A Grafana server administrator is refused (it\n"+
			"sees every organisation). The memberships are read back: the command fails unless the\n"+
			"user ends a Viewer of the PO's organisation only. Run `grafana setup` first.\n\n"+
			"Names, e-mails and passwords are written to Grafana only, never printed or logged. A user\n"+
			"made here that does not end a Viewer of the PO's organisation only is deleted again.\n\n"+
			"Example:\n"+
			"  slawatch grafana viewer --po haringey --login haringey-monitor-1 --email monitor@example.org \\\n"+
			"      --viewer-password-file ./pw --url http://127.0.0.1:3000 --password-file /run/secrets/grafana_admin_password")
	var c commonFlags
	c.register(fs, false)
	var g grafanaAdminFlags
	g.register(fs)
	po := fs.String("po", "", "the PO (catalogue id) the user monitors (required)")
	login := fs.String("login", "", "the user's Grafana login (required)")
	name := fs.String("name", "", "the user's name (new users only)")
	email := fs.String("email", "", "the user's e-mail (new users only)")
	vpw := fs.String("viewer-password-file", "", "file holding a new user's password (default: env "+envViewerPassword+")")
	move := fs.Bool("move", false, "take an existing user out of every other organisation")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *po == "" || *login == "" {
		return usagef("--po and --login are required")
	}
	log, err := c.logger(e)
	if err != nil {
		return err
	}
	org, _, err := grafanaOrg(&c, *po)
	if err != nil {
		return err
	}
	client, err := g.client()
	if err != nil {
		return err
	}
	password, err := readPasswordFile("viewer password", "--viewer-password-file", *vpw, "")
	if err != nil {
		return err
	}
	if password == "" {
		password = os.Getenv(envViewerPassword)
	}
	res, err := provision.AddViewer(ctx, client, org, provision.NewUser{Login: *login, Name: *name, Email: *email, Password: password},
		provision.ViewerOptions{Move: *move, Logger: log})
	if err != nil {
		return err
	}
	switch {
	case res.Created:
		fmt.Fprintf(e.stdout, "created user %d %q\n", res.UserID, *login)
	case res.Joined:
		fmt.Fprintf(e.stdout, "added user %d %q to organisation %d\n", res.UserID, *login, org.ID)
	case res.RoleWas != provision.RoleViewer:
		fmt.Fprintf(e.stdout, "user %d %q: role %s → Viewer\n", res.UserID, *login, res.RoleWas)
	}
	for _, m := range res.Removed {
		fmt.Fprintf(e.stdout, "removed user %d %q from organisation %d %q (was %s)\n", res.UserID, *login, m.OrgID, m.Name, m.Role)
	}
	fmt.Fprintf(e.stdout, "grafana: %q is a Viewer of organisation %d %q (PO %s) and of no other\n", *login, org.ID, org.Name, org.PO)
	return nil
}

func runGrafanaAudit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "grafana audit", "grafana audit [--catalog F] [--url URL ...]",
		"Reads the members of every PO's organisation and each member's organisations, and lists\n"+
			"what would let a client officer see more than their own PO's data, read-only: a member of\n"+
			"a PO's organisation who is not a Viewer there (an Editor or Admin can add or change\n"+
			"datasources), who is also in organisation 1 (the provider's, every PO's data), in another\n"+
			"PO's organisation or in any other organisation, or who is a Grafana server administrator\n"+
			"(--user, the auditor, excepted: setup makes it the Admin of every organisation); and a PO\n"+
			"organisation missing from Grafana. Users of organisation 1 only are the provider's staff\n"+
			"and are not looked at. Exit status 1 when anything is found: run it after changing users,\n"+
			"and from cron. `grafana viewer --move` mends a client officer.")
	var c commonFlags
	c.register(fs, false)
	var g grafanaAdminFlags
	g.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	_, orgs, err := grafanaOrg(&c, "")
	if err != nil {
		return err
	}
	client, err := g.client()
	if err != nil {
		return err
	}
	rep, err := provision.Audit(ctx, client, orgs, provision.AuditOptions{Admin: *g.user})
	if err != nil {
		return err
	}
	pos := make([]string, 0, len(rep.Viewers))
	for po := range rep.Viewers {
		pos = append(pos, po)
	}
	sort.Strings(pos)
	for _, po := range pos {
		fmt.Fprintf(e.stdout, "%-20s %d viewer(s)\n", po, rep.Viewers[po])
	}
	if len(rep.Admins) > 0 {
		fmt.Fprintf(e.stdout, "the auditor %v is in the PO organisations (a server administrator: setup made them)\n", rep.Admins)
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(e.stdout, "FINDING: %s\n", f)
	}
	if len(rep.Findings) > 0 {
		return fmt.Errorf("grafana audit: %d finding(s): a client officer may see more than their PO's data", len(rep.Findings))
	}
	fmt.Fprintln(e.stdout, "grafana audit: every PO organisation's members are Viewers of that PO only")
	return nil
}
