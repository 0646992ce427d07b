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

// Refusal is what a negative probe expects of the token endpoint.
type Refusal struct {
	// Codes are the error codes that fully satisfy the clause.
	Codes []string
	// WarnOtherCodes turns another error code (with a 400/401) into a
	// warning instead of a failure (RFC 7523 §3.2 wants invalid_client; the
	// OIDF suite also accepts invalid_request).
	WarnOtherCodes bool
	// Statuses allowed (default 400, and 401 for invalid_client).
	Statuses []int
	// AnyCode accepts every error code: the probe judges only that the JWT
	// is refused (SC-R003, SC008); the code is SC-R001's business.
	AnyCode bool
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
	return strings.Join(ss, "/") + " " + codes
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
// the clause the probe violated; it travels into the failure message.
func Refused(probe, clause string, r Refusal, e *Exchange) error {
	if err := cannotJudge(probe, e); err != nil {
		return err
	}
	want := r.String()
	got := e.Summary()
	switch {
	case e.Status >= 500:
		return verdict.Deviation(probe, want+"; a 5xx is a crash, not a refusal", clause+", RFC 6749 §5.2", got)
	case e.Status < 300:
		return verdict.Deviation(probe, want, clause, got)
	}
	if !e.isJSON() {
		return verdict.Deviation(probe, want+" as application/json", "RFC 6749 §5.2", got)
	}
	obj := e.JSON()
	if obj == nil {
		return verdict.Deviation(probe, want+" as a JSON object", "RFC 6749 §5.2", got)
	}
	if _, ok := obj["access_token"]; ok {
		return verdict.Deviation(probe, want+" without an access_token", clause, got)
	}
	code, ok := obj["error"].(string)
	if !ok || code == "" {
		return verdict.Deviation(probe, want+" with an error member", "RFC 6749 §5.2", got)
	}
	if !errorCharsetOK(code) || !errorCharsetOK(e.str("error_description")) {
		return verdict.Deviation(probe, "error and error_description in %x20-21 / %x23-5B / %x5D-7E", "RFC 6749 §5.2", got)
	}
	if !r.AnyCode && !slices.Contains(r.Codes, code) {
		if r.WarnOtherCodes && (e.Status == 400 || e.Status == 401) {
			return verdict.Warning(probe, want, clause, got)
		}
		return verdict.Deviation(probe, want, clause, got)
	}
	if !slices.Contains(r.statuses(), e.Status) {
		return verdict.Warning(probe, want, "RFC 6749 §5.2", got)
	}
	if e.ReqHeader.Get("Authorization") != "" && e.Status == 401 && e.Header.Get("WWW-Authenticate") == "" {
		return verdict.Deviation(probe, "401 with WWW-Authenticate for a client that used the Authorization header", "RFC 6749 §5.2", got)
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
	if e.Status != http.StatusOK {
		return nil, verdict.Deviation(probe, want, clause, got)
	}
	obj := e.JSON()
	if !e.isJSON() || obj == nil {
		return nil, verdict.Deviation(probe, want+" as application/json", "RFC 6749 §5.1", got)
	}
	t := &Token{AccessToken: e.str("access_token"), TokenType: e.str("token_type"), RefreshToken: e.str("refresh_token"), Scope: e.str("scope")}
	if t.AccessToken == "" || t.TokenType == "" {
		return nil, verdict.Deviation(probe, "access_token and token_type", "RFC 6749 §5.1", got)
	}
	if !full {
		return t, nil
	}
	if !hasDirective(e.Header.Values("Cache-Control"), "no-store") {
		return t, verdict.Deviation(probe, "Cache-Control: no-store on a token response", "RFC 6749 §5.1", fmt.Sprintf("Cache-Control %q", e.Header.Get("Cache-Control")))
	}
	if grantCC && t.RefreshToken != "" {
		return t, verdict.Warning(probe, "no refresh_token for client_credentials", "RFC 6749 §4.4.3", "a refresh_token")
	}
	if !hasDirective(e.Header.Values("Pragma"), "no-cache") {
		return t, verdict.Warning(probe, "Pragma: no-cache on a token response", "RFC 6749 §5.1 (dropped by OAuth 2.1)", fmt.Sprintf("Pragma %q", e.Header.Get("Pragma")))
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
