package telephony

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// A 2 MiB line is rejected as syntax with its number; reading resumes at
// the next line.
func TestLongLineIsRejectedAndReadingResumes(t *testing.T) {
	long := strings.Repeat("x", 2<<20)
	csvIn := "call_id,access_number,service_option,queued_at,answered_at,ended_at,outcome\n" + long + "\n" +
		"h1,+442079460103,repairs,2026-01-31T23:00:00Z,2026-01-31T23:00:05Z,2026-01-31T23:01:00Z,answered\n"
	jsonlIn := long + "\n" + oneCall + "\n"
	qlIn := long + "\n1769900400|u1|alpha-noise|NONE|ENTERQUEUE||x|1\n1769900410|u1|alpha-noise|NONE|ABANDON|1|1|10\n"
	for _, tc := range []struct{ format, in string }{{TransportCSV, csvIn}, {TransportJSONL, jsonlIn}, {TransportQueueLog, qlIn}} {
		t.Run(tc.format, func(t *testing.T) {
			e, _ := newExporter(t, testCatalog(t), openStore(t, t.TempDir()), nil)
			res, err := e.ingestReader(context.Background(), tc.format, "calls", strings.NewReader(tc.in), 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantLine := 1
			if tc.format == TransportCSV {
				wantLine = 2
			}
			if res.Accepted != 1 || res.Rejected != 1 || res.Errors[0].Code != ReasonSyntax || res.Errors[0].Line != wantLine ||
				!strings.Contains(res.Errors[0].Reason, "longer than 1048576 bytes") {
				t.Errorf("result %+v, want line %d syntax and 1 accepted", res, wantLine)
			}
		})
	}
}

func TestLineReaderLimit(t *testing.T) {
	atLimit := strings.Repeat("a", MaxLineBytes)
	in := atLimit + "\r\n" + atLimit + "b\n" + "last"
	lr := newLineReader(strings.NewReader(in))
	if l, n, err := lr.next(); err != nil || n != 1 || l != atLimit {
		t.Errorf("line at the limit: %d bytes, %d, %v", len(l), n, err)
	}
	if _, n, err := lr.next(); err != errLineTooLong || n != 2 {
		t.Errorf("line over the limit: %d, %v", n, err)
	}
	if l, n, err := lr.next(); err != nil || n != 3 || l != "last" {
		t.Errorf("last line: %q %d %v", l, n, err)
	}
	if _, _, err := lr.next(); err == nil {
		t.Error("no EOF")
	}
	// A too-long last line without a newline is reported too.
	lr = newLineReader(bytes.NewReader(append([]byte("ok\n"), bytes.Repeat([]byte("z"), 2<<20)...)))
	lr.next()
	if _, n, err := lr.next(); err != errLineTooLong || n != 2 {
		t.Errorf("long last line: %d, %v", n, err)
	}
}
