package dashboards

import (
	"testing"
	"time"
)

func TestExpand(t *testing.T) {
	got, err := Expand(`sum by (po) (increase(x{po="$po",so=~"${so:regex}"}[$__range])) / [[po]] + rate(y[$__rate_interval])`,
		map[string]string{"po": "rbkc", "so": "noise_patrol"}, 24*time.Hour, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := `sum by (po) (increase(x{po="rbkc",so=~"noise_patrol"}[1d])) / rbkc + rate(y[2m])`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if _, err := Expand(`x{po="$nope"}`, nil, time.Hour, time.Minute); err == nil {
		t.Error("unknown variable accepted")
	}
}

func TestReadBoard(t *testing.T) {
	b, err := ReadBoard([]byte(`{"uid":"u","title":"T","panels":[
		{"id":1,"type":"stat","title":"a","targets":[{"refId":"A","expr":"up"},{"refId":"B","expr":"x","hide":true}]},
		{"id":2,"type":"row","title":"r","panels":[{"id":3,"type":"table","title":"b","targets":[{"refId":"A","expr":"y"}]}]}],
		"templating":{"list":[{"name":"po","type":"query","query":{"query":"label_values(up, po)","refId":"v"}},{"name":"s","type":"custom","query":"a,b"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Queries) != 2 || b.Queries[0].Expr != "up" || b.Queries[1].PanelID != 3 || b.Queries[1].Dashboard != "u" {
		t.Errorf("queries %+v", b.Queries)
	}
	if len(b.Variables) != 2 || b.Variables[0].Query != "label_values(up, po)" || b.Variables[1].Query != "a,b" {
		t.Errorf("variables %+v", b.Variables)
	}
}
