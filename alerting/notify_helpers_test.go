package alerting

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

func readJSONLines(t *testing.T, path string) []FileRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []FileRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r FileRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: line %d: %v", path, len(out)+1, err)
		}
		out = append(out, r)
	}
	return out
}
