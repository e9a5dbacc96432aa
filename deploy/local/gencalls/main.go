// Command gencalls writes a canonical call CSV for benchmarks: N calls one
// second apart from 2026-01-31 23:00 UTC, spread round-robin over every
// (access number, service option) pair of a catalogue; every fifth call is
// abandoned. Usage: go run ./deploy/local/gencalls CATALOG N > calls.csv
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/slawatch/slawatch/catalog"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gencalls CATALOG N > calls.csv")
		os.Exit(2)
	}
	c, err := catalog.Load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 1 {
		fmt.Fprintf(os.Stderr, "N %q: want a positive number of calls\n", os.Args[2])
		os.Exit(2)
	}
	type target struct{ number, option string }
	var targets []target
	for _, p := range c.Organisations {
		for _, a := range p.AccessNumbers {
			for _, so := range a.Options() {
				targets = append(targets, target{a.Number, so})
			}
		}
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintln(w, "call_id,access_number,service_option,queued_at,answered_at,ended_at,outcome,after_call_work_seconds")
	base := time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC)
	ts := func(t time.Time) string { return t.Format(time.RFC3339) }
	for i := 0; i < n; i++ {
		tg := targets[i%len(targets)]
		q := base.Add(time.Duration(i) * time.Second)
		wait := time.Duration(i%97) * time.Second
		if i%5 == 0 {
			fmt.Fprintf(w, "c%d,%s,%s,%s,,%s,abandoned,\n", i, tg.number, tg.option, ts(q), ts(q.Add(wait)))
			continue
		}
		a := q.Add(wait)
		fmt.Fprintf(w, "c%d,%s,%s,%s,%s,%s,answered,%d\n", i, tg.number, tg.option, ts(q), ts(a),
			ts(a.Add(time.Duration(60+i%600)*time.Second)), i%120)
	}
}
