package trust

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/profile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A profile folder as a vendor ships it: its own CA and role keys.
func vendorProfile(t *testing.T) (*profile.Profile, *pki.Set) {
	t.Helper()
	set, err := pki.Init(t.TempDir())
	require.NoError(t, err)
	p := &profile.Profile{Dir: set.Dir, CAFile: pki.CAFile, Declarations: profile.Declarations{
		TrustedKeys: map[string]string{"deployer": pki.RolePubFile(catalogue.Deployer)}}}
	return p, set
}

func TestProfileAnchorsAreVendorSupplied(t *testing.T) {
	p, set := vendorProfile(t)
	s, err := Load(p, nil)
	require.NoError(t, err)
	require.NotNil(t, s.Roots)
	assert.Equal(t, Profile, s.RoleSource(catalogue.Deployer))
	assert.Equal(t, Source(""), s.RoleSource(catalogue.Specifier), "no key, no source")
	fp := tlsAnchor(set.CA, Profile, "").Fingerprint
	a := s.TLSDecision("api:443", fp, set.CA.Subject.String())
	assert.True(t, a.Vendor())
	assert.Equal(t, []string{"api:443"}, s.Report().Anchors[0].Decided)
	other := s.TLSDecision("other:443", "00", "CN=elsewhere")
	assert.Equal(t, System, other.Source, "a root that is none of the listed anchors came from the system store")
}

func TestOperatorTrustReplacesTheProfile(t *testing.T) {
	p, _ := vendorProfile(t)
	opSet, err := pki.Init(t.TempDir())
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "tls"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "roles"), 0o755))
	ca, err := os.ReadFile(filepath.Join(opSet.Dir, pki.CAFile))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tls", "operator-ca.pem"), ca, 0o644))
	pub, err := pki.MarshalPublicKeyPEM(opSet.RoleKeys[catalogue.Deployer].Public())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "roles", "deployer.pem"), pub, 0o644))

	op, err := OperatorDir(dir)
	require.NoError(t, err)
	s, err := Load(p, op)
	require.NoError(t, err)
	assert.Equal(t, OperatorPinned, s.RoleSource(catalogue.Deployer))
	assert.Equal(t, opSet.RoleKeys[catalogue.Deployer].Public(), s.RoleKeys[catalogue.Deployer], "the operator's key, not the vendor's")
	r := s.Report()
	assert.Contains(t, r.Notes[0], "profile ca_file ca.pem ignored")
	assert.Contains(t, r.Notes[1], "trusted_keys ignored")
	for _, a := range r.Anchors {
		assert.NotEqual(t, Profile, a.Source, "no vendor anchor is used: %+v", a)
	}
	a := s.TLSDecision("api:443", tlsAnchor(opSet.CA, OperatorPinned, "").Fingerprint, "")
	assert.Equal(t, OperatorPinned, a.Source)

	_, err = OperatorDir(t.TempDir())
	assert.ErrorContains(t, err, "holds no TLS anchor")
}
