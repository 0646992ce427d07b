package declare

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const testTarget = "https://api.example.test/fhir"

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

func newKeyF(f *testing.F) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	return k
}

func validStatement() Statement {
	return Statement{
		Version: 1, Role: catalogue.Deployer, Rules: []string{"SC003"}, Target: testTarget,
		Declarant: "Test Deployer BV", IssuedAt: testNow.Add(-24 * time.Hour), ExpiresAt: testNow.Add(30 * 24 * time.Hour),
	}
}

func verifier(keys map[catalogue.Role]crypto.PublicKey) Verifier {
	return Verifier{Trusted: keys, Target: testTarget, Catalogue: catalogue.Default(), Now: func() time.Time { return testNow }}
}

func TestVerifyAcceptsAValidDeclaration(t *testing.T) {
	k := newKey(t)
	jws, err := Sign(validStatement(), k)
	require.NoError(t, err)
	c := verifier(map[catalogue.Role]crypto.PublicKey{catalogue.Deployer: k.Public()}).Verify("d.jws", []byte(jws+"\n"))
	require.Empty(t, c.Rejected)
	sc003, _ := catalogue.Default().Lookup("SC003")
	sc001, _ := catalogue.Default().Lookup("SC001")
	assert.True(t, c.Covers(sc003))
	assert.False(t, c.Covers(sc001), "a deployer declaration never covers a specifier rule")
	assert.NotEmpty(t, c.KeyThumbprint)
}

// Each case is one mutation of the valid declaration; each must be rejected
// with a reason that names what is wrong.
func TestVerifyRejects(t *testing.T) {
	deployer, developer := newKey(t), newKey(t)
	trusted := map[catalogue.Role]crypto.PublicKey{catalogue.Deployer: deployer.Public(), catalogue.Developer: developer.Public()}
	sign := func(st Statement, k crypto.Signer) string {
		s, err := Sign(st, k)
		require.NoError(t, err)
		return s
	}
	mutate := func(f func(*Statement)) Statement { st := validStatement(); f(&st); return st }
	yamlBody, err := yaml.Marshal(validStatement())
	require.NoError(t, err)
	b64 := base64.RawURLEncoding.EncodeToString

	cases := []struct {
		name, raw, reason string
	}{
		{"unsigned YAML", string(yamlBody), "not a compact JWS"},
		{"alg none", b64([]byte(`{"alg":"none"}`)) + "." + b64(yamlBody) + ".", "not signed with an asymmetric algorithm"},
		{"HS256 with a shared secret", hs256(yamlBody), "not signed with an asymmetric algorithm"},
		{"signed by an untrusted key", sign(validStatement(), newKey(t)), "does not verify with the key the profile trusts for the deployer"},
		{"signed by another role's key", sign(validStatement(), developer), "does not verify"},
		{"wrong role for the rule", sign(mutate(func(s *Statement) { s.Role = catalogue.Developer }), developer), "cannot declare SC003"},
		{"expired", sign(mutate(func(s *Statement) {
			s.IssuedAt, s.ExpiresAt = testNow.Add(-48*time.Hour), testNow.Add(-time.Hour)
		}), deployer), "expired"},
		{"issued in the future", sign(mutate(func(s *Statement) {
			s.IssuedAt = testNow.Add(24 * time.Hour)
			s.ExpiresAt = testNow.Add(48 * time.Hour)
		}), deployer), "future"},
		{"another target", sign(mutate(func(s *Statement) { s.Target = "https://other.example.test" }), deployer), "not \"https://api.example.test/fhir\""},
		{"unknown rule", sign(mutate(func(s *Statement) { s.Rules = []string{"SC999"} }), deployer), "unknown rule"},
		{"role without trusted key", sign(mutate(func(s *Statement) { s.Role = catalogue.Specifier; s.Rules = []string{"SC001"} }), deployer), "trusts no key for the specifier"},
		{"tampered payload", tamper(sign(validStatement(), deployer)), "does not verify"},
		{"empty", "", "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := verifier(trusted).Verify("d.jws", []byte(tc.raw))
			require.NotEmpty(t, c.Rejected, "must be rejected")
			assert.Contains(t, c.Rejected, tc.reason)
			sc003, _ := catalogue.Default().Lookup("SC003")
			assert.False(t, c.Covers(sc003))
		})
	}
}

func TestSignRefusesWeakOrMalformed(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	_, err = Sign(validStatement(), small)
	assert.ErrorContains(t, err, "too small")
	st := validStatement()
	st.Remarks = strings.Repeat("x", 1001)
	_, err = Sign(st, newKey(t))
	assert.ErrorContains(t, err, "1000")
}

func hs256(payload []byte) string {
	b64 := base64.RawURLEncoding.EncodeToString
	signing := b64([]byte(`{"alg":"HS256","typ":"`+MediaType+`"}`)) + "." + b64(payload)
	mac := hmac.New(sha256.New, []byte("shared-secret"))
	mac.Write([]byte(signing))
	return signing + "." + b64(mac.Sum(nil))
}

// tamper changes the payload of a compact JWS but keeps its signature.
func tamper(compact string) string {
	parts := strings.SplitN(compact, ".", 3)
	body, _ := base64.RawURLEncoding.DecodeString(parts[1])
	body = []byte(strings.Replace(string(body), "SC003", "SC004", 1))
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(body) + "." + parts[2]
}

// Issue 10: typ, maximum validity, TEST declarations, and a rejected
// declaration that shows only why.
func TestVerifyOperatorRules(t *testing.T) {
	deployer := newKey(t)
	trusted := map[catalogue.Role]crypto.PublicKey{catalogue.Deployer: deployer.Public()}
	sc003, _ := catalogue.Default().Lookup("SC003")

	t.Run("typ is checked", func(t *testing.T) {
		body, err := yaml.Marshal(validStatement())
		require.NoError(t, err)
		signer, err := gojose.NewSigner(gojose.SigningKey{Algorithm: gojose.ES256, Key: deployer}, (&gojose.SignerOptions{}).WithType("JWT"))
		require.NoError(t, err)
		obj, err := signer.Sign(body)
		require.NoError(t, err)
		jws, err := obj.CompactSerialize()
		require.NoError(t, err)
		c := verifier(trusted).Verify("d.jws", []byte(jws))
		assert.Contains(t, c.Rejected, `JWS typ "JWT", not apisec-declaration+yaml`)
		good, err := Sign(validStatement(), deployer)
		require.NoError(t, err)
		assert.Empty(t, verifier(trusted).Verify("d.jws", []byte(good)).Rejected, "control: apisec declare's own typ")
	})
	t.Run("a hundred-year validity is refused", func(t *testing.T) {
		st := validStatement()
		st.ExpiresAt = st.IssuedAt.Add(100 * 365 * 24 * time.Hour)
		jws, err := Sign(st, deployer)
		require.NoError(t, err)
		c := verifier(trusted).Verify("d.jws", []byte(jws))
		assert.Contains(t, c.Rejected, "longer than the 400 days allowed")
		v := verifier(trusted)
		v.MaxValidity = 200 * 365 * 24 * time.Hour
		assert.Empty(t, v.Verify("d.jws", []byte(jws)).Rejected, "the operator may allow more")
	})
	t.Run("a rejected declaration shows only why", func(t *testing.T) {
		st := validStatement()
		st.Declarant, st.Remarks = "Forged Ministry of Health", "approved by the minister"
		jws, err := Sign(st, newKey(t))
		require.NoError(t, err)
		c := verifier(trusted).Verify("forged.jws", []byte(jws))
		require.NotEmpty(t, c.Rejected)
		out, err := json.Marshal(c)
		require.NoError(t, err)
		assert.NotContains(t, string(out), "Forged")
		assert.NotContains(t, string(out), "minister")
		assert.True(t, c.Names("SC003"), "the rule it claimed can still say its declaration was rejected")
		assert.False(t, c.Covers(sc003))
	})
	t.Run("TEST declarations need the operator", func(t *testing.T) {
		jws, err := Sign(validStatement(), deployer)
		require.NoError(t, err)
		v := verifier(trusted)
		v.TestRequested = true
		c := v.Verify("d.jws", []byte(jws))
		assert.Contains(t, c.Rejected, "--test-declarations")
		v.AllowTest = true
		c = v.Verify("d.jws", []byte(jws))
		require.Empty(t, c.Rejected)
		assert.True(t, c.Test, "accepted, and marked TEST")
		v = verifier(trusted)
		v.ThrowAway = trusted
		c = v.Verify("d.jws", []byte(jws))
		require.Empty(t, c.Rejected)
		assert.True(t, c.Test, "signed by the suite's own throw-away key: TEST, whatever the profile says")
	})
}
