package authmodel

import (
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const issuer = "https://as.example.nl"

func goodAS() map[string]any {
	return map[string]any{
		"issuer": issuer, "token_endpoint": issuer + "/token", "authorization_endpoint": issuer + "/authorize",
		"jwks_uri": issuer + "/jwks", "response_types_supported": []any{"code"},
		"grant_types_supported":                 []any{"authorization_code", "client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"token_endpoint_auth_methods_supported": []any{"private_key_jwt"},
		"scopes_supported":                      []any{"system/Patient.read"},
	}
}

func disc(as map[string]any) *oauth.Discovery {
	return &oauth.Discovery{AS: &oauth.Doc{URL: issuer + "/.well-known/oauth-authorization-server", Obj: as}}
}

func status(err error) verdict.Status { s, _ := verdict.Classify(err); return s }

func TestMetadataValid(t *testing.T) {
	_, err := MetadataValid(disc(goodAS()), issuer)
	require.NoError(t, err)

	cases := map[string]func(m map[string]any){
		"other issuer (RFC 8414 §3.3)":     func(m map[string]any) { m["issuer"] = "https://evil.example" },
		"no response_types_supported":      func(m map[string]any) { delete(m, "response_types_supported") },
		"no token_endpoint":                func(m map[string]any) { delete(m, "token_endpoint") },
		"code grant without authorization": func(m map[string]any) { delete(m, "authorization_endpoint") },
		"http token endpoint":              func(m map[string]any) { m["token_endpoint"] = "http://as.example.nl/token" },
		"relative jwks_uri":                func(m map[string]any) { m["jwks_uri"] = "/jwks" },
	}
	for name, mutate := range cases {
		m := goodAS()
		mutate(m)
		_, err := MetadataValid(disc(m), issuer)
		assert.Equal(t, verdict.Fail, status(err), name)
	}
	// Only client credentials: no authorization endpoint is needed.
	m := goodAS()
	delete(m, "authorization_endpoint")
	m["grant_types_supported"] = []any{"client_credentials"}
	_, err = MetadataValid(disc(m), issuer)
	assert.NoError(t, err)
	// An OIDC document must carry the OIDC members too.
	d := disc(goodAS())
	d.OIDC = &oauth.Doc{URL: issuer + "/.well-known/openid-configuration", Obj: goodAS()}
	_, err = MetadataValid(d, issuer)
	assert.Equal(t, verdict.Fail, status(err))
	assert.Contains(t, err.Error(), "subject_types_supported")
	// Loopback http is waived with a note.
	lb := goodAS()
	lb["issuer"], lb["token_endpoint"] = "http://127.0.0.1:8080", "http://127.0.0.1:8080/token"
	notes, err := MetadataValid(disc(lb), "http://127.0.0.1:8080")
	assert.NoError(t, err)
	assert.NotEmpty(t, notes)
	// Nothing published is a deviation; a fetch problem is passed on.
	_, err = MetadataValid(&oauth.Discovery{AS: &oauth.Doc{Missing: true}}, issuer)
	assert.Equal(t, verdict.Fail, status(err))
	_, err = MetadataValid(&oauth.Discovery{AS: &oauth.Doc{Problem: verdict.CouldNotTestf("x", "timeout")}}, issuer)
	assert.Equal(t, verdict.Error, status(err))
}

func TestRegisteredValues(t *testing.T) {
	assert.NoError(t, RegisteredValues(disc(goodAS())))
	m := goodAS()
	m["response_types_supported"] = []any{"id_token code"} // order does not matter
	assert.NoError(t, RegisteredValues(disc(m)))
	m["grant_types_supported"] = []any{"client_credentials", "urn:acme:grant:ticket"}
	err := RegisteredValues(disc(m))
	assert.Equal(t, verdict.Fail, status(err))
	assert.Contains(t, err.Error(), "urn:acme:grant:ticket")
}

func TestJWKSPublic(t *testing.T) {
	priv := []byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cLyy2pcDbM7n8lJyfeTdI4"}]}`)
	pub := []byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`)
	for body, want := range map[string]verdict.Status{string(pub): verdict.Pass, string(priv): verdict.Fail, `{"keys":[]}`: verdict.Fail} {
		set, err := jose.InspectJWKS([]byte(body))
		require.NoError(t, err)
		d := disc(goodAS())
		d.JWKS = set
		assert.Equal(t, want, status(JWKSPublic(d)), body)
	}
	set, _ := jose.InspectJWKS(priv)
	d := disc(goodAS())
	d.JWKS = set
	_, f := verdict.Classify(JWKSPublic(d))
	assert.Equal(t, verdict.Critical, f.Severity, "a published private key lets anyone mint tokens")
	m := goodAS()
	delete(m, "jwks_uri")
	assert.Equal(t, verdict.NotApplicable, status(JWKSPublic(disc(m))))
	assert.Equal(t, verdict.Error, status(JWKSPublic(disc(goodAS()))), "not read by the batch: could not test")
}

func TestOneModelForAllClients(t *testing.T) {
	assert.NoError(t, OneModelForAllClients(disc(goodAS()), []string{"suite", "api"}), "a short id inside a word is no match")
	m := goodAS()
	m["client_endpoints"] = map[string]any{"suite-2": issuer + "/clients/suite-2/token"}
	err := OneModelForAllClients(disc(m), []string{"suite", "suite-2"})
	assert.Equal(t, verdict.Fail, status(err))
	assert.Contains(t, err.Error(), `client "suite-2"`)
	assert.NotContains(t, err.Error(), `client "suite" `)
}

func jwt(t *testing.T, header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(c) + "." + enc([]byte("sig"))
}

func TestSameTokens(t *testing.T) {
	a := jwt(t, map[string]any{"alg": "RS256", "typ": "at+jwt"}, map[string]any{"iss": issuer, "aud": "https://api", "sub": "c1"})
	b := jwt(t, map[string]any{"alg": "RS256", "typ": "at+jwt"}, map[string]any{"iss": issuer, "aud": "https://api", "sub": "c2"})
	assert.NoError(t, SameTokens(a, b))
	assert.NoError(t, SameTokens("opaque1", "opaque2"))
	assert.Equal(t, verdict.Fail, status(SameTokens(a, "opaque")))
	c := jwt(t, map[string]any{"alg": "RS256", "typ": "at+jwt"}, map[string]any{"iss": issuer + "/tenant-c2", "aud": "https://api"})
	assert.Equal(t, verdict.Fail, status(SameTokens(a, c)))
}

func TestParseAndJudgeGenericFunctions(t *testing.T) {
	decl, none, unknown := ParseGenericFunctions([]string{
		"Authenticatie: RFC 7523 jwt-bearer (Nuts GF Authentication v0.3); did:web:example.nl%3A8443:org",
		"identification: BSN (http://fhir.nl/fhir/NamingSystem/bsn)",
		"consent: not applicable — no consent-bound data",
		"logging: NEN 7513",
	})
	require.Len(t, decl, 3)
	assert.Equal(t, "authentication", decl[0].Function)
	assert.True(t, decl[2].NotApplicable)
	assert.Empty(t, none)
	assert.Equal(t, []string{"logging: NEN 7513"}, unknown)

	did := "did:web:example.nl%3A8443:org"
	u, err := DIDURL(did)
	require.NoError(t, err)
	assert.Equal(t, "https://example.nl:8443/org/did.json", u)
	u, _ = DIDURL("did:web:example.nl")
	assert.Equal(t, "https://example.nl/.well-known/did.json", u)

	obs := Observed{Discovery: disc(goodAS()), DIDs: map[string]DIDResult{did: {URL: u, ID: did}}}
	assert.Equal(t, Corroborated, Judge(decl[0], obs).State)
	obs.DIDs[did] = DIDResult{URL: u, Err: "404 Not Found"}
	assert.Equal(t, Contradicted, Judge(decl[0], obs).State)
	obs.DIDs[did] = DIDResult{URL: u, Err: "unreachable: timeout"}
	assert.Equal(t, Corroborated, Judge(decl[0], obs).State, "an unreachable DID is not observable; RFC 7523 still corroborates")
	m := goodAS()
	m["grant_types_supported"], m["token_endpoint_auth_methods_supported"] = []any{"client_credentials"}, []any{"client_secret_basic"}
	obs.Discovery = disc(m)
	assert.Equal(t, Contradicted, Judge(decl[0], obs).State, "RFC 7523 declared, neither jwt-bearer nor private_key_jwt advertised")

	assert.Equal(t, NotObservable, Judge(decl[1], Observed{}).State)
	obs.Resource = []byte(`{"resourceType":"Patient","identifier":[{"system":"https://acme.example/mrn","value":"1"}]}`)
	assert.Equal(t, Contradicted, Judge(decl[1], obs).State)
	obs.Resource = []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","identifier":[{"system":"http://fhir.nl/fhir/NamingSystem/bsn","value":"999911120"}]}}]}`)
	assert.Equal(t, Corroborated, Judge(decl[1], obs).State)
	assert.Equal(t, NotObservable, Judge(decl[2], obs).State)
	assert.Equal(t, verdict.Info, status(Judge(decl[2], obs).Verdict()))
	assert.Equal(t, verdict.Fail, status(Signal{Function: "x", State: Contradicted}.Verdict()))

	uzi := Declared{Function: "authentication", Spec: "UZI server certificates (mTLS)"}
	assert.Equal(t, NotObservable, Judge(uzi, Observed{TLSObserved: true}).State)
	assert.Equal(t, Corroborated, Judge(uzi, Observed{TLSObserved: true, ClientCARequested: true,
		ClientCAs: []pkix.Name{{CommonName: "UZI-register Private Server CA G1"}}}).State)
	assert.Equal(t, Contradicted, Judge(uzi, Observed{TLSObserved: true, ClientCARequested: true,
		ClientCAs: []pkix.Name{{CommonName: "ACME Internal CA"}}}).State)
}
