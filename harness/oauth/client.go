// Package oauth acts as an OAuth 2.0 client against a target's
// authorization server and resource server: RFC 7523 client authentication
// and JWT authorization grants at the token endpoint, RFC 8414 / OpenID
// Connect discovery, the JWKS, and bearer-token probes at a protected
// resource. Every probe is listed by Plan before anything is sent, every
// request goes through the caller's *http.Client (conduct.Guard in
// production) and every body is read with a cap.
package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/conduct"
)

// Form and protocol identifiers (RFC 7521 §4.2, RFC 7523 §2).
const (
	AssertionTypeJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	GrantJWTBearer   = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	GrantCC          = "client_credentials"
)

// DefaultBodyCap bounds token endpoint, metadata and JWKS bodies: they are
// small, and a target that sends 50 MB is answered with "could not test".
const DefaultBodyCap = 256 << 10

// Client sends requests to the target.
type Client struct {
	HTTP    *http.Client
	BodyCap int64
}

// Exchange is one request and what came back, kept as evidence. Err is set
// when no complete answer arrived (refused, timeout, body over the cap).
type Exchange struct {
	Method     string        `json:"method"`
	URL        string        `json:"url"`
	ReqHeader  http.Header   `json:"request_headers,omitempty"`
	ReqBody    string        `json:"request_body,omitempty"`
	Status     int           `json:"status,omitempty"`
	Header     http.Header   `json:"response_headers,omitempty"`
	Body       []byte        `json:"-"`
	BodyText   string        `json:"response_body,omitempty"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	Err        error         `json:"-"`
	ErrText    string        `json:"error,omitempty"`
	Note       string        `json:"note,omitempty"`
	mediaType  string
	parsedJSON map[string]any
}

// MediaType is the response's media type without parameters, lower case.
func (e *Exchange) MediaType() string { return e.mediaType }

// Do sends one request. A transport or body error is recorded in the
// Exchange (never a panic); the caller decides what it means.
func (c *Client) Do(ctx context.Context, method, target string, header http.Header, body string) *Exchange {
	ex := &Exchange{Method: method, URL: target, ReqHeader: header.Clone(), ReqBody: body}
	start := time.Now()
	defer func() {
		ex.Elapsed = time.Since(start)
		if ex.Err != nil {
			ex.ErrText = ex.Err.Error()
		}
	}()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		ex.Err = err
		return ex
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		ex.Err = err
		return ex
	}
	defer resp.Body.Close()
	ex.Status, ex.Header = resp.StatusCode, resp.Header.Clone()
	ex.mediaType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	ex.mediaType = strings.ToLower(ex.mediaType)
	ex.Body, ex.Err = conduct.ReadBody(resp.Body, c.BodyCap)
	if c.BodyCap <= 0 && ex.Err == nil && len(ex.Body) > DefaultBodyCap {
		ex.Err = fmt.Errorf("%w of %d bytes", conduct.ErrBodyTooLarge, DefaultBodyCap)
	}
	if len(ex.Body) <= 8<<10 {
		ex.BodyText = string(ex.Body)
	} else {
		ex.BodyText = string(ex.Body[:8<<10]) + "…"
	}
	return ex
}

// encodePairs writes a form body; pairs keep their order so a probe can
// repeat a parameter (url.Values would sort and merge them).
func encodePairs(pairs [][2]string) string {
	var b bytes.Buffer
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p[0]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p[1]))
	}
	return b.String()
}

// Summary is the one-line "what came back" of a failure message.
func (e *Exchange) Summary() string {
	if e.Err != nil {
		return "no answer: " + e.Err.Error()
	}
	s := fmt.Sprintf("%d", e.Status)
	if e.mediaType != "" {
		s += " " + e.mediaType
	}
	if obj := e.JSON(); obj != nil {
		if code, ok := obj["error"].(string); ok {
			s += " error=" + code
		}
		if _, ok := obj["access_token"]; ok {
			s += " with an access_token"
		}
	}
	if loc := e.Header.Get("Location"); loc != "" {
		s += " Location: " + loc
	}
	return s
}

// secretParams are the form parameters evidence never shows.
var secretParams = []string{"client_assertion", "assertion", "client_secret", "password", "access_token", "refresh_token"}

// redactForm blanks secret parameters; an unparseable form is dropped
// whole rather than risk a secret.
func redactForm(form string) string {
	vals, err := url.ParseQuery(form)
	if err != nil {
		return "[unparseable form redacted]"
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range vals[k] {
			if slices.Contains(secretParams, k) {
				v = "[redacted]"
			}
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	return strings.Join(parts, "&")
}

// Redacted returns the exchange with credentials blanked: assertions,
// access tokens, Authorization headers. Evidence keeps the structure.
func (e *Exchange) Redacted() *Exchange {
	c := *e
	c.ReqHeader = e.ReqHeader.Clone()
	if c.ReqHeader.Get("Authorization") != "" {
		scheme, _, _ := strings.Cut(c.ReqHeader.Get("Authorization"), " ")
		c.ReqHeader.Set("Authorization", scheme+" [redacted]")
	}
	if e.ReqBody != "" {
		c.ReqBody = redactForm(e.ReqBody)
	}
	if u, err := url.Parse(e.URL); err == nil && u.RawQuery != "" {
		u.RawQuery = redactForm(u.RawQuery)
		c.URL = u.String()
	}
	if obj := e.JSON(); obj != nil {
		// Re-encode rather than search and replace: a token may be
		// JSON-escaped differently in the raw body.
		red, found := map[string]any{}, false
		for k, v := range obj {
			if k == "access_token" || k == "refresh_token" || k == "id_token" {
				v, found = "[redacted]", true
			}
			red[k] = v
		}
		if found {
			if b, err := json.Marshal(red); err == nil {
				c.BodyText = string(b)
			} else {
				c.BodyText = "[redacted]"
			}
		}
	}
	return &c
}
