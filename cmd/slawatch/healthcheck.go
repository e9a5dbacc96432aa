package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// runHealthcheck is `slawatch healthcheck URL`: the container images have no
// shell or curl, so compose's health checks run the binary itself.
func runHealthcheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "healthcheck", "healthcheck [--timeout D] URL",
		"GETs URL and exits 0 when the answer is 2xx, 1 otherwise (with the status or error on\n"+
			"stderr). For container health checks: every slawatch service serves /-/healthy.")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("give exactly one URL, e.g. http://127.0.0.1:9464/-/healthy")
	}
	if *timeout <= 0 {
		return usagef("--timeout %s: want a positive duration", *timeout)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fs.Arg(0), nil)
	if err != nil {
		return usagef("URL %q: %v", fs.Arg(0), err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("healthcheck %s: %s", fs.Arg(0), resp.Status)
	}
	return nil
}
