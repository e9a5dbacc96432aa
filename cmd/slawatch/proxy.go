package main

import (
	"context"
	"errors"
)

// runProxy is `slawatch proxy`. STUB (issue 7, helper B): replace.
func runProxy(ctx context.Context, e *env, args []string) error {
	return errors.New("proxy: not written yet")
}
