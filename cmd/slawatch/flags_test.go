package main

import (
	"flag"
	"io"
	"reflect"
	"testing"
)

func TestParseFlagsInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args, files []string
		format      string
	}{
		{[]string{"--format", "csv", "a.csv", "b.csv"}, []string{"a.csv", "b.csv"}, "csv"},
		{[]string{"a.csv", "--format", "jsonl", "b.csv"}, []string{"a.csv", "b.csv"}, "jsonl"},
		{[]string{"a.csv", "b.csv", "--format=queue_log"}, []string{"a.csv", "b.csv"}, "queue_log"},
		{[]string{"--format", "csv", "--", "--odd-name.csv"}, []string{"--odd-name.csv"}, "csv"},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		format := fs.String("format", "", "")
		if err := parseFlags(fs, tc.args); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if *format != tc.format || !reflect.DeepEqual(fs.Args(), tc.files) {
			t.Errorf("%v: format %q files %q", tc.args, *format, fs.Args())
		}
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := parseFlags(fs, []string{"a.csv", "--nope"}); err == nil {
		t.Error("unknown flag after a file accepted")
	}
}
