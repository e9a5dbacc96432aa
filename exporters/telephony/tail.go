package telephony

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"
)

// tailer follows a growing file by polling, across rotation: when the path
// names a new file (inode change) it finishes the old one and reopens; when
// the file shrinks, or the bytes just before the read offset changed
// (copytruncate followed by new lines before the next poll), it starts again
// from the top. It starts at the beginning of the file. A line over
// MaxLineBytes is not buffered: onLine gets it as tooLong (empty text).
type tailer struct {
	path string
	poll time.Duration
	// hooks for the caller
	onLine   func(line string, tooLong bool) error
	onIdle   func() error // at end of data, before sleeping
	onReopen func(why string)

	f       *os.File
	fi      os.FileInfo
	off     int64
	partial []byte
	long    bool // the current line is over MaxLineBytes: skipping to its end
	buf     []byte
	sig     []byte // the last bytes read, ending at off
}

const sigLen = 64

func (t *tailer) run(ctx context.Context) error {
	t.buf = make([]byte, 64<<10)
	defer func() {
		if t.f != nil {
			t.f.Close()
		}
	}()
	for {
		if t.f == nil {
			if err := t.open(); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		if t.f != nil {
			if err := t.drain(); err != nil {
				return err
			}
		}
		if err := t.onIdle(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(t.poll):
		}
		if t.f != nil {
			if err := t.checkRotation(); err != nil {
				return err
			}
		}
	}
}

func (t *tailer) open() error {
	f, err := os.Open(t.path)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	t.f, t.fi, t.off, t.partial, t.long, t.sig = f, fi, 0, nil, false, nil
	return nil
}

// drain reads to the end of the current file, handing on whole lines.
func (t *tailer) drain() error {
	for {
		n, err := t.f.Read(t.buf)
		if n > 0 {
			t.off += int64(n)
			data := t.buf[:n]
			t.sig = append(t.sig, data[max(0, n-sigLen):]...)
			t.sig = t.sig[max(0, len(t.sig)-sigLen):]
			for {
				i := bytes.IndexByte(data, '\n')
				if i < 0 {
					t.addPartial(data)
					break
				}
				t.addPartial(data[:i])
				if err := t.endLine(); err != nil {
					return err
				}
				data = data[i+1:]
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// addPartial adds b to the current line unless that makes it too long.
func (t *tailer) addPartial(b []byte) {
	if t.long {
		return
	}
	if len(t.partial)+len(b) > MaxLineBytes+1 { // +1: a \r before the \n
		t.long, t.partial = true, nil
		return
	}
	t.partial = append(t.partial, b...)
}

// endLine hands on the current line and starts the next.
func (t *tailer) endLine() error {
	line := bytes.TrimSuffix(t.partial, []byte("\r"))
	long := t.long || len(line) > MaxLineBytes
	text := ""
	if !long {
		text = string(line)
	}
	t.partial, t.long = t.partial[:0], false
	return t.onLine(text, long)
}

// checkRotation reopens after rotation or truncation.
func (t *tailer) checkRotation() error {
	st, err := os.Stat(t.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // rotated away, new file not there yet: keep the old one
	case err != nil:
		return err
	case !os.SameFile(st, t.fi):
		if err := t.drain(); err != nil { // lines written just before the rename
			return err
		}
		if len(t.partial) > 0 || t.long {
			if err := t.endLine(); err != nil {
				return err
			}
		}
		t.f.Close()
		t.f = nil
		t.onReopen("rotated")
		return t.open()
	case st.Size() < t.off || !t.sigHolds():
		if _, err := t.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		t.off, t.partial, t.long, t.sig = 0, nil, false, nil
		t.onReopen("truncated")
	}
	return nil
}

// sigHolds reports whether the bytes before the offset are still those read.
func (t *tailer) sigHolds() bool {
	if len(t.sig) == 0 {
		return true
	}
	got := make([]byte, len(t.sig))
	n, err := t.f.ReadAt(got, t.off-int64(len(t.sig)))
	if err != nil && !(err == io.EOF && n == len(got)) {
		return false
	}
	return bytes.Equal(got, t.sig)
}
