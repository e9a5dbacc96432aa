package testprom

import (
	"net"
	"strings"
	"testing"
)

func TestFreeAddrIsListenable(t *testing.T) {
	addr := FreeAddr(t)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("FreeAddr = %q; want a 127.0.0.1 address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	ln.Close()
}

func TestFreePortsAreDistinctAndListenable(t *testing.T) {
	ports := FreePorts(t, 5)
	if len(ports) != 5 {
		t.Fatalf("%d ports; want 5", len(ports))
	}
	seen := map[int]bool{}
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for _, p := range ports {
		if seen[p] || p <= 0 {
			t.Fatalf("ports %v: want 5 distinct ones", ports)
		}
		seen[p] = true
		l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p})
		if err != nil {
			t.Fatalf("listen on port %d: %v", p, err)
		}
		ls = append(ls, l)
	}
}
