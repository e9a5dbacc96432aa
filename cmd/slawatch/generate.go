package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/slawatch/slawatch/rules"
)

func runGenerate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "generate", "generate rules [--catalog FILE] [--out DIR]",
		"Writes the files that are generated from the catalogue. They are committed; a test fails\n"+
			"when they are stale, so run this after every catalogue change.\n\n"+
			"rules: Prometheus recording and alerting rules for SLA compliance, per PO and service option\n"+
			"and per access number (rules/generated/ by default).")
	var c commonFlags
	c.register(fs, false)
	out := fs.String("out", "rules/generated", "directory to write into")
	if len(args) == 0 || args[0] != "rules" {
		fs.Usage()
		return usagef("say what to generate: rules")
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	files, err := rules.Generate(cat)
	if err != nil {
		return err
	}
	if err := rules.Write(*out, files); err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(files))
	for _, name := range names {
		fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(*out, name))
	}
	return nil
}
