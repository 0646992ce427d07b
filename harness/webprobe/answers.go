package webprobe

import (
	"fmt"
	"net/http"
	"strings"
)

// The answers the header probes judge. internet.nl reads the headers of
// whatever "/" returns (often a 401 or 404 on an API host); the guideline
// is about the API's own answers too, errors included. Both are judged.
const (
	keyRoot     = "root"
	keyBase     = "base"
	keyNotFound = "not-found"
	keyResource = "resource"
	keyData     = "resource-data"
)

func (r *run) root() (*Exchange, error) {
	return r.do(request{key: keyRoot, name: "GET / (what internet.nl reads)", method: http.MethodGet, url: r.s.rootURL()})
}

func (r *run) base() (*Exchange, error) {
	if r.s.cfg.Profile.Target.BaseURL == r.s.rootURL() {
		return r.root()
	}
	return r.do(request{key: keyBase, name: "GET base URL", method: http.MethodGet, url: r.s.cfg.Profile.Target.BaseURL})
}

func (r *run) notFound() (*Exchange, error) {
	return r.do(request{key: keyNotFound, name: "GET an unknown path (an error answer)", method: http.MethodGet,
		url: r.s.underBase("apisec-no-such-resource-" + r.s.cfg.Canary)})
}

// resource is the protected resource without a token (a 401 the API
// itself writes); nil when the profile names no resource URL.
func (r *run) resource() (*Exchange, error) {
	u := r.s.resourceURL()
	if u == "" {
		return nil, nil
	}
	return r.do(request{key: keyResource, name: "GET resource without a token", method: http.MethodGet, url: u})
}

// data is the protected resource with an access token: an answer with
// personal data. nil, nil when the profile gives no way to get a token.
func (r *run) data() (*Exchange, error) {
	u := r.s.resourceURL()
	if u == "" || r.s.cfg.Token == nil {
		return nil, nil
	}
	return r.do(request{key: keyData, name: "GET resource with an access token", method: http.MethodGet, url: u, bearer: true,
		header: http.Header{"Accept": {"application/fhir+json, application/json"}}})
}

// answers returns every HTTPS answer the header probes judge. The root and
// the base URL must answer (else the probe could not test); the others are
// added when the profile makes them possible, with a note when one could
// not be had.
func (r *run) answers() ([]*Exchange, error) {
	var out []*Exchange
	for _, get := range []func() (*Exchange, error){r.root, r.base} {
		ex, err := get()
		if err != nil {
			return nil, could(r.res.Probe, ex, err)
		}
		if !containsEx(out, ex) {
			out = append(out, ex)
		}
	}
	for _, get := range []func() (*Exchange, error){r.notFound, r.resource, r.data} {
		ex, err := get()
		switch {
		case err != nil && ex == nil:
			r.note("one answer was not judged: %v", err)
		case err != nil:
			r.note("%s: no answer (%v), not judged", ex.Summary(), err)
		case ex != nil:
			out = append(out, ex)
		}
	}
	return out, nil
}

// label names an answer in a finding: "GET / → 200".
func label(ex *Exchange) string {
	return fmt.Sprintf("%s %s → %d", ex.Request.Method, ex.Request.URL.Path, ex.Status())
}

func joinAll(list []string) string { return strings.Join(list, "; ") }
