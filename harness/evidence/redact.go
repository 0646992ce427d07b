package evidence

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httputil"
	"regexp"
	"slices"
	"strings"
)

// Redacted replaces every secret the suite knows to look for. Evidence must
// still show the shape of what was sent (a JWT keeps its header and claims,
// which are the probe), so only the parts that authenticate are removed.
const Redacted = "[REDACTED]"

var redactions = []struct {
	re   *regexp.Regexp
	repl string
}{
	// PEM private keys, whole.
	{regexp.MustCompile(`(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----`), "-----" + Redacted + " PRIVATE KEY-----"},
	// Authorization and Proxy-Authorization headers, Cookie/Set-Cookie values.
	{regexp.MustCompile(`(?im)^((?:proxy-)?authorization|cookie|set-cookie|x-api-key):[ \t]*[^\r\n]*`), "$1: " + Redacted},
	// Signatures of compact JWS/JWT (the third part); header and claims stay.
	{regexp.MustCompile(`\b(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.)[A-Za-z0-9_-]{8,}`), "${1}" + Redacted},
	// OAuth secrets in forms and JSON.
	{regexp.MustCompile(`(?i)((?:client_secret|password|refresh_token|access_token|id_token|code_verifier)["']?\s*[=:]\s*["']?)[^&"'\s,}]+`), "${1}" + Redacted},
	// WS-Security passwords.
	{regexp.MustCompile(`(?s)(<(?:[A-Za-z0-9_]+:)?Password\b[^>]*>).*?(</(?:[A-Za-z0-9_]+:)?Password>)`), "${1}" + Redacted + "${2}"},
	// JWK private members.
	{regexp.MustCompile(`("(?:d|p|q|dp|dq|qi|k)"\s*:\s*")[^"]+(")`), "${1}" + Redacted + "${2}"},
}

// Redact returns a copy of b with secrets replaced.
func Redact(b []byte) []byte {
	out := slices.Clone(b)
	for _, r := range redactions {
		out = r.re.ReplaceAll(out, []byte(r.repl))
	}
	return out
}

// HTTPExchange renders a request and its response as one transcript. The
// response body is passed separately because the probe has already read it
// (with a cap).
func HTTPExchange(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte, respErr error) []byte {
	var b bytes.Buffer
	b.WriteString(">>> request\n")
	if req != nil {
		clone := req.Clone(req.Context())
		clone.Body = nil
		head, err := httputil.DumpRequestOut(clone, false)
		if err != nil {
			fmt.Fprintf(&b, "%s %s\n", req.Method, req.URL)
		} else {
			b.Write(bytes.TrimRight(head, "\r\n"))
			b.WriteString("\n")
		}
		if len(reqBody) > 0 {
			b.WriteString("\n")
			b.Write(reqBody)
			b.WriteString("\n")
		}
	}
	b.WriteString("<<< response\n")
	switch {
	case respErr != nil:
		fmt.Fprintf(&b, "(no response: %v)\n", respErr)
	case resp != nil:
		fmt.Fprintf(&b, "%s %s\n", resp.Proto, resp.Status)
		keys := make([]string, 0, len(resp.Header))
		for k := range resp.Header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(resp.Header[k], ", "))
		}
		if len(respBody) > 0 {
			b.WriteString("\n")
			b.Write(respBody)
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}
