package main

import (
	"context"
	"fmt"
	"strings"
)

// subcommand is one command of a group (`slawatch crm serve`).
type subcommand struct {
	name string
	run  func(ctx context.Context, e *env, args []string) error
}

// dispatch runs the subcommand named by args[0] of `slawatch group`. With
// no name, or -h/--help/help, it prints usage; no name is a usage error, as
// is an unknown one (both list the names).
func dispatch(ctx context.Context, e *env, group, usage string, subs []subcommand, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	names := make([]string, len(subs))
	for i, s := range subs {
		if s.name == sub {
			return s.run(ctx, e, args)
		}
		names[i] = s.name
	}
	list := names[0]
	if n := len(names); n > 1 {
		list = strings.Join(names[:n-1], ", ") + " or " + names[n-1]
	}
	switch sub {
	case "", "-h", "--help", "help":
		fmt.Fprint(e.stderr, usage)
		if sub == "" {
			return usagef("name a %s command: %s", group, list)
		}
		return nil
	}
	return usagef("unknown %s command %q; use %s", group, sub, list)
}

// noCtx adapts a subcommand that needs no context.
func noCtx(run func(e *env, args []string) error) func(context.Context, *env, []string) error {
	return func(_ context.Context, e *env, args []string) error { return run(e, args) }
}
