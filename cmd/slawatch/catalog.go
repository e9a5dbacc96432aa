package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/slawatch/slawatch/catalog"
)

func runCatalog(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "catalog check", "catalog check FILE...",
		"Reads each catalogue file, applies defaults and validates it. Every problem is printed,\n"+
			"each with file, line, field and what would be valid. Exit code 1 when any file has problems.")
	if len(args) == 0 || args[0] != "check" {
		fs.Usage()
		return usagef("the only catalog subcommand is check")
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("name at least one catalogue file")
	}
	bad := 0
	for _, path := range fs.Args() {
		c, err := catalog.Load(path)
		var probs catalog.Problems
		switch {
		case errors.As(err, &probs):
			bad++
			for _, p := range probs {
				fmt.Fprintln(e.stdout, p.Error())
			}
		case err != nil:
			bad++
			fmt.Fprintln(e.stdout, err)
		default:
			opts, nums := 0, 0
			for _, p := range c.Organisations {
				opts += len(p.ServiceOptions)
				nums += len(p.AccessNumbers)
			}
			fmt.Fprintf(e.stdout, "%s: ok: %d organisations, %d service options, %d access numbers\n",
				path, len(c.Organisations), opts, nums)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d catalogue files have problems", bad, fs.NArg())
	}
	return nil
}
