package oauth

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

// Doc is one fetched metadata document.
type Doc struct {
	URL string
	Ex  *Exchange
	// Obj is the parsed document; nil when missing or unusable.
	Obj map[string]any
	// Missing is set for a 404/410 answer: the document is not published.
	Missing bool
	// Problem is the could-not-test or deviation error of the fetch itself.
	Problem error
}

func (d *Doc) str(name string) string {
	if d == nil || d.Obj == nil {
		return ""
	}
	s, _ := d.Obj[name].(string)
	return s
}

// list returns a string-array member; present reports it was there.
func (d *Doc) list(name string) (vals []string, present bool) {
	if d == nil || d.Obj == nil {
		return nil, false
	}
	raw, ok := d.Obj[name]
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

// WellKnownURL builds a metadata URL for issuer. RFC 8414 §3.1 inserts the
// well-known segment between host and path; OpenID Connect Discovery §4
// appends it to the issuer.
func WellKnownURL(issuer string, oidc bool) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("issuer %q is not a URL", issuer)
	}
	path := strings.TrimSuffix(u.Path, "/")
	if oidc {
		u.Path = path + "/.well-known/openid-configuration"
	} else {
		u.Path = "/.well-known/oauth-authorization-server" + path
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// isLoopback reports whether a URL points at this machine; plain http is
// tolerated there (test targets), and only there.
func isLoopback(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && profile.IsLoopbackHost(u.Hostname())
}

// checkHTTPS demands an https URL (RFC 6749 §3.2, RFC 8414 §2). On a
// loopback test target http is allowed, and the check says so in the
// probe's notes (the profile refuses http elsewhere).
func (r *run) checkHTTPS(probe, name, raw, clause string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return verdict.WithSeverity(verdict.Deviation(probe, name+" is an absolute URL", clause, fmt.Sprintf("%q", raw)), verdict.Medium)
	}
	if u.Scheme == "https" {
		return nil
	}
	if isLoopback(raw) {
		r.cur.Notes = append(r.cur.Notes, fmt.Sprintf("https waived for %s %q: a loopback test target (http is allowed only on 127.0.0.0/8 and localhost)", name, raw))
		return nil
	}
	return verdict.WithSeverity(verdict.Deviation(probe, name+" is https", clause, fmt.Sprintf("%q", raw)), verdict.High)
}

// checkAuthMethods grades <prefix>_auth_methods_supported for SC008 ("all
// tokens used for client authentication MUST be signed using asymmetrical
// encryption"): client_secret_jwt, an HMAC-signed client assertion, fails;
// client_secret_basic and client_secret_post send a shared secret rather
// than a signed token, which SC008 does not forbid in so many words, so
// they warn; an omitted list means client_secret_basic (RFC 8414 §2, OIDC
// Discovery §3) and warns too.
func checkAuthMethods(probe string, d *Doc, prefix string) error {
	name := prefix + "_auth_methods_supported"
	methods, present := d.list(name)
	if !present {
		return verdict.WithSeverity(verdict.Warning(probe, name+" listing asymmetric methods only", "SC008, RFC 8414 §2 (omitted means client_secret_basic)", "no "+name+" in "+d.URL), verdict.Low)
	}
	if slices.Contains(methods, "client_secret_jwt") {
		return verdict.WithSeverity(verdict.Deviation(probe, "no client_secret_jwt (client assertions signed with a shared secret)", "SC008, RFC 7523 §2.2", name+" "+fmt.Sprint(methods)), verdict.High)
	}
	if shared := slices.DeleteFunc(slices.Clone(methods), func(m string) bool { return !symmetricMethod(m) }); len(shared) > 0 {
		return verdict.WithSeverity(verdict.Warning(probe, "no shared-secret client authentication (a secret is not a signed token)", "SC008", name+" "+fmt.Sprint(methods)), verdict.Low)
	}
	return nil
}

// checkSigningAlgs grades <prefix>_auth_signing_alg_values_supported for
// SC008: no HS* and no "none" (RFC 8414 §2). Its absence advertises
// nothing symmetric: whether it is required is md/required-members'
// business (RFC 8414 only).
func checkSigningAlgs(probe string, d *Doc, prefix string) error {
	algs, _ := d.list(prefix + "_auth_signing_alg_values_supported")
	for _, a := range algs {
		if strings.EqualFold(a, "none") {
			return verdict.WithSeverity(verdict.Deviation(probe, "no \"none\" among the signing algorithms", "RFC 8414 §2", fmt.Sprint(algs)), verdict.High)
		}
		if symmetricOrNoneAlg(a) {
			return verdict.WithSeverity(verdict.Deviation(probe, "asymmetric signing algorithms only", "SC008, RFC 7518 §3.2", fmt.Sprint(algs)), verdict.High)
		}
	}
	return nil
}

// symmetricMethod reports client authentication methods that use a shared
// secret.
func symmetricMethod(m string) bool { return strings.HasPrefix(m, "client_secret_") }

func symmetricOrNoneAlg(a string) bool {
	return strings.HasPrefix(strings.ToUpper(a), "HS") || strings.EqualFold(a, "none")
}

// missingSigningAlgs lists the endpoints whose *_jwt method lacks its
// signing algorithm list: RFC 8414 §2 requires it ("MUST be present if
// either of these authentication methods are specified"); OpenID Connect
// Discovery §3 makes it optional, so an OIDC document is never asked.
func missingSigningAlgs(d *Doc) []string {
	var missing []string
	for _, prefix := range []string{"token_endpoint", "introspection_endpoint", "revocation_endpoint"} {
		methods, _ := d.list(prefix + "_auth_methods_supported")
		_, present := d.list(prefix + "_auth_signing_alg_values_supported")
		if !present && (slices.Contains(methods, "private_key_jwt") || slices.Contains(methods, "client_secret_jwt")) {
			missing = append(missing, prefix+"_auth_signing_alg_values_supported")
		}
	}
	return missing
}

// Discovery is what the metadata batch fetched.
type Discovery struct {
	AS, OIDC *Doc
	JWKS     *jose.JWKS
	JWKSDoc  *Doc
	// JWKSErr is why the JWKS could not be read (nil when it was).
	JWKSErr error
}

// Primary is the document the token-endpoint checks read: the RFC 8414
// one, or the OIDC one when only that is published.
func (d *Discovery) Primary() *Doc {
	if d.AS != nil && d.AS.Obj != nil {
		return d.AS
	}
	if d.OIDC != nil && d.OIDC.Obj != nil {
		return d.OIDC
	}
	return nil
}

// oidcFields is the document SC-R002 reads: the OIDC one, or, when that
// is not published, RFC 8414 metadata that may carry the OIDC members. A
// document that could not be read makes the check "could not test".
func (d *Discovery) oidcFields(p Probe) (*Doc, error) {
	switch {
	case d.OIDC != nil && d.OIDC.Obj != nil:
		return d.OIDC, nil
	case d.OIDC != nil && d.OIDC.Problem != nil:
		return nil, d.OIDC.Problem
	case d.AS != nil && d.AS.Obj != nil:
		return d.AS, nil
	case d.AS != nil && d.AS.Problem != nil:
		return nil, d.AS.Problem
	}
	return nil, verdict.Deviation(p.Title, "OpenID Provider metadata", "OIDC Discovery §4", "no discovery document")
}

// noDoc explains why a document-based check cannot run.
func noDoc(probe string, docs ...*Doc) error {
	for _, d := range docs {
		if d != nil && d.Problem != nil {
			return d.Problem
		}
	}
	return verdict.CouldNotTestf(probe, "no metadata document was published, so there is nothing to check")
}

// checkIssuer: the issuer in the document equals the configured issuer
// exactly (RFC 8414 §3.3, OIDC Discovery §4.3: a mismatch opens mix-up
// attacks), is https without query or fragment (RFC 8414 §2).
func (r *run) checkIssuer(probe, want string, d *Doc, clause string) error {
	got := d.str("issuer")
	if got != want {
		return verdict.WithSeverity(verdict.Deviation(probe, fmt.Sprintf("issuer %q", want), clause, fmt.Sprintf("issuer %q in %s", got, d.URL)), verdict.High)
	}
	u, _ := url.Parse(got)
	if u != nil && (u.RawQuery != "" || u.Fragment != "") {
		return verdict.WithSeverity(verdict.Deviation(probe, "an issuer without query or fragment", "RFC 8414 §2", fmt.Sprintf("%q", got)), verdict.Low)
	}
	return r.checkHTTPS(probe, "issuer", got, "RFC 8414 §2")
}

// registered client authentication methods (IANA "OAuth Token Endpoint
// Authentication Methods") and grant types in common registered use.
var (
	ianaAuthMethods = []string{"none", "client_secret_post", "client_secret_basic", "client_secret_jwt", "private_key_jwt",
		"tls_client_auth", "self_signed_tls_client_auth", "attest_jwt_client_auth"}
	ianaGrants = []string{"authorization_code", "implicit", "password", "client_credentials", "refresh_token",
		GrantJWTBearer, "urn:ietf:params:oauth:grant-type:saml2-bearer", "urn:ietf:params:oauth:grant-type:device_code",
		"urn:ietf:params:oauth:grant-type:token-exchange", "urn:openid:params:grant-type:ciba",
		"urn:ietf:params:oauth:grant-type:pre-authorized_code"}
)

// StandardModelNotes are the observable signals a reviewer checks an
// SC006/SC007 declaration against: published metadata, only registered
// client authentication methods and grant types. They are evidence, not a
// verdict.
func StandardModelNotes(d *Discovery) []string {
	var notes []string
	for _, doc := range []*Doc{d.AS, d.OIDC} {
		if doc == nil {
			continue
		}
		state := "published"
		if doc.Obj == nil {
			state = "not published"
		}
		notes = append(notes, fmt.Sprintf("standard model: %s %s", doc.URL, state))
	}
	p := d.Primary()
	if p == nil {
		return notes
	}
	for _, f := range []struct {
		member string
		known  []string
	}{{"token_endpoint_auth_methods_supported", ianaAuthMethods}, {"grant_types_supported", ianaGrants}} {
		vals, _ := p.list(f.member)
		var odd []string
		for _, v := range vals {
			if !slices.Contains(f.known, v) {
				odd = append(odd, v)
			}
		}
		line := fmt.Sprintf("standard model: %s %v", f.member, vals)
		if len(odd) > 0 {
			line += fmt.Sprintf("; not IANA-registered: %v", odd)
		}
		notes = append(notes, line)
	}
	return notes
}
