package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/slawatch/slawatch/dashboards/provision"
)

// envGrafanaPassword holds Grafana's admin password when no file is named.
const envGrafanaPassword = "GRAFANA_ADMIN_PASSWORD"

// runGrafana dispatches `slawatch grafana setup|install`.
func runGrafana(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "grafana", "Usage: slawatch grafana setup|install|viewer|audit [flags]\n\n"+
		"  setup    create the PO organisations through Grafana's API, check their ids, install\n"+
		"           their provisioning files and reload provisioning (idempotent)\n"+
		"  install  put the provider's provisioning files into Grafana's provisioning path and\n"+
		"           take the organisations' out (before Grafana starts)\n"+
		"  viewer   make a user a client officer of one PO: a Viewer of its organisation, of no other\n"+
		"  audit    list the memberships that would let a client officer see more than their PO\n\n"+
		"slawatch grafana COMMAND --help for its flags; docs/DEPLOY.md for the whole procedure.\n", []subcommand{
		{"setup", runGrafanaSetup},
		{"install", noCtx(runGrafanaInstall)},
		{"viewer", runGrafanaViewer},
		{"audit", runGrafanaAudit},
	}, args)
}

const grafanaLayoutHelp = "Grafana will not start, nor reload, with a provisioning file that names an organisation\n" +
	"that does not exist, and files cannot create organisations. So `slawatch generate grafana`\n" +
	"writes two sets: the provider's (organisation 1, Grafana's own) and, under orgs/, one\n" +
	"organisation per PO (ids 2, 3, ... in catalogue order). `install` puts only the provider's\n" +
	"set into Grafana's provisioning path, which Grafana then always loads; `setup` makes the\n" +
	"organisations and only then installs the organisations' set and reloads."

func runGrafanaSetup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "grafana setup",
		"grafana setup --url URL [--user admin] [--password-file F] [--catalog F] [--install-from DIR --install-to DIR]",
		"Makes Grafana's organisations match the provisioning: waits for Grafana (GET /api/health,\n"+
			"up to --wait), checks that every PO organisation that exists has the id the files name\n"+
			"(looked up one by one: GET /api/orgs/name/:name, then GET /api/orgs/:id),\n"+
			"creates the missing ones in catalogue order (POST /api/orgs) checking the id Grafana gives\n"+
			"each, installs the organisations' provisioning files (with --install-from and --install-to),\n"+
			"then reloads datasource and dashboard provisioning. A second run changes nothing. An\n"+
			"organisation whose id differs is an error naming it and both ids, and nothing is reloaded.\n\n"+
			grafanaLayoutHelp+"\n\n"+
			"The admin password is read from --password-file, else from "+envGrafanaPassword+"; it is\n"+
			"never printed. The user must be a Grafana server administrator.\n\n"+
			"Example (compose runs this as the grafana-setup service):\n"+
			"  slawatch grafana setup --url http://grafana:3000 --password-file /run/secrets/grafana_admin_password \\\n"+
			"      --catalog /etc/slawatch/catalog.yaml --install-from /etc/slawatch/grafana --install-to /provisioning")
	var c commonFlags
	c.register(fs, false)
	var g grafanaAdminFlags
	g.register(fs)
	wait := fs.Duration("wait", 2*time.Minute, "how long to wait for Grafana to be healthy")
	from := fs.String("install-from", "", "the generated provisioning folder (deploy/grafana/provisioning)")
	to := fs.String("install-to", "", "Grafana's provisioning path (its datasources/ and dashboards/ are written)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if (*from == "") != (*to == "") {
		return usagef("--install-from and --install-to go together")
	}
	log, err := c.logger(e)
	if err != nil {
		return err
	}
	client, err := g.client()
	if err != nil {
		return err
	}
	cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	orgs, err := provision.Orgs(cat)
	if err != nil {
		return err
	}
	res, err := provision.Setup(ctx, client, orgs, provision.SetupOptions{
		Wait: *wait, Poll: time.Second, InstallFrom: *from, InstallTo: *to, Logger: log})
	if err != nil {
		return err
	}
	for _, o := range res.Created {
		fmt.Fprintf(e.stdout, "created organisation %d %q (PO %s)\n", o.ID, o.Name, o.PO)
	}
	for _, f := range res.Installed {
		fmt.Fprintf(e.stdout, "installed %s\n", f)
	}
	fmt.Fprintf(e.stdout, "grafana: %d PO organisations in place (%d created), provisioning reloaded\n", len(orgs), len(res.Created))
	return nil
}

// grafanaAdminFlags say how to reach Grafana's API as a server
// administrator.
type grafanaAdminFlags struct {
	url, user, pwFile *string
	timeout           *time.Duration
}

func (g *grafanaAdminFlags) register(fs *flag.FlagSet) {
	g.url = fs.String("url", "http://127.0.0.1:3000", "Grafana's base URL")
	g.user = fs.String("user", "admin", "a Grafana server administrator")
	g.pwFile = fs.String("password-file", "", "file holding the admin password (default: env "+envGrafanaPassword+")")
	g.timeout = fs.Duration("timeout", 30*time.Second, "timeout of each request to Grafana")
}

func (g *grafanaAdminFlags) client() (*provision.Client, error) {
	password, err := readPasswordFile("admin password", "--password-file", *g.pwFile, envGrafanaPassword)
	if err != nil {
		return nil, err
	}
	client, err := provision.NewClient(*g.url, *g.user, password, &http.Client{Timeout: *g.timeout})
	if err != nil {
		return nil, usageError{err.Error()}
	}
	return client, nil
}

// readPasswordFile reads a password file (trailing newline dropped), else
// the environment variable env ("": none, and no password is no error).
// what names the password in errors ("admin password").
func readPasswordFile(what, flagName, file, env string) (string, error) {
	if file == "" {
		if env == "" {
			return "", nil
		}
		pw := os.Getenv(env)
		if pw == "" {
			return "", usagef("no %s: give %s or set %s", what, flagName, env)
		}
		return pw, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flagName, err)
	}
	pw := strings.TrimRight(string(data), "\r\n")
	if pw == "" {
		return "", fmt.Errorf("%s %s is empty", flagName, file)
	}
	return pw, nil
}

func runGrafanaInstall(e *env, args []string) error {
	fs := newFlags(e, "grafana install", "grafana install --from DIR --to DIR [--orgs]",
		"Puts the generated provisioning (--from, deploy/grafana/provisioning) into Grafana's\n"+
			"provisioning path (--to): the provider's files, and removes the organisations' files\n"+
			"(with --orgs: installs them too, for when every organisation exists). Files already equal\n"+
			"are left alone. Compose runs it before Grafana starts, so that Grafana always starts,\n"+
			"whatever organisations its database holds; `grafana setup` then installs the rest.\n\n"+
			grafanaLayoutHelp)
	from := fs.String("from", provision.DefaultDir, "the generated provisioning folder")
	to := fs.String("to", "", "Grafana's provisioning path (required)")
	orgs := fs.Bool("orgs", false, "install the organisations' files too (only once they all exist)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return usagef("--to is required: Grafana's provisioning path")
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	changed, err := provision.Install(*from, *to, *orgs)
	if err != nil {
		return err
	}
	for _, f := range changed {
		fmt.Fprintf(e.stdout, "changed %s\n", f)
	}
	if len(changed) == 0 {
		fmt.Fprintln(e.stdout, "grafana: provisioning already in place")
	}
	return nil
}
