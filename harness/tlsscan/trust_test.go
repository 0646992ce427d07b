package tlsscan

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChainTrustProblems: an untrusted chain says why in words a deployer
// acts on (RFC 5280 §6 path validation), a trusted one which anchor it
// verified to, and a SHA-1 signature crypto/x509 refuses is checked by hand,
// so the chain is trusted and the hash is graded on its own (counted once).
func TestChainTrustProblems(t *testing.T) {
	p := newPKI(t, "p256")
	now := time.Now()
	leafOnly := [][]byte{p.leafX.Raw}
	withCA := [][]byte{p.leafX.Raw, p.ca.Raw}
	key := newKey(t, "rsa2048")
	self := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "scan.test"}, DNSNames: []string{"scan.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}, nil, key.Public(), key)
	sha1Leaf := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "scan.test"}, DNSNames: []string{"scan.test"},
		SignatureAlgorithm: x509.ECDSAWithSHA1, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}, p.ca, key.Public(), p.caKey)
	cases := []struct {
		name    string
		ders    [][]byte
		tgt     Target
		now     time.Time
		trusted bool
		problem string
	}{
		{"trusted", withCA, Target{RootCAs: p.pool}, now, true, ""},
		{"root sent but not an anchor", withCA, Target{RootCAs: x509.NewCertPool()}, now, false, "unknown issuer: the sent root CN=tlsscan test CA is not a trust anchor"},
		{"issuer neither sent nor an anchor", leafOnly, Target{RootCAs: x509.NewCertPool()}, now, false, "incomplete chain or unknown issuer: CN=tlsscan test CA, the issuer of CN=scan.test"},
		{"self-signed", [][]byte{self.Raw}, Target{RootCAs: p.pool}, now, false, "self-signed certificate CN=scan.test"},
		{"expired", withCA, Target{RootCAs: p.pool}, p.leafX.NotAfter.Add(time.Hour), false, "expired: CN=scan.test expired on"},
		{"SHA-1 leaf, CA known", [][]byte{sha1Leaf.Raw}, Target{RootCAs: p.pool, Anchors: []*x509.Certificate{p.ca}}, now, true, ""},
		{"SHA-1 leaf, CA sent", [][]byte{sha1Leaf.Raw, p.ca.Raw}, Target{RootCAs: p.pool}, now, true, ""},
		{"SHA-1 leaf, no issuer to check it", [][]byte{sha1Leaf.Raw}, Target{RootCAs: p.pool}, now, false, "nothing here can check"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.tgt.ServerName = "scan.test"
			ch, _ := buildChain("tls12-certificate", VersionTLS12, tc.ders, tc.tgt, tc.now)
			assert.Equal(t, tc.trusted, ch.Trusted, "%s / %s", ch.TrustProblem, ch.VerifyError)
			assert.Contains(t, ch.TrustProblem, tc.problem)
			if tc.trusted {
				require.NotNil(t, ch.Anchor, "a trusted chain names its anchor")
				assert.Equal(t, "CN=tlsscan test CA", ch.Anchor.Subject)
			}
			if tc.name == "SHA-1 leaf, CA known" {
				assert.Len(t, ch.WeakSignatures, 1, "the SHA-1 signature is reported for the hash finding")
			}
		})
	}
}
