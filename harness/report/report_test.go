package report

import (
	"encoding/json"
	"encoding/xml"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/evidence"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleResults(t *testing.T) (*Results, map[string]evidence.Item) {
	cat := catalogue.Default()
	sc003, _ := cat.Lookup("SC003")
	sc001, _ := cat.Lookup("SC001")
	sr002, _ := cat.Lookup("SC-R002")
	rules := []verdict.RuleResult{
		verdict.RollUpRule(sc001, []verdict.ScenarioResult{{Rule: "SC001", Name: "declared", Status: verdict.Attested, Attestation: "spec.jws"}}),
		verdict.RollUpRule(sc003, []verdict.ScenarioResult{{Rule: "SC003", Name: "HSTS", Status: verdict.Fail,
			Finding:  &verdict.Finding{Status: verdict.Fail, Probe: "GET /", Expected: "HSTS", Clause: "U/WA.05", Got: strings.Repeat("x", 2000)},
			Evidence: []string{"evidence/sc003/01-hsts/get.txt"}}}),
		verdict.RollUpRule(sr002, nil),
	}
	sel := []catalogue.Rule{sc001, sc003, sr002}
	res := Build(Run{ID: "r1", SuiteVersion: "test", Started: time.Unix(0, 0).UTC()},
		Target{Name: "T", BaseURL: "https://t.example", Interfaces: []string{"rest"}}, NewScope(cat.Rules(), sel, "--rules SC001,SC003,SC-R002"), catalogue.FSA, rules, nil)
	items := map[string]evidence.Item{"evidence/sc003/01-hsts/get.txt": {Name: "get", Body: []byte("GET / HTTP/1.1\nAuthorization: Bearer secret-token\n")}}
	return res, items
}

func TestWriteVerifyAndTamper(t *testing.T) {
	res, items := sampleResults(t)
	dir := t.TempDir()
	thumb, err := Write(dir, res, items, []byte(`[]`))
	require.NoError(t, err)
	require.Len(t, thumb, 43)
	for _, f := range []string{ResultsFile, SummaryFile, JUnitFile, CucumberFile, HTMLFile, DeclarationFile, ManifestFile} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	got, err := Verify(dir)
	require.NoError(t, err)
	assert.Equal(t, thumb, got)

	ev, err := os.ReadFile(filepath.Join(dir, "evidence/sc003/01-hsts/get.txt"))
	require.NoError(t, err)
	assert.NotContains(t, string(ev), "secret-token", "evidence is redacted")

	// Re-rendering from results.json is byte-identical, so the manifest holds.
	back, err := Read(dir)
	require.NoError(t, err)
	require.NoError(t, Render(dir, back))
	_, err = Verify(dir)
	require.NoError(t, err, "re-rendered reports must match the manifest")

	// One changed byte of results.json breaks verification.
	p := filepath.Join(dir, ResultsFile)
	raw, err := os.ReadFile(p)
	require.NoError(t, err)
	raw[10] ^= 0x01
	require.NoError(t, os.WriteFile(p, raw, 0o644))
	_, err = Verify(dir)
	assert.ErrorContains(t, err, "results.json has changed")
}

func TestVerifyNoticesAddedAndMissingFiles(t *testing.T) {
	res, items := sampleResults(t)
	dir := t.TempDir()
	_, err := Write(dir, res, items, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "extra.txt"), []byte("x"), 0o644))
	_, err = Verify(dir)
	assert.ErrorContains(t, err, "extra.txt is not in the manifest")
	require.NoError(t, os.Remove(filepath.Join(dir, "extra.txt")))
	require.NoError(t, os.Remove(filepath.Join(dir, SummaryFile)))
	_, err = Verify(dir)
	assert.ErrorContains(t, err, "summary.md is missing")
}

func TestRenderings(t *testing.T) {
	res, _ := sampleResults(t)
	assert.Equal(t, "none", res.AchievedLevel)
	assert.Equal(t, verdict.ExitNotAchieved, res.ExitCode)

	j, err := JUnit(res)
	require.NoError(t, err)
	var suites junitSuites
	require.NoError(t, xml.Unmarshal(j, &suites))
	assert.Equal(t, 15, suites.Tests, "3 rules run + 12 not run shown as skipped")
	assert.Equal(t, 12, suites.Skipped, "rules the scope left out are visible, never absent")
	assert.Equal(t, 1, suites.Failures)
	assert.Equal(t, 1, suites.Errors, "an untested rule is an errored case")
	assert.Contains(t, string(j), `classname="SC003[OA,TSA,FSA][MUST]"`)

	d, err := ZorgAPIsDeclaration(res)
	require.NoError(t, err)
	var decl zorgDeclaration
	require.NoError(t, json.Unmarshal(d, &decl))
	assert.Equal(t, "CONFORMANT", decl.Requirements["SC001"].ConformityType)
	assert.Equal(t, "NOT_CONFORMANT", decl.Requirements["SC003"].ConformityType)
	assert.Equal(t, "NOT_EVALUATED", decl.Requirements["SC-R002"].ConformityType)
	assert.LessOrEqual(t, len([]rune(decl.Requirements["SC003"].Remarks)), MaxRemarks)
	assert.Contains(t, decl.Requirements["SC003"].Remarks, "evidence/sc003/01-hsts/get.txt")
	assert.Equal(t, ScopePartial, decl.Scope, "a partial run's declaration says it is partial")
	assert.Equal(t, "NOT_EVALUATED", decl.Requirements["SC004"].ConformityType, "a rule not run is not evaluated")
	assert.Equal(t, "NONE", decl.RankingLevel)

	h, err := HTML(res)
	require.NoError(t, err)
	assert.Contains(t, string(h), `<p id="verdict">`+template.HTMLEscapeString(res.Headline())+`</p>`, "the page's headline is the CLI's")
	assert.Contains(t, string(h), `<small>achieved level</small><b>none</b>`)
	assert.Contains(t, string(h), `href="evidence/sc003/01-hsts/get.txt"`)
	assert.Contains(t, string(h), "U/WA.05")

	m, err := Markdown(res)
	require.NoError(t, err)
	assert.Contains(t, string(m), "**PARTIAL RUN (3 of 15 rules: SC001, SC003, SC-R002) — achieved level none")
	assert.Contains(t, string(m), "SC004 not run: not selected")
}
