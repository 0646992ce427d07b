package declare

import (
	"crypto"
	"strings"
	"testing"

	"github.com/apisec/apisec/harness/catalogue"
)

// FuzzVerify feeds arbitrary declaration files to the verifier: every input
// must come back as a Checked with a reason, never a panic.
func FuzzVerify(f *testing.F) {
	k := newKeyF(f)
	valid, err := Sign(validStatement(), k)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(valid))
	f.Add([]byte("eyJhbGciOiJub25lIn0.eyJ2ZXJzaW9uIjoxfQ."))
	f.Add([]byte("version: 1\nrole: deployer\n"))
	f.Add([]byte("a.b.c"))
	v := verifier(map[catalogue.Role]crypto.PublicKey{catalogue.Deployer: k.Public()})
	f.Fuzz(func(t *testing.T, raw []byte) {
		c := v.Verify("fuzz.jws", raw)
		if c.Rejected == "" && strings.TrimSpace(string(raw)) != valid {
			// Only a correctly signed statement may pass; the fuzzer cannot
			// forge ES256, so anything else accepted is a bug.
			t.Fatalf("accepted a forged declaration: %q", raw)
		}
	})
}
