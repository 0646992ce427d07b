package authmodel

import (
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/verdict"
)

// The six nationally prescribed generic functions of the VWS programme
// (docs/reference/nen7513-ncsc-web.md §4), with the Dutch names a declaration may use.
var functions = map[string][]string{
	"identification": {"identification", "identificatie"},
	"authentication": {"authentication", "authenticatie"},
	"consent":        {"consent", "toestemming"},
	"authorisation":  {"authorisation", "authorization", "autorisatie"},
	"localisation":   {"localisation", "localization", "lokalisatie"},
	"addressing":     {"addressing", "adressering"},
}

// Functions lists the six generic functions in the order reports use.
var Functions = []string{"identification", "authentication", "consent", "authorisation", "localisation", "addressing"}

// Declared is one generic_functions entry of the specifier's declaration:
// "<function>: <specification and version>", or "<function>: not
// applicable — <why>", or "none: <why none applies>".
type Declared struct {
	Function string
	Spec     string
	// NotApplicable is set when the entry says the function does not apply.
	NotApplicable bool
}

var notApplicable = regexp.MustCompile(`(?i)^(not applicable|n/a|none|niet van toepassing)\b`)

// ParseGenericFunctions reads the declaration's entries. none is the
// reason when the declaration says no generic function applies; unknown
// lists entries that name no known function.
func ParseGenericFunctions(entries []string) (decl []Declared, none string, unknown []string) {
	for _, e := range entries {
		name, spec, ok := strings.Cut(e, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		spec = strings.TrimSpace(spec)
		if !ok {
			unknown = append(unknown, e)
			continue
		}
		if name == "none" {
			none = spec
			continue
		}
		fn := ""
		for f, names := range functions {
			if slices.Contains(names, name) {
				fn = f
			}
		}
		if fn == "" {
			unknown = append(unknown, e)
			continue
		}
		decl = append(decl, Declared{Function: fn, Spec: spec, NotApplicable: notApplicable.MatchString(spec)})
	}
	return decl, none, unknown
}

// Signal states, as issue 12 names them.
const (
	Corroborated  = "corroborated"
	Contradicted  = "contradicted"
	NotObservable = "not observable"
)

// Observed is what the suite saw of the deployment that a declared
// generic function can be checked against. A nil or empty field was not
// observable.
type Observed struct {
	Discovery *oauth.Discovery
	// Resource is the body of the protected resource read with a token.
	Resource []byte
	// DIDs maps each did:web the declaration names to what resolving it
	// gave: its document's "id", or the error ("404 Not Found").
	DIDs map[string]DIDResult
	// ClientCARequested says whether the TLS handshake asked for a client
	// certificate; ClientCAs are the acceptable CA names it sent.
	ClientCARequested bool
	ClientCAs         []pkix.Name
	// TLSObserved is set when the handshake was made at all.
	TLSObserved bool
}

// DIDResult is what resolving one did:web gave.
type DIDResult struct {
	URL string
	ID  string
	Err string
}

// Signal is one check of a declared function against what was observed.
type Signal struct {
	Function, State, Detail string
}

var (
	reRFC7523  = regexp.MustCompile(`(?i)rfc ?7523|jwt-bearer|private_key_jwt|gf ?authentication|generic functions? authentication|nuts`)
	reDIDWeb   = regexp.MustCompile(`did:web:[A-Za-z0-9.%_:-]+`)
	reUZI      = regexp.MustCompile(`(?i)\buzi\b|pkioverheid|mutual tls|mtls`)
	reBSN      = regexp.MustCompile(`(?i)\bbsn\b|2\.16\.840\.1\.113883\.2\.4\.6\.3|NamingSystem/bsn`)
	reScopes   = regexp.MustCompile(`(?i)scope|smart|oauth`)
	bsnSystems = []string{"http://fhir.nl/fhir/NamingSystem/bsn", "urn:oid:2.16.840.1.113883.2.4.6.3"}
)

// DIDsIn returns the did:web identifiers an entry names.
func DIDsIn(spec string) []string { return reDIDWeb.FindAllString(spec, -1) }

// DIDURL is where a did:web document lives (did:web method §3.2.1:
// colons become slashes, %3A a port; no path means /.well-known).
func DIDURL(did string) (string, error) {
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok || rest == "" {
		return "", fmt.Errorf("%q is not a did:web", did)
	}
	parts := strings.Split(rest, ":")
	host, err := url.PathUnescape(parts[0])
	if err != nil {
		return "", fmt.Errorf("%q: %v", did, err)
	}
	path := "/.well-known/did.json"
	if len(parts) > 1 {
		path = "/" + strings.Join(parts[1:], "/") + "/did.json"
	}
	return "https://" + host + path, nil
}

// Judge checks one declared function against the observations.
func Judge(d Declared, obs Observed) Signal {
	s := Signal{Function: d.Function, State: NotObservable}
	if d.NotApplicable {
		s.Detail = "the declaration says: " + d.Spec
		return s
	}
	switch d.Function {
	case "authentication":
		return judgeAuthentication(d, obs)
	case "identification":
		if !reBSN.MatchString(d.Spec) {
			s.Detail = "only patient BSN identifiers are visible black-box; the declared " + d.Spec + " is not"
			return s
		}
		systems := identifierSystems(obs.Resource)
		switch {
		case len(systems) == 0:
			s.Detail = "the resource read with a token carries no identifier"
		case slices.ContainsFunc(systems, func(x string) bool { return slices.Contains(bsnSystems, x) }):
			s.State, s.Detail = Corroborated, fmt.Sprintf("the resource identifies the patient by BSN (%v)", systems)
		default:
			s.State, s.Detail = Contradicted, fmt.Sprintf("BSN declared, but the resource's identifier systems are %v (none of %v)", systems, bsnSystems)
		}
		return s
	case "authorisation":
		if !reScopes.MatchString(d.Spec) {
			s.Detail = "the declared model is not visible in OAuth metadata"
			return s
		}
		if p := primary(obs.Discovery); p != nil {
			if scopes, ok := list(p.Obj, "scopes_supported"); ok && len(scopes) > 0 {
				s.State, s.Detail = Corroborated, fmt.Sprintf("scopes_supported %v", scopes)
				return s
			}
		}
		s.Detail = "the metadata lists no scopes_supported (optional in RFC 8414 §2)"
		return s
	case "consent":
		s.Detail = "Mitz consent is asked by the data holder behind the API; no signal reaches a client (acceptance tests with a Mitz test patient could show a refusal)"
	case "localisation":
		s.Detail = "NVI registration is not visible from the API; it needs the NVI's own test environment"
	case "addressing":
		s.Detail = "LRZa/mCSD Endpoint entries need directory access, which the profile does not give"
	}
	return s
}

func judgeAuthentication(d Declared, obs Observed) Signal {
	s := Signal{Function: d.Function, State: NotObservable}
	var good, bad, unseen []string
	if reRFC7523.MatchString(d.Spec) {
		if p := primary(obs.Discovery); p != nil {
			grants, _ := list(p.Obj, "grant_types_supported")
			methods, _ := list(p.Obj, "token_endpoint_auth_methods_supported")
			if slices.Contains(grants, oauth.GrantJWTBearer) || slices.Contains(methods, "private_key_jwt") {
				good = append(good, fmt.Sprintf("RFC 7523 advertised (grant_types_supported %v, token_endpoint_auth_methods_supported %v)", grants, methods))
			} else {
				bad = append(bad, fmt.Sprintf("RFC 7523 declared, but the metadata advertises neither the jwt-bearer grant nor private_key_jwt (%v, %v)", grants, methods))
			}
		} else {
			unseen = append(unseen, "no OAuth metadata to compare RFC 7523 with")
		}
	}
	for _, did := range DIDsIn(d.Spec) {
		r, ok := obs.DIDs[did]
		switch {
		case !ok:
			unseen = append(unseen, did+" was not resolved")
		case r.Err != "" && strings.HasPrefix(r.Err, "unreachable"):
			unseen = append(unseen, fmt.Sprintf("%s: %s", did, r.Err))
		case r.Err != "":
			bad = append(bad, fmt.Sprintf("%s does not resolve at %s (%s)", did, r.URL, r.Err))
		case r.ID != did:
			bad = append(bad, fmt.Sprintf("the document at %s has id %q, not %s (did:web §3.2.1)", r.URL, r.ID, did))
		default:
			good = append(good, did+" resolves to its DID document")
		}
	}
	if reUZI.MatchString(d.Spec) {
		switch {
		case !obs.TLSObserved:
			unseen = append(unseen, "no TLS handshake to read a client-certificate request from")
		case !obs.ClientCARequested:
			unseen = append(unseen, "the API host's handshake asks no client certificate (mutual TLS may sit on another endpoint)")
		case len(obs.ClientCAs) == 0:
			unseen = append(unseen, "a client certificate is asked with no acceptable-CA list")
		case slices.ContainsFunc(obs.ClientCAs, uziOrPKIo):
			good = append(good, "the handshake asks a client certificate from a UZI/PKIoverheid CA")
		default:
			var names []string
			for _, n := range obs.ClientCAs {
				names = append(names, n.String())
			}
			bad = append(bad, fmt.Sprintf("UZI/PKIoverheid declared, but the acceptable client CAs are %v", names))
		}
	}
	switch {
	case len(bad) > 0:
		s.State, s.Detail = Contradicted, strings.Join(bad, "; ")
	case len(good) > 0:
		s.State, s.Detail = Corroborated, strings.Join(append(good, unseen...), "; ")
	case len(unseen) > 0:
		s.Detail = strings.Join(unseen, "; ")
	default:
		s.Detail = "the declared specification (" + d.Spec + ") has no black-box signal the suite knows"
	}
	return s
}

func uziOrPKIo(n pkix.Name) bool {
	s := strings.ToLower(n.String())
	return strings.Contains(s, "uzi") || strings.Contains(s, "pkioverheid") || strings.Contains(s, "staat der nederlanden")
}

func primary(d *oauth.Discovery) *oauth.Doc {
	if d == nil {
		return nil
	}
	return d.Primary()
}

// identifierSystems lists identifier[].system of a FHIR resource or of
// every resource in a Bundle.
func identifierSystems(body []byte) []string {
	var v any
	if len(body) == 0 || json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var visit func(x any)
	visit = func(x any) {
		m, ok := x.(map[string]any)
		if !ok {
			return
		}
		if ids, ok := m["identifier"].([]any); ok {
			for _, id := range ids {
				if im, ok := id.(map[string]any); ok {
					if sys, ok := im["system"].(string); ok && !slices.Contains(out, sys) {
						out = append(out, sys)
					}
				}
			}
		}
		if entries, ok := m["entry"].([]any); ok {
			for _, e := range entries {
				if em, ok := e.(map[string]any); ok {
					visit(em["resource"])
				}
			}
		}
	}
	visit(v)
	return out
}

// Verdict turns a signal into the scenario's outcome: a contradiction of
// the declaration fails (SC009 is a MUST), a corroboration passes, and
// what cannot be observed is recorded outside the verdict.
func (s Signal) Verdict() error {
	probe := "generic function " + s.Function
	switch s.State {
	case Contradicted:
		return verdict.WithSeverity(verdict.Deviation(probe, "runtime signals that match the declared national generic function",
			"SC009; docs/reference/nen7513-ncsc-web.md §4", s.Detail), verdict.Medium)
	case Corroborated:
		return nil
	}
	return verdict.Noted(probe, NotObservable+": "+s.Detail)
}
