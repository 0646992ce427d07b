package cli

import (
	"flag"
	"os"
	"strconv"
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
