// Package provision writes Grafana's file provisioning for slawatch and
// sets up the organisations it names through Grafana's HTTP API.
//
// Organisation 1 (Grafana's main organisation) is the provider's: its
// datasource (uid "slawatch") is Prometheus itself and it gets every board.
// Each PO has its own organisation, ids 2, 3, ... in catalogue order, whose
// datasource of the same uid goes through the tenancy proxy with that PO's
// credential (basic auth user <po>, password from the environment variable
// SLAWATCH_PROXY_TOKEN_<PO>), and which gets only that PO's board.
//
// Grafana refuses to provision anything for an organisation that does not
// exist: a datasource or dashboard provider naming a missing orgId fails the
// whole datasource (or dashboard) provisioning, at startup (Grafana does not
// start) and on reload (the reload fails). Files cannot create
// organisations, so the files are in two sets (see Layout): the provider's
// set, which any Grafana loads, and the organisations' set, which Setup puts
// in place only after it has made the organisations, then reloads.
package provision

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/dashboards"
)

// DefaultDir is where `slawatch generate grafana` writes.
const DefaultDir = "deploy/grafana/provisioning"

// Layout of the generated folder (paths relative to it, slash-separated).
// The provider's files sit where Grafana reads them (datasources/,
// dashboards/ of its provisioning path); the organisations' files sit under
// orgs/, which Grafana never reads, until Setup copies them next to the
// provider's (Install).
const (
	ProviderDatasources = "datasources/slawatch.yaml"
	ProviderDashboards  = "dashboards/slawatch.yaml"
	OrgsDatasources     = "orgs/datasources/slawatch-orgs.yaml"
	OrgsDashboards      = "orgs/dashboards/slawatch-orgs.yaml"
)

// Defaults of Options, as the compose stack names things.
const (
	DefaultPrometheusURL  = "http://prometheus:9090"
	DefaultProxyURL       = "http://proxy:9099"
	DefaultDashboardsPath = "/etc/slawatch/dashboards"
	// ProviderOrgID is Grafana's main organisation, the provider's.
	ProviderOrgID = 1
)

// Options are the addresses the provisioning files name, as Grafana sees them.
type Options struct {
	// PrometheusURL is the provider organisation's datasource.
	PrometheusURL string
	// ProxyURL is the tenancy proxy every PO organisation's datasource uses.
	ProxyURL string
	// DashboardsPath is where dashboards/generated is mounted in Grafana.
	DashboardsPath string
}

func (o Options) withDefaults() Options {
	if o.PrometheusURL == "" {
		o.PrometheusURL = DefaultPrometheusURL
	}
	if o.ProxyURL == "" {
		o.ProxyURL = DefaultProxyURL
	}
	if o.DashboardsPath == "" {
		o.DashboardsPath = DefaultDashboardsPath
	}
	return o
}

// Org is one PO's Grafana organisation.
type Org struct {
	// ID is the organisation id the provisioning files name.
	ID int64
	// Name is the organisation's name in Grafana: the PO's name.
	Name string
	// PO is the catalogue id.
	PO string
}

// TokenEnv is the environment variable holding a PO's proxy token, which
// Grafana substitutes into the PO organisation's datasource.
func (o Org) TokenEnv() string { return TokenEnv(o.PO) }

// TokenEnv is the environment variable of po's proxy token.
func TokenEnv(po string) string { return "SLAWATCH_PROXY_TOKEN_" + strings.ToUpper(po) }

// Orgs are the PO organisations in catalogue order with the ids
// provisioning gives them (2, 3, ...). Names must be unique: Grafana's are.
func Orgs(cat *catalog.Catalog) ([]Org, error) {
	var orgs []Org
	seen := map[string]string{}
	for i, p := range cat.Organisations {
		name := strings.TrimSpace(p.Name)
		if name == "" {
			name = p.ID
		}
		if other, dup := seen[strings.ToLower(name)]; dup {
			return nil, fmt.Errorf("grafana: POs %s and %s have the same name %q: Grafana organisation names must be unique (change one name in the catalogue)", other, p.ID, name)
		}
		seen[strings.ToLower(name)] = p.ID
		orgs = append(orgs, Org{ID: int64(ProviderOrgID + 1 + i), Name: name, PO: p.ID})
	}
	if len(orgs) == 0 {
		return nil, errors.New("grafana: the catalogue has no organisations")
	}
	return orgs, nil
}

// Generate returns the provisioning files (Layout paths → content).
func Generate(cat *catalog.Catalog, opt Options) (map[string][]byte, error) {
	opt = opt.withDefaults()
	orgs, err := Orgs(cat)
	if err != nil {
		return nil, err
	}
	provider := datasourceFile{APIVersion: 1, Datasources: []datasource{{
		Name: "slawatch", UID: dashboards.DatasourceUID, Type: "prometheus", Access: "proxy",
		OrgID: ProviderOrgID, URL: opt.PrometheusURL, IsDefault: true, Editable: false,
		JSONData: jsonData{HTTPMethod: "POST", TimeInterval: "15s", PrometheusType: "Prometheus", ManageAlerts: true},
	}}}
	providerBoards := dashboardFile{APIVersion: 1, Providers: []dashboardProvider{{
		Name: "slawatch", OrgID: ProviderOrgID, Type: "file", DisableDeletion: true, AllowUIUpdates: false,
		UpdateIntervalSeconds: 30,
		Options:               providerOptions{Path: opt.DashboardsPath, FoldersFromFilesStructure: true},
	}}}
	var orgDS datasourceFile
	var orgBoards dashboardFile
	orgDS.APIVersion, orgBoards.APIVersion = 1, 1
	for _, o := range orgs {
		orgDS.Datasources = append(orgDS.Datasources, datasource{
			Name: "slawatch", UID: dashboards.DatasourceUID, Type: "prometheus", Access: "proxy",
			OrgID: o.ID, URL: opt.ProxyURL, IsDefault: true, Editable: false,
			BasicAuth: true, BasicAuthUser: o.PO,
			JSONData:       jsonData{HTTPMethod: "POST", TimeInterval: "15s", PrometheusType: "Prometheus", ManageAlerts: false},
			SecureJSONData: &secureJSONData{BasicAuthPassword: "${" + o.TokenEnv() + "}"},
		})
		orgBoards.Providers = append(orgBoards.Providers, dashboardProvider{
			Name: "slawatch-po-" + o.PO, OrgID: o.ID, Folder: o.Name, Type: "file", DisableDeletion: true,
			AllowUIUpdates: false, UpdateIntervalSeconds: 30,
			Options: providerOptions{Path: path.Join(opt.DashboardsPath, dashboards.POFolder(o.PO))},
		})
	}
	files := map[string][]byte{}
	for name, v := range map[string]struct {
		head string
		doc  any
	}{
		ProviderDatasources: {providerDSHead, provider},
		ProviderDashboards:  {providerBoardsHead, providerBoards},
		OrgsDatasources:     {orgsDSHead, orgDS},
		OrgsDashboards:      {orgsBoardsHead, orgBoards},
	} {
		data, err := marshal(v.head, v.doc)
		if err != nil {
			return nil, fmt.Errorf("grafana: %s: %w", name, err)
		}
		files[name] = data
	}
	return files, nil
}

func marshal(head string, doc any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(generatedBy)
	b.WriteString(head)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const generatedBy = "# Generated by `slawatch generate grafana` from the catalogue: do not edit.\n"

const providerDSHead = `# The provider's organisation (1, Grafana's main one): Prometheus itself.
`

const providerBoardsHead = `# The provider's organisation (1) gets every board, in folders named after
# the last directory on disk ("provider", then one per PO, side by side).
# Read-only: change the generator, not the board.
`

const orgsDSHead = `# One organisation per PO (ids in catalogue order). Grafana fails on files
# naming an organisation that does not exist, so these are installed next to
# the provider's only by ` + "`slawatch grafana setup`" + `, after it has made the
# organisations. Each goes through the tenancy proxy as its PO; the token is
# read from the environment variable named here (never committed).
`

const orgsBoardsHead = `# Each PO's organisation gets only its own board (installed by
# ` + "`slawatch grafana setup`" + `, like the datasources).
`
