package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apisec/apisec/fixtures/reference"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/report"
	"github.com/apisec/apisec/harness/trust"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 10, end to end through the command: an operator key pins a folder;
// the forgery (every status set to pass, verdicts rolled up again, re-signed
// with a fresh key) passes an unpinned verify, which says it proves
// integrity only, and fails verify --key and --thumbprint.
func TestOperatorKeyRefusesTheForgery(t *testing.T) {
	t.Parallel()
	keys := filepath.Join(t.TempDir(), "keys")
	code, out, stderr := apisec(t, "keys", "init", "--dir", keys)
	require.Equal(t, 0, code, stderr)
	pub := filepath.Join(keys, report.OperatorPubFile)
	code, thumb, _ := apisec(t, "keys", "show", pub)
	require.Equal(t, 0, code)
	thumb = strings.TrimSpace(thumb)
	assert.Contains(t, out, thumb)
	code, _, stderr = apisec(t, "keys", "init", "--dir", keys)
	assert.Equal(t, verdict.ExitUsage, code)
	assert.Contains(t, stderr, "never overwritten")

	code, out, _, dir := runArgs(t, "--rules", "SC003", "--defect", "no-hsts", "--sign-key", filepath.Join(keys, report.OperatorKeyFile))
	require.Equal(t, verdict.ExitNotAchieved, code, out)
	assert.Contains(t, out, "manifest signed by the operator key "+thumb)
	for _, f := range []string{report.HTMLFile, report.SummaryFile} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Contains(t, string(b), "operator key "+thumb, "%s names the key", f)
	}
	code, out, _ = apisec(t, "verify", dir, "--key", pub)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "signed by the pinned key "+thumb)

	// The forgery.
	res, err := report.Read(dir)
	require.NoError(t, err)
	var rules []verdict.RuleResult
	for _, r := range res.Rules {
		for i := range r.Scenarios {
			r.Scenarios[i].Status, r.Scenarios[i].Finding = verdict.Pass, nil
		}
		rules = append(rules, verdict.RollUpRule(r.Rule, r.Scenarios))
	}
	forged := report.Build(res.Run, res.Target, res.Scope, res.ClaimedLevel, rules, res.Declarations)
	forgedDir := filepath.Join(t.TempDir(), "forged")
	forgerKey, err := report.Write(forgedDir, forged, nil, nil)
	require.NoError(t, err)
	require.Equal(t, verdict.ExitAchieved, forged.ExitCode, "the forgery claims success")

	code, out, _ = apisec(t, "verify", forgedDir)
	require.Equal(t, 0, code, "integrity alone cannot tell")
	assert.Contains(t, out, "INTEGRITY ONLY")
	assert.Contains(t, out, forgerKey, "and names the key that did sign")
	code, _, stderr = apisec(t, "verify", forgedDir, "--key", pub)
	assert.Equal(t, verdict.ExitNotAchieved, code)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %s", stderr)
	assert.Contains(t, stderr, "not by the pinned key "+thumb)
	code, _, stderr = apisec(t, "verify", "--thumbprint", thumb, forgedDir)
	assert.Equal(t, verdict.ExitNotAchieved, code)
	assert.Contains(t, stderr, "not by the pinned thumbprint")
	code, _, stderr = apisec(t, "verify", forgedDir, "--thumbprint", "nonsense")
	assert.Equal(t, verdict.ExitUsage, code, stderr)
}

// An edited results.json: report refuses it (exit 2), verify fails (exit 1)
// whether or not the manifest was re-signed.
func TestEditedResultsAreRefused(t *testing.T) {
	t.Parallel()
	_, _, _, dir := runArgs(t, "--rules", "SC003", "--defect", "no-hsts")
	p := filepath.Join(dir, report.ResultsFile)
	raw, err := os.ReadFile(p)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	m["rules"].([]any)[0].(map[string]any)["status"] = "pass"
	edited, err := json.MarshalIndent(m, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, edited, 0o644))

	code, _, stderr := apisec(t, "report", dir)
	assert.Equal(t, verdict.ExitUsage, code)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	assert.Contains(t, stderr, "SC003 is stated pass, but its scenarios make it fail")
	code, _, stderr = apisec(t, "verify", dir)
	assert.Equal(t, verdict.ExitNotAchieved, code)
	assert.Contains(t, stderr, "results.json has changed")
	_, err = report.SignManifest(dir, "resigned")
	require.NoError(t, err)
	code, _, stderr = apisec(t, "verify", dir)
	assert.Equal(t, verdict.ExitNotAchieved, code)
	assert.Contains(t, stderr, "SC003 is stated pass, but its scenarios make it fail")
}

// Without --trust the profile's CA and role keys decide and are marked
// vendor-supplied; with --trust DIR the operator's do, and the profile's are
// ignored with a note. A trust folder whose deployer key differs rejects the
// vendor's deployer declaration.
func TestTrustComesFromTheOperator(t *testing.T) {
	t.Parallel()
	_, _, _, dir := runArgs(t, "--rules", "SC003,SC004")
	res, err := report.Read(dir)
	require.NoError(t, err)
	require.NotNil(t, res.Trust)
	vendorCA := anchor(t, res, trust.UseTLS, trust.Profile)
	assert.NotEmpty(t, vendorCA.Decided, "the profile's CA decided the TLS trust")
	anchor(t, res, trust.UseRolePrefix+"deployer", trust.Profile)
	page, err := os.ReadFile(filepath.Join(dir, report.HTMLFile))
	require.NoError(t, err)
	assert.Contains(t, string(page), "TRUST RESTED ON A VENDOR-SUPPLIED PRIVATE CA")
	assert.Contains(t, string(page), "VENDOR-SUPPLIED private CA", "the certificate scenario says so too")

	// The operator pins the suite's test PKI folder itself (ca.pem, role keys).
	code, out, _, dir := runArgs(t, "--rules", "SC003,SC004", "--trust", certsFor(t))
	require.NotEqual(t, verdict.ExitUsage, code, out)
	res, err = report.Read(dir)
	require.NoError(t, err)
	op := anchor(t, res, trust.UseTLS, trust.OperatorPinned)
	assert.NotEmpty(t, op.Decided, "the operator's CA decided the TLS trust")
	anchor(t, res, trust.UseRolePrefix+"deployer", trust.OperatorPinned)
	assert.Contains(t, strings.Join(res.Trust.Notes, "\n"), "profile ca_file ca.pem ignored")
	assert.Contains(t, strings.Join(res.Trust.Notes, "\n"), "trusted_keys ignored")
	sc003 := ruleStatus(res, "SC003")
	assert.Equal(t, verdict.Attested, sc003, "the operator's key verifies the declaration")

	// A trust folder pinning another deployer key.
	other := t.TempDir()
	set, err := pki.Init(filepath.Join(t.TempDir(), "other-pki"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(other, "roles"), 0o755))
	pem, err := pki.MarshalPublicKeyPEM(set.RoleKeys["deployer"].Public())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(other, "roles", "deployer.pem"), pem, 0o644))
	code, out, _, dir = runArgs(t, "--rules", "SC003", "--trust", other)
	assert.Equal(t, verdict.ExitNotAchieved, code, out)
	res, err = report.Read(dir)
	require.NoError(t, err)
	assert.Contains(t, res.Rules[0].Scenarios[len(res.Rules[0].Scenarios)-1].Finding.Got+findingsOf(res), "does not verify with the key the operator trusts for the deployer role")

	code, _, stderr := apisec(t, "run", "--trust", t.TempDir(), "--dry-run")
	assert.Equal(t, verdict.ExitUsage, code)
	assert.Contains(t, stderr, "holds no TLS anchor")
}

// declarations.test: true is honoured only with the operator's flag (or for
// the suite's own throw-away keys); accepted TEST declarations are never
// published as CONFORMANT.
func TestTestDeclarationsNeedTheOperator(t *testing.T) {
	t.Parallel()
	// A vendor folder whose TEST declarations are signed by keys other
	// than the run's own test PKI.
	set, err := pki.Init(filepath.Join(t.TempDir(), "vendor-pki"))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ref, err := reference.Start(ctx, reference.Config{Addr: "127.0.0.1:0", PKI: set})
	require.NoError(t, err)
	defer ref.Close()
	profile, err := ref.WriteProfile(t.TempDir())
	require.NoError(t, err)

	code, out, _, dir := runArgs(t, "--profile", profile, "--rules", "SC001")
	assert.Equal(t, verdict.ExitNotAchieved, code, out)
	res, err := report.Read(dir)
	require.NoError(t, err)
	assert.Contains(t, findingsOf(res), "accepted only when the operator passes --test-declarations")

	code, out, _, dir = runArgs(t, "--profile", profile, "--rules", "SC001", "--test-declarations")
	require.Equal(t, verdict.ExitAchieved, code, out)
	res, err = report.Read(dir)
	require.NoError(t, err)
	assert.Equal(t, verdict.Attested, ruleStatus(res, "SC001"))
	decl, err := os.ReadFile(filepath.Join(dir, report.DeclarationFile))
	require.NoError(t, err)
	var d struct {
		Requirements map[string]struct {
			ConformityType  string `json:"conformityType"`
			TestDeclaration bool   `json:"apisecTestDeclaration"`
		} `json:"requirements"`
	}
	require.NoError(t, json.Unmarshal(decl, &d))
	assert.Equal(t, "NOT_EVALUATED", d.Requirements["SC001"].ConformityType, "a TEST declaration is never plain CONFORMANT")
	assert.True(t, d.Requirements["SC001"].TestDeclaration)
}

func anchor(t *testing.T, res *report.Results, use string, src trust.Source) trust.Anchor {
	t.Helper()
	for _, a := range res.Trust.Anchors {
		if a.Use == use && a.Source == src {
			return a
		}
	}
	t.Fatalf("no %s anchor from %s in %+v", use, src, res.Trust.Anchors)
	return trust.Anchor{}
}

func ruleStatus(res *report.Results, id string) verdict.Status {
	for _, r := range res.Rules {
		if r.Rule.ID == id {
			return r.Status
		}
	}
	return verdict.Info
}

func findingsOf(res *report.Results) string {
	var b strings.Builder
	for _, r := range res.Rules {
		for _, s := range r.Scenarios {
			if s.Finding != nil {
				b.WriteString(s.Finding.Error() + "\n")
			}
		}
	}
	return b.String()
}
