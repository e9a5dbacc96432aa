package telephony

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slawatch/slawatch/catalog"
	"github.com/slawatch/slawatch/store"
)

// benchCSV is n records spread over every number and option of cat.
func benchCSV(cat *catalog.Catalog, prefix string, n int) []byte {
	type target struct{ num, so string }
	var targets []target
	for _, id := range cat.POIDs() {
		po, _ := cat.PO(id)
		for _, an := range po.AccessNumbers {
			num, _ := cat.Number(an.Number)
			for _, so := range num.Options() {
				targets = append(targets, target{an.Number, so})
			}
		}
	}
	var b bytes.Buffer
	b.WriteString("call_id,access_number,service_option,queued_at,answered_at,ended_at,outcome,after_call_work_seconds\n")
	base := time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		tg := targets[i%len(targets)]
		q := base.Add(time.Duration(i) * time.Second)
		wait := time.Duration(i%97) * time.Second
		if i%5 == 0 {
			fmt.Fprintf(&b, "%s-%d,%s,%s,%s,,%s,abandoned,\n", prefix, i, tg.num, tg.so, q.Format(time.RFC3339), q.Add(wait).Format(time.RFC3339))
		} else {
			a := q.Add(wait)
			fmt.Fprintf(&b, "%s-%d,%s,%s,%s,%s,%s,answered,%d\n", prefix, i, tg.num, tg.so, q.Format(time.RFC3339),
				a.Format(time.RFC3339), a.Add(time.Duration(60+i%600)*time.Second).Format(time.RFC3339), i%120)
		}
	}
	return b.Bytes()
}

// BenchmarkIngestCSV: records per second through parse, resolution, the
// SQLite store (one transaction per 1000 records) and the metrics.
func BenchmarkIngestCSV(b *testing.B) {
	cat := referenceCatalog(b)
	e, _ := newExporter(b, cat, openStore(b, b.TempDir()), nil)
	const perOp = 1000
	inputs := make([][]byte, 0, 64)
	ctx := context.Background()
	b.ResetTimer()
	records := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		if i >= len(inputs) {
			inputs = append(inputs, benchCSV(cat, fmt.Sprintf("b%d", i), perOp))
		}
		in := inputs[i]
		b.StartTimer()
		res, err := e.ingestReader(ctx, TransportCSV, DefaultSource, bytes.NewReader(in), int64(len(in)), nil)
		if err != nil || res.Accepted != perOp {
			b.Fatalf("%+v %v", res, err)
		}
		records += res.Accepted
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkExposition writes /metrics for the full reference catalogue,
// every series initialised, with client_golang (the exporter's collector
// behind promhttp) and with an equivalent VictoriaMetrics/metrics Set.
func BenchmarkExposition(b *testing.B) {
	cat := referenceCatalog(b)
	e, reg := newExporter(b, cat, openStore(b, b.TempDir()), nil)
	if _, err := e.ingestReader(context.Background(), TransportCSV, DefaultSource, bytes.NewReader(benchCSV(cat, "x", 5000)), 0, nil); err != nil {
		b.Fatal(err)
	}
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	set := vmSet(e)

	var cgBuf, vmBuf bytes.Buffer
	h.ServeHTTP(&recorder{w: &cgBuf}, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	set.WritePrometheus(&vmBuf)
	cgSamples, vmSamples := samples(cgBuf.String(), "telephony_exporter", "telephony_source"), samples(vmBuf.String())
	if cgSamples != vmSamples {
		b.Fatalf("client_golang has %d call samples, VictoriaMetrics %d", cgSamples, vmSamples)
	}

	b.Run("client_golang", func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		for b.Loop() {
			h.ServeHTTP(&recorder{w: io.Discard}, req)
		}
		b.ReportMetric(float64(cgSamples), "samples")
		b.ReportMetric(float64(cgBuf.Len()), "bytes")
	})
	b.Run("victoriametrics", func(b *testing.B) {
		for b.Loop() {
			set.WritePrometheus(io.Discard)
		}
		b.ReportMetric(float64(vmSamples), "samples")
		b.ReportMetric(float64(vmBuf.Len()), "bytes")
	})
}

// samples counts sample lines, leaving out families with the prefixes.
func samples(text string, skip ...string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if l == "" || l[0] == '#' {
			continue
		}
		keep := true
		for _, p := range skip {
			keep = keep && !strings.HasPrefix(l, p)
		}
		if keep {
			n++
		}
	}
	return n
}

// vmSet builds the same call series in a VictoriaMetrics Set, histograms
// written as their Prometheus _bucket/_sum/_count samples.
func vmSet(e *Exporter) *vm.Set {
	m := e.calls
	m.mu.Lock()
	defer m.mu.Unlock()
	set := vm.NewSet()
	keys := make([]store.SeriesKey, 0, len(m.series))
	for k := range m.series {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	for _, k := range keys {
		s := m.series[k]
		lv := fmt.Sprintf(`access_number=%q,po=%q,service_option=%q,standard=%q`, k.AccessNumber, k.PO, k.ServiceOption, k.Standard)
		set.NewCounter("telephony_calls_offered_total{" + lv + "}").Set(s.offered)
		set.NewCounter("telephony_ivr_only_calls_total{" + lv + "}").Set(s.ivr)
		for _, h := range []struct {
			name   string
			h      hist
			bounds []float64
		}{{"telephony_answer_wait_seconds", s.answered, m.waitBounds}, {"telephony_abandon_wait_seconds", s.abandoned, m.waitBounds},
			{"telephony_talk_seconds", s.talk, m.durBounds}, {"telephony_after_call_work_seconds", s.acw, m.durBounds}} {
			for i, ub := range h.bounds {
				set.NewCounter(fmt.Sprintf("%s_bucket{%s,le=\"%g\"}", h.name, lv, ub)).Set(h.h.buckets[i])
			}
			set.NewCounter(fmt.Sprintf("%s_bucket{%s,le=\"+Inf\"}", h.name, lv)).Set(h.h.count)
			set.NewFloatCounter(h.name + "_sum{" + lv + "}").Set(float64(h.h.sumUS) / 1e6)
			set.NewCounter(h.name + "_count{" + lv + "}").Set(h.h.count)
		}
	}
	for k, n := range m.tests {
		set.NewCounter(fmt.Sprintf(`telephony_test_calls_received_total{access_number=%q,po=%q}`, k.AccessNumber, k.PO)).Set(n)
	}
	for _, k := range m.waitKeys {
		lv := fmt.Sprintf(`po=%q,service_option=%q`, k.PO, k.ServiceOption)
		set.NewGauge("telephony_calls_waiting{"+lv+"}", func() float64 { return 0 })
		set.NewGauge("telephony_oldest_wait_seconds{"+lv+"}", func() float64 { return 0 })
	}
	return set
}

// recorder is a minimal ResponseWriter writing the body to w.
type recorder struct {
	w   io.Writer
	hdr http.Header
}

func (r *recorder) Header() http.Header {
	if r.hdr == nil {
		r.hdr = http.Header{}
	}
	return r.hdr
}
func (r *recorder) Write(p []byte) (int, error) { return r.w.Write(p) }
func (r *recorder) WriteHeader(int)             {}
