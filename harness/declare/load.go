package declare

import (
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/profile"
)

// FromProfile reads the trusted keys and the declaration files a profile
// names and verifies each. A missing or unreadable key or file is a
// configuration error; a declaration that fails verification is returned
// with its reason, so the rule it meant to cover fails and says why.
func FromProfile(p *profile.Profile, cat catalogue.Catalogue, now func() time.Time) ([]Checked, error) {
	v := Verifier{
		Trusted:   map[catalogue.Role]crypto.PublicKey{},
		Target:    p.Target.BaseURL,
		Catalogue: cat,
		Now:       now,
		Test:      p.Declarations.Test,
	}
	for name, path := range p.Declarations.TrustedKeys {
		role, err := catalogue.ParseRole(name)
		if err != nil {
			return nil, err
		}
		raw, err := os.ReadFile(p.Path(path))
		if err != nil {
			return nil, fmt.Errorf("declarations.trusted_keys.%s: cannot read %s", name, path)
		}
		key, err := pki.ParsePublicKeyPEM(raw)
		if err != nil {
			return nil, fmt.Errorf("declarations.trusted_keys.%s: %s is not a PEM public key or certificate: %v", name, path, err)
		}
		v.Trusted[role] = key
	}
	var out []Checked
	for _, f := range p.Declarations.Files {
		raw, err := os.ReadFile(p.Path(f))
		if err != nil {
			return nil, fmt.Errorf("declarations.files: cannot read %s", f)
		}
		out = append(out, v.Verify(filepath.Base(f), raw))
	}
	return out, nil
}
