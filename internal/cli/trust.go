package cli

import (
	"crypto"
	flag "github.com/spf13/pflag"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/trust"
)

// provenanceFlags are the run's operator flags (issue 10): who signs the
// manifest and which trust anchors decide, outside the target's profile.
func provenanceFlags(fs *flag.FlagSet, f *runFlags) {
	fs.StringVar(&f.signKey, "sign-key", "", "the operator's PEM private key (apisec keys init) that signs the manifest (default $APISEC_SIGN_KEY; none: a per-run key)")
	fs.StringVar(&f.trust, "trust", "", "operator trust folder: role keys and extra TLS anchors that replace the profile's (default $APISEC_TRUST)")
	fs.BoolVar(&f.testDeclarations, "test-declarations", false, "accept the profile's TEST declarations (declarations.test: true); they are marked TEST everywhere, never plain CONFORMANT")
	fs.IntVar(&f.declarationMaxDays, "declaration-max-days", defaultMaxDays(), "longest validity (expires_at - issued_at) a declaration may have, in days (default $APISEC_DECLARATION_MAX_DAYS, else 400)")
}

func defaultMaxDays() int {
	if n, err := strconv.Atoi(os.Getenv("APISEC_DECLARATION_MAX_DAYS")); err == nil && n > 0 {
		return n
	}
	return 400
}

// provenance is the operator's part of a run.
type provenance struct {
	operator  *trust.Operator // nil: the profile's anchors, marked vendor-supplied
	allowTest bool
	maxDays   int
	throwAway map[catalogue.Role]crypto.PublicKey
}

func provenanceFor(f runFlags) (provenance, error) {
	p := provenance{allowTest: f.testDeclarations, maxDays: f.declarationMaxDays}
	if p.maxDays < 1 {
		return p, usagef("--declaration-max-days must be at least 1")
	}
	dir := f.trust
	if dir == "" {
		dir = os.Getenv("APISEC_TRUST")
	}
	if dir != "" {
		op, err := trust.OperatorDir(dir)
		if err != nil {
			return p, usagef("--trust: %v", err)
		}
		p.operator = op
	}
	p.throwAway = suiteRoleKeys(certsDir(f.certs))
	return p, nil
}

// suiteRoleKeys are the role keys of the suite's throw-away test PKI, when
// the certs folder has them: what they sign is a TEST declaration. The
// folder is only read, never created here.
func suiteRoleKeys(dir string) map[catalogue.Role]crypto.PublicKey {
	out := map[catalogue.Role]crypto.PublicKey{}
	for _, r := range catalogue.Roles {
		raw, err := os.ReadFile(filepath.Join(dir, pki.RolePubFile(r)))
		if err != nil {
			continue
		}
		if k, err := pki.ParsePublicKeyPEM(raw); err == nil {
			out[r] = k
		}
	}
	return out
}

func (p provenance) declarationOptions(ts *trust.Set) declare.Options {
	src := map[catalogue.Role]string{}
	for _, r := range catalogue.Roles {
		if s := ts.RoleSource(r); s != "" && s != trust.Profile {
			src[r] = "operator"
		}
	}
	return declare.Options{Trusted: ts.RoleKeys, KeySource: src, AllowTest: p.allowTest,
		MaxValidity: time.Duration(p.maxDays) * 24 * time.Hour, ThrowAway: p.throwAway}
}
