package tenancy

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// endpoint is one allowed Prometheus API path.
type endpoint struct {
	// name labels the proxy's metrics: query, query_range, series, labels,
	// label_values, rules, alerts.
	name    string
	methods []string
	// param is the parameter checked before enforcement: "query" (exactly
	// one, non-empty) or "match[]" (each a valid series selector).
	param string
}

const (
	paramQuery = "query"
	paramMatch = "match[]"
)

var (
	getPost = []string{http.MethodGet, http.MethodPost}
	getOnly = []string{http.MethodGet}

	// endpoints are the exact paths served; anything else is refused.
	endpoints = map[string]endpoint{
		"/api/v1/query":       {"query", getPost, paramQuery},
		"/api/v1/query_range": {"query_range", getPost, paramQuery},
		"/api/v1/series":      {"series", getPost, paramMatch},
		"/api/v1/labels":      {"labels", getPost, paramMatch},
		"/api/v1/rules":       {"rules", getOnly, ""},
		"/api/v1/alerts":      {"alerts", getOnly, ""},
	}
	labelValues = endpoint{"label_values", getOnly, paramMatch}

	// reLabelValues is /api/v1/label/<name>/values with a plain label name.
	reLabelValues = regexp.MustCompile(`^/api/v1/label/[a-zA-Z_][a-zA-Z0-9_]*/values$`)
)

// route is the endpoint of an allowed path (compared exactly: no trailing
// slash, no prefix match).
func route(path string) (endpoint, bool) {
	if ep, ok := endpoints[path]; ok {
		return ep, true
	}
	if strings.HasPrefix(path, "/api/v1/label/") && reLabelValues.MatchString(path) {
		return labelValues, true
	}
	return endpoint{}, false
}

func (ep endpoint) allows(method string) bool { return slices.Contains(ep.methods, method) }

// Allowed is the list of allowed paths, for messages and docs.
func Allowed() []string {
	var out []string
	for p := range endpoints {
		out = append(out, p)
	}
	slices.Sort(out)
	return append(out, "/api/v1/label/<name>/values")
}
