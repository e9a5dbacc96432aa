package main

import (
	"context"
	"errors"
)

// runGrafana is `slawatch grafana`. STUB (issue 7, helper C): replace.
func runGrafana(ctx context.Context, e *env, args []string) error {
	return errors.New("grafana: not written yet")
}
