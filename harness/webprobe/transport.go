package webprobe

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/apisec/apisec/harness/cause"
	"github.com/apisec/apisec/harness/verdict"
)

// plainHTTPURL is the profile's web.http_url, else http://<base host>/.
func (s *Session) plainHTTPURL() string {
	if w := s.cfg.Profile.Web; w != nil && w.HTTPURL != "" {
		return w.HTTPURL
	}
	return "http://" + s.base.Hostname() + "/"
}

// plainHTTP: U/WA.05 and the Besluit beveiligde verbinding (Stb. 2023, 179)
// demand that plain HTTP either is not offered or redirects to the HTTPS
// version of the same host before any other host; internet.nl ("HTTPS
// forced", required) gives full marks to both. ASVS 4.1.2 prefers no
// plain HTTP at all for non-browser endpoints, so that is reported as the
// better of the two.
func plainHTTP(r *run, p Probe) error {
	target := r.s.plainHTTPURL()
	ex, err := r.do(request{key: "plain-http", name: "GET over plain HTTP", method: http.MethodGet, url: target})
	if err != nil {
		if cause.Of(err) == cause.Refused {
			r.note("nothing listens for plain HTTP at %s: the API is not offered over HTTP at all (the best outcome for an API, ASVS 4.1.2)", target)
			return nil
		}
		return could(p, ex, err)
	}
	req, _ := url.Parse(target)
	code := ex.Status()
	switch {
	case code >= 300 && code < 400:
		loc := ex.Header().Get("Location")
		if loc == "" {
			return p.deviation("a redirect to https on the same host", fmt.Sprintf("%s without Location", ex.Summary()), verdict.Medium)
		}
		to, err := req.Parse(loc)
		if err != nil {
			return p.deviation("a redirect to https on the same host", fmt.Sprintf("%s to an unparseable Location %q", ex.Summary(), loc), verdict.Medium)
		}
		if to.Scheme != "https" || !strings.EqualFold(to.Hostname(), req.Hostname()) {
			return p.deviation("a redirect to https on the same host first (Stb. 2023, 179; internet.nl \"HTTPS forced\")",
				fmt.Sprintf("%s to %s", ex.Summary(), to), verdict.Medium)
		}
		r.note("plain HTTP redirects to %s: acceptable (internet.nl, Stb. 2023, 179); ASVS 4.1.2 prefers no plain HTTP for APIs", to)
		return nil
	case code >= 200 && code < 300:
		return p.deviation("no plain HTTP, or a redirect to https on the same host", ex.Summary()+": the API answers over plain HTTP", verdict.High)
	}
	return p.warning("no plain HTTP, or a redirect to https on the same host", ex.Summary()+
		" without a redirect: no content, but internet.nl reports HTTPS as not forced", verdict.Low)
}

// hsts: HSTS on every HTTPS answer with max-age of at least a year (ASVS
// 3.4.1; internet.nl reads the first header of "/" and calls max-age below
// a year partial).
func hsts(r *run, p Probe) error {
	answers, err := r.answers()
	if err != nil {
		return err
	}
	root, _ := r.root()
	base, _ := r.base()
	var must, should []string
	sev := verdict.Low
	for _, ex := range answers {
		h := ParseHSTS(ex.Header())
		front := ex == root || ex == base // what internet.nl and a browser see first
		switch {
		case h.Problem != "" && front:
			must = append(must, label(ex)+": "+h.Problem)
			sev = verdict.Medium
		case h.Problem != "":
			should = append(should, label(ex)+": "+h.Problem)
		case h.MaxAge < MinHSTSMaxAge:
			must = append(must, fmt.Sprintf("%s: max-age=%d (< %d; internet.nl: partial)", label(ex), h.MaxAge, MinHSTSMaxAge))
		}
	}
	expected := fmt.Sprintf("Strict-Transport-Security with max-age ≥ %d on every HTTPS answer", MinHSTSMaxAge)
	switch {
	case len(must) > 0:
		if len(should) > 0 {
			r.note("also: %s", joinAll(should))
		}
		return p.deviation(expected, joinAll(must), sev)
	case len(should) > 0:
		return p.warning(expected, joinAll(should), verdict.Low)
	}
	return nil
}

func hstsSubdomains(r *run, p Probe) error {
	ex, err := r.root()
	if err != nil {
		return could(p, ex, err)
	}
	h := ParseHSTS(ex.Header())
	if h.Problem != "" || !h.IncludeSubDomains {
		got := "HSTS without includeSubDomains"
		if h.Problem != "" {
			got = h.Problem
		}
		return p.warning("Strict-Transport-Security with includeSubDomains (ASVS 3.4.1 from L2)", label(ex)+": "+got, verdict.Low)
	}
	return nil
}
