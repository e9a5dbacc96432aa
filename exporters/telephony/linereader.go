package telephony

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errLineTooLong is returned by lineReader.next for a line over MaxLineBytes;
// the reader has skipped to the next line.
var errLineTooLong = errors.New("line too long")

func tooLongErr(n int) *RecordError {
	return recErr(n, "", ReasonSyntax, "line longer than %d bytes; skipped", MaxLineBytes)
}

// lineReader yields lines without their end (\n or \r\n) and 1-based
// numbers. A line over MaxLineBytes is not kept: next skips to its end and
// returns errLineTooLong with its number, so memory stays bounded.
type lineReader struct {
	br  *bufio.Reader
	n   int
	buf []byte
}

// eachLine calls fn with every non-blank line of lr and its number. A line
// over MaxLineBytes is emitted as a syntax rejection and skipped; a read
// error stops with the format and line in the message.
func eachLine(lr *lineReader, format string, emit EmitFunc, fn func(line string, n int) error) error {
	for {
		line, n, err := lr.next()
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, errLineTooLong):
			if err := emit(n, Record{}, tooLongErr(n)); err != nil {
				return err
			}
			continue
		case err != nil:
			return fmt.Errorf("%s: line %d: %w", format, n, err)
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := fn(line, n); err != nil {
			return err
		}
	}
}

func newLineReader(r io.Reader) *lineReader { return &lineReader{br: bufio.NewReaderSize(r, 64<<10)} }

func (l *lineReader) next() (string, int, error) {
	l.buf = l.buf[:0]
	tooLong := false
	for {
		frag, err := l.br.ReadSlice('\n')
		if !tooLong {
			if len(l.buf)+len(frag) > MaxLineBytes+2 { // room for \r\n
				tooLong, l.buf = true, l.buf[:0]
			} else {
				l.buf = append(l.buf, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return "", l.n + 1, err
		}
		if err == io.EOF && len(frag) == 0 && !tooLong && len(l.buf) == 0 {
			return "", l.n + 1, io.EOF
		}
		l.n++
		if tooLong {
			return "", l.n, errLineTooLong
		}
		b := bytes.TrimSuffix(l.buf, []byte("\n"))
		b = bytes.TrimSuffix(b, []byte("\r"))
		if len(b) > MaxLineBytes {
			return "", l.n, errLineTooLong
		}
		return string(b), l.n, nil
	}
}
