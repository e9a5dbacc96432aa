package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/-/healthy" {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{srv.URL + "/-/healthy"}, 0, ""},
		{[]string{srv.URL + "/other"}, 1, "503 Service Unavailable"},
		{[]string{"--timeout", "2s", "http://127.0.0.1:1/-/healthy"}, 1, "healthcheck:"},
		{nil, 2, "exactly one URL"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), &env{stdout: &out, stderr: &errb}, append([]string{"healthcheck"}, tc.args...))
		if code != tc.code || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", tc.args, code, tc.code, errb.String(), tc.err)
		}
	}
}
