package webprobe

import (
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// MinHSTSMaxAge is one year, the internet.nl "good" threshold (U/WA.05).
const MinHSTSMaxAge = 31536000

// HSTS is what one Strict-Transport-Security header says.
type HSTS struct {
	Present           bool
	MaxAge            int
	IncludeSubDomains bool
	// Problem is set when the header is absent or its max-age unusable;
	// such a header protects nothing (RFC 6797 §6.1.1: max-age is REQUIRED).
	Problem string
}

// ParseHSTS reads the first Strict-Transport-Security header, as browsers
// and internet.nl do (RFC 6797 §8.1: only the first is processed).
func ParseHSTS(h http.Header) HSTS {
	vals := h.Values("Strict-Transport-Security")
	if len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
		return HSTS{Problem: "no Strict-Transport-Security header"}
	}
	v := vals[0]
	out := HSTS{Present: true, MaxAge: -1}
	for _, part := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case strings.EqualFold(strings.TrimSpace(k), "max-age"):
			n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(val), `"`))
			if err != nil || n < 0 {
				out.Problem = fmt.Sprintf("Strict-Transport-Security max-age %q is not a number", val)
				return out
			}
			out.MaxAge = n
		case strings.EqualFold(strings.TrimSpace(k), "includeSubDomains"):
			out.IncludeSubDomains = true
		}
	}
	switch {
	case out.MaxAge < 0:
		out.Problem = fmt.Sprintf("Strict-Transport-Security %q has no max-age", v)
	case out.MaxAge == 0:
		out.Problem = "Strict-Transport-Security max-age=0 (the host asks to be forgotten, RFC 6797 §6.1.1)"
	}
	return out
}

// CheckHSTS returns "" when the header carries max-age of at least a year,
// else what is wrong.
func CheckHSTS(h http.Header) string {
	p := ParseHSTS(h)
	if p.Problem != "" {
		return p.Problem
	}
	if p.MaxAge < MinHSTSMaxAge {
		return fmt.Sprintf("Strict-Transport-Security max-age=%d (< %d)", p.MaxAge, MinHSTSMaxAge)
	}
	return ""
}

var versionLike = regexp.MustCompile(`\d+\.\d+`)

// DisclosedVersions lists headers that reveal a product version (U/PW.03,
// C.09): Server only when it carries a version, the others always.
func DisclosedVersions(h http.Header) []string {
	var out []string
	for _, name := range []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator", "X-Runtime-Version"} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		if name != "Server" || versionLike.MatchString(v) {
			out = append(out, name+": "+v)
		}
	}
	return out
}

// versionedErrorPage finds a product/version signature in an error body
// (the default error pages of common servers and frameworks).
var versionedErrorPage = regexp.MustCompile(`(?i)\b(nginx|apache|jetty|apache tomcat|microsoft-iis|kestrel|werkzeug|gunicorn|express|openresty|envoy|wildfly|undertow|php)[/ ]v?\d+\.\d+(\.\d+)?`)

// VersionInBody returns a product/version signature in a body, or "".
func VersionInBody(body []byte) string {
	return versionedErrorPage.FindString(string(body))
}

var leakPatterns = regexp.MustCompile(`(?i)(goroutine \d+ \[|panic:|traceback \(most recent call last\)|\bat [\w.$]+\([\w]+\.java:\d+\)|stack trace|exception in thread|sqlstate|syntax error at or near|ORA-\d{5}|/usr/local/|/home/\w+/|[A-Z]:\\\\[\w\\]+\.\w+|\.go:\d+|\.py", line \d+|\.php on line \d+)`)

// LeakedInternals returns the first stack-trace, SQL or path fragment found
// in an error body (U/WA.03, ASVS 16.5.1), or "".
func LeakedInternals(body []byte) string {
	return leakPatterns.FindString(string(body))
}

// NoSniff reports whether X-Content-Type-Options is nosniff (first value,
// as internet.nl reads it).
func NoSniff(h http.Header) bool {
	v, _, _ := strings.Cut(h.Get("X-Content-Type-Options"), ",")
	return strings.EqualFold(strings.TrimSpace(v), "nosniff")
}

// Referrer-Policy values as internet.nl grades them.
var (
	referrerGood        = []string{"no-referrer", "same-origin"}
	referrerRecommended = []string{"strict-origin", "strict-origin-when-cross-origin"}
)

// ReferrerPolicy returns "" for a good policy, else what internet.nl would
// say (the last value of a list counts: it is the one browsers apply).
func ReferrerPolicy(h http.Header) string {
	v := strings.TrimSpace(strings.Join(h.Values("Referrer-Policy"), ","))
	if v == "" {
		return "no Referrer-Policy header (browsers then use strict-origin-when-cross-origin)"
	}
	parts := strings.Split(v, ",")
	last := strings.ToLower(strings.TrimSpace(parts[len(parts)-1]))
	switch {
	case slices.Contains(referrerGood, last):
		return ""
	case slices.Contains(referrerRecommended, last):
		return fmt.Sprintf("Referrer-Policy %s leaks the origin cross-site (internet.nl recommends no-referrer or same-origin)", last)
	}
	return fmt.Sprintf("Referrer-Policy %q sends the referrer to other sites", last)
}

// FrameOptions returns "" when framing is refused by X-Frame-Options
// (DENY/SAMEORIGIN) or by CSP frame-ancestors, else what is missing.
func FrameOptions(h http.Header) string {
	v, _, _ := strings.Cut(h.Get("X-Frame-Options"), ",")
	v = strings.ToUpper(strings.TrimSpace(v))
	if v == "DENY" || v == "SAMEORIGIN" {
		return ""
	}
	if ParseCSP(h.Values("Content-Security-Policy")).frameAncestorsLimited() {
		return ""
	}
	if v != "" {
		return fmt.Sprintf("X-Frame-Options %q is neither DENY nor SAMEORIGIN and CSP has no frame-ancestors", v)
	}
	return "neither X-Frame-Options nor CSP frame-ancestors"
}

// textual media types carry text whose encoding a client must know.
func textual(mt string) bool {
	return strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+xml") || mt == "application/xml" ||
		mt == "application/javascript" || mt == "application/x-www-form-urlencoded"
}

// ContentTypeProblem judges the Content-Type of an answer with a body
// (ASVS 4.1.1: a Content-Type with a safe charset). It returns "" when
// fine, and says whether the problem is a missing or unparseable type
// (must) or a missing charset on a textual type (should). JSON defines no
// charset parameter (RFC 8259 §11: it is always UTF-8), so none is asked.
func ContentTypeProblem(h http.Header, body []byte) (problem string, must bool) {
	if len(body) == 0 {
		return "", false
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		return "a body without Content-Type", true
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Sprintf("Content-Type %q does not parse (%v)", ct, err), true
	}
	mt = strings.ToLower(mt)
	if textual(mt) {
		cs := strings.ToLower(params["charset"])
		if cs == "" {
			return fmt.Sprintf("Content-Type %q has no charset", ct), false
		}
		if cs != "utf-8" && cs != "us-ascii" && cs != "iso-8859-1" {
			return fmt.Sprintf("Content-Type %q names an unusual charset", ct), false
		}
	}
	return "", false
}

// NoStore reports whether Cache-Control forbids storing the answer
// (RFC 9111 §5.2.2.5).
func NoStore(h http.Header) bool {
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(d), "no-store") {
				return true
			}
		}
	}
	return false
}

// CookieProblems lists what is wrong with the cookies an answer sets:
// mustFix for a cookie sent over HTTPS without Secure (it leaks over plain
// HTTP), shouldFix for missing HttpOnly and SameSite (ASVS 3.3.1–3.3.4).
func CookieProblems(h http.Header) (mustFix, shouldFix []string) {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if !c.Secure {
			mustFix = append(mustFix, fmt.Sprintf("cookie %s without Secure", c.Name))
		}
		if !c.HttpOnly {
			shouldFix = append(shouldFix, fmt.Sprintf("cookie %s without HttpOnly", c.Name))
		}
		if c.SameSite != http.SameSiteLaxMode && c.SameSite != http.SameSiteStrictMode {
			shouldFix = append(shouldFix, fmt.Sprintf("cookie %s without SameSite=Lax or Strict", c.Name))
		}
		if strings.HasPrefix(c.Name, "__Host-") && (c.Domain != "" || c.Path != "/") {
			mustFix = append(mustFix, fmt.Sprintf("cookie %s breaks its __Host- prefix (Domain set or Path not /)", c.Name))
		}
	}
	return mustFix, shouldFix
}
