package webprobe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
)

// TestSpecificationProbes reads specifications as YAML and JSON, Swagger 2
// and OpenAPI 3, and finds plain-HTTP servers and unsecured operations.
func TestSpecificationProbes(t *testing.T) {
	docs := map[string]string{
		"/good.yaml": "openapi: 3.0.3\nservers: [{url: 'https://api.example.nl'}]\ncomponents:\n  securitySchemes:\n    o: {type: oauth2}\nsecurity: [{o: []}]\npaths:\n  /p: {get: {}}\n  /meta: {get: {security: []}}\n",
		"/http.json": `{"swagger":"2.0","schemes":["https","http"],"securityDefinitions":{"o":{"type":"oauth2"}},"paths":{"/p":{"get":{"security":[{"o":[]}]}}}}`,
		"/open.json": `{"openapi":"3.1.0","servers":[{"url":"/api"}],"components":{"securitySchemes":{"o":{"type":"oauth2"}}},"paths":{"/p":{"get":{"security":[{"o":[]}]},"delete":{}}}}`,
		"/none.json": `{"openapi":"3.1.0","paths":{"/p":{"get":{}}}}`,
		"/junk":      `<html>not a spec</html>`,
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d, ok := docs[r.URL.Path]; ok {
			_, _ = w.Write([]byte(d))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	run := func(path string) map[string]verdict.Status {
		p := &profile.Profile{Version: 1, Target: profile.Target{Name: "x", BaseURL: srv.URL + "/", Interfaces: []string{"rest"}}}
		if path != "" {
			p.Web = &profile.Web{OpenAPIURL: srv.URL + path}
		}
		s, err := NewSession(Config{Profile: p, Client: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]verdict.Status{}
		for _, res := range s.Run(context.Background(), "SC001").Results {
			out[res.Probe.ID], _ = verdict.Classify(res.Err)
		}
		return out
	}
	for path, want := range map[string][2]verdict.Status{
		"/good.yaml": {verdict.Pass, verdict.Pass},
		"/http.json": {verdict.Fail, verdict.Pass},
		"/open.json": {verdict.Pass, verdict.Fail},
		"/none.json": {verdict.Pass, verdict.Fail},
		"/junk":      {verdict.Error, verdict.Error},
		"/missing":   {verdict.Error, verdict.Error},
		"":           {verdict.NotAssessed, verdict.NotAssessed},
	} {
		got := run(path)
		assert.Equal(t, want[0], got["spec/https-only"], "%s https-only", path)
		assert.Equal(t, want[1], got["spec/security-schemes"], "%s security-schemes", path)
	}
}
