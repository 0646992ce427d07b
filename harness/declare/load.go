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

// Options are the operator's choices for verifying a profile's
// declarations (harness/trust decides the keys).
type Options struct {
	// Trusted are the role keys; nil reads the profile's trusted_keys.
	Trusted map[catalogue.Role]crypto.PublicKey
	// KeySource names who supplied the keys, for reasons ("operator").
	KeySource map[catalogue.Role]string
	// MaxValidity caps a declaration's validity (0: DefaultMaxValidity).
	MaxValidity time.Duration
	// AllowTest accepts a profile's TEST declarations (--test-declarations).
	AllowTest bool
	// ThrowAway are the suite's own test role keys: what they sign is TEST.
	ThrowAway map[catalogue.Role]crypto.PublicKey
}

// FromProfile verifies the profile's declarations with the keys the profile
// trusts and the default operator settings.
func FromProfile(p *profile.Profile, cat catalogue.Catalogue, now func() time.Time) ([]Checked, error) {
	return Load(p, cat, now, Options{})
}

// Load reads the declaration files a profile names and verifies each. A
// missing or unreadable key or file is a configuration error; a declaration
// that fails verification is returned with its reason, so the rule it meant
// to cover fails and says why.
func Load(p *profile.Profile, cat catalogue.Catalogue, now func() time.Time, o Options) ([]Checked, error) {
	v := Verifier{
		Trusted:       o.Trusted,
		KeySource:     o.KeySource,
		Target:        p.Target.BaseURL,
		Catalogue:     cat,
		Now:           now,
		MaxValidity:   o.MaxValidity,
		TestRequested: p.Declarations.Test,
		AllowTest:     o.AllowTest,
		ThrowAway:     o.ThrowAway,
	}
	if v.Trusted == nil {
		keys, err := profileKeys(p)
		if err != nil {
			return nil, err
		}
		v.Trusted = keys
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

func profileKeys(p *profile.Profile) (map[catalogue.Role]crypto.PublicKey, error) {
	keys := map[catalogue.Role]crypto.PublicKey{}
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
		keys[role] = key
	}
	return keys, nil
}
