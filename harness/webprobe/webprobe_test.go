package webprobe

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckHSTS(t *testing.T) {
	cases := map[string]string{
		"max-age=31536000; includeSubDomains": "",
		"max-age=63072000":                    "",
		`max-age="31536000"`:                  "",
		"max-age=15552000":                    "max-age=15552000",
		"":                                    "no Strict-Transport-Security",
		"includeSubDomains":                   "has no max-age",
		"max-age=abc":                         "not a number",
		"max-age=0":                           "asks to be forgotten",
	}
	for v, want := range cases {
		h := http.Header{}
		if v != "" {
			h.Set("Strict-Transport-Security", v)
		}
		got := CheckHSTS(h)
		if want == "" {
			assert.Empty(t, got, v)
		} else {
			assert.Contains(t, got, want, v)
		}
	}
	// RFC 6797 §8.1: only the first header counts, as internet.nl reads it.
	h := http.Header{"Strict-Transport-Security": {"max-age=60", "max-age=31536000"}}
	assert.Contains(t, CheckHSTS(h), "max-age=60")
	assert.True(t, ParseHSTS(http.Header{"Strict-Transport-Security": {"max-age=31536000; INCLUDESUBDOMAINS"}}).IncludeSubDomains)
}

func TestDisclosedVersions(t *testing.T) {
	h := http.Header{}
	h.Set("Server", "nginx")
	assert.Empty(t, DisclosedVersions(h), "a product name without version is not disclosure")
	h.Set("Server", "nginx/1.22.1")
	h.Set("X-Powered-By", "PHP")
	assert.Equal(t, []string{"Server: nginx/1.22.1", "X-Powered-By: PHP"}, DisclosedVersions(h))
	assert.Equal(t, "nginx/1.22.1", VersionInBody([]byte("<hr><center>nginx/1.22.1</center>")))
	assert.Empty(t, VersionInBody([]byte(`{"error":"not found","version":"2.1"}`)))
}

func TestLeakedInternals(t *testing.T) {
	assert.Equal(t, "panic:", LeakedInternals([]byte("panic: runtime error\ngoroutine 1 [running]")))
	assert.NotEmpty(t, LeakedInternals([]byte(`at com.acme.Foo(Foo.java:42)`)))
	assert.NotEmpty(t, LeakedInternals([]byte(`ERROR: syntax error at or near "'"`)))
	assert.NotEmpty(t, LeakedInternals([]byte(`File "/srv/app.py", line 12`)))
	assert.Empty(t, LeakedInternals([]byte(`{"error":"invalid_request"}`)))
}

// TestCSPAsInternetNL follows internet.nl's HeaderCheckerContentSecurityPolicy:
// the reference baseline is good, every missing directive and unsafe source
// is named, and only 'unsafe-inline'/'unsafe-eval' are must-level (the
// Logius DigiD reading of U/PW.03).
func TestCSPAsInternetNL(t *testing.T) {
	cases := []struct {
		policy       string
		must, should []string
	}{
		{"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", nil, nil},
		{"default-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'", nil, nil},
		{"default-src 'self' https://cdn.api.example.nl; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", nil, []string{"without scheme"}[:0]},
		{"default-src 'none'; frame-ancestors 'none'", nil, []string{"base-uri", "form-action"}},
		{"default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", []string{"'unsafe-inline' in script-src"}, nil},
		{"default-src *; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", nil, []string{"* allows any host", "default-src missing or not"}},
		{"default-src 'self'; object-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", nil, []string{"data: allowed for object-src"}},
		{"default-src 'self' evil.example; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", nil, []string{"without scheme", "default-src missing"}},
		{"", nil, []string{"no Content-Security-Policy"}},
	}
	for _, tc := range cases {
		var vals []string
		if tc.policy != "" {
			vals = []string{tc.policy}
		}
		must, should := ParseCSP(vals).Problems("api.example.nl")
		assert.Len(t, must, len(tc.must), "%q must: %v", tc.policy, must)
		for i, m := range tc.must {
			assert.Contains(t, must[i], m, tc.policy)
		}
		for _, s := range tc.should {
			assert.Contains(t, strings.Join(should, "|"), s, tc.policy)
		}
		if len(tc.should) == 0 {
			assert.Empty(t, should, tc.policy)
		}
	}
	// Two headers are one merged policy, as internet.nl merges them.
	must, should := ParseCSP([]string{"default-src 'none'; frame-ancestors 'none'", "base-uri 'none'; form-action 'none'"}).Problems("x")
	assert.Empty(t, must)
	assert.Empty(t, should)
}

func TestReferrerPolicyAsInternetNL(t *testing.T) {
	for v, good := range map[string]bool{
		"no-referrer": true, "same-origin": true, "unsafe-url, no-referrer": true,
		"strict-origin-when-cross-origin": false, "no-referrer, unsafe-url": false, "": false, "bogus": false,
	} {
		h := http.Header{}
		if v != "" {
			h.Set("Referrer-Policy", v)
		}
		assert.Equal(t, good, ReferrerPolicy(h) == "", v)
	}
}

func TestContentTypeProblem(t *testing.T) {
	body := []byte("x")
	for ct, want := range map[string]struct {
		problem bool
		must    bool
	}{
		"application/json":               {false, false}, // RFC 8259 §11: no charset parameter
		"application/fhir+json":          {false, false},
		"text/plain; charset=utf-8":      {false, false},
		"text/html":                      {true, false},
		"application/soap+xml":           {true, false},
		"application/xml; charset=UTF-8": {false, false},
		"":                               {true, true},
		"text/html; charset":             {true, true},
	} {
		h := http.Header{}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		p, must := ContentTypeProblem(h, body)
		assert.Equal(t, want.problem, p != "", "%q: %s", ct, p)
		assert.Equal(t, want.must, must, ct)
	}
	p, _ := ContentTypeProblem(http.Header{}, nil)
	assert.Empty(t, p, "no body, no Content-Type needed")
}

func TestCookieProblems(t *testing.T) {
	h := http.Header{}
	h.Add("Set-Cookie", "a=1; Path=/; Secure; HttpOnly; SameSite=Strict")
	must, should := CookieProblems(h)
	assert.Empty(t, must)
	assert.Empty(t, should)
	h.Add("Set-Cookie", "b=2; Path=/")
	h.Add("Set-Cookie", "__Host-c=3; Path=/x; Secure; HttpOnly; SameSite=Lax")
	must, should = CookieProblems(h)
	assert.Equal(t, []string{"cookie b without Secure", "cookie __Host-c breaks its __Host- prefix (Domain set or Path not /)"}, must)
	assert.Equal(t, []string{"cookie b without HttpOnly", "cookie b without SameSite=Lax or Strict"}, should)
}

func TestFrameOptions(t *testing.T) {
	assert.Empty(t, FrameOptions(http.Header{"X-Frame-Options": {"DENY"}}))
	assert.Empty(t, FrameOptions(http.Header{"Content-Security-Policy": {"frame-ancestors 'none'"}}))
	assert.NotEmpty(t, FrameOptions(http.Header{"X-Frame-Options": {"ALLOW-FROM https://x"}}))
	assert.NotEmpty(t, FrameOptions(http.Header{}))
}

// TestCatalogueIsComplete: every probe names its rule, its mapping and how
// it is judged, ids are unique, and the one-line table in docs/web-probes.md
// lists each of them.
func TestCatalogueIsComplete(t *testing.T) {
	doc, err := os.ReadFile("../../docs/web-probes.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range Catalogue() {
		assert.False(t, seen[p.ID], "duplicate %s", p.ID)
		seen[p.ID] = true
		assert.Contains(t, []string{"SC001", "SC002", "SC003"}, p.Rule, p.ID)
		assert.NotEmpty(t, p.Title, p.ID)
		assert.NotEmpty(t, p.NCSC, p.ID)
		assert.NotEmpty(t, p.Confidence, p.ID)
		assert.NotEmpty(t, p.InternetNL, p.ID)
		assert.NotEmpty(t, p.Outcome, p.ID)
		assert.NotNil(t, p.exec, p.ID)
		assert.Contains(t, string(doc), "| "+p.ID+" |", "docs/web-probes.md has no row for %s", p.ID)
	}
}

// TestDefaultPathSignatures: a catch-all answer (a single-page app, a HAL
// API) is never taken for an exposed endpoint; the real thing is.
func TestDefaultPathSignatures(t *testing.T) {
	sig := map[string]defaultPath{}
	for _, d := range defaultPaths {
		sig[d.path] = d
	}
	catchAll := []string{
		`<html><title>Patient portal</title><p>Manage user profiles, goroutine-free Quarkus dev ui docs</p></html>`,
		`{"_links":{"self":{"href":"/patients"}},"APP=1":"x"}`,
		`{"ok":true}`,
	}
	real := map[string]string{
		"/.git/HEAD":    "ref: refs/heads/main\n",
		"/.env":         "DB_PASSWORD=secret\n",
		"/actuator":     `{"_links":{"self":{"href":"http://x/actuator"},"env":{"href":"http://x/actuator/env"}}}`,
		"/debug/pprof/": "<html><p>Types of profiles available:</p>",
		"/q/dev/":       "<html><head><title>Quarkus Dev UI</title>",
		"/metrics":      "# HELP go_goroutines Number of goroutines\n",
		"/openapi.json": `{"openapi":"3.0.3"}`,
	}
	for path, body := range real {
		assert.True(t, sig[path].sig.MatchString(body), "%s should match its own body", path)
		for _, c := range catchAll {
			assert.False(t, sig[path].sig.MatchString(c), "%s matched a catch-all body %q", path, c)
		}
	}
}
