package main

import (
	"context"
	"errors"
	"fmt"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "serve [--listen ADDR] [--queue-log FILE]",
		"Runs the telephony exporter on real sources until interrupted. Call records arrive by\n"+
			"POST /api/v1/calls (JSON object or array) or from an Asterisk queue_log that is followed\n"+
			"across rotations; POST /api/v1/queue sets the live queue gauges. Every call is in the\n"+
			"event store before it is acknowledged, and counters are restored from the store at start.\n"+
			"Prometheus scrapes /metrics.")
	var c commonFlags
	c.register(fs, true)
	listen := fs.String("listen", "127.0.0.1:9464", "address for /metrics and the ingest API")
	queueLog := fs.String("queue-log", "", "Asterisk queue_log to follow (optional)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := c.logger(e)
	if err != nil {
		return err
	}
	cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	st, err := c.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	stack, err := startExporter(ctx, log, cat, st, *listen)
	if err != nil {
		return err
	}
	if *queueLog != "" {
		go func() {
			if err := stack.exp.FollowQueueLog(ctx, *queueLog); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("queue_log follower stopped", "file", *queueLog, "err", err)
			}
		}()
	}
	fmt.Fprintf(e.stdout, "slawatch serving on http://%s (Ctrl-C to stop)\n", stack.addr)
	return stack.wait()
}
