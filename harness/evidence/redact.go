package evidence

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Redacted replaces every secret the suite knows to look for. Evidence must
// still show the shape of what was sent (a JWT keeps its header and claims,
// which are the probe; a cookie keeps its name and attributes; a SOAP
// envelope keeps every element), so only the parts that authenticate or
// that would let a reader replay a credential are removed.
const Redacted = "[REDACTED]"

// Redact returns a copy of b with secrets replaced. It is the one redaction
// layer every file of a result folder passes through (report.Write), so it
// understands each encoding evidence comes in:
//
//   - a JSON document is walked string by string: each string is unquoted,
//     redacted by the name of the member that holds it (a JWK's private
//     members, Authorization, Cookie, Set-Cookie, OAuth credentials) and as
//     text, and quoted again only when it changed, so formatting and member
//     order stay as they were and a secret is found whatever JSON escaping
//     (\u0026, \u003c, \") the writer used;
//   - anything else is text: HTTP transcripts in both directions, form and
//     query parameters, SOAP/SAML XML (also entity-escaped), JWS/JWE in
//     compact form, PEM private keys, YAML-ish "client_secret: x".
func Redact(b []byte) []byte {
	if isJSONDocument(b) {
		return redactJSON(b)
	}
	return []byte(redactText(string(b)))
}

func isJSONDocument(b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t)
}

// redactJSON walks the raw document lexically, so nothing but the changed
// strings is re-encoded.
func redactJSON(src []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(src))
	var stack []string // the member name each open container was the value of
	key := ""          // the member name the next value belongs to
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case '"':
			end := stringEnd(src, i)
			lit := src[i:end]
			j := end
			for j < len(src) && isJSONSpace(src[j]) {
				j++
			}
			s, err := unquote(lit)
			if err != nil {
				out.Write(lit)
			} else if j < len(src) && src[j] == ':' {
				key = s
				out.Write(lit)
			} else if r := redactValue(key, s); r != s {
				out.Write(quote(r))
			} else {
				out.Write(lit)
			}
			i = end
			continue
		case '{':
			stack = append(stack, key)
			key = ""
		case '[':
			stack = append(stack, key) // elements belong to the array's member
		case '}', ']':
			if n := len(stack); n > 0 {
				key, stack = stack[n-1], stack[:n-1]
			}
		}
		out.WriteByte(c)
		i++
	}
	return out.Bytes()
}

// unquote decodes one JSON string literal; one without escapes (most of
// them) is its own content.
func unquote(lit []byte) (string, error) {
	if len(lit) >= 2 && lit[len(lit)-1] == '"' && bytes.IndexByte(lit[1:len(lit)-1], '\\') < 0 && bytes.IndexByte(lit[1:len(lit)-1], '"') < 0 && utf8.Valid(lit) {
		return string(lit[1 : len(lit)-1]), nil
	}
	var s string
	err := json.Unmarshal(lit, &s)
	return s, err
}

// stringEnd returns the index just past the JSON string literal starting at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func quote(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return bytes.TrimRight(b.Bytes(), "\n")
}

// Member and parameter names whose values are credentials.
var (
	// privateJWKMembers are the private members of RSA, EC, OKP and oct
	// keys (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
	privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "k", "oth"}
	// credentialNames hold a secret, a bearer credential or an assertion
	// (RFC 6749 §2.3.1, §4.1, §5.1; RFC 7521 §4.2; RFC 7636 §4.5; RFC 8693).
	credentialNames = []string{"client_secret", "password", "access_token", "refresh_token", "id_token",
		"code_verifier", "client_assertion", "assertion", "subject_token", "actor_token", "device_code",
		"samlresponse", "samlart", "api_key", "apikey", "x-api-key", "x-auth-token", "private_key", "session"}
	// queryOnlyNames are credentials only as form or query parameters: as
	// JSON members or in prose "code" and "token" mean other things.
	queryOnlyNames = []string{"code", "token"}
)

// redactValue redacts one JSON string by the member that holds it, then as text.
func redactValue(key, s string) string {
	if s == "" || s == Redacted {
		return s
	}
	k := strings.ToLower(key)
	switch {
	case slices.Contains(privateJWKMembers, k):
		return Redacted
	case k == "authorization" || k == "proxy-authorization":
		return redactAuthorization(s)
	case k == "cookie":
		return redactCookie(s)
	case k == "set-cookie":
		return redactSetCookie(s)
	case slices.Contains(credentialNames, k):
		return redactCredential(s)
	case k == "signature" && looksBase64(s) && len(s) >= 40:
		// JWS JSON serialization (RFC 7515 §7.2.1); a short name such as
		// "rsa_pss_rsae_sha256" in TLS evidence is no signature value.
		return Redacted
	}
	if isJSONDocument([]byte(s)) {
		return string(redactJSON([]byte(s)))
	}
	return redactText(s)
}

// redactCredential keeps what a reader needs to see of a credential: a JWT's
// header and claims, an XML assertion's structure; the rest goes.
func redactCredential(s string) string {
	t := strings.TrimSpace(s)
	switch {
	case t == "" || strings.EqualFold(t, Redacted):
		return s
	case strings.HasPrefix(t, "<") || strings.HasPrefix(t, "&lt;"):
		return redactText(s)
	}
	if r, ok := redactCompactJOSE(t); ok {
		return r
	}
	return Redacted
}

// redactCompactJOSE keeps the protected header and payload of a compact JWS
// and the header of a compact JWE; signature, encrypted key, ciphertext and
// tag go. ok is false when s is not compact JOSE.
func redactCompactJOSE(s string) (string, bool) {
	parts := strings.Split(s, ".")
	if (len(parts) != 3 && len(parts) != 5) || !joseHeader(parts[0]) {
		return "", false
	}
	if len(parts) == 5 {
		return parts[0] + "." + Redacted, true
	}
	if parts[2] == "" || parts[2] == Redacted {
		return s, true // unsecured (alg none) or already redacted: nothing authenticates
	}
	return parts[0] + "." + parts[1] + "." + Redacted, true
}

// joseHeader reports whether a segment decodes, leniently (probes send
// padded, standard-alphabet and url-encoded base64 on purpose), to a JSON
// object.
func joseHeader(seg string) bool {
	if u, err := url.QueryUnescape(seg); err == nil {
		seg = u
	}
	seg = strings.Map(func(r rune) rune {
		switch r {
		case '+':
			return '-'
		case '/':
			return '_'
		case '=', '\r', '\n', ' ', '\t':
			return -1
		}
		return r
	}, seg)
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		// A truncated final quantum still shows a header's start.
		raw, _ = base64.RawURLEncoding.DecodeString(seg[:len(seg)/4*4])
	}
	t := bytes.TrimSpace(raw)
	return len(t) > 1 && t[0] == '{'
}

func looksBase64(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-_+/=", r)) {
			return false
		}
	}
	return true
}

// redactAuthorization keeps the scheme (Bearer, Basic, DPoP, ...) and the
// header and claims of a JWT credential.
func redactAuthorization(v string) string {
	scheme, cred, found := strings.Cut(strings.TrimSpace(v), " ")
	if !found {
		return redactCredential(v)
	}
	return scheme + " " + redactCredential(strings.TrimSpace(cred))
}

var (
	cookiePair = regexp.MustCompile(`(^|;)(\s*[^=;,\s]+=)([^;]*)`)
	// setCookieNext is a further cookie in a value joined with ", ".
	setCookieNext  = regexp.MustCompile(`(,\s*)([!#$%&'*+.^_` + "`" + `|~0-9A-Za-z-]+)=([^;,]*)`)
	cookieAttrName = []string{"expires", "max-age", "domain", "path", "secure", "httponly", "samesite", "partitioned", "priority"}
)

// redactCookie keeps cookie names: "a=[REDACTED]; b=[REDACTED]".
func redactCookie(v string) string {
	return cookiePair.ReplaceAllStringFunc(v, func(m string) string {
		g := cookiePair.FindStringSubmatch(m)
		if strings.TrimSpace(g[3]) == "" {
			return m
		}
		return g[1] + g[2] + Redacted
	})
}

// redactSetCookie keeps each cookie's name and attributes (Secure, HttpOnly,
// SameSite are what the web-guideline probes judge) and drops its value,
// also when several Set-Cookie lines were joined with ", ".
func redactSetCookie(v string) string {
	first, rest, _ := strings.Cut(v, ";")
	if name, val, ok := strings.Cut(first, "="); ok && strings.TrimSpace(val) != "" {
		if i := strings.Index(val, ","); i >= 0 && setCookieNext.MatchString(val[i:]) {
			first = name + "=" + Redacted + setCookieNext.ReplaceAllString(val[i:], "${1}${2}="+Redacted)
		} else {
			first = name + "=" + Redacted
		}
	}
	if rest == "" && !strings.Contains(v, ";") {
		return first
	}
	rest = setCookieNext.ReplaceAllStringFunc(rest, func(m string) string {
		g := setCookieNext.FindStringSubmatch(m)
		if slices.Contains(cookieAttrName, strings.ToLower(g[2])) {
			return m
		}
		return g[1] + g[2] + "=" + Redacted
	})
	return first + ";" + rest
}

var (
	pemPrivate = regexp.MustCompile(`(?s)-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----.*?-----END [A-Z0-9 ]*PRIVATE KEY-----`)
	// A PEM block cut off by a length cap still has its start.
	pemPrivateOpen = regexp.MustCompile(`(?s)-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[^\[]*$`)
	headerLine     = regexp.MustCompile(`(?im)^([ \t]*)(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token|api-key)([ \t]*:[ \t]*)([^\r\n]*)`)
	// jsonMember is a JSON member inside text (a transcript's body, a
	// finding quoting an answer), raw or itself JSON-escaped once.
	jsonMember        = regexp.MustCompile(`"([A-Za-z0-9_-]{1,40})"(\s*:\s*)"((?:[^"\\]|\\.)*)"`)
	jsonMemberEscaped = regexp.MustCompile(`\\"([A-Za-z0-9_-]{1,40})\\"(\s*:\s*)\\"((?:[^"\\]|\\[^"])*)\\"`)
	// formParam is a parameter of a form body, a query or a fragment.
	formParam = regexp.MustCompile(`(?i)(^|[?&#;\s"'(<>])(client_secret|password|access_token|refresh_token|id_token|code_verifier|client_assertion|assertion|subject_token|actor_token|device_code|samlresponse|samlart|code|token)=([^&\s"'<>]*)`)
	// plainSecret is "client_secret: x" in YAML or prose.
	plainSecret = regexp.MustCompile(`(?i)\b(client_secret|password)([ \t]*:[ \t]*)([^\s,;&"'<>\[]+)`)
	// compactJOSE is a JWS or JWE in compact form; the header of a JSON
	// object in base64 starts "ey" (or "ew" after a line break).
	compactJOSE = regexp.MustCompile(`\be[yw][A-Za-z0-9_+/=%-]*\.[A-Za-z0-9_+/=%-]*\.[A-Za-z0-9_+/=%-]*(?:\.[A-Za-z0-9_+/=%-]*\.[A-Za-z0-9_+/=%-]*)?`)
	// bearerInProse is a credential after an auth scheme outside a header
	// line (a Go-formatted header map in an error message).
	bearerInProse = regexp.MustCompile(`(?i)\b(Bearer|Basic|DPoP)([ \t]+)([A-Za-z0-9._~+/-]+=*)(.?)`)
)

// xmlSecret are the XML elements whose content authenticates or decrypts:
// XML-DSig SignatureValue (redacting it also makes a signed SAML assertion
// unusable against its audience), XML-Enc CipherValue, WSS UsernameToken
// Password and BinarySecurityToken (unless it is an X.509 certificate, which
// is public).
var xmlSecret = func() []xmlSecretPattern {
	var out []xmlSecretPattern
	for _, name := range []string{"SignatureValue", "CipherValue", "Password", "BinarySecurityToken"} {
		out = append(out,
			xmlSecretPattern{name, regexp.MustCompile(`(?s)(<(?:[A-Za-z0-9_.-]+:)?` + name + `\b[^>]*>)(.*?)(</(?:[A-Za-z0-9_.-]+:)?` + name + `\s*>)`)},
			xmlSecretPattern{name, regexp.MustCompile(`(?s)(&lt;(?:[A-Za-z0-9_.-]+:)?` + name + `\b.*?&gt;)(.*?)(&lt;/(?:[A-Za-z0-9_.-]+:)?` + name + `\s*&gt;)`)})
	}
	return out
}()

// xmlSecretPattern is one element's pattern and the name it cannot match
// without.
type xmlSecretPattern struct {
	name string
	re   *regexp.Regexp
}

// publicTokenType marks a BinarySecurityToken that carries a certificate
// (WSS X.509 Token Profile 1.1 §3.1).
var publicTokenType = regexp.MustCompile(`ValueType\s*=\s*(?:"|&quot;|&#34;|')[^"'&]*(?:X509v3|X509PKIPathv1|PKCS7)`)

func redactText(s string) string {
	if s == "" {
		return s
	}
	for _, p := range textPasses {
		if p.mayMatch(s) {
			s = p.apply(s)
		}
	}
	return s
}

// textPass is one pattern of the text redactor. mayMatch is false only when
// the pattern cannot match s (a literal it needs is absent): most strings of
// a scan or a transcript hold none of them, and the evidence of one run is
// tens of thousands of strings. TestTextPassGuardsSkipOnlyWhatCannotMatch
// and FuzzTextPassGuards check that a guard never skips a match.
type textPass struct {
	name     string
	mayMatch func(s string) bool
	apply    func(s string) string
}

func hasByte(c byte) func(string) bool {
	return func(s string) bool { return strings.IndexByte(s, c) >= 0 }
}

func hasString(sub string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, sub) }
}

// textPasses are set in init: their redactors call redactText again for
// nested values, which a package-level initializer cannot refer to.
var textPasses []textPass

func init() { textPasses = newTextPasses() }

func newTextPasses() []textPass {
	passes := []textPass{
		{"PEM private key", hasString("PRIVATE KEY"), func(s string) string {
			return pemPrivate.ReplaceAllString(s, "-----BEGIN ${1}-----\n"+Redacted+"\n-----END ${1}-----")
		}},
		{"PEM private key without its end", hasString("PRIVATE KEY"), func(s string) string {
			return pemPrivateOpen.ReplaceAllString(s, "-----BEGIN ${1}-----\n"+Redacted)
		}},
		{"credential header line", hasByte(':'), func(s string) string {
			return replaceSubmatch(headerLine, s, func(g []string) string {
				var v string
				switch strings.ToLower(g[2]) {
				case "authorization", "proxy-authorization":
					v = redactAuthorization(g[4])
				case "cookie":
					v = redactCookie(g[4])
				case "set-cookie":
					v = redactSetCookie(g[4])
				default:
					v = Redacted
				}
				return g[1] + g[2] + g[3] + v
			})
		}},
		{"JSON member in text", hasByte(':'), func(s string) string {
			return replaceSubmatch(jsonMember, s, func(g []string) string {
				var v string
				if err := json.Unmarshal([]byte(`"`+g[3]+`"`), &v); err != nil || !sensitiveMember(g[1]) {
					return g[0]
				}
				r := redactValue(g[1], v)
				if r == v {
					return g[0]
				}
				return `"` + g[1] + `"` + g[2] + string(quote(r))
			})
		}},
		{"escaped JSON member in text", hasString(`\"`), func(s string) string {
			return replaceSubmatch(jsonMemberEscaped, s, func(g []string) string {
				if !sensitiveMember(g[1]) || g[3] == "" || g[3] == Redacted {
					return g[0]
				}
				return `\"` + g[1] + `\"` + g[2] + `\"` + Redacted + `\"`
			})
		}},
		{"form or query parameter", hasByte('='), func(s string) string {
			return replaceSubmatch(formParam, s, func(g []string) string {
				name := strings.ToLower(g[2])
				if slices.Contains(queryOnlyNames, name) && !strings.ContainsAny(g[1], "?&#") && g[1] != "" {
					return g[0] // "status code=400" in prose is no authorization code
				}
				if g[3] == "" || g[3] == Redacted || strings.EqualFold(g[3], "[redacted]") {
					return g[0]
				}
				return g[1] + g[2] + "=" + redactCredential(g[3])
			})
		}},
		{"client_secret: or password: in prose", hasByte(':'), func(s string) string {
			return replaceSubmatch(plainSecret, s, func(g []string) string {
				if strings.HasPrefix(g[3], Redacted) {
					return g[0]
				}
				return g[1] + g[2] + Redacted
			})
		}},
	}
	for _, x := range xmlSecret {
		passes = append(passes, textPass{"XML " + x.name, hasString(x.name), func(s string) string {
			return replaceSubmatch(x.re, s, func(g []string) string {
				if strings.TrimSpace(g[2]) == "" || g[2] == Redacted {
					return g[0]
				}
				if strings.Contains(g[1], "BinarySecurityToken") && publicTokenType.MatchString(g[1]) {
					return g[0]
				}
				return g[1] + Redacted + g[3]
			})
		}})
	}
	return append(passes,
		textPass{"compact JWS or JWE", func(s string) bool {
			return strings.IndexByte(s, '.') >= 0 && (strings.Contains(s, "ey") || strings.Contains(s, "ew"))
		}, func(s string) string {
			return compactJOSE.ReplaceAllStringFunc(s, func(m string) string {
				if r, ok := redactCompactJOSE(m); ok {
					return r
				}
				return m
			})
		}},
		textPass{"credential after an auth scheme in prose", func(s string) bool {
			return strings.ContainsAny(s, " \t") && (containsFold(s, "bearer") || containsFold(s, "basic") || containsFold(s, "dpop"))
		}, func(s string) string {
			return replaceSubmatch(bearerInProse, s, func(g []string) string {
				if !looksLikeToken(g[3], g[4]) {
					return g[0]
				}
				return g[1] + g[2] + redactCredential(g[3]) + g[4]
			})
		}},
	)
}

// containsFold reports whether s contains the lower-case ASCII word sub in
// any case, without allocating. OR-ing 0x20 lower-cases an ASCII letter and
// turns no other byte into one.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && s[i+j]|0x20 == sub[j] {
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// looksLikeToken tells a credential after an auth scheme from an auth-param
// (`Bearer realm="x"`, `Bearer error=invalid_token`, RFC 7235 §2.1) and from
// prose ("a Bearer challenge").
func looksLikeToken(tok, next string) bool {
	if next == `"` || next == "=" || strings.HasSuffix(tok, "=") && next != "" && next != " " && next != "," && next != "\n" && next != "\r" {
		return false
	}
	return len(tok) >= 16 && strings.ToLower(tok) != tok || len(tok) >= 16 && strings.ContainsAny(tok, "0123456789._~+/-")
}

func sensitiveMember(name string) bool {
	n := strings.ToLower(name)
	return slices.Contains(privateJWKMembers, n) || slices.Contains(credentialNames, n) ||
		n == "authorization" || n == "proxy-authorization" || n == "cookie" || n == "set-cookie" || n == "signature"
}

// replaceSubmatch replaces every match of re in s with f(submatches).
func replaceSubmatch(re *regexp.Regexp, s string, f func([]string) string) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if len(idx) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		g := make([]string, len(m)/2)
		for i := range g {
			if m[2*i] >= 0 {
				g[i] = s[m[2*i]:m[2*i+1]]
			}
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(f(g))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// HTTPExchange renders a request and its response as one transcript. The
// response body is passed separately because the probe has already read it
// (with a cap).
func HTTPExchange(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte, respErr error) []byte {
	var b bytes.Buffer
	b.WriteString(">>> request\n")
	if req != nil {
		clone := req.Clone(req.Context())
		// DumpRequestOut refuses a request whose Body is nil but whose
		// ContentLength is set, and then every header was lost; the
		// header is kept, the body is written below from reqBody.
		clone.Body, clone.GetBody, clone.ContentLength = nil, nil, 0
		if len(reqBody) > 0 {
			clone.Header = clone.Header.Clone()
			clone.Header.Set("Content-Length", fmt.Sprint(len(reqBody)))
		}
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
