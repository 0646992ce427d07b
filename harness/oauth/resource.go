package oauth

import (
	"regexp"
	"strings"

	"github.com/apisec/apisec/harness/verdict"
)

// Challenge is a parsed Bearer challenge from WWW-Authenticate (RFC 6750 §3).
type Challenge struct {
	Bearer bool
	Params map[string]string
}

var authParam = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))`)

// ParseBearerChallenge finds the Bearer challenge among the header values.
// It is lenient (RFC 7235 challenges are hard to split exactly) and never
// panics.
func ParseBearerChallenge(values []string) Challenge {
	c := Challenge{Params: map[string]string{}}
	for _, v := range values {
		if len(v) > 8<<10 {
			v = v[:8<<10]
		}
		i := indexFold(v, "bearer")
		if i < 0 || (i > 0 && v[i-1] != ' ' && v[i-1] != ',') {
			continue
		}
		c.Bearer = true
		rest := v[i+len("bearer"):]
		for _, m := range authParam.FindAllStringSubmatch(rest, 32) {
			name := strings.ToLower(m[1])
			if _, seen := c.Params[name]; seen {
				continue
			}
			val := m[2]
			if val == "" {
				val = m[3]
			}
			c.Params[name] = val
		}
		return c
	}
	return c
}

// BearerRefused judges a resource server's answer to a request whose access
// token must not be honoured. wantError is the RFC 6750 §3.1 error code
// ("" when no token was sent, where the answer SHOULD carry no error).
// checkChallenge also demands the RFC 6750 §3 WWW-Authenticate challenge;
// without it any 4xx refusal passes. served is the severity of the
// resource answering anyway (default high).
func BearerRefused(probe, clause, wantError string, checkChallenge bool, served verdict.Severity, e *Exchange) error {
	if err := cannotJudge(probe, e); err != nil {
		return err
	}
	want := "401 with WWW-Authenticate: Bearer"
	if wantError != "" {
		want += ` error="` + wantError + `"`
	}
	got := e.Summary()
	if w := e.Header.Get("WWW-Authenticate"); w != "" {
		got += " WWW-Authenticate: " + w
	}
	if served == "" {
		served = SevAccepted
	}
	switch {
	case e.Status < 300:
		return verdict.WithSeverity(verdict.Deviation(probe, want, clause, got), served)
	case e.Status >= 500:
		return verdict.WithSeverity(verdict.Deviation(probe, want+"; a 5xx is a crash, not a refusal", clause, got), SevCrash)
	}
	if !checkChallenge {
		return nil
	}
	ch := ParseBearerChallenge(e.Header.Values("WWW-Authenticate"))
	if !ch.Bearer {
		return verdict.WithSeverity(verdict.Deviation(probe, want, "RFC 6750 §3", got), SevFormat)
	}
	if e.Status != 401 {
		return verdict.WithSeverity(verdict.Warning(probe, want, "RFC 6750 §3.1", got), SevFormat)
	}
	switch code := ch.Params["error"]; {
	case wantError == "" && code != "":
		return verdict.WithSeverity(verdict.Warning(probe, "no error attribute when no token was sent", "RFC 6750 §3.1", got), SevFormat)
	case wantError != "" && code != wantError:
		return verdict.WithSeverity(verdict.Warning(probe, want, "RFC 6750 §3.1", got), SevFormat)
	}
	return nil
}

// Served judges the positive control at the resource: the valid token works.
func Served(probe string, e *Exchange) error {
	if err := cannotJudge(probe, e); err != nil {
		return err
	}
	if e.Status < 200 || e.Status >= 300 {
		return verdict.CouldNotTestf(probe, "the resource refused the access token the token endpoint issued: %s (check oauth.scope and oauth.resource_url)", e.Summary())
	}
	return nil
}

// indexFold finds an ASCII word case-insensitively. strings.ToLower cannot
// be used to find the index: it changes the length of some UTF-8 input.
func indexFold(s, word string) int {
	for i := 0; i+len(word) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(word)], word) {
			return i
		}
	}
	return -1
}
