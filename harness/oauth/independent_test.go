package oauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"math/big"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/fixtures/independent"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/profile"
	gojose "github.com/go-jose/go-jose/v4"
)

func loopbackCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k, Leaf: leaf}, pool
}

func runIndependent(t *testing.T, audProfile string) *oauth.Report {
	t.Helper()
	slog.SetDefault(slog.New(slog.DiscardHandler)) // zitadel logs every refusal
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cert, pool := loopbackCert(t)
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := independent.Start(ctx, independent.Config{Addr: "127.0.0.1:0", TLSCert: cert, ClientID: "apisec-client",
		ClientKey: gojose.JSONWebKey{Key: key.Public(), KeyID: "k1", Algorithm: "RS256", Use: "sig"}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = srv.Close() })
	o := &profile.OAuth{Issuer: srv.Issuer, TokenEndpoint: srv.TokenEndpoint, ClientID: "apisec-client", KeyID: "k1",
		AudienceProfile: audProfile, KeyDistribution: "registered", GrantSubject: "apisec-client"}
	g := conduct.NewGuard(conduct.Config{Hosts: []string{"127.0.0.1"}, RatePerSecond: 2000, Burst: 200, Timeout: 5 * time.Second, RootCAs: pool})
	rep, err := oauth.Run(context.Background(), oauth.Config{OAuth: o, Key: jose.Key{Signer: key, KID: "k1"}, Client: &oauth.Client{HTTP: g.HTTPClient(nil)}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func statusSets(rep *oauth.Report) (fails, warns []string) {
	for id, st := range nonPass(rep) {
		switch st.String() {
		case "fail":
			fails = append(fails, id)
		case "warn":
			warns = append(warns, id)
		default:
			fails = append(fails, id+"="+st.String())
		}
	}
	sort.Strings(fails)
	sort.Strings(warns)
	return fails, warns
}

// TestIndependentServerVerdicts records what zitadel/oidc v3 (the OP of
// fixtures/independent, private_key_jwt client) really earns, found by
// running the probes, not assumed. In both audience profiles:
//   - SC008 warn: client_secret_basic is advertised for the token and
//     introspection endpoints (a shared secret, not a signed token); no
//     HMAC assertion is accepted.
//   - SC-R001 fail: no Cache-Control: no-store on token responses (the
//     controls, medium); a client_id naming another client, a
//     client_secret beside the assertion and a repeated client_assertion
//     are all accepted; nbf is not checked; assertions can be replayed; a
//     broken client assertion beside a valid grant is ignored; a scope with
//     '"' is accepted (no invalid_scope); exp "tomorrow" crashes it (500).
//     Client assertion failures are answered invalid_grant, which neither
//     error-code policy takes (fail, low: RFC 7523 §3.2 names
//     invalid_client), and error_description carries '"' (outside the RFC
//     6749 §5.2 set, low); JWT grant errors are invalid_request, not
//     invalid_grant (RFC 7523 §3.1, low). Warnings: a JWE or two JWTs are
//     answered invalid_request (oidf policy), iat 4 s ahead is refused
//     (no clock skew), dpop+jwt and at+jwt typed assertions are accepted
//     (RFC 8725 §3.11), a GET to the token endpoint issues a token.
//   - SC-R003 fail: PS256 accepted with a key registered for RS256, a line
//     break inside the JWT accepted (Go's base64 skips newlines), UTF-16
//     JSON and a nested JWT (payload not JSON) crash it (500).
//   - SC-R002 pass: discovery, RS256 id tokens, code + PKCE S256.
//
// It accepts the issuer (not the token endpoint URL) as aud and also
// [issuer, other]: it meets RFC 7523 (warning) but not rfc7523bis (fail).
func TestIndependentServerVerdicts(t *testing.T) {
	common := []string{"ca/access-token-as-assertion", "ca/alg-swap", "ca/attacker-key-unknown-kid", "ca/aud-case", "ca/aud-other-as",
		"ca/aud-trailing-slash", "ca/base64-line-break", "ca/client-id-mismatch", "ca/client-secret-too", "ca/control-after",
		"ca/control-before", "ca/dpop-proof-as-assertion", "ca/duplicate-iss", "ca/duplicate-parameter", "ca/exp-5m-ago",
		"ca/exp-not-numericdate", "ca/iat-10m-ahead", "ca/invalid-scope", "ca/iss-case", "ca/iss-not-sub", "ca/iss-trailing-space",
		"ca/iss-wrong", "ca/nbf-10m-ahead", "ca/nested-jwt-inner-invalid", "ca/payload-not-utf8", "ca/replay", "ca/signature-flipped",
		"ca/signature-removed", "ca/sub-wrong", "ca/unregistered-key", "ca/utf16-json", "ca/without-aud", "ca/without-exp",
		"ca/without-iss", "ca/without-sub", "gr/aud-other-as", "gr/broken-client-assertion", "gr/control-after", "gr/control-before",
		"gr/expired", "gr/signature-flipped", "gr/sub-not-allowed", "gr/untrusted-issuer", "gr/without-sub"}
	commonWarns := []string{"ca/get-method", "ca/iat-5s-ahead", "ca/jwe-instead-of-jws", "ca/two-jwts", "ca/typ-at-jwt", "ca/typ-dpop-jwt",
		"md/no-symmetric-client-auth", "md/other-endpoints-client-auth"}
	sorted := func(a ...[]string) []string {
		var out []string
		for _, x := range a {
			out = append(out, x...)
		}
		sort.Strings(out)
		return out
	}
	for _, tc := range []struct {
		profile      string
		fails, warns []string
	}{
		{oauth.AudRFC7523, common, sorted(commonWarns, []string{"ca/audience-profile"})},
		{oauth.AudRFC7523bis, sorted(common, []string{"ca/aud-injection-issuer", "ca/aud-injection-token-endpoint", "ca/aud-token-endpoint", "ca/audience-profile"}), sorted(commonWarns)},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			rep := runIndependent(t, tc.profile)
			fails, warns := statusSets(rep)
			if strings.Join(fails, " ") != strings.Join(tc.fails, " ") {
				t.Errorf("fails:\n got  %q\n want %q", fails, tc.fails)
			}
			if strings.Join(warns, " ") != strings.Join(tc.warns, " ") {
				t.Errorf("warns:\n got  %q\n want %q", warns, tc.warns)
			}
			got := ruleStatus(rep)
			want := map[string]string{oauth.RuleR001: "fail", oauth.RuleR002: "pass", oauth.RuleR003: "fail", oauth.Rule008: "warn"}
			for rule, w := range want {
				if got[rule].String() != w {
					t.Errorf("%s: got %s, want %s", rule, got[rule], w)
				}
			}
		})
	}
}
