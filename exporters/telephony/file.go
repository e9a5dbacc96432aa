package telephony

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// IngestFile is IngestFileFrom with the format's default source:
// DefaultSource for csv and jsonl, SourceQueueLog for queue_log.
func (e *Exporter) IngestFile(ctx context.Context, format, path string, progress func(done, total int64)) (Result, error) {
	return e.IngestFileFrom(ctx, format, "", path, progress)
}

// IngestFileFrom replays a file in batches. format is "csv", "jsonl" or
// "queue_log". source is the store source, naming the system that produced
// the call ids ("" for the format's default: DefaultSource, or
// SourceQueueLog for queue_log; else see ValidSource): the store keeps one
// call per source and call id, so replaying a file, a later file
// overlapping it, or records already posted to the webhook under the same
// source never counts a call twice. progress (may be nil) gets bytes done
// and the file size after each batch. Bad lines are in the Result; for
// queue_log, visits still open at the end of the file are not stored and
// are counted in Result.Open. The error is for a bad format or source, a
// file that cannot be read, a bad CSV header or a store failure.
func (e *Exporter) IngestFileFrom(ctx context.Context, format, source, path string, progress func(done, total int64)) (Result, error) {
	def := DefaultSource
	if format == TransportQueueLog {
		def = SourceQueueLog
	}
	source, err := sourceOr(source, def)
	if err != nil {
		return Result{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("telephony: %w", err)
	}
	defer f.Close()
	var total int64
	if st, err := f.Stat(); err == nil {
		total = st.Size()
	}
	res, err := e.ingestReader(ctx, format, source, f, total, progress)
	if err != nil {
		return res, fmt.Errorf("telephony: %s: %w", path, err)
	}
	e.log.Info("file ingested", "path", path, "format", format, "source", source,
		"accepted", res.Accepted, "duplicate", res.Duplicate, "rejected", res.Rejected, "open", res.Open)
	return res, nil
}

// ingestReader is IngestFileFrom on a reader of total bytes.
func (e *Exporter) ingestReader(ctx context.Context, format, source string, r io.Reader, total int64, progress func(done, total int64)) (Result, error) {
	var err error
	cr := &countingReader{r: r}
	b := &batcher{e: e, ctx: ctx, transport: format, source: source, progress: func() {
		if progress != nil {
			progress(cr.n.Load(), total)
		}
	}}
	switch format {
	case TransportCSV:
		err = ParseCSV(cr, b.emit)
	case TransportJSONL:
		err = ParseJSONL(cr, b.emit)
	case TransportQueueLog:
		tr := NewQueueTracker(e.o.Catalog)
		err = parseQueueLog(cr, tr, b.emit)
		b.res.Open = len(tr.open)
	default:
		return Result{}, fmt.Errorf("unknown format %q; valid formats are csv, jsonl, queue_log", format)
	}
	if err == nil {
		err = b.flush()
	}
	return b.res, err
}

// parseQueueLog feeds every line of a queue_log through the tracker and
// emits a record per finished visit; visits still open at the end are left
// in the tracker.
func parseQueueLog(r io.Reader, t *QueueTracker, emit EmitFunc) error {
	return eachLine(newLineReader(r), "queue_log", emit, func(line string, n int) error {
		return queueLogLine(t, line, n, emit)
	})
}

// queueLogLine handles one queue_log line.
func queueLogLine(t *QueueTracker, line string, n int, emit EmitFunc) error {
	if line == "" {
		return nil
	}
	ev, err := ParseQueueLogLine(line)
	if err != nil {
		return emit(n, Record{}, recErr(n, "", ReasonSyntax, "queue_log: %v", err))
	}
	rec, done, rerr := t.Apply(ev, n)
	if rerr != nil {
		return emit(n, Record{}, rerr)
	}
	if done {
		return emit(n, rec, nil)
	}
	return nil
}

// batcher collects emitted records and errors and ingests them in batches.
type batcher struct {
	e         *Exporter
	ctx       context.Context
	transport string // the self-metrics' source label
	source    string // the store source
	progress  func()
	items     []item
	errs      []RecordError
	res       Result
}

func (b *batcher) emit(line int, rec Record, rerr *RecordError) error {
	if rerr != nil {
		b.errs = append(b.errs, *rerr)
	} else {
		b.items = append(b.items, item{line: line, rec: rec})
	}
	if len(b.items)+len(b.errs) >= b.e.o.BatchSize {
		return b.flush()
	}
	return nil
}

func (b *batcher) flush() error {
	if len(b.items)+len(b.errs) == 0 {
		return nil
	}
	if err := b.ctx.Err(); err != nil {
		return err
	}
	res, err := b.e.ingest(b.ctx, b.transport, b.source, b.items, b.errs)
	if err != nil {
		return err
	}
	addCapped(&b.res, res, b.e.o.MaxErrors)
	b.items, b.errs = b.items[:0], nil
	if b.progress != nil {
		b.progress()
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
