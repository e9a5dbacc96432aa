package main

import (
	"context"
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
	cat, st, err := c.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stack, err := startExporter(ctx, log, cat, st, *listen, nil)
	if err != nil {
		return err
	}
	// A follower that dies stops the exporter: a source silently lost is
	// worse than a process that exits and is restarted.
	followErr := make(chan error, 1)
	if *queueLog != "" {
		go func() {
			err := stack.exp.FollowQueueLog(ctx, *queueLog)
			if ctx.Err() != nil {
				err = nil
			}
			followErr <- err
			cancel()
		}()
	} else {
		followErr <- nil
	}
	fmt.Fprintf(e.stdout, "slawatch serving on http://%s (Ctrl-C to stop)\n", stack.addr)
	werr := stack.wait()
	cancel()
	if ferr := <-followErr; ferr != nil {
		return fmt.Errorf("queue_log follower stopped: %w", ferr)
	}
	return werr
}
