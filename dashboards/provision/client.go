package provision

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Client talks to Grafana's HTTP API as a server administrator (basic auth).
type Client struct {
	base     *url.URL
	user     string
	password string
	http     *http.Client
}

// NewClient returns a client of the Grafana at baseURL (e.g.
// http://grafana:3000). The password never appears in errors.
func NewClient(baseURL, user, password string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("grafana: --url %q must be an http(s) URL such as http://grafana:3000", baseURL)
	}
	if u.User != nil {
		return nil, errors.New("grafana: --url must not hold credentials: use --user and --password-file")
	}
	if user == "" {
		return nil, errors.New("grafana: an admin user is needed (--user)")
	}
	if password == "" {
		return nil, errors.New("grafana: the admin password is empty (--password-file or GRAFANA_ADMIN_PASSWORD)")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{base: u, user: user, password: password, http: hc}, nil
}

// APIError is a response Grafana answered with an error status.
type APIError struct {
	Method, Path string
	Status       int
	// Message is Grafana's {"message": ...}, or the start of the body.
	Message string
}

func (e *APIError) Error() string {
	hint := ""
	switch e.Status {
	case http.StatusUnauthorized:
		hint = " (wrong admin user or password)"
	case http.StatusForbidden:
		hint = " (the user must be a Grafana server administrator)"
	}
	return fmt.Sprintf("grafana: %s %s: %d %s%s", e.Method, e.Path, e.Status, e.Message, hint)
}

// StatusOf is the HTTP status of an *APIError in err's chain, or 0.
func StatusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	// path is escaped already (a name in it went through url.PathEscape):
	// keep it as sent, with Path its unescaped form.
	u := *c.base
	u.RawPath = c.base.EscapedPath() + path
	unescaped, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return fmt.Errorf("grafana: %s %s: %w", method, path, err)
	}
	u.Path = unescaped
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.user, c.password)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("grafana: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("grafana: %s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var m struct {
			Message string `json:"message"`
		}
		msg := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &m) == nil && m.Message != "" {
			msg = m.Message
		}
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		return &APIError{Method: method, Path: path, Status: resp.StatusCode, Message: msg}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("grafana: %s %s: unexpected answer: %w", method, path, err)
	}
	return nil
}

// Health is GET /api/health: nil when Grafana answers and its database is ok.
func (c *Client) Health(ctx context.Context) error {
	var h struct {
		Database string `json:"database"`
		Version  string `json:"version"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/health", nil, nil, &h); err != nil {
		return err
	}
	if h.Database != "ok" {
		return fmt.Errorf("grafana: GET /api/health: database %q", h.Database)
	}
	return nil
}

// Organisation is one of Grafana's organisations.
type Organisation struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// OrgByID is GET /api/orgs/:id (server administrators only); found is
// false on 404. Organisations are looked up one by one, never listed:
// /api/orgs pages from 0 and would need its numbering right.
func (c *Client) OrgByID(ctx context.Context, id int64) (org Organisation, found bool, err error) {
	err = c.do(ctx, http.MethodGet, "/api/orgs/"+strconv.FormatInt(id, 10), nil, nil, &org)
	if StatusOf(err) == http.StatusNotFound {
		return Organisation{}, false, nil
	}
	return org, err == nil, err
}

// OrgByName is GET /api/orgs/name/:name (server administrators only;
// Grafana matches the name ignoring case); found is false on 404.
func (c *Client) OrgByName(ctx context.Context, name string) (org Organisation, found bool, err error) {
	err = c.do(ctx, http.MethodGet, "/api/orgs/name/"+url.PathEscape(name), nil, nil, &org)
	if StatusOf(err) == http.StatusNotFound {
		return Organisation{}, false, nil
	}
	return org, err == nil, err
}

// CreateOrg is POST /api/orgs; it returns the new organisation's id.
// Grafana answers 409 "Organization name taken" when the name exists.
func (c *Client) CreateOrg(ctx context.Context, name string) (int64, error) {
	var r struct {
		OrgID   int64  `json:"orgId"`
		Message string `json:"message"`
	}
	if err := c.do(ctx, http.MethodPost, "/api/orgs", nil, map[string]string{"name": name}, &r); err != nil {
		return 0, err
	}
	if r.OrgID <= 0 {
		return 0, fmt.Errorf("grafana: POST /api/orgs: no organisation id in the answer (%q)", r.Message)
	}
	return r.OrgID, nil
}

// ReloadDatasources is POST /api/admin/provisioning/datasources/reload.
func (c *Client) ReloadDatasources(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/api/admin/provisioning/datasources/reload", nil, nil, nil)
}

// ReloadDashboards is POST /api/admin/provisioning/dashboards/reload.
func (c *Client) ReloadDashboards(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/api/admin/provisioning/dashboards/reload", nil, nil, nil)
}
