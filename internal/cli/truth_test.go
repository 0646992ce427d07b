package cli

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/apisec/apisec/fixtures/reference"
	"github.com/apisec/apisec/fixtures/reference/authserver"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/report"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusingReference starts the reference target with the given defects
// behind a middleware that answers 429 on every request for which refuse
// returns true, and returns the profile that tests it.
func refusingReference(t *testing.T, refuse func(*http.Request) bool, defects ...string) string {
	t.Helper()
	set, err := pki.Init(certsFor(t))
	require.NoError(t, err)
	ref, err := reference.Start(context.Background(), reference.Config{
		Addr: "127.0.0.1:0", Defects: defects, PKI: set,
		Middleware: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if refuse(r) {
					w.Header().Set("Retry-After", "3600")
					http.Error(w, "slow down", http.StatusTooManyRequests)
					return
				}
				next.ServeHTTP(w, r)
			})
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { ref.Close() })
	path, err := ref.WriteProfile(t.TempDir())
	require.NoError(t, err)
	return path
}

// Issue 8 item 2: with accept-alg-none and a proxy answering 429 on the
// JWKS only, the alg=none failures are proven; the JWKS scenarios could not
// be tested. Before: "incomplete (exit 3) — untested MUST rules: SC-R003"
// and declaration.json NOT_EVALUATED. Now: SC-R003 fails, exit 1, and the
// untested scenarios are named beside the failure.
func TestProvenFailureIsNotHiddenByUntestedScenarios(t *testing.T) {
	prof := refusingReference(t, func(r *http.Request) bool { return r.URL.Path == authserver.PathJWKS }, "accept-alg-none")
	code, out, stderr, dir := runArgs(t, "--profile", prof, "--rules", "SC-R003")
	require.Empty(t, stderr)
	assert.Equal(t, verdict.ExitNotAchieved, code, out)
	assert.Contains(t, out, "failed MUST rules: SC-R003")
	res, err := report.Read(dir)
	require.NoError(t, err)
	require.Len(t, res.Rules, 1)
	rule := res.Rules[0]
	assert.Equal(t, verdict.Fail, rule.Status)
	var fails, errs int
	for _, s := range rule.Scenarios {
		switch s.Status {
		case verdict.Fail:
			fails++
			assert.NotEmpty(t, s.Severity(), s.Name)
		case verdict.Error:
			errs++
		}
	}
	assert.Positive(t, fails, "alg=none acceptance is proven")
	assert.Positive(t, errs, "the JWKS answered 429: some scenarios could not be tested")
	assert.Contains(t, out, "could not test: SC-R003")
	decl, err := os.ReadFile(filepath.Join(dir, report.DeclarationFile))
	require.NoError(t, err)
	assert.Contains(t, string(decl), `"conformityType": "NOT_CONFORMANT"`)
}

// Issue 8 item 7: a run in which nothing selected could be tested (only a
// SHOULD rule, the target sends garbage) exits 3, never 0 with a level.
func TestAllErrorRunExitsIncomplete(t *testing.T) {
	addr := hostileListener(t, func(c net.Conn) { _, _ = c.Write([]byte("garbage, not TLS\r\n")) })
	code, out, stderr, dir := runArgs(t, "--profile", hostileProfile(t, addr, ""), "--rules", "SC004.001")
	require.Empty(t, stderr)
	assert.Equal(t, verdict.ExitIncomplete, code, out)
	assert.NotContains(t, out, "achieved level FSA")
	res, err := report.Read(dir)
	require.NoError(t, err)
	require.Len(t, res.Rules, 1)
	assert.Equal(t, verdict.Error, res.Rules[0].Status)
}

// A profile without the section a rule needs leaves the rule not assessed,
// never not_applicable (which would let a level be achieved) and never pass.
func TestMissingProfileSectionIsNotAssessed(t *testing.T) {
	addr := hostileListener(t, func(c net.Conn) {})
	code, out, stderr, dir := runArgs(t, "--profile", hostileProfile(t, addr, ""), "--rules", "SC-R001,SC008")
	require.Empty(t, stderr)
	assert.Equal(t, verdict.ExitIncomplete, code, "nothing selected could be tested: %s", out)
	res, err := report.Read(dir)
	require.NoError(t, err)
	for _, r := range res.Rules {
		assert.Equal(t, verdict.NotAssessed, r.Status, r.Rule.ID)
		assert.Contains(t, r.Reason, "no oauth section")
	}
	for _, l := range res.Levels {
		assert.NotEqual(t, verdict.Achieved, l.Outcome, l.Level)
	}
}

// The README's first command on a fresh machine: the certs folder does not
// exist yet, the run makes the throw-away PKI and its TEST declarations must
// count as such (before the fix they were rejected and SC001 failed).
func TestFirstRunWithAFreshCertsFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "result")
	code, out, stderr := apisec(t, "run", "--certs", filepath.Join(t.TempDir(), "fresh-certs"), "--out", dir, "--progress", "never", "--rules", "SC001,SC003")
	require.Empty(t, stderr)
	assert.Equal(t, verdict.ExitAchieved, code, out)
	res, err := report.Read(dir)
	require.NoError(t, err)
	for _, r := range res.Rules {
		assert.Equal(t, verdict.Attested, r.Status, r.Rule.ID)
	}
}
