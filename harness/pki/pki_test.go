package pki

import (
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInitGeneratesOnceAndKeepsKeysPrivate(t *testing.T) {
	dir := t.TempDir()
	a, err := Init(dir)
	require.NoError(t, err)
	b, err := Init(dir)
	require.NoError(t, err)
	assert.True(t, a.CA.Equal(b.CA), "a second Init loads the same CA")
	for _, f := range []string{CAKeyFile, ClientKeyFile, RoleKeyFile(catalogue.Deployer)} {
		st, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), f)
	}
	pubRaw, err := os.ReadFile(filepath.Join(dir, RolePubFile(catalogue.Specifier)))
	require.NoError(t, err)
	pub, err := ParsePublicKeyPEM(pubRaw)
	require.NoError(t, err)
	assert.True(t, a.RoleKeys[catalogue.Specifier].Public().(interface {
		Equal(crypto.PublicKey) bool
	}).Equal(pub))
}

func TestServerCertificateChainsToTheCA(t *testing.T) {
	set, err := Init(t.TempDir())
	require.NoError(t, err)
	now := time.Now()
	cert, err := set.ServerCertificate([]string{"reference", "127.0.0.1"}, now)
	require.NoError(t, err)
	_, err = cert.Leaf.Verify(x509.VerifyOptions{DNSName: "reference", Roots: set.Pool(), CurrentTime: now})
	assert.NoError(t, err)
	assert.NoError(t, cert.Leaf.VerifyHostname("127.0.0.1"))
	assert.Error(t, cert.Leaf.VerifyHostname("other.example"))
}

func TestMismatchedCAIsAClearError(t *testing.T) {
	dir := t.TempDir()
	_, err := Init(dir)
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(dir, CAKeyFile)))
	_, err = Init(dir)
	assert.ErrorContains(t, err, "does not match")
}
