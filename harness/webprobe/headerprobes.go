package webprobe

import (
	"fmt"
	"strings"

	"github.com/apisec/apisec/harness/verdict"
)

// eachAnswer runs check on every answer and collects what it finds.
func eachAnswer(r *run, check func(ex *Exchange) (must, should string)) (must, should []string, err error) {
	answers, err := r.answers()
	if err != nil {
		return nil, nil, err
	}
	for _, ex := range answers {
		m, s := check(ex)
		if m != "" {
			must = append(must, label(ex)+": "+m)
		}
		if s != "" {
			should = append(should, label(ex)+": "+s)
		}
	}
	return must, should, nil
}

// settle turns what a probe found into its verdict: must-level findings
// fail with mustSev, should-level ones warn with shouldSev.
func settle(r *run, p Probe, expected string, must, should []string, mustSev, shouldSev verdict.Severity) error {
	switch {
	case len(must) > 0:
		if len(should) > 0 {
			r.note("also: %s", joinAll(should))
		}
		return p.deviation(expected, joinAll(must), mustSev)
	case len(should) > 0:
		return p.warning(expected, joinAll(should), shouldSev)
	}
	return nil
}

func nosniff(r *run, p Probe) error {
	must, should, err := eachAnswer(r, func(ex *Exchange) (string, string) {
		if !NoSniff(ex.Header()) {
			return "", fmt.Sprintf("X-Content-Type-Options %q", ex.Header().Get("X-Content-Type-Options"))
		}
		return "", ""
	})
	if err != nil {
		return err
	}
	return settle(r, p, "X-Content-Type-Options: nosniff on every answer (internet.nl: recommended)", must, should, verdict.Medium, verdict.Low)
}

// csp parses the policy the way internet.nl does; 'unsafe-inline' and
// 'unsafe-eval' are what the Logius DigiD norm names as not complying
// with U/PW.03, the rest is internet.nl's recommendation. ASVS V3 notes
// that these headers matter less for pure machine-to-machine APIs, which
// is why only the unsafe sources fail.
func csp(r *run, p Probe) error {
	domain := r.s.base.Hostname()
	must, should, err := eachAnswer(r, func(ex *Exchange) (string, string) {
		m, s := ParseCSP(ex.Header().Values("Content-Security-Policy")).Problems(domain)
		return joinAll(m), joinAll(s)
	})
	if err != nil {
		return err
	}
	if len(should) > 0 && len(must) == 0 {
		// One line per distinct problem set keeps the finding readable.
		should = dedupeTails(should)
	}
	return settle(r, p, "a Content-Security-Policy such as default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none', without 'unsafe-inline' or 'unsafe-eval'",
		must, should, verdict.Medium, verdict.Low)
}

// dedupeTails drops findings whose text after the answer label repeats.
func dedupeTails(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		_, tail, _ := strings.Cut(s, ": ")
		if !seen[tail] {
			seen[tail] = true
			out = append(out, s)
		}
	}
	return out
}

func referrer(r *run, p Probe) error {
	must, should, err := eachAnswer(r, func(ex *Exchange) (string, string) { return "", ReferrerPolicy(ex.Header()) })
	if err != nil {
		return err
	}
	return settle(r, p, "Referrer-Policy: no-referrer or same-origin (internet.nl: recommended)", must, dedupeTails(should), verdict.Medium, verdict.Low)
}

// frameOptions is informational, as in internet.nl (X-Frame-Options is
// optional there): the observation is recorded outside the verdict.
func frameOptions(r *run, p Probe) error {
	_, missing, err := eachAnswer(r, func(ex *Exchange) (string, string) { return "", FrameOptions(ex.Header()) })
	if err != nil {
		return err
	}
	if len(missing) == 0 {
		return verdict.Noted(p.Title, "every answer refuses framing (X-Frame-Options DENY/SAMEORIGIN or CSP frame-ancestors)")
	}
	return verdict.Noted(p.Title, "framing not refused: "+joinAll(dedupeTails(missing))+" (internet.nl: optional)")
}

// banner: product versions in headers or in error pages (U/PW.03, C.09;
// ASVS 13.4.6 is a level-3 requirement and internet.nl does not test it,
// so a version is a warning).
func banner(r *run, p Probe) error {
	_, should, err := eachAnswer(r, func(ex *Exchange) (string, string) {
		var found []string
		found = append(found, DisclosedVersions(ex.Header())...)
		if ex.Status() >= 400 {
			if v := VersionInBody(ex.RespBody); v != "" {
				found = append(found, fmt.Sprintf("error page names %q", v))
			}
		}
		return "", strings.Join(found, ", ")
	})
	if err != nil {
		return err
	}
	return settle(r, p, "no product or version in headers or error pages", nil, dedupeTails(should), verdict.Medium, verdict.Medium)
}

func cookies(r *run, p Probe) error {
	seen := 0
	must, should, err := eachAnswer(r, func(ex *Exchange) (string, string) {
		seen += len(ex.Header().Values("Set-Cookie"))
		m, s := CookieProblems(ex.Header())
		return strings.Join(m, ", "), strings.Join(s, ", ")
	})
	if err != nil {
		return err
	}
	if seen == 0 {
		r.note("no answer sets a cookie")
	}
	return settle(r, p, "every cookie Secure (ASVS 3.3.1), HttpOnly and SameSite", must, should, verdict.Medium, verdict.Low)
}

// contentType: ASVS 4.1.1 (level 1) asks a Content-Type on every body,
// with a charset for text/*, */xml and */+xml; JSON has no charset
// parameter (RFC 8259 §11) and is not asked for one.
func contentType(r *run, p Probe) error {
	must, should, err := eachAnswer(r, func(ex *Exchange) (string, string) {
		problem, isMust := ContentTypeProblem(ex.Header(), ex.RespBody)
		if isMust {
			return problem, ""
		}
		return "", problem
	})
	if err != nil {
		return err
	}
	return settle(r, p, "a Content-Type on every body, with charset on textual types", must, should, verdict.Low, verdict.Low)
}

// cacheControl: an answer with personal data must not be stored (ASVS
// 14.3.2, level 2: a recommendation here).
func cacheControl(r *run, p Probe) error {
	if r.s.resourceURL() == "" || r.s.cfg.Token == nil {
		return verdict.OutOfScope("the profile names no oauth section with a resource_url, so no answer with personal data can be fetched")
	}
	ex, err := r.data()
	if err != nil {
		return could(p, ex, err)
	}
	if ex.Status() < 200 || ex.Status() >= 300 {
		return verdict.CouldNotTestf(p.Title, "the resource did not serve data with a valid token: %s", ex.Summary())
	}
	if !NoStore(ex.Header()) {
		return p.warning("Cache-Control: no-store on an answer with personal data", fmt.Sprintf("%s with Cache-Control %q", label(ex), ex.Header().Get("Cache-Control")), verdict.Low)
	}
	return nil
}
