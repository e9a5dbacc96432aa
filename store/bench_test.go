package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkInsertCallsSQLite measures ingest through InsertCalls into SQLite
// in batches of 10,000 fresh calls (the transaction size of file replay),
// spread like the reference catalogue (11 POs, 20 service options, 15
// numbers) over a month. Each iteration inserts 100,000 calls.
func BenchmarkInsertCallsSQLite(b *testing.B) {
	const batch, perIter = 10_000, 100_000
	s, err := Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "bench.db"), testLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(9, 10))
	pos := make([]string, 11)
	for i := range pos {
		pos[i] = fmt.Sprintf("po%02d", i)
	}
	mk := func(seq int) Call {
		at := testBase.Add(time.Duration(seq) * 7 * time.Second) // ~350k calls/month pace
		wait := float64(r.IntN(90000)) / 1000
		c := mkCall(fmt.Sprintf("bench-%09d", seq), at, OutcomeAnswered, wait)
		c.PO = pos[r.IntN(len(pos))]
		c.ServiceOption = fmt.Sprintf("option%02d", r.IntN(20))
		c.AccessNumber = fmt.Sprintf("+4420835900%02d", r.IntN(15))
		if r.IntN(8) == 0 {
			c.Outcome, c.AnsweredAt, c.TalkSeconds = OutcomeAbandoned, time.Time{}, 0
		}
		return c
	}
	seq := 0
	batches := make([][]Call, perIter/batch)
	var cpu time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for j := range batches {
			batches[j] = make([]Call, batch)
			for k := range batches[j] {
				batches[j][k] = mk(seq)
				seq++
			}
		}
		b.StartTimer()
		cpu0 := processCPU()
		for _, calls := range batches {
			if _, err := s.InsertCalls(context.Background(), calls); err != nil {
				b.Fatal(err)
			}
		}
		cpu += processCPU() - cpu0
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*perIter)/b.Elapsed().Seconds(), "records/s")
	// The machine may be shared: records per second of this process's CPU
	// time (user+system, GC included) is the steadier figure.
	b.ReportMetric(float64(b.N*perIter)/cpu.Seconds(), "records/cpu-s")
}

// processCPU is the user+system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
