package verify

import (
	"strings"
	"testing"
)

func TestParseVarQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want VarQuery
		err  string
	}{
		{in: "label_values(po)", want: VarQuery{Kind: LabelValues, Label: "po"}},
		{in: ` label_values( po_service_option:sla_target:ratio{po="$po", a=~"x,y"} , service_option ) `,
			want: VarQuery{Kind: LabelValues, Selector: `po_service_option:sla_target:ratio{po="$po", a=~"x,y"}`, Label: "service_option"}},
		{in: "label_names()", want: VarQuery{Kind: LabelNames}},
		{in: "label_names(up)", want: VarQuery{Kind: LabelNames, Selector: "up"}},
		{in: "query_result(up)", err: "query_result(...) is not checked"},
		{in: "up", err: "want label_values"},
		{in: "label_values(x{a=\",\"})", err: "is not a label name"},
		{in: "label_values(, po)", err: "empty selector"},
		{in: "label_values(a) + label_values(b)", err: "want label_values"},
		{in: "label_values(x{a=\")\"}, po)", want: VarQuery{Kind: LabelValues, Selector: `x{a=")"}`, Label: "po"}},
		{in: "label_values(x{a=\"\\\"\"}, po", err: "want label_values"},
	} {
		got, err := ParseVarQuery(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseVarQuery(f *testing.F) {
	for _, s := range []string{"label_values(po)", `label_values(x{a="b"}, c)`, "label_names()", "query_result(up)", `label_values(x{a=")"}, po)`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseVarQuery(s)
		if err != nil {
			return
		}
		switch q.Kind {
		case LabelValues:
			if !isLabelName(q.Label) {
				t.Errorf("%q: label %q", s, q.Label)
			}
		case LabelNames:
			if q.Label != "" {
				t.Errorf("%q: label_names with a label %q", s, q.Label)
			}
		default:
			t.Errorf("%q: kind %d", s, q.Kind)
		}
		if strings.Contains(q.Selector, "\n") && !strings.Contains(s, "\n") {
			t.Errorf("%q: selector %q", s, q.Selector)
		}
	})
}
