package testprom

import (
	"fmt"
	"net"
	"testing"
)

// FreePorts returns n distinct loopback ports that were free a moment ago
// (each held open until all are found, so none repeats).
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("a free loopback port: %v", err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// FreeAddr returns a loopback address, 127.0.0.1:port, whose port was free
// a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", FreePorts(t, 1)[0])
}
