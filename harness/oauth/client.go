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

// secretParams are the form parameters evidence never shows; jwtParams
// keep their JOSE header and claims, which are the probe an auditor needs
// to see (what alg=none assertion was sent), and lose only the signature,
// which is what would let anyone replay them.
var (
	secretParams = []string{"client_secret", "password", "access_token", "refresh_token", "code", "code_verifier"}
	jwtParams    = []string{"client_assertion", "assertion"}
)

const redactedMark = "[redacted]"

// redactForm blanks secret parameters and JWT signatures, keeping the
// parameters' order and repetitions (the duplicate-parameter probe is
// evidence too); a form that does not parse is dropped whole rather than
// risk a secret.
func redactForm(form string) string {
	if form == "" {
		return ""
	}
	parts := strings.Split(form, "&")
	for i, part := range parts {
		rawKey, rawVal, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(rawKey)
		v, err2 := url.QueryUnescape(rawVal)
		if err1 != nil || err2 != nil {
			return "[unparseable form redacted]"
		}
		switch {
		case slices.Contains(secretParams, k):
			v = redactedMark
		case slices.Contains(jwtParams, k):
			v = redactSignatures(v)
		default:
			continue
		}
		parts[i] = rawKey + "=" + url.QueryEscape(v)
	}
	return strings.Join(parts, "&")
}

// redactSignatures removes the signature of each JWS in s (compact, or
// more than one joined by dots, or the JSON serialization) and keeps the
// header and payload segments. Anything else is redacted whole.
func redactSignatures(s string) string {
	if strings.HasPrefix(strings.TrimSpace(s), "{") {
		var obj map[string]any
		if json.Unmarshal([]byte(s), &obj) != nil {
			return redactedMark
		}
		if _, ok := obj["signature"]; ok {
			obj["signature"] = redactedMark
		}
		if sigs, ok := obj["signatures"].([]any); ok {
			for _, e := range sigs {
				if m, ok := e.(map[string]any); ok {
					m["signature"] = redactedMark
				}
			}
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return redactedMark
		}
		return string(b)
	}
	segs := strings.Split(s, ".")
	switch {
	case len(segs) == 5:
		// A JWE (RFC 7516) keeps its protected header: what it carries may
		// be a bearer token encrypted to its audience.
		return segs[0] + "." + strings.Repeat(redactedMark+".", 3) + redactedMark
	case len(segs) < 3 || len(segs)%3 != 0:
		return redactedMark
	}
	for i := 2; i < len(segs); i += 3 {
		if segs[i] != "" {
			segs[i] = redactedMark
		}
	}
	return strings.Join(segs, ".")
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
