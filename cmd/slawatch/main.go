// Command slawatch is the one binary of the slawatch stack. main only picks
// a subcommand; each subcommand wires packages together in its own file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: it parses its own flags from args.
type command struct {
	name, summary string
	run           func(ctx context.Context, env *env, args []string) error
}

// env is what a subcommand may touch of the outside world.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
}

func commands() []command {
	return []command{
		{"catalog", "check catalogue files: slawatch catalog check FILE...", runCatalog},
		{"generate", "write generated files from the catalogue: slawatch generate rules|alerting|dashboards|grafana", runGenerate},
		{"ingest", "replay call files into the store and metrics", runIngest},
		{"summary", "exact SLA figures for a PO from the store", runSummary},
		{"serve", "run the telephony exporter on real sources (HTTP ingest, queue_log, /metrics)", runServe},
		{"notify", "take Alertmanager's webhooks, store incidents and page (console/file sinks)", runNotify},
		{"incidents", "list incidents; --id N shows who was paged, how, delivered when, acknowledged by whom", runIncidents},
		{"page", "page a PO's on-call person now (a duty manager's page)", runPage},
		{"ack", "record a verbal acknowledgement of an incident", runAck},
		{"escalate", "page an incident's next escalation step now", runEscalate},
		{"loneworker", "the duty manager's lone-worker console: checkin, checkout, extend, ack, note, list, show, pin", runLoneworkerConsole},
		{"crm", "the CRM exporter: read the CRM's database and webhook into the store and /metrics", runCRM},
		{"mailroom", "the mail-room exporter: count files from a drop folder and scanner events over HTTP", runMailroom},
		{"kpi", "contract KPIs: enter a manual return, record a mitigation, print a period's status", runKPI},
		{"linetest", "line tests: the prober (serve), one number now (run), the monthly report", runLinetest},
		{"proxy", "the tenancy proxy: each PO's credential sees only that PO's series (Grafana per-PO orgs)", runProxy},
		{"grafana", "set up Grafana: grafana setup|install (one organisation per PO, provisioning, reload)", runGrafana},
		{"healthcheck", "GET a URL; exit 0 on 2xx (container health checks)", runHealthcheck},
		{"demo", "run everything in one process with simulated traffic and a live board", runDemo},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "slawatch watches the service levels of outsourced public services.")
	fmt.Fprintln(w, "\nUsage: slawatch COMMAND [flags]   (slawatch COMMAND --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin}, os.Args[1:]))
}

// run returns the exit code: 0 ok, 1 failure, 2 bad usage.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, new(usageError)):
			fmt.Fprintf(e.stderr, "slawatch %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(e.stderr, "slawatch %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "slawatch: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return 2
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// newFlags makes a flag set whose --help prints the description first.
func newFlags(e *env, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: slawatch %s\n\n%s\n\nFlags:\n", synopsis, description)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, flags before or after the positional arguments
// (`ingest FILE --format csv` works), turning flag errors into usage errors.
// Everything after "--" is positional.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

const defaultCatalog = "examples/london-ooh.yaml"
