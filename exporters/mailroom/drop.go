package mailroom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/slawatch/slawatch/store"
)

// Sub-folders of the drop folder.
const (
	DoneDir     = "done"
	RejectedDir = "rejected"
	// ReasonSuffix is added to a rejected file's name for its reason file.
	ReasonSuffix = ".reason.txt"
)

// FileOutcome is what happened to one count file.
type FileOutcome struct {
	Name    string // as dropped
	Outcome string // OutcomeCounted, OutcomeCorrected, OutcomeDuplicate, OutcomeAlready, OutcomeRejected
	Reason  string // why it was rejected (OutcomeDuplicate, OutcomeRejected)
	MovedTo string // its path in done/ or rejected/
	Rows    int    // rows stored
}

// candidates are the count files of dir ready to process: regular files
// named *.csv (any case), not dotfiles, unchanged for Settle; oldest first
// (then by name), so that a correction dropped after a file is applied
// after it.
func (e *Exporter) candidates(dir string) ([]os.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("mailroom: read drop folder: %w", err)
	}
	now := e.o.Now()
	type c struct {
		ent os.DirEntry
		mod time.Time
	}
	var out []c
	for _, ent := range entries {
		name := ent.Name()
		if strings.HasPrefix(name, ".") || !strings.EqualFold(filepath.Ext(name), ".csv") || !ent.Type().IsRegular() {
			continue
		}
		info, err := ent.Info()
		if err != nil {
			continue // gone meanwhile
		}
		if now.Sub(info.ModTime()) < e.o.Settle {
			continue // maybe still being written
		}
		out = append(out, c{ent, info.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].mod.Equal(out[j].mod) {
			return out[i].mod.Before(out[j].mod)
		}
		return out[i].ent.Name() < out[j].ent.Name()
	})
	ents := make([]os.DirEntry, len(out))
	for i, x := range out {
		ents[i] = x.ent
	}
	return ents, nil
}

// ProcessOnce processes every count file ready in dir (see Run) and returns
// what happened to each. A file that meets a store or file-system error is
// left where it is for the next call and the others are still processed
// (one unreadable or unmovable file must not hold back every later count);
// the errors are returned together.
func (e *Exporter) ProcessOnce(ctx context.Context, dir string) ([]FileOutcome, error) {
	for _, sub := range []string{DoneDir, RejectedDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			return nil, fmt.Errorf("mailroom: %w", err)
		}
	}
	ents, err := e.candidates(dir)
	if err != nil {
		return nil, err
	}
	var out []FileOutcome
	var errs []error
	for _, ent := range ents {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		o, err := e.ProcessFile(ctx, dir, ent.Name())
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ent.Name(), err))
			continue
		}
		out = append(out, o)
	}
	return out, errors.Join(errs...)
}

// Run processes dir every poll until ctx ends: each count file is parsed,
// stored once by the SHA-256 of its bytes, and only then moved to done/ or
// rejected/ (with NAME.reason.txt). A file modified less than
// Options.Settle ago, a dotfile and a name not ending .csv are left alone,
// so a sender may write in place or write a dotfile and rename it. A store
// error is logged and retried at the next poll.
func (e *Exporter) Run(ctx context.Context, dir string, poll time.Duration) error {
	if poll <= 0 {
		return fmt.Errorf("mailroom: poll interval %s; want a positive duration such as 10s", poll)
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := e.ProcessOnce(ctx, dir); err != nil && ctx.Err() == nil {
			e.log.Error("mail-room drop folder: will retry", "dir", dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// ProcessFile processes one count file of dir by name. The returned error
// is a store or file-system failure: the file stays where it is.
func (e *Exporter) ProcessFile(ctx context.Context, dir, name string) (FileOutcome, error) {
	path := filepath.Join(dir, name)
	data, tooLarge, err := readLimited(path, e.o.MaxFileBytes)
	if err != nil {
		return FileOutcome{}, fmt.Errorf("mailroom: read %s: %w", name, err)
	}
	o := FileOutcome{Name: name}
	if tooLarge {
		return e.reject(dir, o, ReasonTooLarge, fmt.Sprintf("the file is over %d bytes; split it", e.o.MaxFileBytes), "")
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	earlier, found, err := e.o.Store.MailroomFileByHash(ctx, hash)
	switch {
	case err != nil:
		return FileOutcome{}, err
	case found:
		return e.duplicate(dir, o, earlier, hash)
	}
	now := e.o.Now()
	f, ferr := ParseCountFile(data, e.mr, now.In(e.o.Catalog.Location()))
	if ferr != nil {
		return e.reject(dir, o, ferr.Code, ferr.Error(), hash)
	}
	res, err := e.o.Store.RecordMailroomFile(ctx, store.MailroomFile{Name: name, SHA256: hash, Period: f.Period, Rows: f.Rows}, now)
	if err != nil {
		return FileOutcome{}, err
	}
	if res.Duplicate { // another process stored the same bytes meanwhile
		return e.duplicate(dir, o, res.Earlier, hash)
	}
	for i, r := range f.Rows {
		e.m.add(r.BusinessUnit, r.Region, f.Period, res.Added[i])
		if f.Period == store.MailroomDaily {
			e.missing.received(r.BusinessUnit, r.Region, r.Day)
		}
	}
	e.m.seen(TransportFile, now)
	o.Outcome, o.Rows = OutcomeCounted, len(f.Rows)
	if n := res.Corrections(); n > 0 {
		o.Outcome = OutcomeCorrected
		e.log.Warn("mail-room count file corrects earlier counts: the figures now use it; counters only grow",
			"file", name, "rows_corrected", n)
	}
	e.m.files.WithLabelValues(o.Outcome).Inc()
	o.MovedTo, err = moveUnique(path, filepath.Join(dir, DoneDir), name)
	if err != nil {
		return o, fmt.Errorf("mailroom: %s is stored but could not be moved to %s/ (it will be found again by its hash): %w", name, DoneDir, err)
	}
	e.log.Info("mail-room count file stored", "file", name, "period", f.Period, "rows", len(f.Rows), "outcome", o.Outcome)
	return o, nil
}

// duplicate handles a file whose bytes were stored before: the same name
// is the crash case (stored, not moved): done/; another name is a second
// copy: rejected/ with the earlier file named.
func (e *Exporter) duplicate(dir string, o FileOutcome, earlier store.MailroomFileRecord, hash string) (FileOutcome, error) {
	if earlier.Name == o.Name {
		o.Outcome = OutcomeAlready
		e.m.files.WithLabelValues(o.Outcome).Inc()
		e.log.Warn("mail-room count file was stored before but not moved (a stop after the commit?): moving it, not counting it again",
			"file", o.Name, "processed", earlier.Processed)
		var err error
		o.MovedTo, err = moveUnique(filepath.Join(dir, o.Name), filepath.Join(dir, DoneDir), o.Name)
		return o, err
	}
	reason := fmt.Sprintf("duplicate of %s processed at %s (the same bytes, SHA-256 %s): not counted again",
		earlier.Name, earlier.Processed.In(e.o.Catalog.Location()).Format(time.RFC3339), hash)
	o, err := e.reject(dir, o, ReasonDuplicateFile, reason, hash)
	o.Outcome = OutcomeDuplicate
	return o, err
}

// reject moves the file to rejected/ after writing its reason file.
func (e *Exporter) reject(dir string, o FileOutcome, code, reason, hash string) (FileOutcome, error) {
	o.Outcome, o.Reason = OutcomeRejected, reason
	if code == ReasonDuplicateFile {
		o.Outcome = OutcomeDuplicate
	}
	e.m.files.WithLabelValues(o.Outcome).Inc()
	e.m.fileRejections.WithLabelValues(code).Inc()
	rej := filepath.Join(dir, RejectedDir)
	target, err := freeName(rej, o.Name)
	if err != nil {
		return o, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "file: %s\nrejected: %s\nreason (%s): %s\n", o.Name, e.o.Now().In(e.o.Catalog.Location()).Format(time.RFC3339), code, reason)
	if hash != "" {
		fmt.Fprintf(&b, "sha256: %s\n", hash)
	}
	b.WriteString("Nothing of this file was counted. Fix it and drop it again (see docs/MAILROOM.md for the format).\n")
	if err := writeAtomic(target+ReasonSuffix, []byte(b.String())); err != nil {
		return o, fmt.Errorf("mailroom: reason file for %s: %w", o.Name, err)
	}
	if err := os.Rename(filepath.Join(dir, o.Name), target); err != nil {
		return o, fmt.Errorf("mailroom: move %s to %s/: %w", o.Name, RejectedDir, err)
	}
	o.MovedTo = target
	e.log.Warn("mail-room count file rejected", "file", o.Name, "reason", code, "detail", reason)
	return o, nil
}

// readLimited reads at most max bytes; tooLarge when the file is longer.
func readLimited(path string, max int64) (data []byte, tooLarge bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, false, err
	}
	return data, int64(len(data)) > max, nil
}

// freeName is dir/name, or dir/stem-N.ext for the first N from 2 that is
// free (a file of the same name was moved there before).
func freeName(dir, name string) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 1; n < 10000; n++ {
		cand := name
		if n > 1 {
			cand = stem + "-" + strconv.Itoa(n) + ext
		}
		p := filepath.Join(dir, cand)
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			return p, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("mailroom: no free name for %s in %s", name, dir)
}

func moveUnique(from, dir, name string) (string, error) {
	to, err := freeName(dir, name)
	if err != nil {
		return "", err
	}
	return to, os.Rename(from, to)
}

// writeAtomic writes a file by a dotfile and a rename.
func writeAtomic(path string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
