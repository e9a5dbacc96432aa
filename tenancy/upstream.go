package tenancy

import (
	"fmt"
	"net/url"
)

// CheckUpstream checks that u is Prometheus's root URL: http or https, a
// host, and nothing else. A path is refused because injectproxy picks the
// rules and alerts filters by the path it sends upstream: behind
// http://host/prom, /api/v1/rules and /api/v1/alerts would come back
// unfiltered. A query string, fragment or user info is refused too (the
// first two would be dropped or mixed into every request, the last would
// be a credential in a flag).
func CheckUpstream(u *url.URL) error {
	const want = "want Prometheus's root URL, e.g. http://127.0.0.1:9090"
	switch {
	case u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("the upstream must be an http:// or https:// URL with a host; %s", want)
	case u.User != nil:
		return fmt.Errorf("the upstream %s has user info; %s (no user or password)", u.Redacted(), want)
	case u.Opaque != "" || (u.Path != "" && u.Path != "/") || (u.RawPath != "" && u.RawPath != "/"):
		return fmt.Errorf("the upstream has path %q; %s: behind a path prefix rules and alerts "+
			"would not be filtered to the PO, so serve Prometheus at the root of its own address", u.EscapedPath()+u.Opaque, want)
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("the upstream has a query string; %s", want)
	case u.Fragment != "" || u.RawFragment != "":
		return fmt.Errorf("the upstream has a fragment; %s", want)
	}
	return nil
}
