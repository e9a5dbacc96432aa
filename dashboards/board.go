package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// board wraps the SDK's dashboard builder with what every slawatch board
// shares: a stable uid, read-only, the one datasource, explicit panel ids
// and rows laid out the classic way (an expanded row followed by its
// panels at the top level, which is the form Grafana displays).
//
// Panel ids are stable by section: panels before the first row get 1, 2,
// ...; the k-th row gets 100·k and its panels 100·k+1, ... So a section
// growing (a PO adding a number) never renumbers another section.
type board struct {
	b       *dashboard.DashboardBuilder
	row     int
	next    uint32
	err     error
	panels  int
	current string // the row's title, for messages
}

// timezone of every board (SPEC: the service runs on London time), so
// "today" (now/d) starts at midnight in London whatever the viewer's
// browser says.
const timezone = "Europe/London"

// boardSpec is what differs between boards.
type boardSpec struct {
	UID, Title, Description string
	Tags                    []string
	From                    string // default time range: now-<From> to now
	Refresh                 string
}

func newBoard(s boardSpec) *board {
	b := dashboard.NewDashboardBuilder(s.Title).
		Uid(s.UID).
		Description(s.Description).
		Tags(append([]string{"slawatch"}, s.Tags...)).
		Readonly().
		Time("now-"+s.From, "now").
		Timezone(timezone).
		Refresh(s.Refresh).
		Tooltip(dashboard.DashboardCursorSyncCrosshair)
	return &board{b: b, next: 1}
}

// addRow starts a new section.
func (bd *board) addRow(title string) {
	bd.row++
	base := uint32(100 * bd.row)
	bd.b.WithRow(dashboard.NewRowBuilder(title).Id(base))
	bd.next = base + 1
	bd.current = title
}

// add appends one panel with the next id of the section.
func (bd *board) add(p panel) {
	if bd.row > 0 && bd.next >= uint32(100*(bd.row+1)) {
		bd.fail(fmt.Errorf("row %q has more than 99 panels", bd.current))
		return
	}
	if p.Unit == "" {
		bd.fail(fmt.Errorf("panel %q has no unit", p.Title))
		return
	}
	id := bd.next
	bd.next++
	bd.panels++
	bd.b.WithPanel(p.build(id))
}

// link adds a link to another board in the dashboard's header. vars are
// carried as URL parameters (var-<name>=<value>).
func (bd *board) link(title, uid string, vars ...string) {
	bd.b.Link(dashboard.NewDashboardLinkBuilder(title).
		Type(dashboard.DashboardLinkTypeLink).
		Url(boardURL(uid, vars...)).
		Icon("dashboard").
		Tooltip(title).
		KeepTime(true))
}

// variable adds a query variable over label values of a recorded series.
func (bd *board) variable(name, label, query string) {
	bd.b.WithVariable(dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Query(dashboard.StringOrMap{String: cog.ToPtr(query)}).
		Definition(query).
		Datasource(datasource()).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(false).
		IncludeAll(false))
}

func (bd *board) fail(err error) {
	if bd.err == nil {
		bd.err = err
	}
}

func (bd *board) build() (dashboard.Dashboard, error) {
	if bd.err != nil {
		return dashboard.Dashboard{}, bd.err
	}
	d, err := bd.b.Build()
	if err != nil {
		return d, err
	}
	// Links sit above the panels (the SDK's default placement puts them
	// in Grafana 12's controls menu, where a duty manager won't see them).
	for i := range d.Links {
		d.Links[i].Placement = nil
	}
	return d, nil
}

// datasource is the reference every panel, target and variable uses.
func datasource() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr(DatasourceUID)}
}

// boardURL is the relative URL of a board by uid, with variables as
// var-<name>=<value> (pairs: name, value, ...).
func boardURL(uid string, vars ...string) string {
	u := "/d/" + uid
	sep := "?"
	for i := 0; i+1 < len(vars); i += 2 {
		u += sep + "var-" + vars[i] + "=" + vars[i+1]
		sep = "&"
	}
	return u
}
