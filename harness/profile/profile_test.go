package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const minimal = `version: 1
target:
  name: t
  base_url: https://api.example.test/fhir/
  interfaces: [rest]
`

func TestParseAppliesDefaults(t *testing.T) {
	p, err := Parse([]byte(minimal))
	require.NoError(t, err)
	assert.Equal(t, catalogue.FSA, p.ClaimedLevel)
	assert.Equal(t, 150.0, p.Limits.RatePerSecond)
	assert.Equal(t, 4, p.Limits.ConnectionsPerHost)
	assert.False(t, p.Limits.DoSProbes)
	assert.Equal(t, 10*time.Second, p.Timeout())
	assert.Equal(t, "2025-05", p.TLS.Guideline)
	assert.Equal(t, []string{"api.example.test"}, p.Hosts())
}

const soapMinimal = "version: 1\ntarget:\n  name: t\n  base_url: https://a/\n  interfaces: [soap]\nsoap:\n  endpoint: https://a/s\n"

// soap.wsdl is a URL the suite fetches (and may contact) or a file it reads.
func TestSOAPWSDLFileOrURL(t *testing.T) {
	p, err := Parse([]byte(soapMinimal + "  wsdl: service.wsdl\n  operation: Op\n  request_body: body.xml\n"))
	require.NoError(t, err)
	assert.False(t, p.SOAP.WSDLIsURL())
	assert.NotContains(t, p.Hosts(), "service.wsdl")
	p, err = Parse([]byte(soapMinimal + "  wsdl: https://w.example/s?wsdl\n"))
	require.NoError(t, err)
	assert.True(t, p.SOAP.WSDLIsURL())
	assert.Contains(t, p.Hosts(), "w.example")
}

func TestParseRejects(t *testing.T) {
	cases := map[string]string{
		"version: 2\n":                                          "version is 2",
		minimal + "bogus: 1\n":                                  "bogus",
		minimal + "claimed_level: XXL\n":                        "unknown level",
		minimal + "tls:\n  guideline: v9\n":                     "tls.guideline",
		minimal + "tls:\n  endpoints:\n    - address: nohost\n": "not host:port",
		minimal + "oauth:\n  issuer: https://a\n  token_endpoint: https://a/t\n  client_id: c\n": "signing_key is empty",
		minimal + "soap:\n  endpoint: https://a/s\n":                                             "lacks soap",
		soapMinimal + "  wsdl: ftp://a/s?wsdl\n":                                                 "soap.wsdl",
		soapMinimal + "  port: P\n  binding: B\n":                                                "not both",
		minimal + "limits:\n  timeout: soon\n":                                                   "bad duration",
		minimal + "limits:\n  connections_per_host: -1\n":                                        "must not be negative",
		minimal + "declarations:\n  trusted_keys:\n    auditor: k.pem\n":                         "unknown role",
		"version: 1\ntarget:\n  name: t\n  base_url: ftp://x\n  interfaces: [rest]\n":            "not an http(s) URL",
	}
	for in, want := range cases {
		_, err := Parse([]byte(in))
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
}

func TestLoadResolvesPathsAgainstTheProfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.yaml")
	require.NoError(t, os.WriteFile(path, []byte(minimal+"ca_file: ca.pem\n"), 0o644))
	p, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "ca.pem"), p.Path(p.CAFile))
	assert.Equal(t, "/abs/k.pem", p.Path("/abs/k.pem"))
	_, err = Load(filepath.Join(dir, "missing.yaml"))
	assert.ErrorContains(t, err, "cannot read")
}

func TestSecondClient(t *testing.T) {
	oauth := minimal + "oauth:\n  issuer: https://a\n  token_endpoint: https://a/t\n  client_id: c\n  signing_key: k.pem\n"
	p, err := Parse([]byte(oauth + "  second_client:\n    client_id: c2\n    signing_key: k2.pem\n    key_id: kid2\n"))
	require.NoError(t, err)
	require.NotNil(t, p.OAuth.SecondClient)
	assert.Equal(t, SecondClient{ClientID: "c2", SigningKey: "k2.pem", KeyID: "kid2"}, *p.OAuth.SecondClient)
	p, err = Parse([]byte(oauth))
	require.NoError(t, err)
	assert.Nil(t, p.OAuth.SecondClient, "optional")
	for in, want := range map[string]string{
		"  second_client:\n    signing_key: k2.pem\n":                         "second_client.client_id is empty",
		"  second_client:\n    client_id: c2\n":                               "second_client.signing_key is empty",
		"  second_client:\n    client_id: c\n    signing_key: k2.pem\n":       "must differ",
		"  second_client:\n    client_id: c2\n    signing_key: k\n    x: 1\n": "x",
	} {
		_, err := Parse([]byte(oauth + in))
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
}

// TestOAuthGrantPolicyAndTransport: the oauth fields of issue 15 — the JWT
// grant, the error-code policy, the callback, the JWKS host — with their
// defaults, and http:// on a host that is not loopback refused (the suite
// will not send credentials in plaintext).
func TestOAuthGrantPolicyAndTransport(t *testing.T) {
	oauth := minimal + "oauth:\n  issuer: https://a\n  token_endpoint: https://a/t\n  client_id: c\n  signing_key: k.pem\n"
	p, err := Parse([]byte(oauth + "  grant_subject: u\n  grant:\n    issuer: https://idp\n    signing_key: idp.pem\n    key_id: i1\n    client_auth: private_key_jwt\n  jwks_url: https://keys.cdn.example/jwks\n  callback_url: http://10.0.0.5:8099\n"))
	require.NoError(t, err)
	assert.Equal(t, Grant{Issuer: "https://idp", SigningKey: "idp.pem", KeyID: "i1", ClientAuth: GrantAuthPrivateKey}, *p.OAuth.Grant)
	assert.Equal(t, "u", p.OAuth.GrantSub())
	assert.Equal(t, ErrorCodesOIDF, p.OAuth.ErrorCodes, "oidf is the default policy")
	assert.Contains(t, p.Hosts(), "keys.cdn.example", "a JWKS on another host joins the allow-list")
	p, err = Parse([]byte(oauth + "  error_codes: strict\n  grant:\n    subject: v\n"))
	require.NoError(t, err)
	assert.Equal(t, "v", p.OAuth.GrantSub())
	assert.Equal(t, GrantAuthNone, p.OAuth.Grant.ClientAuth, "no client authentication on the grant by default")

	loopback := minimal + "oauth:\n  issuer: http://127.0.0.1:8080\n  token_endpoint: http://localhost:8080/t\n  client_id: c\n  signing_key: k.pem\n"
	_, err = Parse([]byte(loopback))
	assert.NoError(t, err, "http is allowed on loopback")

	for in, want := range map[string]string{
		"  error_codes: lenient\n":                       "oauth.error_codes",
		"  grant:\n    client_auth: basic\n":             "oauth.grant.client_auth",
		"  grant:\n    issuer: https://idp\n":            "oauth.grant needs a subject",
		"  grant_subject: u\n  grant:\n    subject: v\n": "differ",
		"  resource_url: http://api.example.nl/r\n":      "oauth.resource_url \"http://api.example.nl/r\" is http:// on a host that is not loopback",
		"  metadata_url: http://a/.well-known/x\n":       "plaintext",
		"  jwks_url: http://keys.example/jwks\n":         "plaintext",
	} {
		_, err := Parse([]byte(oauth + in))
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
	_, err = Parse([]byte(strings.Replace(oauth, "token_endpoint: https://a/t", "token_endpoint: http://a/t", 1)))
	assert.ErrorContains(t, err, "oauth.token_endpoint \"http://a/t\" is http:// on a host that is not loopback: the suite will not send credentials in plaintext")
}

// TestSigningKeyFilesAreConfiguration: Load (run and --check alike) refuses
// a missing or unreadable OAuth signing key before anything is sent.
func TestSigningKeyFilesAreConfiguration(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	key := "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"
	write("k.pem", key)
	write("notakey.pem", "hello")
	base := minimal + "oauth:\n  issuer: https://a\n  token_endpoint: https://a/t\n  client_id: c\n"
	for _, tc := range []struct{ name, oauth, want string }{
		{"readable", "  signing_key: k.pem\n", ""},
		{"missing", "  signing_key: gone.pem\n", "oauth.signing_key: cannot read"},
		{"not a key", "  signing_key: notakey.pem\n", "oauth.signing_key: " + filepath.Join(dir, "notakey.pem") + " holds no PEM private key"},
		{"second client missing", "  signing_key: k.pem\n  second_client:\n    client_id: c2\n    signing_key: gone2.pem\n", "oauth.second_client.signing_key: cannot read"},
		{"grant key missing", "  signing_key: k.pem\n  grant_subject: u\n  grant:\n    signing_key: gone3.pem\n", "oauth.grant.signing_key: cannot read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "p.yaml")
			write("p.yaml", base+tc.oauth)
			_, err := Load(path)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
