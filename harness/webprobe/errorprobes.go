package webprobe

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/apisec/apisec/harness/verdict"
)

// mutation is one named malformed request; each is a change of the same
// valid request (a GET of the base URL, the positive control that frames
// them: it must be answered without a server error, or the refusals prove
// nothing).
type mutation struct {
	name string
	// build returns method, URL, body and header; ok=false when the
	// profile offers nothing to send it to.
	build func(s *Session) (req request, ok bool, why string)
	// soap: a SOAP 1.1 server answers a client fault with 500 and a
	// Fault whose faultcode is Client (SOAP 1.1 §6.2); SOAP 1.2 uses 400
	// with Sender (SOAP 1.2 part 2 §7.5.1).
	soap bool
}

var (
	mutMalformedJSON = mutation{name: "truncated JSON", build: func(s *Session) (request, bool, string) {
		return request{method: http.MethodPost, url: s.cfg.Profile.Target.BaseURL, body: []byte(`{"resourceType": "Patient", "id": `),
			header: http.Header{"Content-Type": {"application/json"}}}, true, ""
	}}
	mutMalformedXML = mutation{name: "malformed XML", build: func(s *Session) (request, bool, string) {
		return request{method: http.MethodPost, url: s.cfg.Profile.Target.BaseURL, body: []byte(`<?xml version="1.0"?><Patient><id value="1"></Patient`),
			header: http.Header{"Content-Type": {"application/xml"}}}, true, ""
	}}
	mutWrongContentType = mutation{name: "unknown media type", build: func(s *Session) (request, bool, string) {
		return request{method: http.MethodPost, url: s.cfg.Profile.Target.BaseURL, body: []byte("apisec=1"),
			header: http.Header{"Content-Type": {"application/x-apisec-unknown"}}}, true, ""
	}}
	mutOversized = mutation{name: "one-megabyte body", build: func(s *Session) (request, bool, string) {
		body := append(append([]byte(`{"apisec":"`), bytes.Repeat([]byte("A"), 1<<20)...), `"}`...)
		return request{method: http.MethodPost, url: s.cfg.Profile.Target.BaseURL, body: body,
			header: http.Header{"Content-Type": {"application/json"}}}, true, ""
	}}
	mutInvalidID = mutation{name: "invalid id", build: func(s *Session) (request, bool, string) {
		bad := url.PathEscape(`..'"<x>%00`)
		target := s.underBase("Patient/" + bad)
		if u := s.resourceURL(); u != "" {
			if i := strings.LastIndex(u, "/"); i > len("https://") {
				target = u[:i+1] + bad
			}
		}
		return request{method: http.MethodGet, url: target}, true, ""
	}}
	mutBadSOAP = mutation{name: "truncated SOAP envelope", soap: true, build: func(s *Session) (request, bool, string) {
		sp := s.cfg.Profile.SOAP
		if sp == nil || !s.cfg.Profile.HasInterface("soap") {
			return request{}, false, "the target has no SOAP interface (profile soap, target.interfaces)"
		}
		return request{method: http.MethodPost, url: sp.Endpoint,
			body:   []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><apisec`),
			header: http.Header{"Content-Type": {"text/xml; charset=utf-8"}, "SOAPAction": {`""`}}}, true, ""
	}}
)

var soapClientFault = regexp.MustCompile(`(?s)Fault.*(faultcode[^>]*>\s*([\w.-]+:)?Client|Value[^>]*>\s*([\w.-]+:)?Sender)`)

// control is the positive control: the unmutated request answered
// without a server error.
func (r *run) control() error {
	ex, err := r.base()
	if err != nil {
		return could(r.res.Probe, ex, err)
	}
	if ex.Status() >= 500 {
		return verdict.CouldNotTestf(r.res.Probe.Title, "the positive control already fails (%s), so a refusal of a malformed request proves nothing", ex.Summary())
	}
	return nil
}

// malformed sends one mutation and judges: a 4xx with a generic message
// (never a 5xx for a client's error, never a stack trace, query or path).
func malformed(m mutation) func(r *run, p Probe) error {
	return func(r *run, p Probe) error {
		req, ok, why := m.build(r.s)
		if !ok {
			return verdict.Inapplicable(why)
		}
		if !m.soap {
			if err := r.control(); err != nil {
				return err
			}
		}
		req.key, req.name = p.ID, fmt.Sprintf("%s %s (%s)", req.method, "request", m.name)
		ex, err := r.do(req)
		if err != nil {
			return could(p, ex, err)
		}
		if leak := LeakedInternals(ex.RespBody); leak != "" {
			return p.deviation("a generic error message", fmt.Sprintf("%s with a body containing %q", ex.Summary(), leak), verdict.Medium)
		}
		code := ex.Status()
		switch {
		case code >= 400 && code < 500:
			return nil
		case m.soap && code == http.StatusInternalServerError && soapClientFault.Match(ex.RespBody):
			r.note("SOAP 1.1 answers a client fault with 500 and faultcode Client (SOAP 1.1 §6.2)")
			return nil
		case code >= 500:
			return p.deviation("a 4xx refusal of the "+m.name+" (a client error is never a 5xx)", ex.Summary(), verdict.Medium)
		}
		return p.warning("a 4xx refusal of the "+m.name, ex.Summary()+": the body was ignored or accepted", verdict.Low)
	}
}

// reflectable media types render markup in a browser; reflection of raw
// input there is cross-site scripting. A missing type is sniffed.
func reflectable(mt string) bool {
	return mt == "" || mt == "text/html" || mt == "application/xhtml+xml" || mt == "image/svg+xml" ||
		mt == "text/xml" || mt == "application/xml"
}

// reflection puts a canary with markup into the query, the path and a
// header, and looks for it raw in the answers.
func reflection(r *run, p Probe) error {
	payload := r.s.cfg.Canary + `"'<x>`
	base := r.s.cfg.Profile.Target.BaseURL
	reqs := []request{
		{key: "reflect-query", name: "GET with the canary in the query", method: http.MethodGet,
			url: base + "?apisec=" + url.QueryEscape(payload)},
		{key: "reflect-path", name: "GET with the canary in the path", method: http.MethodGet,
			url: r.s.underBase(url.PathEscape(payload))},
		{key: "reflect-header", name: "GET with the canary in a header", method: http.MethodGet, url: base,
			header: http.Header{"X-Forwarded-Host": {payload}, "Referer": {"https://evil.apisec.invalid/" + payload}}},
	}
	var must, should []string
	for _, q := range reqs {
		ex, err := r.do(q)
		if err != nil {
			return could(p, ex, err)
		}
		switch {
		case ex.Status() >= 500:
			must = append(must, fmt.Sprintf("%s: the canary caused a server error", label(ex)))
		case bytes.Contains(ex.RespBody, []byte(payload)) && (reflectable(ex.MediaType()) || !NoSniff(ex.Header())):
			must = append(must, fmt.Sprintf("%s: the canary is reflected unescaped in %q", label(ex), ex.MediaType()))
		case bytes.Contains(ex.RespBody, []byte(payload)):
			should = append(should, fmt.Sprintf("%s: the canary is reflected unescaped in %q (not rendered as markup there)", label(ex), ex.MediaType()))
		case bytes.Contains(ex.RespBody, []byte(r.s.cfg.Canary)):
			r.note("%s: the canary is reflected, escaped", label(ex))
		}
	}
	return settle(r, p, "input never reflected unescaped into markup, and never a server error", must, should, verdict.High, verdict.Low)
}

// trace: TRACE must not be answered (ASVS 13.4.4), nor may TRACK (IIS's
// spelling) echo the request (cross-site tracing).
func trace(r *run, p Probe) error {
	marker := "apisec-trace-" + r.s.cfg.Canary
	var must []string
	for _, m := range []string{http.MethodTrace, "TRACK"} {
		ex, err := r.do(request{key: "method " + m, name: m + " base URL", method: m, url: r.s.cfg.Profile.Target.BaseURL,
			header: http.Header{"X-Apisec-Trace": {marker}}})
		if err != nil {
			return could(p, ex, err)
		}
		if ex.Status() < 200 || ex.Status() >= 300 {
			continue
		}
		echo := bytes.Contains(ex.RespBody, []byte(marker))
		switch {
		case echo:
			must = append(must, ex.Summary()+", echoing the request's headers (cross-site tracing)")
		case m == http.MethodTrace:
			must = append(must, ex.Summary())
		default:
			// TRACK is IIS's echo; answered without an echo it is just an
			// unknown method (web/unsupported-method judges those).
			r.note("%s without echoing the request", ex.Summary())
		}
	}
	return settle(r, p, "TRACE refused (405 or 501) and no echo of the request", must, nil, verdict.Medium, verdict.Low)
}

// unsupportedMethod: a method nobody implements is refused with 501, or
// 405 with an Allow header (RFC 9110 §15.5.6: MUST generate Allow).
func unsupportedMethod(r *run, p Probe) error {
	ex, err := r.do(request{key: "method APISEC", name: "APISEC base URL (an unknown method)", method: "APISEC", url: r.s.cfg.Profile.Target.BaseURL})
	if err != nil {
		return could(p, ex, err)
	}
	code := ex.Status()
	switch {
	case code >= 200 && code < 400:
		return p.deviation("405 or 501 for an unknown method", ex.Summary(), verdict.Medium)
	case code == http.StatusMethodNotAllowed && ex.Header().Get("Allow") == "":
		return p.warning("405 with Allow (RFC 9110 §15.5.6)", ex.Summary()+" without Allow", verdict.Low)
	case code >= 500 && code != http.StatusNotImplemented:
		return p.deviation("405 or 501 for an unknown method", ex.Summary(), verdict.Medium)
	}
	return nil
}

// methodOverride: a POST carrying X-HTTP-Method-Override (and its
// variants) must be handled as the POST it is. The control pair is a
// plain POST and a GET; when those two are answered the same, the
// override cannot be seen and the probe says so.
func methodOverride(r *run, p Probe) error {
	get, err := r.base()
	if err != nil {
		return could(p, get, err)
	}
	base := r.s.cfg.Profile.Target.BaseURL
	plain, err := r.do(request{key: "post-plain", name: "POST base URL (control)", method: http.MethodPost, url: base,
		header: http.Header{"Content-Type": {"application/json"}}, body: []byte("{}")})
	if err != nil {
		return could(p, plain, err)
	}
	if plain.Status() == get.Status() {
		return verdict.Noted(p.Title, fmt.Sprintf("not observable: a plain POST is answered like the GET (%d), so an override to GET would not show", get.Status()))
	}
	over, err := r.do(request{key: "post-override", name: "POST base URL with method-override headers", method: http.MethodPost, url: base,
		header: http.Header{"Content-Type": {"application/json"}, "X-Http-Method-Override": {"GET"}, "X-Http-Method": {"GET"}, "X-Method-Override": {"GET"}},
		body:   []byte("{}")})
	if err != nil {
		return could(p, over, err)
	}
	if over.Status() == get.Status() && over.Status() != plain.Status() {
		return p.deviation("the POST handled as a POST (override headers ignored)",
			fmt.Sprintf("%s, as the GET (%d) instead of as the plain POST (%d)", over.Summary(), get.Status(), plain.Status()), verdict.Medium)
	}
	return nil
}
