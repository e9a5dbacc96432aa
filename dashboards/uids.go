package dashboards

// DefaultDir is where `slawatch generate dashboards` writes.
const DefaultDir = "dashboards/generated"

// DatasourceUID is the uid of the Prometheus datasource every panel uses
// (one per Grafana organisation, provisioned with the same uid).
const DatasourceUID = "slawatch"

// Stable dashboard UIDs: links and bookmarks depend on them.
const (
	UIDDutyManager   = "slawatch-duty"
	UIDServiceOption = "slawatch-option"
	UIDLineTests     = "slawatch-linetests"
	UIDLoneWorkers   = "slawatch-loneworkers"
	UIDPlatform      = "slawatch-platform"
)

// POBoardUID is the UID of a PO's board.
func POBoardUID(po string) string { return "slawatch-po-" + po }

// Folders under DefaultDir: the provider's boards, and one folder per PO
// holding only that PO's board (provisioned into the PO's organisation).
const ProviderFolder = "provider"

// POFolder is the folder of a PO's board, relative to DefaultDir.
func POFolder(po string) string { return "po/" + po }
