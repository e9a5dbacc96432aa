package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	var ran []string
	subs := []subcommand{
		{"a", func(_ context.Context, _ *env, args []string) error {
			ran = append(ran, "a"+strings.Join(args, ","))
			return nil
		}},
		{"b", noCtx(func(_ *env, args []string) error { ran = append(ran, "b"+strings.Join(args, ",")); return nil })},
		{"c", nil},
	}
	for _, tc := range []struct {
		args        []string
		err, stderr string
	}{
		{[]string{"a", "x", "y"}, "", ""},
		{[]string{"b"}, "", ""},
		{nil, "name a g command: a, b or c", "USAGE"},
		{[]string{"--help"}, "", "USAGE"},
		{[]string{"z"}, `unknown g command "z"; use a, b or c`, ""},
	} {
		var errb bytes.Buffer
		err := dispatch(context.Background(), &env{stderr: &errb}, "g", "USAGE", subs, tc.args)
		if (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err || errb.String() != tc.stderr {
			t.Errorf("%v: err %v, stderr %q; want %q, %q", tc.args, err, errb.String(), tc.err, tc.stderr)
		}
	}
	if strings.Join(ran, " ") != "ax,y b" {
		t.Errorf("ran %q", ran)
	}
	if err := dispatch(context.Background(), &env{}, "g", "", subs[:1], []string{"q"}); err == nil || err.Error() != `unknown g command "q"; use a` {
		t.Errorf("one subcommand: %v", err)
	}
}
