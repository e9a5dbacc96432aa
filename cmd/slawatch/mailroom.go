package main

import (
	"context"
	"errors"
)

func runMailroom(ctx context.Context, e *env, args []string) error {
	return errors.New("not built yet")
}
