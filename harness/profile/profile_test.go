package profile

import (
	"os"
	"path/filepath"
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
	assert.Equal(t, 20.0, p.Limits.RatePerSecond)
	assert.Equal(t, 10*time.Second, p.Timeout())
	assert.Equal(t, "2025-05", p.TLS.Guideline)
	assert.Equal(t, []string{"api.example.test"}, p.Hosts())
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
		minimal + "limits:\n  timeout: soon\n":                                                   "bad duration",
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
