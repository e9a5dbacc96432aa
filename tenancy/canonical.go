package tenancy

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

// DefaultMaxBody is the largest form body accepted by default (64 KiB).
const DefaultMaxBody = 64 << 10

// MaxExprLen is the longest query or match[] accepted (16 KiB; the
// longest board query is about 600 bytes). PromQL's parse time grows
// with the square of nesting, so the length, and then the nesting (see
// Options.MaxNesting), are checked before anything parses the
// expression.
const MaxExprLen = 16 << 10

// requestError is a request refused before it reaches the enforcer.
type requestError struct {
	code int
	msg  string
}

func (e *requestError) Error() string { return e.msg }

func refuse(code int, format string, args ...any) error {
	return &requestError{code: code, msg: fmt.Sprintf(format, args...)}
}

// formContentType is the only body a POST may carry.
const formContentType = "application/x-www-form-urlencoded"

// canonical returns a copy of r in the one form the enforcer and
// Prometheus read alike: a GET carries its parameters in the URL and no
// body; a POST query carries them all in a form body and none in the URL;
// a POST to series, labels or label values becomes a GET. A
// parameter may come in the URL or the body, not both; a query endpoint
// takes exactly one non-empty query; every match[] must be a valid series
// selector. The copy has no Authorization or Cookie header and a clean
// path (RawPath cleared), so nothing the enforcer did not see reaches
// Prometheus. No query or match[], on any endpoint, may be longer than
// MaxExprLen, nest deeper than maxNesting or hold a Unicode class escape
// in a string (see scan): all are checked before anything parses it. The
// client's Accept-Encoding is dropped: injectproxy decodes only gzip
// when it filters rules and alerts, and without the header Go's
// transport asks Prometheus for gzip and decodes it itself.
func canonical(r *http.Request, ep endpoint, maxBody int64, maxNesting int) (*http.Request, error) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "the URL's query string does not parse: %v", err)
	}
	if r.Method == http.MethodPost {
		body, err := readForm(r, maxBody)
		if err != nil {
			return nil, err
		}
		for k, vs := range body {
			if _, both := params[k]; both {
				return nil, refuse(http.StatusBadRequest, "parameter %q is both in the URL and in the body; send it in one place", k)
			}
			params[k] = vs
		}
	}
	for _, k := range []string{paramQuery, paramMatch} {
		for _, v := range params[k] {
			if len(v) > MaxExprLen {
				return nil, refuse(http.StatusBadRequest, "a %s of %d bytes is over the limit of %d bytes", k, len(v), MaxExprLen)
			}
			d, unicodeClass := scan(v)
			if d > maxNesting {
				return nil, refuse(http.StatusBadRequest,
					"a %s nesting %d deep is over the limit of %d (brackets and operators: a + b + c nests 2 deep)", k, d, maxNesting)
			}
			if unicodeClass {
				return nil, refuse(http.StatusBadRequest,
					"a %s with a Unicode class (\\p or \\P) in a string is refused: such a regular expression can take Prometheus seconds to compile", k)
			}
		}
	}
	switch ep.param {
	case paramQuery:
		if q := params[paramQuery]; len(q) != 1 || strings.TrimSpace(q[0]) == "" {
			return nil, refuse(http.StatusBadRequest, "want exactly one non-empty %q parameter, got %d", paramQuery, len(q))
		}
	case paramMatch:
		for _, m := range params[paramMatch] {
			if _, err := parser.ParseMetricSelector(m); err != nil {
				return nil, refuse(http.StatusBadRequest, "%s %q is not a series selector: %v", paramMatch, m, err)
			}
		}
	}

	out := r.Clone(r.Context())
	out.URL.RawPath = ""
	out.RequestURI = ""
	out.Form, out.PostForm, out.MultipartForm = nil, nil, nil
	for _, h := range []string{"Authorization", "Proxy-Authorization", "Cookie", "Accept-Encoding"} {
		out.Header.Del(h)
	}
	enc := params.Encode()
	if r.Method == http.MethodPost && ep.param == paramMatch {
		// injectproxy adds po's match[] to the URL of a POST as well as
		// to its body, and Prometheus takes the union: a POST series or
		// labels request would get every series of the PO. As a GET it
		// means what was asked.
		out.Method = http.MethodGet
	}
	if out.Method == http.MethodPost {
		out.URL.RawQuery = ""
		out.Body = io.NopCloser(strings.NewReader(enc))
		out.ContentLength = int64(len(enc))
		out.GetBody = nil
		out.Header.Set("Content-Type", formContentType)
		out.Header.Del("Content-Encoding")
		out.TransferEncoding = nil
	} else {
		out.URL.RawQuery = enc
		out.Body = http.NoBody
		out.ContentLength = 0
		out.Header.Del("Content-Type")
		out.Header.Del("Content-Length")
	}
	return out, nil
}

// readForm reads a POST's form body (at most maxBody bytes).
func readForm(r *http.Request, maxBody int64) (url.Values, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "reading the body: %v", err)
	}
	if int64(len(data)) > maxBody {
		return nil, refuse(http.StatusRequestEntityTooLarge, "the body is over %d bytes", maxBody)
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return nil, refuse(http.StatusUnsupportedMediaType, "Content-Encoding %q: send the form body uncompressed", ce)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != formContentType {
			return nil, refuse(http.StatusUnsupportedMediaType, "Content-Type %q: a POST body must be %s", ct, formContentType)
		}
	} else if len(data) > 0 {
		return nil, refuse(http.StatusUnsupportedMediaType, "a POST body needs Content-Type: %s", formContentType)
	}
	vals, err := url.ParseQuery(string(data))
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "the form body does not parse: %v", err)
	}
	return vals, nil
}

// statusOf is the HTTP status of a canonical() error.
func statusOf(err error) (int, string) {
	var re *requestError
	if errors.As(err, &re) {
		return re.code, re.msg
	}
	return http.StatusBadRequest, err.Error()
}
