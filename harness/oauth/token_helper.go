package oauth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/profile"
)

// ClientCredentialsToken gets an access token for the registered client
// itself (RFC 6749 §4.4 with an RFC 7523 §2.2 client assertion), for other
// domains that need a plain valid token (e.g. an auditor reading audit
// records). scope overrides the profile's scope when not empty. A refusal
// comes back as the verdict error Accepted gives; the caller decides what
// it means for its rule.
func ClientCredentialsToken(ctx context.Context, c *Client, o *profile.OAuth, key jose.Key, scope string, now func() time.Time) (string, error) {
	assertion, err := validAssertion(o, key, "", now)
	if err != nil {
		return "", err
	}
	pairs := [][2]string{{"grant_type", GrantCC}, {"client_assertion_type", AssertionTypeJWT}, {"client_assertion", assertion}}
	return askToken(ctx, c, o, pairs, scope, true)
}

// GrantToken gets an access token for subject (the test user) with an RFC
// 7523 §2.1 JWT authorization grant issued by the registered client, so
// the resource server sees a known user acting through the suite's client.
func GrantToken(ctx context.Context, c *Client, o *profile.OAuth, key jose.Key, subject, scope string, now func() time.Time) (string, error) {
	if subject == "" {
		return "", errors.New("oauth: no subject for the JWT authorization grant")
	}
	assertion, err := validAssertion(o, key, subject, now)
	if err != nil {
		return "", err
	}
	pairs := [][2]string{{"grant_type", GrantJWTBearer}, {"assertion", assertion}}
	return askToken(ctx, c, o, pairs, scope, false)
}

// validAssertion builds the assertion the audience profile demands (the
// same one the RFC 7523 probes start from).
func validAssertion(o *profile.OAuth, key jose.Key, subject string, now func() time.Time) (string, error) {
	if o == nil {
		return "", errors.New("oauth: profile has no oauth section")
	}
	if key.KID == "" {
		key.KID = o.KeyID
	}
	aud, typ := o.TokenEndpoint, ""
	if o.AudienceProfile == AudRFC7523bis {
		aud = o.Issuer
		if subject == "" {
			typ = jose.TypClientAuth
		}
	}
	a, err := jose.New(jose.Config{Issuer: o.ClientID, Subject: subject, Audience: aud, Key: key, Typ: typ, Now: now})
	if err != nil {
		return "", err
	}
	return a.Compact()
}

func askToken(ctx context.Context, c *Client, o *profile.OAuth, pairs [][2]string, scope string, cc bool) (string, error) {
	if c == nil || c.HTTP == nil {
		return "", errors.New("oauth: no HTTP client")
	}
	if scope == "" {
		scope = o.Scope
	}
	if scope != "" {
		pairs = append(pairs, [2]string{"scope", scope})
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}
	ex := c.Do(ctx, http.MethodPost, o.TokenEndpoint, h, encodePairs(pairs))
	tok, err := Accepted("access token for "+scopeOrDefault(scope), "RFC 6749 §5.1", false, cc, ex)
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

func scopeOrDefault(s string) string {
	if s == "" {
		return "the default scope"
	}
	return "scope " + s
}
