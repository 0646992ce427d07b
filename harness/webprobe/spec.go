package webprobe

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/verdict"
	"go.yaml.in/yaml/v3"
)

// The specifier's rule (SC001) is about what the API specification
// mandates. With web.openapi_url the suite reads the published OpenAPI (3.x)
// or Swagger (2.0) document and checks the two things a specification
// states that the guideline decides: where the API is offered (U/WA.05:
// only over TLS) and that its operations require authentication (U/TV.01).

var operationMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

// spec fetches and parses the OpenAPI document once per session.
func (r *run) spec() (map[string]any, error) {
	w := r.s.cfg.Profile.Web
	if w == nil || w.OpenAPIURL == "" {
		return nil, verdict.OutOfScope("the profile names no web.openapi_url, so SC001 rests on the specifier's declaration alone")
	}
	ex, err := r.do(request{key: "openapi", name: "GET the API specification", method: http.MethodGet, url: w.OpenAPIURL,
		header: http.Header{"Accept": {"application/json, application/yaml, application/vnd.oai.openapi"}}})
	if err != nil {
		return nil, could(r.res.Probe, ex, err)
	}
	if ex.Status() != http.StatusOK {
		return nil, verdict.CouldNotTestf(r.res.Probe.Title, "the specification at web.openapi_url answered %s", ex.Summary())
	}
	var doc map[string]any
	if err := yaml.Unmarshal(ex.RespBody, &doc); err != nil || doc == nil {
		return nil, verdict.CouldNotTestf(r.res.Probe.Title, "%s is not an OpenAPI document (JSON or YAML)", w.OpenAPIURL)
	}
	if _, oas3 := doc["openapi"]; !oas3 {
		if _, v2 := doc["swagger"]; !v2 {
			return nil, verdict.CouldNotTestf(r.res.Probe.Title, "%s has neither an openapi nor a swagger member", w.OpenAPIURL)
		}
	}
	return doc, nil
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asList(v any) []any         { l, _ := v.([]any); return l }

// specHTTPS: every server the specification names is https (OpenAPI 3
// servers at document, path and operation level; Swagger 2 schemes).
func specHTTPS(r *run, p Probe) error {
	doc, err := r.spec()
	if err != nil {
		return err
	}
	var plain []string
	check := func(where string, servers any) {
		for _, s := range asList(servers) {
			if u, _ := asMap(s)["url"].(string); strings.HasPrefix(strings.ToLower(u), "http://") {
				plain = append(plain, fmt.Sprintf("%s server %s", where, u))
			}
		}
	}
	check("document", doc["servers"])
	for path, item := range asMap(doc["paths"]) {
		check(path, asMap(item)["servers"])
		for _, m := range operationMethods {
			check(strings.ToUpper(m)+" "+path, asMap(asMap(item)[m])["servers"])
		}
	}
	for _, s := range asList(doc["schemes"]) {
		if s == "http" || s == "ws" {
			plain = append(plain, fmt.Sprintf("schemes lists %v", s))
		}
	}
	slices.Sort(plain)
	if len(plain) > 0 {
		return p.deviation("a specification that offers the API over https only", strings.Join(plain, "; "), verdict.Medium)
	}
	return nil
}

// specSecurity: the specification defines a security scheme and every
// operation requires one, globally or itself. An operation that states
// `security: []` is declared public by the specifier and only noted.
func specSecurity(r *run, p Probe) error {
	doc, err := r.spec()
	if err != nil {
		return err
	}
	schemes := asMap(asMap(doc["components"])["securitySchemes"])
	if len(schemes) == 0 {
		schemes = asMap(doc["securityDefinitions"])
	}
	if len(schemes) == 0 {
		return p.deviation("security schemes in the specification", "no components.securitySchemes or securityDefinitions", verdict.Medium)
	}
	global := len(asList(doc["security"])) > 0
	var open, public []string
	paths := asMap(doc["paths"])
	names := make([]string, 0, len(paths))
	for n := range paths {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, path := range names {
		for _, m := range operationMethods {
			op := asMap(asMap(paths[path])[m])
			if op == nil {
				continue
			}
			sec, stated := op["security"]
			switch {
			case stated && len(asList(sec)) == 0:
				public = append(public, strings.ToUpper(m)+" "+path)
			case !stated && !global:
				open = append(open, strings.ToUpper(m)+" "+path)
			}
		}
	}
	if len(public) > 0 {
		r.note("operations the specification declares public (security: []): %s", strings.Join(public, ", "))
	}
	if len(open) > 0 {
		if len(open) > 10 {
			open = append(open[:10], fmt.Sprintf("… %d more", len(open)-10))
		}
		return p.deviation("every operation secured by a scheme, globally or itself (or declared public with security: [])",
			"no security for "+strings.Join(open, ", "), verdict.Medium)
	}
	return nil
}
