package webprobe

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// CSP is a Content-Security-Policy read the way internet.nl reads it
// (checks/tasks/http_headers.py, HeaderCheckerContentSecurityPolicy): every
// header value and every comma-separated policy is merged into one map of
// directive → source expressions.
type CSP struct {
	Present    bool
	directives map[string][]string
}

// ParseCSP merges the Content-Security-Policy header values.
func ParseCSP(values []string) CSP {
	c := CSP{directives: map[string][]string{}}
	for _, v := range values {
		for _, policy := range strings.Split(v, ",") {
			for _, d := range strings.Split(policy, ";") {
				f := strings.Fields(d)
				if len(f) == 0 {
					continue
				}
				c.Present = true
				name := strings.ToLower(f[0])
				c.directives[name] = append(c.directives[name], f[1:]...)
			}
		}
	}
	return c
}

// sources returns the sources in force for a directive, falling back the
// way CSP3 §6.8.3 does (frame-src → child-src → default-src, …).
func (c CSP) sources(name string) ([]string, bool) {
	fallbacks := map[string][]string{
		"script-src": {"default-src"}, "object-src": {"default-src"}, "frame-src": {"child-src", "default-src"},
	}
	if v, ok := c.directives[name]; ok {
		return v, true
	}
	for _, fb := range fallbacks[name] {
		if v, ok := c.directives[fb]; ok {
			return v, true
		}
	}
	return nil, false
}

var cspHost = regexp.MustCompile(`^(?:([a-z][a-z0-9+.-]*)://)?(\*|\*\.[^:/']+|[^:/'*]+|\[[^\]]+\])(?::(\d+|\*))?(/.*)?$`)

// hostOf returns scheme and host of a host-source, or ok=false for a
// keyword ('self'), scheme-source (https:) or nonce/hash.
func hostOf(src string) (scheme, host string, ok bool) {
	s := strings.ToLower(src)
	if strings.HasPrefix(s, "'") || strings.HasSuffix(s, ":") {
		return "", "", false
	}
	m := cspHost.FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// noneOrSelfSimilar is internet.nl's test for default-src and base-uri:
// 'none' alone, or 'self' with at most hosts of the same base domain and
// 'report-sample'.
func noneOrSelfSimilar(srcs []string, domain string) bool {
	lower := make([]string, len(srcs))
	for i, s := range srcs {
		lower[i] = strings.ToLower(s)
	}
	if slices.Equal(lower, []string{"'none'"}) {
		return true
	}
	if !slices.Contains(lower, "'self'") {
		return false
	}
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	for _, s := range lower {
		if s == "'self'" || s == "'report-sample'" {
			continue
		}
		_, host, ok := hostOf(s)
		if !ok {
			return false
		}
		host = strings.TrimPrefix(host, "*.")
		if host != domain && !strings.HasSuffix(domain, "."+host) && !strings.HasSuffix(host, "."+domain) {
			return false
		}
	}
	return true
}

func (c CSP) frameAncestorsLimited() bool {
	srcs, ok := c.directives["frame-ancestors"]
	if !ok || len(srcs) == 0 {
		return false
	}
	for _, s := range srcs {
		l := strings.ToLower(s)
		if l == "'self'" || l == "'none'" {
			return true
		}
	}
	return false
}

// Problems judges the policy for domain the way internet.nl does. must
// holds what the Logius DigiD norm treats as not complying with U/PW.03
// ('unsafe-inline', 'unsafe-eval'); should holds internet.nl's other
// findings (a recommendation there: NOTICE).
func (c CSP) Problems(domain string) (must, should []string) {
	if !c.Present {
		return nil, []string{"no Content-Security-Policy header"}
	}
	seen := map[string]bool{}
	add := func(list *[]string, s string) {
		if !seen[s] {
			seen[s] = true
			*list = append(*list, s)
		}
	}
	names := make([]string, 0, len(c.directives))
	for n := range c.directives {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, src := range c.directives[name] {
			l := strings.ToLower(src)
			switch l {
			case "'unsafe-inline'", "'unsafe-eval'":
				add(&must, fmt.Sprintf("%s in %s", l, name))
				continue
			case "'unsafe-hashes'":
				add(&should, fmt.Sprintf("%s in %s", l, name))
				continue
			case "http:", "*":
				add(&should, fmt.Sprintf("%s allows any host or plain http in %s", l, name))
				continue
			case "https:":
				add(&should, fmt.Sprintf("bare https: in %s allows any host", name))
				continue
			}
			if scheme, host, ok := hostOf(l); ok {
				switch {
				case scheme == "http":
					add(&should, fmt.Sprintf("plain http source %s in %s", src, name))
				case scheme == "" && host != "*":
					add(&should, fmt.Sprintf("host %s without scheme in %s", src, name))
				}
				if host == "*" || host == "127.0.0.1" {
					add(&should, fmt.Sprintf("host %s in %s", src, name))
				}
			}
		}
	}
	for _, name := range []string{"script-src", "object-src"} {
		if srcs, _ := c.sources(name); slices.ContainsFunc(srcs, func(s string) bool { return strings.EqualFold(s, "data:") }) {
			add(&should, "data: allowed for "+name)
		}
	}
	if srcs, ok := c.directives["default-src"]; !ok || !noneOrSelfSimilar(srcs, domain) {
		add(&should, "default-src missing or not 'none'/'self'")
		if _, ok := c.directives["frame-src"]; !ok {
			add(&should, "frame-src missing (and no usable default-src)")
		}
	}
	if !c.frameAncestorsLimited() {
		add(&should, "frame-ancestors missing or not 'none'/'self'")
	}
	if srcs, ok := c.directives["base-uri"]; !ok || !noneOrSelfSimilar(srcs, domain) {
		add(&should, "base-uri missing or not 'none'/'self'")
	}
	if srcs, ok := c.directives["form-action"]; !ok || len(srcs) == 0 {
		add(&should, "form-action missing")
	}
	return must, should
}
