// Package testpeer finds the external programs tests run against (openssl,
// nginx, sslscan, xmlsec1, …) and applies the project's one rule for them:
// with CI=true a missing peer fails the test (.ci/run installs it); on a
// developer machine the test is skipped and says which Debian package to add.
package testpeer

import (
	"os"
	"os/exec"
	"testing"
)

// Require returns the path of binary or ends the test as the rule says.
func Require(t testing.TB, binary, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(binary)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed and CI=true (Debian package %s): %v", binary, debianPackage, err)
	}
	t.Skipf("%s is not installed (Debian package %s); skipping", binary, debianPackage)
	return ""
}
