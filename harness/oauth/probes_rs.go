package oauth

import (
	"errors"
	"net/http"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/verdict"
)

// resourceProbes send forged or borrowed tokens to the protected resource
// (RFC 6750, RFC 9068 §4). The valid token comes from ca/control-before.
func (r *run) resourceProbe(p Probe) error {
	bearer := func(tok string) *Exchange {
		h := http.Header{"Accept": {"application/json, application/fhir+json"}}
		if tok != "" {
			h.Set("Authorization", "Bearer "+tok)
		}
		return r.send(http.MethodGet, r.o.ResourceURL, h, "")
	}
	if p.ID == "rs/control" {
		if r.token == nil {
			r.blocked[p.Batch] = errors.New("the token endpoint issued no access token")
			return verdict.CouldNotTestf(p.Title, "the token endpoint issued no access token")
		}
		if err := Served(p.Title, bearer(r.token.AccessToken)); err != nil {
			r.blocked[p.Batch] = errors.New("the valid access token was not served")
			return err
		}
		return nil
	}
	at := r.token.AccessToken
	tok, parseErr := jose.ParseCompact(at)
	jwtOnly := func() error {
		return verdict.Inapplicable("the access token is not a JWT (" + parseErr.Error() + "), so it cannot be re-signed")
	}
	switch p.ID {
	case "rs/no-token":
		return BearerRefused(p.Title, p.Clause, "", true, bearer(""))
	case "rs/client-assertion-as-token":
		s, err := r.fresh()
		if err != nil {
			return err
		}
		return BearerRefused(p.Title, p.Clause, "invalid_token", true, bearer(s))
	case "rs/tampered-claims":
		forged := at[:len(at)-1] + flipChar(at[len(at)-1])
		if parseErr == nil {
			forged = tok.WithClaim("sub", "apisec-tampered-subject")
		}
		return BearerRefused(p.Title, p.Clause, "invalid_token", false, bearer(forged))
	case "rs/signature-flipped":
		if parseErr != nil {
			return jwtOnly()
		}
		sig := append([]byte{}, tok.Signature...)
		for i := range sig {
			sig[i] ^= 0x5a
		}
		return BearerRefused(p.Title, p.Clause, "invalid_token", false, bearer(tok.Segments[0]+"."+tok.Segments[1]+"."+b64url(sig)))
	case "rs/alg-none":
		if parseErr != nil {
			return jwtOnly()
		}
		return BearerRefused(p.Title, p.Clause, "invalid_token", false, bearer(tok.ForgeNone("none")))
	case "rs/other-audience":
		if r.cfg.OtherResource == "" {
			return verdict.Inapplicable("needs a second resource the AS issues tokens for (an RFC 8707 resource value, Config.OtherResource); the profile names none")
		}
		s, err := r.fresh()
		if err != nil {
			return err
		}
		other, err := Accepted(p.Title+" (token for "+r.cfg.OtherResource+")", "RFC 8707 §2", false, true, r.postForm(r.ccForm(s, [2]string{"resource", r.cfg.OtherResource}), nil))
		if other == nil {
			return verdict.CouldNotTestf(p.Title, "no token for the other resource: %v", err)
		}
		return BearerRefused(p.Title, p.Clause, "invalid_token", true, bearer(other.AccessToken))
	case "rs/embedded-jwk":
		if parseErr != nil {
			return jwtOnly()
		}
		forged, err := jose.ForgeWithEmbeddedJWK(tok, r.attacker)
		if err != nil {
			return err
		}
		return BearerRefused(p.Title, p.Clause, "invalid_token", false, bearer(forged))
	case "rs/hs256-keyed-with-as-public-key":
		if parseErr != nil {
			return jwtOnly()
		}
		if r.disc.JWKS == nil {
			return verdict.CouldNotTestf(p.Title, "the AS's JWKS was not read")
		}
		kid := tok.HeaderString("kid")
		for _, k := range r.disc.JWKS.Keys {
			if k.Public == nil || (kid != "" && k.Kid != kid) {
				continue
			}
			pemKey, err := jose.PublicKeyBytes(k.Public, jose.PublicKeyPEM)
			if err != nil {
				return err
			}
			forged, err := tok.ForgeHS256(pemKey)
			if err != nil {
				return err
			}
			return BearerRefused(p.Title, p.Clause, "invalid_token", false, bearer(forged))
		}
		return verdict.CouldNotTestf(p.Title, "no public key with kid %q in the AS's JWKS", kid)
	}
	return errors.New("oauth: no runner for probe " + p.ID)
}

func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func b64url(b []byte) string { return jose.B64(b) }
