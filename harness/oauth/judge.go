package oauth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/verdict"
)

// JSON is the response body as a JSON object, nil when it is not one.
func (e *Exchange) JSON() map[string]any {
	if e.parsedJSON == nil && len(e.Body) > 0 {
		var m map[string]any
		if json.Unmarshal(e.Body, &m) == nil && m != nil {
			e.parsedJSON = m
		}
	}
	return e.parsedJSON
}

func (e *Exchange) str(name string) string {
	s, _ := e.JSON()[name].(string)
	return s
}

// isJSON accepts application/json and the +json structured syntax suffix.
func (e *Exchange) isJSON() bool {
	return e.mediaType == "application/json" || strings.HasSuffix(e.mediaType, "+json")
}

// cannotJudge is the one place that decides an answer is no answer: no
// response, a redirect, rate limiting, or an HTML page instead of an OAuth
// response. It returns nil when the exchange can be judged.
func cannotJudge(probe string, e *Exchange) error {
	switch {
	case e.Err != nil:
		return verdict.CouldNotTest(probe, e.Err)
	case e.Status >= 300 && e.Status < 400:
		return verdict.CouldNotTestf(probe, "redirect: %d to %q instead of an OAuth response", e.Status, e.Header.Get("Location"))
	case e.Status == http.StatusTooManyRequests:
		return verdict.CouldNotTestf(probe, "rate limited: 429 (Retry-After %q)", e.Header.Get("Retry-After"))
	case e.Status < 500 && (e.mediaType == "text/html" || e.mediaType == "application/xhtml+xml"):
		return verdict.CouldNotTestf(probe, "html: %d %s instead of an OAuth JSON response (a proxy or login page?)", e.Status, e.mediaType)
	}
	return nil
}

// errorCharsetOK checks error and error_description use only
// %x20-21 / %x23-5B / %x5D-7E (RFC 6749 §5.2).
func errorCharsetOK(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// Severities of OAuth findings (docs/severity.md, section OAuth).
const (
	// SevForged: a token for an expired, not-yet-valid, unsigned, wrongly
	// signed or wrongly addressed assertion, grant or access token.
	SevForged = verdict.Critical
	// SevAccepted: a token for any other invalid request.
	SevAccepted = verdict.High
	// SevCrash: a 5xx to a probe, or a control answered 5xx.
	SevCrash = verdict.Medium
	// SevFormat: refused, but with another error code, status or body
	// format than the clause names.
	SevFormat = verdict.Low
)

// Refusal is what a negative probe expects of the token endpoint.
type Refusal struct {
	// Codes are the error codes that fully satisfy the clause.
	Codes []string
	// WarnCodes satisfy it with a warning (error-code policy oidf:
	// invalid_request where RFC 7523 §3.2 names invalid_client).
	WarnCodes []string
	// WarnOtherCodes turns any other error code (with a 400/401) into a
	// warning: probes whose clause names a code the RFC gives as the
	// natural one, where the refusal is what matters.
	WarnOtherCodes bool
	// Statuses allowed (default 400, and 401 for invalid_client).
	Statuses []int
	// AnyCode accepts every error code: the probe judges only that the JWT
	// is refused (SC-R003, SC008); the code is SC-R001's business.
	AnyCode bool
	// Policy names the error-code policy the codes come from, for the
	// expectation text.
	Policy string
	// Accepted is the severity of a token issued anyway (default high).
	Accepted verdict.Severity
	// Should makes a token issued a warning: the clause says SHOULD refuse.
	Should bool
}

// Expectation strings for failure messages.
func (r Refusal) String() string {
	st := r.statuses()
	var ss []string
	for _, s := range st {
		ss = append(ss, fmt.Sprint(s))
	}
	codes := strings.Join(r.Codes, " or ")
	if r.AnyCode {
		codes = "error (" + codes + " preferred)"
	}
	out := strings.Join(ss, "/") + " " + codes
	switch {
	case r.Policy == policyEither:
		out += " (under either error-code policy; other codes fail)"
	case r.Policy != "" && len(r.WarnCodes) > 0:
		out += fmt.Sprintf(" (error-code policy %s: %s warns, other codes fail)", r.Policy, strings.Join(r.WarnCodes, ", "))
	case r.Policy != "":
		out += fmt.Sprintf(" (error-code policy %s: other codes fail)", r.Policy)
	}
	if r.Should {
		out += " (SHOULD; a token is a warning)"
	}
	return out
}

func (r Refusal) statuses() []int {
	if len(r.Statuses) > 0 {
		return r.Statuses
	}
	if r.AnyCode || slices.Contains(r.Codes, "invalid_client") {
		return []int{400, 401}
	}
	return []int{400}
}

// Refused judges an answer that must be an RFC 6749 §5.2 error. clause is
// the clause the probe violated; it travels into the failure message. A
// token issued anyway is the worst outcome (its severity is r.Accepted); a
// 5xx is a failure in every case (RFC 6749 §5.2 has no 5xx error); the
// wrong code, status or format is a low-severity finding.
func Refused(probe, clause string, r Refusal, e *Exchange) error {
	if err := cannotJudge(probe, e); err != nil {
		return err
	}
	want := r.String()
	got := e.Summary()
	if d := e.str("error_description"); d != "" && len(d) <= 200 {
		got += fmt.Sprintf(" (%q)", d)
	}
	accepted := r.Accepted
	if accepted == "" {
		accepted = SevAccepted
	}
	obj := e.JSON()
	_, hasToken := obj["access_token"]
	switch {
	case e.Status >= 500:
		return verdict.WithSeverity(verdict.Deviation(probe, want+"; a 5xx is a crash, not a refusal", clause+", RFC 6749 §5.2", got), SevCrash)
	case e.Status < 300 && hasToken && r.Should:
		return verdict.WithSeverity(verdict.Warning(probe, want, clause, got), SevFormat)
	case hasToken:
		return verdict.WithSeverity(verdict.Deviation(probe, want, clause, got), accepted)
	case e.Status < 300:
		return verdict.WithSeverity(verdict.Deviation(probe, want+" as an RFC 6749 §5.2 error response", clause+", RFC 6749 §5.2", got), SevFormat)
	}
	format := func(expected, clause string) error {
		return verdict.WithSeverity(verdict.Deviation(probe, expected, clause, got), SevFormat)
	}
	if !e.isJSON() {
		return format(want+" as application/json", "RFC 6749 §5.2")
	}
	if obj == nil {
		return format(want+" as a JSON object", "RFC 6749 §5.2")
	}
	code, ok := obj["error"].(string)
	if !ok || code == "" {
		return format(want+" with an error member", "RFC 6749 §5.2")
	}
	if !errorCharsetOK(code) || !errorCharsetOK(e.str("error_description")) {
		return format("error and error_description in %x20-21 / %x23-5B / %x5D-7E", "RFC 6749 §5.2")
	}
	if !r.AnyCode && !slices.Contains(r.Codes, code) {
		if slices.Contains(r.WarnCodes, code) || (r.WarnOtherCodes && (e.Status == 400 || e.Status == 401)) {
			return verdict.WithSeverity(verdict.Warning(probe, want, clause, got), SevFormat)
		}
		return format(want, clause)
	}
	if !slices.Contains(r.statuses(), e.Status) {
		return verdict.WithSeverity(verdict.Warning(probe, want, "RFC 6749 §5.2", got), SevFormat)
	}
	if e.ReqHeader.Get("Authorization") != "" && e.Status == 401 && e.Header.Get("WWW-Authenticate") == "" {
		return format("401 with WWW-Authenticate for a client that used the Authorization header", "RFC 6749 §5.2")
	}
	return nil
}

// Token is what the target issued.
type Token struct {
	AccessToken  string
	TokenType    string
	RefreshToken string
	Scope        string
}

// Accepted judges an answer that must issue a token (RFC 6749 §5.1). When
// full is set the response format is checked too (the positive controls);
// the other acceptance probes only need the token.
func Accepted(probe, clause string, full bool, grantCC bool, e *Exchange) (*Token, error) {
	if err := cannotJudge(probe, e); err != nil {
		return nil, err
	}
	want := "200 with an access_token"
	got := e.Summary()
	if d := e.str("error_description"); d != "" && e.Status >= 400 {
		got += " (" + d + ")"
	}
	if e.Status >= 500 {
		return nil, verdict.WithSeverity(verdict.Deviation(probe, want+"; a 5xx is a crash", clause+", RFC 6749 §5.2", got), SevCrash)
	}
	if e.Status != http.StatusOK {
		return nil, verdict.WithSeverity(verdict.Deviation(probe, want, clause, got), verdict.Medium)
	}
	obj := e.JSON()
	if !e.isJSON() || obj == nil {
		return nil, verdict.WithSeverity(verdict.Deviation(probe, want+" as application/json", "RFC 6749 §5.1", got), verdict.Medium)
	}
	t := &Token{AccessToken: e.str("access_token"), TokenType: e.str("token_type"), RefreshToken: e.str("refresh_token"), Scope: e.str("scope")}
	if t.AccessToken == "" || t.TokenType == "" {
		return nil, verdict.WithSeverity(verdict.Deviation(probe, "access_token and token_type", "RFC 6749 §5.1", got), verdict.Medium)
	}
	if !full {
		return t, nil
	}
	// RFC 6749 §5.1: a cached token response leaks the token.
	if !hasDirective(e.Header.Values("Cache-Control"), "no-store") {
		return t, verdict.WithSeverity(verdict.Deviation(probe, "Cache-Control: no-store on a token response", "RFC 6749 §5.1", fmt.Sprintf("Cache-Control %q", e.Header.Get("Cache-Control"))), verdict.Low)
	}
	if grantCC && t.RefreshToken != "" {
		return t, verdict.WithSeverity(verdict.Warning(probe, "no refresh_token for client_credentials", "RFC 6749 §4.4.3", "a refresh_token"), verdict.Low)
	}
	if !hasDirective(e.Header.Values("Pragma"), "no-cache") {
		return t, verdict.WithSeverity(verdict.Warning(probe, "Pragma: no-cache on a token response", "RFC 6749 §5.1 (dropped by OAuth 2.1)", fmt.Sprintf("Pragma %q", e.Header.Get("Pragma"))), verdict.Low)
	}
	return t, nil
}

func hasDirective(values []string, d string) bool {
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), d) {
				return true
			}
		}
	}
	return false
}
