package provision

// The shapes of Grafana's provisioning files (apiVersion 1), as documented
// in Grafana's "Provision Grafana" page: only the fields slawatch sets.

type datasourceFile struct {
	APIVersion  int          `yaml:"apiVersion"`
	Datasources []datasource `yaml:"datasources"`
}

type datasource struct {
	Name           string          `yaml:"name"`
	UID            string          `yaml:"uid"`
	Type           string          `yaml:"type"`
	Access         string          `yaml:"access"`
	OrgID          int64           `yaml:"orgId"`
	URL            string          `yaml:"url"`
	IsDefault      bool            `yaml:"isDefault"`
	Editable       bool            `yaml:"editable"`
	BasicAuth      bool            `yaml:"basicAuth,omitempty"`
	BasicAuthUser  string          `yaml:"basicAuthUser,omitempty"`
	JSONData       jsonData        `yaml:"jsonData"`
	SecureJSONData *secureJSONData `yaml:"secureJsonData,omitempty"`
}

type jsonData struct {
	HTTPMethod     string `yaml:"httpMethod"`
	TimeInterval   string `yaml:"timeInterval"`
	PrometheusType string `yaml:"prometheusType"`
	ManageAlerts   bool   `yaml:"manageAlerts"`
}

type secureJSONData struct {
	BasicAuthPassword string `yaml:"basicAuthPassword"`
}

type dashboardFile struct {
	APIVersion int                 `yaml:"apiVersion"`
	Providers  []dashboardProvider `yaml:"providers"`
}

type dashboardProvider struct {
	Name                  string          `yaml:"name"`
	OrgID                 int64           `yaml:"orgId"`
	Folder                string          `yaml:"folder,omitempty"`
	Type                  string          `yaml:"type"`
	DisableDeletion       bool            `yaml:"disableDeletion"`
	AllowUIUpdates        bool            `yaml:"allowUiUpdates"`
	UpdateIntervalSeconds int             `yaml:"updateIntervalSeconds"`
	Options               providerOptions `yaml:"options"`
}

type providerOptions struct {
	Path                      string `yaml:"path"`
	FoldersFromFilesStructure bool   `yaml:"foldersFromFilesStructure,omitempty"`
}
