// Package authmodel judges the observable side of the specifier's
// "standard model" rules: SC006 (an authentication and authorization model
// that is not specific to a use case, client or user) and SC007 (fully
// standardized identification and authentication). It reads what the OAuth
// metadata batch already fetched (harness/oauth.Discovery) and sends
// nothing itself; every contradiction is a verdict Finding.
package authmodel

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/verdict"
)

// Required members per kind of document.
var (
	// RFC 8414 §2: issuer and response_types_supported always; token_endpoint
	// unless only the implicit grant is supported; authorization_endpoint
	// unless no supported grant uses it (checked separately).
	rfc8414Required = []string{"issuer", "response_types_supported"}
	// OpenID Connect Discovery 1.0 §3.
	oidcRequired = []string{"issuer", "authorization_endpoint", "jwks_uri", "response_types_supported",
		"subject_types_supported", "id_token_signing_alg_values_supported"}
)

// urlMembers are the metadata members that name endpoints; each must be an
// https URL (RFC 6749 §3.1, §3.2: TLS for the authorization and token
// endpoints; RFC 8414 §2 for the issuer).
var urlMembers = []string{"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint",
	"revocation_endpoint", "introspection_endpoint", "userinfo_endpoint", "pushed_authorization_request_endpoint",
	"device_authorization_endpoint", "end_session_endpoint"}

// published is one document the batch read, and which spec it answers to.
type published struct {
	doc  *oauth.Doc
	oidc bool
}

// docs returns the published documents.
func docs(d *oauth.Discovery) (out []published) {
	if d == nil {
		return nil
	}
	if d.AS != nil && d.AS.Obj != nil {
		out = append(out, published{d.AS, false})
	}
	if d.OIDC != nil && d.OIDC.Obj != nil && d.OIDC != d.AS {
		out = append(out, published{d.OIDC, true})
	}
	return out
}

// noMetadata is the error when nothing was published or fetched.
func noMetadata(probe string, d *oauth.Discovery) error {
	if d != nil {
		for _, doc := range []*oauth.Doc{d.AS, d.OIDC} {
			if doc != nil && doc.Problem != nil {
				return doc.Problem
			}
		}
	}
	return verdict.WithSeverity(verdict.Deviation(probe, "RFC 8414 or OpenID Connect discovery metadata for the issuer",
		"SC007; RFC 8414 §3, OIDC Discovery §4", "no metadata document is published"), verdict.High)
}

func str(obj map[string]any, k string) string {
	s, _ := obj[k].(string)
	return s
}

func list(obj map[string]any, k string) (vals []string, present bool) {
	raw, ok := obj[k]
	if !ok {
		return nil, false
	}
	arr, _ := raw.([]any)
	for _, v := range arr {
		if s, ok := v.(string); ok {
			vals = append(vals, s)
		}
	}
	return vals, true
}

func loopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// MetadataValid (SC007): every published document is a valid RFC 8414 or
// OpenID Connect discovery document for the configured issuer: its
// required members, issuer equal to the configured one (RFC 8414 §3.3,
// OIDC Discovery §4.3), and https endpoints. notes say what was waived
// (plain http on a loopback test target).
func MetadataValid(d *oauth.Discovery, issuer string) (notes []string, err error) {
	const probe = "standard metadata for the configured issuer"
	pubs := docs(d)
	if len(pubs) == 0 {
		return nil, noMetadata(probe, d)
	}
	var problems []string
	for _, p := range pubs {
		obj, where := p.doc.Obj, p.doc.URL
		required := rfc8414Required
		spec := "RFC 8414 §2"
		if p.oidc {
			required, spec = oidcRequired, "OIDC Discovery §3"
		}
		for _, m := range required {
			if _, ok := obj[m]; !ok {
				problems = append(problems, fmt.Sprintf("%s lacks %s (%s)", where, m, spec))
			}
		}
		grants, hasGrants := list(obj, "grant_types_supported")
		if !hasGrants {
			grants = []string{"authorization_code", "implicit"} // RFC 8414 §2 default
		}
		if _, ok := obj["token_endpoint"]; !ok && !slices.Equal(grants, []string{"implicit"}) {
			problems = append(problems, fmt.Sprintf("%s lacks token_endpoint (RFC 8414 §2: required unless only implicit)", where))
		}
		if _, ok := obj["authorization_endpoint"]; !ok && !p.oidc && (slices.Contains(grants, "authorization_code") || slices.Contains(grants, "implicit")) {
			problems = append(problems, fmt.Sprintf("%s lacks authorization_endpoint although it supports %v (RFC 8414 §2)", where, grants))
		}
		if got := str(obj, "issuer"); got != issuer {
			problems = append(problems, fmt.Sprintf("%s has issuer %q, not the configured %q (RFC 8414 §3.3, OIDC Discovery §4.3)", where, got, issuer))
		}
		for _, m := range urlMembers {
			v := str(obj, m)
			if v == "" {
				continue
			}
			u, perr := url.Parse(v)
			switch {
			case perr != nil || u.Host == "" || !u.IsAbs():
				problems = append(problems, fmt.Sprintf("%s: %s %q is not an absolute URL", where, m, v))
			case u.Scheme == "https":
			case loopback(v):
				notes = append(notes, fmt.Sprintf("https waived for %s %q: a loopback test target", m, v))
			default:
				problems = append(problems, fmt.Sprintf("%s: %s %q is not https (RFC 6749 §3.1, §3.2; RFC 8414 §2)", where, m, v))
			}
		}
	}
	if len(problems) > 0 {
		return notes, verdict.WithSeverity(verdict.Deviation(probe,
			"a valid RFC 8414 or OpenID Connect discovery document: required members, the configured issuer, https endpoints",
			"SC007; RFC 8414 §2, §3.3; OIDC Discovery §3, §4.3", strings.Join(problems, "; ")), verdict.Medium)
	}
	return notes, nil
}

// Registered values of the metadata members that name the model (the IANA
// "OAuth Parameters" registries RFC 8414 §2 points to). An extension value
// is allowed by OAuth (RFC 6749 §4.5, §8.4) but is by definition not a
// standardized model.
var registered = map[string][]string{
	"grant_types_supported": {"authorization_code", "implicit", "password", "client_credentials", "refresh_token",
		"urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:ietf:params:oauth:grant-type:saml2-bearer",
		"urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:token-exchange",
		"urn:openid:params:grant-type:ciba", "urn:ietf:params:oauth:grant-type:pre-authorized_code"},
	"token_endpoint_auth_methods_supported": {"none", "client_secret_post", "client_secret_basic", "client_secret_jwt",
		"private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth", "attest_jwt_client_auth"},
	"response_types_supported": {"code", "token", "id_token", "code token", "code id_token", "id_token token",
		"code id_token token", "none"},
	"code_challenge_methods_supported": {"plain", "S256"},
	"token_endpoint_auth_signing_alg_values_supported": {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519", "Ed448", "HS256", "HS384", "HS512"},
}

// RegisteredValues (SC007): the grant types, client authentication methods,
// response types, PKCE methods and signing algorithms the metadata
// advertises are all registered ones.
func RegisteredValues(d *oauth.Discovery) error {
	const probe = "registered grant types and client authentication methods"
	pubs := docs(d)
	if len(pubs) == 0 {
		return noMetadata(probe, d)
	}
	var odd []string
	members := make([]string, 0, len(registered))
	for m := range registered {
		members = append(members, m)
	}
	slices.Sort(members)
	for _, p := range pubs {
		for _, m := range members {
			vals, _ := list(p.doc.Obj, m)
			for _, v := range vals {
				norm := v
				if m == "response_types_supported" {
					f := strings.Fields(v)
					slices.Sort(f)
					norm = strings.Join(f, " ")
				}
				if !slices.ContainsFunc(registered[m], func(r string) bool {
					if m == "response_types_supported" {
						f := strings.Fields(r)
						slices.Sort(f)
						r = strings.Join(f, " ")
					}
					return r == norm
				}) {
					odd = append(odd, fmt.Sprintf("%s %q in %s", m, v, p.doc.URL))
				}
			}
		}
	}
	if len(odd) > 0 {
		return verdict.WithSeverity(verdict.Deviation(probe, "only IANA-registered values (a non-standard grant or client authentication is no standardized model)",
			"SC007; RFC 8414 §2, IANA OAuth Parameters", strings.Join(odd, "; ")), verdict.Medium)
	}
	return nil
}

// JWKSPublic (SC007): the jwks_uri resolves to a JWK Set with at least one
// key and nothing private or symmetric in it (RFC 7517 §5, RFC 7518 §6).
func JWKSPublic(d *oauth.Discovery) error {
	const probe = "the published JWK Set"
	pubs := docs(d)
	if len(pubs) == 0 {
		return noMetadata(probe, d)
	}
	uri := ""
	for _, p := range pubs {
		if uri = str(p.doc.Obj, "jwks_uri"); uri != "" {
			break
		}
	}
	if uri == "" {
		return verdict.Inapplicable("the metadata names no jwks_uri (optional in RFC 8414 §2 when no signed tokens are published)")
	}
	if d.JWKS == nil {
		if d.JWKSDoc != nil && d.JWKSDoc.Ex != nil && (d.JWKSDoc.Ex.Status == 404 || d.JWKSDoc.Ex.Status == 410) {
			return verdict.WithSeverity(verdict.Deviation(probe, "jwks_uri resolves to a JWK Set", "SC007; RFC 8414 §2, RFC 7517 §5",
				d.JWKSDoc.Ex.Summary()), verdict.Medium)
		}
		return verdict.CouldNotTestf(probe, "the JWK Set at %s was not read by the metadata batch", uri)
	}
	if len(d.JWKS.Keys) == 0 {
		return verdict.WithSeverity(verdict.Deviation(probe, "a JWK Set with at least one key", "SC007; RFC 7517 §5", "no keys at "+uri), verdict.Medium)
	}
	var leaks []string
	for _, p := range d.JWKS.Problems {
		if p.Kind == jose.ProblemPrivate || p.Kind == jose.ProblemSymmetric {
			leaks = append(leaks, p.Text)
		}
	}
	if len(leaks) > 0 {
		return verdict.WithSeverity(verdict.Deviation(probe, "public keys only", "SC007; RFC 7517 §5, RFC 7518 §6.2.2, §6.3.2, §6.4",
			strings.Join(leaks, "; ")), verdict.Critical)
	}
	return nil
}

// OneModelForAllClients (SC006): the one metadata document names none of
// the profile's registered clients: no per-client token endpoint, path or
// member.
func OneModelForAllClients(d *oauth.Discovery, clientIDs []string) error {
	const probe = "one metadata document and one token endpoint for every client"
	pubs := docs(d)
	if len(pubs) == 0 {
		return noMetadata(probe, d)
	}
	var found []string
	for _, p := range pubs {
		walk(p.doc.Obj, "", func(path, s string) {
			for _, id := range clientIDs {
				if id != "" && namesToken(s, id) {
					found = append(found, fmt.Sprintf("%s names client %q at %s", p.doc.URL, id, path))
				}
			}
		})
	}
	if len(found) > 0 {
		slices.Sort(found)
		return verdict.WithSeverity(verdict.Deviation(probe, "no client-specific endpoint, path or member in the metadata",
			"SC006: a model not specific to a (type of) client", strings.Join(slices.Compact(found), "; ")), verdict.High)
	}
	return nil
}

// namesToken reports whether id is one whole token of s (a path segment,
// query value or the whole member name), so a short client id never
// matches inside an unrelated word.
func namesToken(s, id string) bool {
	return slices.Contains(strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("/?&=:#, ;", r) }), id)
}

// walk visits every member name and string value of a JSON value.
func walk(v any, path string, visit func(path, s string)) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := path + "/" + k
			visit(p, k)
			walk(x[k], p, visit)
		}
	case []any:
		for i, e := range x {
			walk(e, fmt.Sprintf("%s/%d", path, i), visit)
		}
	case string:
		visit(path, x)
	}
}

// SameTokens (SC006): the same token request (client credentials with a
// private_key_jwt assertion and the same scope) by two registered clients
// yields the same kind of token from the same token endpoint: both JWTs or
// both opaque, and as JWTs the same issuer, signing algorithm and type.
// A difference means the model depends on the client.
func SameTokens(first, second string) error {
	const probe = "the second client's token, for the same request"
	a, errA := jose.ParseCompact(first)
	b, errB := jose.ParseCompact(second)
	dev := func(got string) error {
		return verdict.WithSeverity(verdict.Deviation(probe, "the same kind of token as the first client's",
			"SC006: a model not specific to a (type of) client", got), verdict.Medium)
	}
	switch {
	case (errA == nil) != (errB == nil):
		return dev(fmt.Sprintf("one client gets a JWT, the other an opaque token (first: %v, second: %v)", errA == nil, errB == nil))
	case errA != nil:
		return nil // both opaque: nothing more to compare black-box
	}
	var diffs []string
	for _, h := range []string{"alg", "typ"} {
		if x, y := string(a.Header[h]), string(b.Header[h]); x != y {
			diffs = append(diffs, fmt.Sprintf("header %s %s vs %s", h, x, y))
		}
	}
	for _, c := range []string{"iss", "aud"} {
		if x, y := string(a.Claims[c]), string(b.Claims[c]); x != y {
			diffs = append(diffs, fmt.Sprintf("claim %s %s vs %s", c, x, y))
		}
	}
	if len(diffs) > 0 {
		return dev(strings.Join(diffs, "; "))
	}
	return nil
}
