package webprobe

import (
	"strings"

	"github.com/apisec/apisec/harness/verdict"
)

// Class is how internet.nl classifies the same check (its "worst status"),
// so a verdict here lines up with what internet.nl shows for the host.
type Class string

const (
	// Required: internet.nl FAIL, counted in its score; a contradiction fails the rule.
	Required Class = "required"
	// Recommended: internet.nl NOTICE; a contradiction is a warning.
	Recommended Class = "recommended"
	// Optional: internet.nl INFO; recorded outside the verdict.
	Optional Class = "optional"
	// NotChecked: internet.nl does not test it.
	NotChecked Class = "not checked"
)

// Outcome says what a contradiction found by a probe becomes.
type Outcome string

const (
	// FailOrWarn: a MUST-level contradiction fails, a recommendation warns.
	FailOrWarn Outcome = "fail/warn"
	// WarnOnly: every contradiction is a recommendation.
	WarnOnly Outcome = "warn"
	// InfoOnly: recorded outside the verdict (verdict.Noted).
	InfoOnly Outcome = "info"
)

// Probe is one black-box check of the NCSC web-application guidelines.
type Probe struct {
	ID string
	// Rule is the role rule the probe evidences: SC001 (specification),
	// SC002 (implementation) or SC003 (deployment).
	Rule  string
	Title string
	// NCSC is the 2015 guideline code; Confidence is A (confirmed by
	// Logius or internet.nl), B (a third-party DigiD tool), C (unverified
	// label) or "-" (no NCSC code confirmed), per docs/reference/nen7513-ncsc-web.md §3.3.
	NCSC       string
	Confidence string
	// ASVS 5.0 requirement(s) and OWASP API Security Top 10 2023 item(s).
	ASVS  string
	Top10 string
	// InternetNL is how internet.nl classifies the same check.
	InternetNL Class
	Outcome    Outcome
	// Requests is the most requests the probe adds (shared exchanges are
	// counted by the first probe that needs them).
	Requests int
	exec     func(r *run, p Probe) error
}

// Clause is the citation a finding carries.
func (p Probe) Clause() string {
	var parts []string
	if p.NCSC != "" && p.NCSC != "-" {
		parts = append(parts, "NCSC web guidelines "+p.NCSC)
	}
	if p.ASVS != "" {
		parts = append(parts, "ASVS 5.0 "+p.ASVS)
	}
	if p.Top10 != "" {
		parts = append(parts, "OWASP API "+p.Top10)
	}
	return strings.Join(parts, "; ")
}

// deviation is a MUST-level contradiction of the probe's guideline.
func (p Probe) deviation(expected, got string, sev verdict.Severity) error {
	return verdict.WithSeverity(verdict.Deviation(p.Title, expected, p.Clause(), got), sev)
}

// warning is a contradiction of a recommendation.
func (p Probe) warning(expected, got string, sev verdict.Severity) error {
	return verdict.WithSeverity(verdict.Warning(p.Title, expected, p.Clause(), got), sev)
}

// Catalogue is every web probe, in the order a run sends them.
func Catalogue() []Probe {
	return []Probe{
		// SC001: the specification (only with web.openapi_url).
		{ID: "spec/https-only", Rule: "SC001", Title: "the specification offers the API over https only",
			NCSC: "U/WA.05", Confidence: "A", ASVS: "12.2.1", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 1, exec: specHTTPS},
		{ID: "spec/security-schemes", Rule: "SC001", Title: "the specification requires authentication on every operation",
			NCSC: "U/TV.01", Confidence: "A", ASVS: "8.2.1", Top10: "API2, API5", InternetNL: NotChecked, Outcome: FailOrWarn, exec: specSecurity},
		// SC003: the deployment (transport, headers, exposure).
		{ID: "web/plain-http", Rule: "SC003", Title: "plain HTTP is refused or redirected to HTTPS on the same host",
			NCSC: "U/WA.05", Confidence: "A", ASVS: "4.1.2", Top10: "API8", InternetNL: Required, Outcome: FailOrWarn, Requests: 1, exec: plainHTTP},
		{ID: "web/hsts", Rule: "SC003", Title: "HTTPS answers carry HSTS with a max-age of at least a year",
			NCSC: "U/WA.05", Confidence: "A", ASVS: "3.4.1", Top10: "API8", InternetNL: Required, Outcome: FailOrWarn, Requests: 5, exec: hsts},
		{ID: "web/hsts-subdomains", Rule: "SC003", Title: "HSTS covers subdomains",
			NCSC: "U/WA.05", Confidence: "A", ASVS: "3.4.1 (L2)", Top10: "API8", InternetNL: NotChecked, Outcome: WarnOnly, exec: hstsSubdomains},
		{ID: "web/nosniff", Rule: "SC003", Title: "answers forbid content sniffing",
			NCSC: "U/PW.03", Confidence: "B", ASVS: "3.4.4", Top10: "API8", InternetNL: Recommended, Outcome: WarnOnly, exec: nosniff},
		{ID: "web/csp", Rule: "SC003", Title: "answers carry a Content-Security-Policy without unsafe sources",
			NCSC: "U/PW.03", Confidence: "A", ASVS: "3.4.3", Top10: "API8", InternetNL: Recommended, Outcome: FailOrWarn, exec: csp},
		{ID: "web/referrer-policy", Rule: "SC003", Title: "answers carry a Referrer-Policy that sends no referrer cross-site",
			NCSC: "U/PW.03", Confidence: "B", ASVS: "3.4.5", Top10: "API8", InternetNL: Recommended, Outcome: WarnOnly, exec: referrer},
		{ID: "web/frame-options", Rule: "SC003", Title: "answers refuse framing",
			NCSC: "U/PW.03", Confidence: "B", ASVS: "3.4.6", Top10: "API8", InternetNL: Optional, Outcome: InfoOnly, exec: frameOptions},
		{ID: "web/banner", Rule: "SC003", Title: "answers disclose no product version",
			NCSC: "U/PW.03; C.09", Confidence: "B", ASVS: "13.4.6", Top10: "API8", InternetNL: NotChecked, Outcome: WarnOnly, exec: banner},
		{ID: "web/cookies", Rule: "SC003", Title: "cookies are Secure, HttpOnly and SameSite",
			NCSC: "U/PW.03", Confidence: "B", ASVS: "3.3.1–3.3.4", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, exec: cookies},
		{ID: "web/cors", Rule: "SC003", Title: "a foreign Origin is not granted credentialed access",
			NCSC: "U/PW.03", Confidence: "B", ASVS: "3.4.2", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 3, exec: cors},
		{ID: "web/exposed-defaults", Rule: "SC003", Title: "no repository, management, monitoring or documentation endpoint is exposed unless declared public",
			NCSC: "U/PW.03; U/PW.05", Confidence: "B", ASVS: "13.4.1, 13.4.3, 13.4.5", Top10: "API8, API9", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 2 * len(defaultPaths), exec: exposedDefaults},
		{ID: "web/security-txt", Rule: "SC003", Title: "security.txt (RFC 9116) is published",
			NCSC: "-", Confidence: "-", InternetNL: Recommended, Outcome: InfoOnly, Requests: 1, exec: securityTxt},
		// SC002: the implementation (input and error handling, methods).
		{ID: "web/malformed-json", Rule: "SC002", Title: "a truncated JSON document is refused with a generic 4xx",
			NCSC: "U/WA.03; U/WA.04", Confidence: "A", ASVS: "16.5.1, 13.4.2", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 1, exec: malformed(mutMalformedJSON)},
		{ID: "web/malformed-xml", Rule: "SC002", Title: "a malformed XML document is refused with a generic 4xx",
			NCSC: "U/WA.03; U/WA.04", Confidence: "A", ASVS: "16.5.1, 13.4.2", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 1, exec: malformed(mutMalformedXML)},
		{ID: "web/wrong-content-type", Rule: "SC002", Title: "a body of an unknown media type is refused with a generic 4xx",
			NCSC: "U/WA.03; U/WA.04", Confidence: "A", ASVS: "16.5.1, 4.1.1", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 1, exec: malformed(mutWrongContentType)},
		{ID: "web/oversized-body", Rule: "SC002", Title: "a one-megabyte body is refused with a generic 4xx, never a 5xx",
			NCSC: "U/WA.03; U/WA.04", Confidence: "A", ASVS: "16.5.1", Top10: "API4, API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 1, exec: malformed(mutOversized)},
		{ID: "web/invalid-id", Rule: "SC002", Title: "an invalid resource id is refused with a generic 4xx",
			NCSC: "U/WA.03; U/WA.04", Confidence: "A", ASVS: "16.5.1", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 1, exec: malformed(mutInvalidID)},
		{ID: "web/bad-soap-envelope", Rule: "SC002", Title: "a truncated SOAP envelope is refused with a client fault",
			NCSC: "U/WA.03; U/WA.04", Confidence: "A", ASVS: "16.5.1", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 1, exec: malformed(mutBadSOAP)},
		{ID: "web/reflection", Rule: "SC002", Title: "input is never reflected unescaped into markup",
			NCSC: "U/WA.03; U/WA.04", Confidence: "A", ASVS: "1.2.1", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 3, exec: reflection},
		{ID: "web/trace", Rule: "SC002", Title: "TRACE is refused and TRACK does not echo the request",
			NCSC: "U/PW.05", Confidence: "B", ASVS: "13.4.4", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 2, exec: trace},
		{ID: "web/unsupported-method", Rule: "SC002", Title: "an unknown method is refused with 405 (with Allow) or 501",
			NCSC: "U/PW.05", Confidence: "B", ASVS: "4.1.4", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 1, exec: unsupportedMethod},
		{ID: "web/method-override", Rule: "SC002", Title: "method-override headers are ignored",
			NCSC: "U/PW.05", Confidence: "B", ASVS: "4.1.4", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 2, exec: methodOverride},
		{ID: "web/content-type", Rule: "SC002", Title: "every body carries a Content-Type with its charset",
			NCSC: "U/WA.04", Confidence: "A", ASVS: "4.1.1", Top10: "API8", InternetNL: NotChecked, Outcome: FailOrWarn, Requests: 5, exec: contentType},
		{ID: "web/cache-control", Rule: "SC002", Title: "answers with personal data are not stored by caches",
			NCSC: "U/PW.03", Confidence: "B", ASVS: "14.3.2", Top10: "API8", InternetNL: NotChecked, Outcome: WarnOnly, Requests: 2, exec: cacheControl},
	}
}

// Lookup returns the probe with id.
func Lookup(id string) (Probe, bool) {
	for _, p := range Catalogue() {
		if p.ID == id {
			return p, true
		}
	}
	return Probe{}, false
}
