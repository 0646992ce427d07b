package webprobe

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/verdict"
)

// exposure is how bad it is to find a default path answering.
type exposure int

const (
	// docs: API documentation; fine when intended (ASVS 13.4.5), so a warning.
	docs exposure = iota
	// monitoring: metrics and status pages leak internals (ASVS 13.4.5).
	monitoring
	// secret: source control, configuration, management or debug
	// endpoints (ASVS 13.4.1, 13.4.2): never intended on a production API.
	secret
)

// defaultPath is a well-known path and the body that proves it is really
// served (a catch-all 200 of a single-page app proves nothing).
type defaultPath struct {
	path string
	kind exposure
	sig  *regexp.Regexp
	what string
}

var defaultPaths = []defaultPath{
	{"/.git/HEAD", secret, regexp.MustCompile(`^(ref: refs/|[0-9a-f]{40}\s*$)`), "git repository metadata"},
	{"/.git/config", secret, regexp.MustCompile(`(?m)^\[core\]`), "git repository configuration"},
	{"/.env", secret, regexp.MustCompile(`(?m)^[A-Z][A-Z0-9_]{2,}=`), "environment file"},
	{"/actuator", secret, regexp.MustCompile(`(?s)"_links"\s*:.*/actuator`), "Spring Boot actuator index"},
	{"/actuator/env", secret, regexp.MustCompile(`"(propertySources|activeProfiles)"\s*:`), "Spring Boot actuator environment"},
	{"/actuator/heapdump", secret, regexp.MustCompile(`^(JAVA PROFILE|\x1f\x8b)`), "Java heap dump"},
	{"/debug/pprof/", secret, regexp.MustCompile(`(?i)types of profiles available|/debug/pprof/goroutine`), "Go pprof debug endpoint"},
	{"/q/dev/", secret, regexp.MustCompile(`(?i)<title>[^<]*dev ui`), "Quarkus dev UI"},
	{"/server-status", monitoring, regexp.MustCompile(`(?i)apache server status|server uptime`), "Apache server-status"},
	{"/metrics", monitoring, regexp.MustCompile(`(?m)^# (HELP|TYPE) `), "Prometheus metrics"},
	{"/actuator/prometheus", monitoring, regexp.MustCompile(`(?m)^# (HELP|TYPE) `), "Prometheus metrics"},
	{"/q/metrics", monitoring, regexp.MustCompile(`(?m)^# (HELP|TYPE) `), "Prometheus metrics"},
	{"/openapi.json", docs, regexp.MustCompile(`"(openapi|swagger)"\s*:`), "OpenAPI document"},
	{"/v3/api-docs", docs, regexp.MustCompile(`"(openapi|swagger)"\s*:`), "OpenAPI document"},
	{"/swagger.json", docs, regexp.MustCompile(`"(openapi|swagger)"\s*:`), "Swagger document"},
	{"/swagger-ui/index.html", docs, regexp.MustCompile(`(?i)swagger-ui`), "Swagger UI"},
}

var dirListing = regexp.MustCompile(`(?i)<title>\s*(index of /|directory listing for)`)

func (s *Session) public(path string) bool {
	w := s.cfg.Profile.Web
	return w != nil && slices.Contains(w.PublicPaths, path)
}

// exposedDefaults asks each default path at the host root and, when the
// base URL has a path of its own, below it too.
func exposedDefaults(r *run, p Probe) error {
	prefixes := []string{""}
	if bp := strings.TrimSuffix(r.s.base.Path, "/"); bp != "" {
		prefixes = append(prefixes, bp)
	}
	var must, should []string
	mustSev := verdict.Medium
	for _, d := range defaultPaths {
		for _, prefix := range prefixes {
			path := prefix + d.path
			if r.s.public(path) {
				r.note("%s is declared public in the profile (web.public_paths), not asked", path)
				continue
			}
			ex, err := r.do(request{key: "default " + path, name: "GET " + path, method: http.MethodGet, url: r.s.at(path)})
			if err != nil {
				return could(p, ex, err)
			}
			if ex.Status() != http.StatusOK || !d.sig.Match(ex.RespBody) {
				continue
			}
			msg := fmt.Sprintf("%s serves the %s", path, d.what)
			switch d.kind {
			case secret:
				must = append(must, msg)
				mustSev = verdict.High
			case monitoring:
				must = append(must, msg)
			default:
				should = append(should, msg+" (list it in web.public_paths if it is meant to be public)")
			}
		}
	}
	// Directory listings on the answers already fetched.
	for _, get := range []func() (*Exchange, error){r.root, r.base, r.notFound} {
		if ex, err := get(); err == nil && dirListing.Match(ex.RespBody) {
			must = append(must, label(ex)+" is a directory listing (ASVS 13.4.3)")
		}
	}
	// Keep only this probe's own exchanges that answered something as evidence
	// beside the listing checks: every default path was asked.
	return settle(r, p, "no source control, management, debug or monitoring endpoint; documentation only where declared public", must, should, mustSev, verdict.Low)
}

// cors sends a foreign Origin, on a simple GET and on a preflight, and
// judges Access-Control-Allow-Origin with Access-Control-Allow-Credentials
// (Fetch standard §3.2.5; ASVS 3.4.2).
func cors(r *run, p Probe) error {
	const foreign = "https://evil.apisec.invalid"
	target := r.s.cfg.Profile.Target.BaseURL
	if u := r.s.resourceURL(); u != "" {
		target = u
	}
	reqs := []request{
		{key: "cors-get-base", name: "GET base URL with a foreign Origin", method: http.MethodGet, url: r.s.cfg.Profile.Target.BaseURL,
			header: http.Header{"Origin": {foreign}}},
		{key: "cors-get-null", name: "GET with Origin: null", method: http.MethodGet, url: target,
			header: http.Header{"Origin": {"null"}}},
		{key: "cors-preflight", name: "CORS preflight from a foreign Origin", method: http.MethodOptions, url: target,
			header: http.Header{"Origin": {foreign}, "Access-Control-Request-Method": {"GET"}, "Access-Control-Request-Headers": {"authorization"}}},
	}
	var must, should []string
	for _, q := range reqs {
		ex, err := r.do(q)
		if err != nil {
			return could(p, ex, err)
		}
		origin := q.header.Get("Origin")
		acao := strings.TrimSpace(ex.Header().Get("Access-Control-Allow-Origin"))
		creds := strings.EqualFold(strings.TrimSpace(ex.Header().Get("Access-Control-Allow-Credentials")), "true")
		switch {
		case acao == origin && creds:
			must = append(must, fmt.Sprintf("%s: Origin %s is echoed with Access-Control-Allow-Credentials: true", label(ex), origin))
		case acao == "*" && creds:
			must = append(must, label(ex)+": Access-Control-Allow-Origin * with credentials")
		case acao == origin:
			should = append(should, fmt.Sprintf("%s: Origin %s is echoed (no allow-list)", label(ex), origin))
		case acao == "*":
			r.note("%s: Access-Control-Allow-Origin * without credentials (fine for answers without sensitive data, ASVS 3.4.2)", label(ex))
		}
	}
	return settle(r, p, "Access-Control-Allow-Origin never echoes a foreign or null Origin, and never with credentials", must, should, verdict.High, verdict.Low)
}

// securityTxt records whether /.well-known/security.txt is published and
// valid (RFC 9116 §2.5.3 Contact and §2.5.5 Expires are required). It is
// informational: neither the NCSC guideline nor the API rules ask for it;
// internet.nl recommends it.
func securityTxt(r *run, p Probe) error {
	ex, err := r.do(request{key: "security.txt", name: "GET /.well-known/security.txt", method: http.MethodGet, url: r.s.at("/.well-known/security.txt")})
	if err != nil {
		return could(p, ex, err)
	}
	if ex.Status() != http.StatusOK {
		return verdict.Noted(p.Title, fmt.Sprintf("not published (%s)", ex.Summary()))
	}
	var problems []string
	if ex.MediaType() != "text/plain" {
		problems = append(problems, fmt.Sprintf("media type %q, not text/plain (RFC 9116 §3)", ex.MediaType()))
	}
	var contact, expires string
	sc := bufio.NewScanner(bytes.NewReader(ex.RespBody))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.HasPrefix(strings.TrimSpace(k), "#") {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "contact":
			if contact == "" {
				contact = strings.TrimSpace(v)
			}
		case "expires":
			expires = strings.TrimSpace(v)
		}
	}
	if contact == "" {
		problems = append(problems, "no Contact (RFC 9116 §2.5.3)")
	}
	switch t, err := time.Parse(time.RFC3339, expires); {
	case expires == "":
		problems = append(problems, "no Expires (RFC 9116 §2.5.5)")
	case err != nil:
		problems = append(problems, fmt.Sprintf("Expires %q is not RFC 3339", expires))
	case t.Before(time.Now()):
		problems = append(problems, "Expires "+expires+" has passed")
	}
	if len(problems) > 0 {
		return verdict.Noted(p.Title, "published but not valid: "+joinAll(problems))
	}
	return verdict.Noted(p.Title, fmt.Sprintf("published and valid (Contact %s, Expires %s)", contact, expires))
}
