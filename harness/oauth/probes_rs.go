package oauth

import (
	"errors"
	"net/http"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

// The resource server family: forged or borrowed tokens sent to the
// protected resource (RFC 6750, RFC 9068 §4). The valid token comes from
// ca/control-before; rs/control frames the batch.

// resource is a probe at the protected resource.
func resource(id, rule, title, clause, expect string, requests int, body func(r *run, p Probe) error) Probe {
	return Probe{ID: id, Rule: rule, Batch: BatchResource, Title: title, Clause: clause, Requests: requests, judge: judgeCheck, Expect: expect, body: body}
}

// forged is a probe that re-signs or alters the access token; it needs the
// token to be a JWT.
func forged(id, title, clause string, forge func(r *run, tok *jose.Token) (string, error)) Probe {
	return resource(id, RuleR003, title, clause, "4xx refusal", 1, func(r *run, p Probe) error {
		tok, err := jose.ParseCompact(r.token.AccessToken)
		if err != nil {
			return verdict.Inapplicable("the access token is not a JWT (" + err.Error() + "), so it cannot be re-signed")
		}
		s, err := forge(r, tok)
		if err != nil {
			return err
		}
		return BearerRefused(p.Title, p.Clause, "invalid_token", false, p.Severity, r.bearer(s))
	}).critical()
}

func resourceProbes(o *profile.OAuth) []Probe {
	ps := []Probe{
		resource("rs/control", RuleR001, "the resource serves the access token the token endpoint issued", "RFC 6750 §2.1", "2xx", 1, (*run).resourceControl),
		resource("rs/no-token", RuleR001, "a request without a token gets a Bearer challenge", "RFC 6750 §3", "401 WWW-Authenticate: Bearer, no error", 1, func(r *run, p Probe) error {
			return BearerRefused(p.Title, p.Clause, "", true, p.Severity, r.bearer(""))
		}).critical(),
		resource("rs/client-assertion-as-token", RuleR001, "the client's own assertion is not honoured as an access token", "RFC 8725 §3.12, RFC 9068 §4", `401 WWW-Authenticate: Bearer error="invalid_token"`, 1, func(r *run, p Probe) error {
			s, err := r.fresh()
			if err != nil {
				return err
			}
			return BearerRefused(p.Title, p.Clause, "invalid_token", true, p.Severity, r.bearer(s))
		}),
		resource("rs/tampered-claims", RuleR003, "an access token whose claims were changed is refused", "RFC 7515 §5.2, RFC 9068 §4", "4xx refusal", 1, func(r *run, p Probe) error {
			at := r.token.AccessToken
			forged := at[:len(at)-1] + flipChar(at[len(at)-1])
			if tok, err := jose.ParseCompact(at); err == nil {
				forged = tok.WithClaim("sub", "apisec-tampered-subject")
			}
			return BearerRefused(p.Title, p.Clause, "invalid_token", false, p.Severity, r.bearer(forged))
		}).critical(),
		forged("rs/signature-flipped", "an access token with a corrupted signature is refused", "RFC 7515 §5.2, RFC 9068 §4", func(r *run, tok *jose.Token) (string, error) {
			sig := append([]byte{}, tok.Signature...)
			for i := range sig {
				sig[i] ^= 0x5a
			}
			return tok.Segments[0] + "." + tok.Segments[1] + "." + jose.B64(sig), nil
		}),
		forged("rs/alg-none", `an access token re-issued with alg "none" is refused`, "RFC 7518 §3.6, RFC 9068 §4", func(r *run, tok *jose.Token) (string, error) {
			return tok.ForgeNone("none"), nil
		}),
		resource("rs/other-audience", RuleR001, "a valid access token issued for another resource is refused", "RFC 9068 §4, RFC 8707 §2, RFC 9700 §2.3", `401 WWW-Authenticate: Bearer error="invalid_token"`, 2, (*run).otherAudience).critical().
			unless(o.OtherResource != "", verdict.OutOfScope("needs a second resource the AS issues tokens for (an RFC 8707 resource value, profile oauth.other_resource); the profile names none")),
		forged("rs/embedded-jwk", "an access token re-signed by a foreign key carried in jwk is refused", "RFC 7515 §4.1.3, RFC 8725 §3.10, RFC 9068 §4", func(r *run, tok *jose.Token) (string, error) {
			return jose.ForgeWithEmbeddedJWK(tok, r.attacker)
		}),
		forged("rs/hs256-keyed-with-as-public-key", "an access token re-signed HS256 with the AS's public key is refused", "RFC 8725 §3.1, RFC 9068 §4", (*run).forgeHS256WithASKey),
	}
	noRS := verdict.OutOfScope("the profile names no oauth.resource_url, so the resource server is not probed")
	for i := range ps {
		ps[i] = ps[i].unless(o.ResourceURL != "", noRS)
	}
	return ps
}

// bearer sends a GET to the resource with tok ("" sends none).
func (r *run) bearer(tok string) *Exchange {
	h := http.Header{"Accept": {"application/json, application/fhir+json"}}
	if tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	return r.send(http.MethodGet, r.o.ResourceURL, h, "")
}

// resourceControl: the token ca/control-before got works at the resource;
// without it the batch proves nothing.
func (r *run) resourceControl(p Probe) error {
	if r.token == nil {
		r.blocked[p.Batch] = errors.New("the token endpoint issued no access token")
		return verdict.CouldNotTestf(p.Title, "the token endpoint issued no access token")
	}
	if err := Served(p.Title, r.bearer(r.token.AccessToken)); err != nil {
		r.blocked[p.Batch] = errors.New("the valid access token was not served")
		return err
	}
	return nil
}

// otherAudience gets a valid token for the profile's other resource (RFC
// 8707) and presents it here.
func (r *run) otherAudience(p Probe) error {
	s, err := r.fresh()
	if err != nil {
		return err
	}
	other, err := Accepted(p.Title+" (token for "+r.o.OtherResource+")", "RFC 8707 §2", false, true, r.postForm(r.ccForm(s, [2]string{"resource", r.o.OtherResource}), nil))
	if other == nil {
		return verdict.CouldNotTestf(p.Title, "no token for the other resource: %v", err)
	}
	return BearerRefused(p.Title, p.Clause, "invalid_token", true, p.Severity, r.bearer(other.AccessToken))
}

// forgeHS256WithASKey re-signs the token HS256 keyed with the AS's own
// public key from its JWKS (RFC 8725 §3.1 key confusion).
func (r *run) forgeHS256WithASKey(tok *jose.Token) (string, error) {
	if r.disc.JWKS == nil {
		var f *verdict.Finding
		if errors.As(r.disc.JWKSErr, &f) && f.Status == verdict.NotApplicable {
			return "", verdict.Inapplicable("the server publishes no JWKS, so no public key can be misused as an HMAC secret")
		}
		return "", verdict.CouldNotTestf("access token re-signed HS256", "the AS's JWKS was not read")
	}
	kid := tok.HeaderString("kid")
	for _, k := range r.disc.JWKS.Keys {
		if k.Public == nil || (kid != "" && k.Kid != kid) {
			continue
		}
		pemKey, err := jose.PublicKeyBytes(k.Public, jose.PublicKeyPEM)
		if err != nil {
			return "", err
		}
		return tok.ForgeHS256(pemKey)
	}
	return "", verdict.CouldNotTestf("access token re-signed HS256", "no public key with kid %q in the AS's JWKS", kid)
}

func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
