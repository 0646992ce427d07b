package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/cause"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

// The metadata family: RFC 8414 / OpenID Connect discovery documents and
// the JWKS, fetched once and checked (SC-R001, SC-R002, SC-R003, SC008).

// StandardModelProbe is the metadata probe whose outcome is the observable
// side of SC007 ("fully standardized models for identification and
// authentication"); the declaration steps cite it.
const StandardModelProbe = "md/metadata-published"

// md is a check of the fetched metadata.
func md(id, rule, title, clause string, requests int, body func(r *run, p Probe) error) Probe {
	return Probe{ID: id, Rule: rule, Batch: BatchMetadata, Title: title, Clause: clause, Requests: requests, judge: judgeCheck, Expect: "check", body: body}
}

func metadataProbes(o *profile.OAuth) []Probe {
	bis := o.AudienceProfile == AudRFC7523bis
	publishedClause := "RFC 9700 §2.6, RFC 8414 §3"
	if bis {
		publishedClause = "draft-ietf-oauth-rfc7523bis §3 (the AS needs an issuer identifier), RFC 8414 §3"
	}
	return []Probe{
		md(StandardModelProbe, RuleR001, "the authorization server publishes RFC 8414 or OpenID Connect metadata", publishedClause, 2, func(r *run, p Probe) error {
			r.fetchDiscovery()
			r.cur.Notes = append(r.cur.Notes, StandardModelNotes(r.disc)...)
			if r.disc.Primary() != nil {
				return nil
			}
			if err := r.disc.AS.Problem; err != nil {
				return err
			}
			if bis {
				return verdict.WithSeverity(verdict.Deviation(p.Title, "metadata at "+r.disc.AS.URL, p.Clause, r.disc.AS.Ex.Summary()), verdict.Medium)
			}
			return verdict.WithSeverity(verdict.Warning(p.Title, "metadata at "+r.disc.AS.URL, p.Clause, r.disc.AS.Ex.Summary()), verdict.Low)
		}),
		md("md/issuer-matches", RuleR001, "the metadata's issuer is the configured issuer", "RFC 8414 §3.3, OIDC Discovery §4.3", 0, func(r *run, p Probe) error {
			d := r.disc.Primary()
			if d == nil {
				return noDoc(p.Title, r.disc.AS, r.disc.OIDC)
			}
			return r.checkIssuer(p.Title, r.o.Issuer, d, p.Clause)
		}),
		md("md/token-endpoint", RuleR001, "the metadata names the token endpoint under test, over https", "RFC 8414 §2, RFC 6749 §3.2", 0, func(r *run, p Probe) error {
			d := r.disc.Primary()
			if d == nil {
				return noDoc(p.Title, r.disc.AS, r.disc.OIDC)
			}
			te := d.str("token_endpoint")
			if err := r.checkHTTPS(p.Title, "token_endpoint", te, "RFC 6749 §3.2, RFC 8414 §2"); err != nil {
				return err
			}
			if te != r.o.TokenEndpoint {
				return verdict.WithSeverity(verdict.Warning(p.Title, fmt.Sprintf("token_endpoint %q as in the profile", r.o.TokenEndpoint), "RFC 8414 §2", fmt.Sprintf("%q", te)), verdict.Low)
			}
			return nil
		}),
		md("md/private-key-jwt-advertised", RuleR001, "private_key_jwt client authentication is advertised", "RFC 7523 §2.2, RFC 8414 §2", 0, func(r *run, p Probe) error {
			d := r.disc.Primary()
			if d == nil {
				return noDoc(p.Title, r.disc.AS, r.disc.OIDC)
			}
			methods, _ := d.list("token_endpoint_auth_methods_supported")
			if !slices.Contains(methods, "private_key_jwt") {
				return verdict.WithSeverity(verdict.Deviation(p.Title, "private_key_jwt in token_endpoint_auth_methods_supported", p.Clause, fmt.Sprint(methods)), verdict.Medium)
			}
			return nil
		}),
		md("md/required-members", RuleR001, "the metadata has its required members and no empty arrays", "RFC 8414 §2, RFC 8414 §3.2", 0, func(r *run, p Probe) error {
			d := r.disc.Primary()
			if d == nil {
				return noDoc(p.Title, r.disc.AS, r.disc.OIDC)
			}
			var missing []string
			for _, f := range []string{"issuer", "token_endpoint", "response_types_supported"} {
				if _, ok := d.Obj[f]; !ok {
					missing = append(missing, f)
				}
			}
			if len(missing) > 0 {
				return verdict.WithSeverity(verdict.Deviation(p.Title, "issuer, token_endpoint and response_types_supported", "RFC 8414 §2", "missing "+strings.Join(missing, ", ")), verdict.Low)
			}
			// RFC 8414 §2 requires the signing algorithms beside a *_jwt
			// method; OIDC Discovery §3 does not, so only an RFC 8414
			// document is asked.
			if d == r.disc.AS && r.disc.AS != r.disc.OIDC {
				if missing := missingSigningAlgs(d); len(missing) > 0 {
					return verdict.WithSeverity(verdict.Deviation(p.Title, "*_auth_signing_alg_values_supported beside a *_jwt method", "RFC 8414 §2", "missing "+strings.Join(missing, ", ")), verdict.Low)
				}
			}
			var empty []string
			for k, v := range d.Obj {
				if arr, ok := v.([]any); ok && len(arr) == 0 {
					empty = append(empty, k)
				}
			}
			if len(empty) > 0 {
				slices.Sort(empty)
				return verdict.WithSeverity(verdict.Warning(p.Title, "members with zero elements omitted", "RFC 8414 §3.2", "empty "+strings.Join(empty, ", ")), verdict.Low)
			}
			return nil
		}),
		md("md/grant-types", RuleR001, "the grants the suite uses are advertised", "RFC 8414 §2", 0, func(r *run, p Probe) error {
			d := r.disc.Primary()
			if d == nil {
				return noDoc(p.Title, r.disc.AS, r.disc.OIDC)
			}
			grants, present := d.list("grant_types_supported")
			if !present {
				grants = []string{"authorization_code", "implicit"} // RFC 8414 §2 default
			}
			want := []string{GrantCC}
			if r.o.GrantSub() != "" {
				want = append(want, GrantJWTBearer)
			}
			for _, g := range want {
				if !slices.Contains(grants, g) {
					return verdict.WithSeverity(verdict.Warning(p.Title, g+" in grant_types_supported", p.Clause, fmt.Sprint(grants)), verdict.Low)
				}
			}
			return nil
		}),
		md("md/no-symmetric-client-auth", Rule008, "no shared-secret client authentication is advertised (client_secret_jwt fails, basic and post warn)", "SC008, RFC 8414 §2", 0, func(r *run, p Probe) error {
			d := r.disc.Primary()
			if d == nil {
				return noDoc(p.Title, r.disc.AS, r.disc.OIDC)
			}
			return checkAuthMethods(p.Title, d, "token_endpoint")
		}),
		md("md/no-symmetric-signing-algs", Rule008, "only asymmetric client assertion algorithms are advertised", "SC008, RFC 8414 §2", 0, func(r *run, p Probe) error {
			d := r.disc.Primary()
			if d == nil {
				return noDoc(p.Title, r.disc.AS, r.disc.OIDC)
			}
			return checkSigningAlgs(p.Title, d, "token_endpoint")
		}),
		md("md/other-endpoints-client-auth", Rule008, "introspection and revocation endpoints advertise asymmetric client authentication only", "SC008, RFC 8414 §2", 0, func(r *run, p Probe) error {
			d := r.disc.Primary()
			if d == nil {
				return noDoc(p.Title, r.disc.AS, r.disc.OIDC)
			}
			for _, ep := range []string{"introspection_endpoint", "revocation_endpoint"} {
				if d.str(ep) == "" {
					continue
				}
				if err := checkSigningAlgs(p.Title, d, ep); err != nil {
					return err
				}
				if err := checkAuthMethods(p.Title, d, ep); err != nil {
					return err
				}
			}
			return nil
		}),
		md("md/jwks-public-keys-only", RuleR003, "the JWKS holds public keys only", "RFC 7517 §5, RFC 7518 §6", 1, func(r *run, p Probe) error {
			if err := r.fetchJWKS(p); err != nil {
				r.disc.JWKSErr = err
				return err
			}
			// A private or symmetric key in a public JWKS is a leaked key.
			return verdict.WithSeverity(jwksProblems(p, r.disc.JWKS, jose.ProblemPrivate, jose.ProblemSymmetric), verdict.Critical)
		}),
		md("md/jwks-key-strength", RuleR003, "RSA keys in the JWKS have at least 2048 bits", "RFC 7518 §3.3", 0, func(r *run, p Probe) error {
			if r.disc.JWKS == nil {
				return r.jwksMissing(p)
			}
			return verdict.WithSeverity(jwksProblems(p, r.disc.JWKS, jose.ProblemWeakRSA), verdict.High)
		}),
		md("md/jwks-consistent", RuleR003, "JWKS keys have unique kids and sane use and alg", "RFC 7517 §4, RFC 8725 §3.1", 0, func(r *run, p Probe) error {
			if r.disc.JWKS == nil {
				return r.jwksMissing(p)
			}
			return verdict.WithSeverity(jwksProblems(p, r.disc.JWKS, jose.ProblemDuplicateKID, jose.ProblemUse, jose.ProblemAlg, jose.ProblemKty), verdict.Medium)
		}),
		md("md/oidc-discovery-published", RuleR002, "an OpenID Connect discovery document is published", "OIDC Discovery §4", 0, func(r *run, p Probe) error {
			if r.disc.OIDC != nil && r.disc.OIDC.Obj != nil {
				return nil
			}
			if r.disc.OIDC != nil && r.disc.OIDC.Problem != nil {
				return r.disc.OIDC.Problem
			}
			got := "not fetched"
			if r.disc.OIDC != nil && r.disc.OIDC.Ex != nil {
				got = r.disc.OIDC.Ex.Summary()
			}
			return verdict.WithSeverity(verdict.Deviation(p.Title, "200 application/json at /.well-known/openid-configuration", p.Clause, got), verdict.Medium)
		}),
		md("md/oidc-issuer-matches", RuleR002, "the discovery document's issuer is the configured issuer", "OIDC Discovery §4.3", 0, func(r *run, p Probe) error {
			d := r.disc.OIDC
			if d != nil && d.Problem != nil {
				return d.Problem
			}
			if d == nil || d.Obj == nil {
				return verdict.WithSeverity(verdict.Deviation(p.Title, "a discovery document", "OIDC Discovery §4", "none"), verdict.Medium)
			}
			return r.checkIssuer(p.Title, r.o.Issuer, d, p.Clause)
		}),
		md("md/oidc-required-fields", RuleR002, "the OpenID Provider metadata has its required members", "OIDC Discovery §3", 0, func(r *run, p Probe) error {
			d, err := r.disc.oidcFields(p)
			if err != nil {
				return err
			}
			var missing []string
			for _, f := range []string{"authorization_endpoint", "jwks_uri", "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"} {
				if _, ok := d.Obj[f]; !ok {
					missing = append(missing, f)
				}
			}
			if len(missing) > 0 {
				return verdict.WithSeverity(verdict.Deviation(p.Title, "authorization_endpoint, jwks_uri, response_types_supported, subject_types_supported, id_token_signing_alg_values_supported", p.Clause, "missing "+strings.Join(missing, ", ")), verdict.Low)
			}
			return nil
		}),
		md("md/openid-scope", RuleR002, "the openid scope is advertised", "OIDC Discovery §3 (scopes_supported)", 0, func(r *run, p Probe) error {
			d, err := r.disc.oidcFields(p)
			if err != nil {
				return err
			}
			scopes, present := d.list("scopes_supported")
			if !present || !slices.Contains(scopes, "openid") {
				return verdict.WithSeverity(verdict.Deviation(p.Title, `"openid" in scopes_supported`, p.Clause, fmt.Sprint(scopes)), verdict.Low)
			}
			return nil
		}),
		md("md/id-token-algs-asymmetric", RuleR002, "id_tokens are signed asymmetrically, RS256 included", "OIDC Discovery §3, SC008", 0, func(r *run, p Probe) error {
			d, err := r.disc.oidcFields(p)
			if err != nil {
				return err
			}
			algs, present := d.list("id_token_signing_alg_values_supported")
			if !present {
				return verdict.WithSeverity(verdict.Deviation(p.Title, "id_token_signing_alg_values_supported", p.Clause, "absent"), verdict.Low)
			}
			for _, a := range algs {
				if symmetricOrNoneAlg(a) {
					return verdict.WithSeverity(verdict.Deviation(p.Title, "asymmetric id_token algorithms only", p.Clause, fmt.Sprint(algs)), verdict.High)
				}
			}
			if !slices.Contains(algs, "RS256") {
				return verdict.WithSeverity(verdict.Deviation(p.Title, "RS256 among id_token_signing_alg_values_supported", p.Clause, fmt.Sprint(algs)), verdict.Low)
			}
			return nil
		}),
		md("md/code-flow", RuleR002, "the authorization code flow is offered", "OIDC Core §3.1, RFC 8414 §2", 0, func(r *run, p Probe) error {
			d, err := r.disc.oidcFields(p)
			if err != nil {
				return err
			}
			types, _ := d.list("response_types_supported")
			if !slices.Contains(types, "code") || d.str("authorization_endpoint") == "" {
				return verdict.WithSeverity(verdict.Deviation(p.Title, `"code" in response_types_supported and an authorization_endpoint`, p.Clause, fmt.Sprint(types)), verdict.Medium)
			}
			return nil
		}),
		md("md/pkce-s256", RuleR002, "PKCE with S256 is advertised", "RFC 7636 §4.2, RFC 8414 §2, RFC 9700 §2.1.1", 0, func(r *run, p Probe) error {
			d, err := r.disc.oidcFields(p)
			if err != nil {
				return err
			}
			methods, _ := d.list("code_challenge_methods_supported")
			if !slices.Contains(methods, "S256") {
				return verdict.WithSeverity(verdict.Deviation(p.Title, `"S256" in code_challenge_methods_supported`, p.Clause, fmt.Sprint(methods)), verdict.Medium)
			}
			return nil
		}),
	}
}

// fetchDiscovery fetches the RFC 8414 document (or the profile's
// metadata_url) and the OIDC discovery document, once.
func (r *run) fetchDiscovery() {
	asURL := r.o.MetadataURL
	if asURL == "" {
		asURL, _ = WellKnownURL(r.o.Issuer, false)
	}
	oidcURL, _ := WellKnownURL(r.o.Issuer, true)
	r.disc.AS = r.fetchDoc(asURL)
	if oidcURL == asURL {
		r.disc.OIDC = r.disc.AS
	} else {
		r.disc.OIDC = r.fetchDoc(oidcURL)
	}
}

func (r *run) fetchDoc(u string) *Doc {
	d := &Doc{URL: u}
	d.Ex = r.send(http.MethodGet, u, http.Header{"Accept": {"application/json"}}, "")
	probe := "metadata " + u
	if err := cannotJudge(probe, d.Ex); err != nil {
		d.Problem = err
		return d
	}
	switch {
	case d.Ex.Status == http.StatusNotFound || d.Ex.Status == http.StatusGone:
		d.Missing = true
	case d.Ex.Status != http.StatusOK:
		d.Problem = verdict.CouldNotTestf(probe, "metadata: %s", d.Ex.Summary())
	case !d.Ex.isJSON() || d.Ex.JSON() == nil:
		d.Problem = verdict.WithSeverity(verdict.Deviation(probe, "200 application/json metadata object", "RFC 8414 §3.2, OIDC Discovery §4.2", d.Ex.Summary()), verdict.Medium)
	default:
		d.Obj = d.Ex.JSON()
	}
	return d
}

func (r *run) fetchJWKS(p Probe) error {
	d := r.disc.Primary()
	if d == nil {
		return noDoc(p.Title, r.disc.AS, r.disc.OIDC)
	}
	u := d.str("jwks_uri")
	if u == "" {
		// RFC 8414 §2: jwks_uri is OPTIONAL (a server with opaque tokens
		// signs nothing): an observed absence, not missing data.
		return verdict.Inapplicable("the metadata names no jwks_uri (RFC 8414 §2: OPTIONAL): the server publishes no signing keys")
	}
	if err := r.checkHTTPS(p.Title, "jwks_uri", u, "RFC 8414 §2"); err != nil {
		return err
	}
	r.disc.JWKSDoc = &Doc{URL: u}
	ex := r.send(http.MethodGet, u, http.Header{"Accept": {"application/json"}}, "")
	r.disc.JWKSDoc.Ex = ex
	if errors.Is(ex.Err, conduct.ErrHostNotInProfile) {
		// A JWKS on a CDN or key service is common; the suite contacts only
		// the hosts the operator named.
		return &verdict.Finding{Status: verdict.Error, Probe: p.Title, Cause: cause.Guard,
			Reason: fmt.Sprintf("the JWKS %s is on a host the profile does not name: set oauth.jwks_url to it to allow the fetch", u)}
	}
	if err := cannotJudge(p.Title, ex); err != nil {
		return err
	}
	if ex.Status != http.StatusOK {
		return verdict.CouldNotTestf(p.Title, "JWKS: %s", ex.Summary())
	}
	set, err := jose.InspectJWKS(ex.Body)
	if err != nil {
		return verdict.WithSeverity(verdict.Deviation(p.Title, "a JWK Set", "RFC 7517 §5", err.Error()), verdict.Medium)
	}
	r.disc.JWKS = set
	return nil
}

// jwksMissing says, under this probe's own title, why there is no JWKS to
// check: the same not-applicable or could-not-test reason the fetch gave,
// or, when the fetch found a deviation, that there is nothing to check.
func (r *run) jwksMissing(p Probe) error {
	var f *verdict.Finding
	if errors.As(r.disc.JWKSErr, &f) && (f.Status == verdict.Error || f.Status == verdict.NotApplicable || f.Status == verdict.NotAssessed) {
		return &verdict.Finding{Status: f.Status, Probe: p.Title, Reason: f.Reason, Cause: f.Cause}
	}
	reason := "no JWKS was read"
	if r.disc.JWKSErr != nil {
		reason += ": " + r.disc.JWKSErr.Error()
	}
	return verdict.CouldNotTestf(p.Title, "%s", reason)
}

// jwksProblems turns the inspection's problems of the given kinds into a
// deviation.
func jwksProblems(p Probe, set *jose.JWKS, kinds ...string) error {
	var texts, clauses []string
	for _, pr := range set.Problems {
		if slices.Contains(kinds, pr.Kind) {
			texts = append(texts, pr.Text)
			if !slices.Contains(clauses, pr.Clause) {
				clauses = append(clauses, pr.Clause)
			}
		}
	}
	if len(texts) == 0 {
		return nil
	}
	return verdict.Deviation(p.Title, "no key with: "+strings.Join(kinds, ", "), strings.Join(clauses, "; "), strings.Join(texts, "; "))
}
