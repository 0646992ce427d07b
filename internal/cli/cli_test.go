package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apisec/apisec/fixtures/reference"
	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/report"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCerts is the PKI folder every run of this test binary shares; TestMain
// makes it once so parallel runs never race to generate it.
var testCerts string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apisec-cli-test-certs-")
	if err != nil {
		panic(err)
	}
	if _, err := pki.Init(dir); err != nil {
		panic(err)
	}
	testCerts = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func certsFor(t *testing.T) string { return testCerts }

func apisec(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func runArgs(t *testing.T, extra ...string) (int, string, string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "result")
	args := append([]string{"run", "--certs", certsFor(t), "--out", dir, "--progress", "never"}, extra...)
	code, out, errs := apisec(t, args...)
	return code, out, errs, dir
}

func TestRunReferenceProducesEveryReportFile(t *testing.T) {
	code, out, stderr, dir := runArgs(t)
	require.Empty(t, stderr)
	for _, f := range []string{report.ResultsFile, report.SummaryFile, report.JUnitFile, report.CucumberFile,
		report.HTMLFile, report.DeclarationFile, report.ManifestFile, "profile.yaml"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	res, err := report.Read(dir)
	require.NoError(t, err)
	assert.Equal(t, code, res.ExitCode, "exit code is the one results.json records")
	assert.Equal(t, verdict.ExitCode(res.Levels, res.Rules, catalogue.FSA), code)
	assert.Contains(t, out, "achieved level "+res.AchievedLevel)

	notAutomatedMust := false
	for _, r := range res.Rules {
		if r.Rule.Automation == catalogue.NotAutomated && r.Rule.Normative == catalogue.Must {
			notAutomatedMust = true
			assert.Equal(t, verdict.Error, r.Status, "%s is not automated and must never pass", r.Rule.ID)
		}
		if r.Rule.Interface == catalogue.SOAP {
			assert.Equal(t, verdict.Pass, r.Status, "the reference target's SOAP interface is conformant")
		}
	}
	if notAutomatedMust {
		assert.Equal(t, verdict.ExitIncomplete, code, "while MUST rules are not automated the run is incomplete")
	}
	// The conformant reference target fails nothing.
	for _, r := range res.Rules {
		assert.NotEqual(t, verdict.Fail, r.Status, "%s fails on the conformant reference target: %+v", r.Rule.ID, r.Scenarios)
	}
	_, err = report.Verify(dir)
	require.NoError(t, err)
}

// A partial run never certifies a level it did not assess (issue 8 item 1):
// before, each of these printed "achieved level FSA" and wrote
// rankingLevel FULLY_STANDARDIZED_API.
func TestPartialRunsNeverClaimUnassessedLevels(t *testing.T) {
	cases := []struct {
		name        string
		args        []string
		exit        int
		achieved    string
		notAssessed []string
		rankingNone bool
	}{
		{"declared rules only", []string{"--rules", "SC001,SC002,SC003"}, verdict.ExitAchieved, "none", []string{"OA", "TSA", "FSA"}, true},
		{"lower-case rule id is the same rule", []string{"--rules", "sc003"}, verdict.ExitAchieved, "none", []string{"OA", "TSA", "FSA"}, true},
		{"--level OA with an SC-R003 defect: TSA and FSA not assessed", []string{"--level", "OA", "--defect", "accept-alg-none"}, verdict.ExitAchieved, "OA", []string{"TSA", "FSA"}, false},
		{"--level TSA leaves FSA not assessed", []string{"--level", "TSA", "--rules", "SC001,SC002,SC003,SC004,SC005,SC006,SC008,SC009,SC-R001,SC-R003"}, verdict.ExitAchieved, "TSA", []string{"FSA"}, false},
		{"a selected MUST failure exits 1 and decides every level", []string{"--rules", "SC003", "--defect", "no-hsts"}, verdict.ExitNotAchieved, "none", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, stderr, dir := runArgs(t, tc.args...)
			require.Empty(t, stderr)
			assert.Equal(t, tc.exit, code, out)
			assert.Contains(t, out, "PARTIAL RUN")
			res, err := report.Read(dir)
			require.NoError(t, err)
			assert.Equal(t, report.ScopePartial, res.Scope.Kind)
			assert.NotEmpty(t, res.Scope.NotRun)
			assert.Equal(t, tc.achieved, res.AchievedLevel)
			assert.Equal(t, tc.notAssessed, res.LevelsNotAssessed())
			decl, err := os.ReadFile(filepath.Join(dir, report.DeclarationFile))
			require.NoError(t, err)
			assert.Contains(t, string(decl), `"apisecScope": "partial"`)
			if tc.rankingNone {
				assert.Contains(t, string(decl), `"rankingLevel": "NONE"`)
			}
			assert.NotContains(t, string(decl), `"rankingLevel": "FULLY_STANDARDIZED_API"`)
			page, err := os.ReadFile(filepath.Join(dir, report.HTMLFile))
			require.NoError(t, err)
			assert.Contains(t, string(page), "<strong>Partial run</strong>")
		})
	}
}

func TestLowerCaseRuleIDsRunTheSameScenarios(t *testing.T) {
	_, _, _, lower := runArgs(t, "--rules", "sc003")
	_, _, _, upper := runArgs(t, "--rules", "SC003")
	a, err := report.Read(lower)
	require.NoError(t, err)
	b, err := report.Read(upper)
	require.NoError(t, err)
	require.Len(t, a.Rules, 1)
	require.Len(t, b.Rules, 1)
	assert.Equal(t, len(b.Rules[0].Scenarios), len(a.Rules[0].Scenarios))
	assert.Equal(t, b.Rules[0].Status, a.Rules[0].Status)
}

func TestEmptyRuleSelectionIsAUsageError(t *testing.T) {
	for _, sel := range []string{",", " , "} {
		code, _, stderr, _ := runArgs(t, "--rules", sel)
		assert.Equal(t, verdict.ExitUsage, code)
		assert.Contains(t, stderr, "names no rule")
	}
}

// Each defect of the reference target changes exactly the rules it names,
// compared with a run of the conformant target.
func TestEveryDefectFlipsExactlyItsRules(t *testing.T) {
	_, _, _, baseDir := runArgs(t)
	base, err := report.Read(baseDir)
	require.NoError(t, err)
	canaries := loadCanaries(t, certsFor(t)) // redaction: no secret in any evidence (canary_test.go)
	canaries.scanResult(t, baseDir)
	baseline := map[string]verdict.Status{}
	for _, r := range base.Rules {
		baseline[r.Rule.ID] = r.Status
	}
	for _, b := range defectBatches(testing.Short()) {
		t.Run(b.name, func(t *testing.T) {
			if b.skip != "" {
				t.Skip(b.skip)
			}
			t.Parallel()
			args := []string{"--defect", strings.Join(b.defects, ",")}
			if testing.Short() {
				// -short proves each defect is noticed by the rules it names,
				// several defects with disjoint rules per run; the full sweep
				// (.ci/run, scripts/test.sh --full) runs each defect alone
				// against every rule, proving no other rule changes.
				args = append(args, "--rules", strings.Join(b.breaks, ","))
			}
			code, out, _, dir := runArgs(t, args...)
			res, err := report.Read(dir)
			require.NoError(t, err)
			if !testing.Short() {
				// -short scans the conformant run and the run with every
				// defect at once (canary_test.go); the full sweep scans each.
				canaries.scanResult(t, dir)
			}
			var changed []string
			mustFailed := false
			for _, r := range res.Rules {
				if r.Status != baseline[r.Rule.ID] {
					changed = append(changed, r.Rule.ID)
					assert.Contains(t, []verdict.Status{verdict.Fail, verdict.Warn}, r.Status, "%s turns into a failure or warning, not %s", r.Rule.ID, r.Status)
				}
				if r.Status == verdict.Fail && r.Rule.Normative == catalogue.Must {
					mustFailed = true
					assert.Contains(t, out, r.Rule.ID, "the run names the broken rule")
				}
			}
			want := slices.Clone(b.breaks)
			slices.Sort(want)
			slices.Sort(changed)
			assert.Equal(t, want, changed, "defects %v", b.defects)
			if mustFailed {
				assert.Equal(t, verdict.ExitNotAchieved, code, out)
			}
		})
	}
}

type defectBatch struct {
	name            string
	defects, breaks []string
	skip            string
}

// defectBatches is one batch per defect (the full sweep), or, with batch,
// defects packed greedily into runs whose broken rules are disjoint, so each
// rule that flips in a run was broken by exactly one defect of it.
func defectBatches(batch bool) []defectBatch {
	var out []defectBatch
	for _, d := range reference.Defects() {
		if d.Needs != "" {
			out = append(out, defectBatch{name: d.Name, skip: "not noticed by the default reference run: needs " + d.Needs})
			continue
		}
		placed := false
		for i := range out {
			b := &out[i]
			if !batch || b.skip != "" || slices.ContainsFunc(d.Breaks, func(r string) bool { return slices.Contains(b.breaks, r) }) {
				continue
			}
			b.defects = append(b.defects, d.Name)
			b.breaks = append(b.breaks, d.Breaks...)
			b.name += "+" + d.Name
			placed = true
			break
		}
		if !placed {
			out = append(out, defectBatch{name: d.Name, defects: []string{d.Name}, breaks: slices.Clone(d.Breaks)})
		}
	}
	return out
}

func TestVerifyFailsAfterOneChangedByte(t *testing.T) {
	_, _, _, dir := runArgs(t, "--rules", "SC003")
	code, out, _ := apisec(t, "verify", dir)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "verified")

	code, out, _ = apisec(t, "report", dir)
	require.Equal(t, 0, code, out)
	code, _, _ = apisec(t, "verify", dir)
	require.Equal(t, 0, code, "re-rendering keeps the manifest valid")

	p := filepath.Join(dir, report.ResultsFile)
	raw, err := os.ReadFile(p)
	require.NoError(t, err)
	raw[len(raw)/2] ^= 0x20
	require.NoError(t, os.WriteFile(p, raw, 0o644))
	code, _, stderr := apisec(t, "verify", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "results.json has changed")
}

func TestBrokenInputIsOneLineAndExit2(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(tmp, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	badYAML := write("bad.yaml", "version: 1\ntarget: [unclosed\n")
	unknownField := write("unknown.yaml", "version: 1\nbogus: true\n")
	unreachable := write("unreachable.yaml", "version: 1\ntarget:\n  name: x\n  base_url: https://127.0.0.1:1/\n  interfaces: [rest]\n")
	missingKey := write("missingkey.yaml", "version: 1\ntarget:\n  name: x\n  base_url: https://127.0.0.1:1/\n  interfaces: [rest]\ndeclarations:\n  trusted_keys:\n    deployer: nowhere.pem\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad YAML", []string{"--profile", badYAML}, "bad YAML"},
		{"unknown field", []string{"--profile", unknownField}, "bogus"},
		{"missing file", []string{"--profile", filepath.Join(tmp, "nope.yaml")}, "cannot read"},
		{"unknown rule id", []string{"--rules", "SC999"}, `unknown rule id "SC999"`},
		{"unknown level", []string{"--level", "XL"}, "unknown level"},
		{"unreachable host", []string{"--profile", unreachable}, "unreachable"},
		{"unknown defect", []string{"--defect", "nonsense"}, "unknown defect"},
		{"missing trusted key", []string{"--profile", missingKey}, "cannot read nowhere.pem"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr, _ := runArgs(t, tc.args...)
			assert.Equal(t, verdict.ExitUsage, code)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.Contains(t, stderr, tc.want)
			assert.NotContains(t, stderr, "goroutine")
		})
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"run", "--help"}, {"rules", "--help"}, {"reference", "serve", "--help"},
		{"reference", "defects", "--help"}, {"report", "--help"}, {"verify", "--help"}, {"declare", "--help"},
		{"certs", "init", "--help"}, {"--help"}, {"reference", "--help"}, {"certs", "--help"}, {"keys", "--help"},
		{"keys", "init", "--help"}, {"run", "-h"}} {
		code, out, stderr := apisec(t, args...)
		assert.Equal(t, 0, code, args)
		assert.Equal(t, 1, strings.Count(out, "Usage"), "%v prints its usage once:\n%s", args, out)
		assert.Empty(t, stderr, args)
		assert.NotContains(t, out, " -certs", "flags are spelled --flag everywhere")
	}
	code, _, stderr := apisec(t, "frobnicate")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "unknown command")
}

// Operators get one line on stderr and exit 2 for every bad invocation, as
// with the tools they know (issue 16).
func TestBadInvocationIsOneLineAndExit2(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--bogus"}, {"run", "--progress", "maybe"}, {"run", "--rules", ","},
		{"declare", "--role", "deployer", "--rules", "SC003", "--key", "k.pem", "--target", "notaurl"},
		{"verify", "/nonexistent-apisec-folder"}, {"report", "/nonexistent-apisec-folder"},
		{"certs"}, {"reference"}, {"keys"},
	} {
		code, out, stderr := apisec(t, args...)
		assert.Equal(t, 2, code, args)
		assert.Empty(t, out, "%v writes nothing on stdout", args)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), "%v: one line on stderr, got %q", args, stderr)
	}
}

func TestCertsInitMakesEveryKeyARunUses(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := apisec(t, "certs", "init", "--dir", dir)
	require.Equal(t, 0, code, stderr)
	for _, f := range []string{"ca.pem", "client-signing.key", "wss-client.key", "wss-client.pem", "saml-issuer.key", "saml-issuer.pem"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
}

func TestRulesCatalogue(t *testing.T) {
	code, out, _ := apisec(t, "rules", "--json")
	require.Equal(t, 0, code)
	var rules []catalogue.Rule
	require.NoError(t, json.Unmarshal([]byte(out), &rules))
	assert.Len(t, rules, 15)
	code, out, _ = apisec(t, "rules")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "SC004.001")
	for _, r := range rules {
		assert.Contains(t, out, r.ID+" ")
		if r.Automation == catalogue.NotAutomated {
			assert.NotEmpty(t, r.Reason, "%s states why it is not automated", r.ID)
		}
	}
}

func TestDeclareMakesAVerifiableDeclaration(t *testing.T) {
	certs := certsFor(t)
	_, _, _ = apisec(t, "certs", "init", "--dir", certs)
	out := filepath.Join(t.TempDir(), "d.jws")
	code, _, stderr := apisec(t, "declare", "--role", "deployer", "--rules", "SC003", "--key",
		filepath.Join(certs, "declaration-deployer.key"), "--target", "https://api.example.test/", "--out", out)
	require.Equal(t, 0, code, stderr)
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(raw), "."))

	code, _, stderr = apisec(t, "declare", "--role", "deployer", "--rules", "SC001", "--key",
		filepath.Join(certs, "declaration-deployer.key"), "--target", "https://api.example.test/")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "SC001 belongs to the API specifier")
}

func TestDryRunListsProbesAndSendsNothing(t *testing.T) {
	code, out, stderr, dir := runArgs(t, "--dry-run", "--rules", "SC-R001,SC008")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "OAuth/JOSE probes:")
	assert.Contains(t, out, "SC-R001")
	assert.NotContains(t, out, "SC-R003 ", "only the rules in scope are listed")
	assert.NoFileExists(t, filepath.Join(dir, report.ResultsFile), "a dry run writes no result")
}

// `--rules SC-S001` sends no SC-S002 probe, and the dry run shows that.
func TestDryRunSOAPRuleScope(t *testing.T) {
	code, out, stderr, _ := runArgs(t, "--dry-run", "--rules", "SC-S001")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "wss/control/before")
	assert.Contains(t, out, "WithSignatureWrapping")
	assert.NotContains(t, out, "SC-S002", "no SC-S002 probe in an SC-S001 run")
	assert.NotContains(t, out, "WithExpiredAssertion")
	code, out, stderr, _ = runArgs(t, "--dry-run", "--rules", "SC-S002")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "saml/control/before")
	assert.NotContains(t, out, "SC-S001")
}
