package report

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/evidence"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenResults is a fixed run (clock, run id, every status, a partial
// scope) so each rendering can be compared byte for byte.
func goldenResults(t testing.TB) *Results {
	t.Helper()
	cat := catalogue.Default()
	get := func(id string) catalogue.Rule {
		r, ok := cat.Lookup(id)
		require.True(t, ok, id)
		return r
	}
	sc := func(rule, name string, st verdict.Status, f *verdict.Finding, ev ...string) verdict.ScenarioResult {
		return verdict.ScenarioResult{Rule: rule, Feature: rule + ".feature", Name: name, Status: st, Finding: f, Evidence: ev, Duration: 1500 * time.Microsecond}
	}
	rules := []verdict.RuleResult{
		verdict.RollUpRule(get("SC001"), []verdict.ScenarioResult{{Rule: "SC001", Name: "declared", Status: verdict.Attested, Attestation: "specifier.jws"}}),
		verdict.RollUpRule(get("SC003"), []verdict.ScenarioResult{
			sc("SC003", "HTTPS answers carry HSTS", verdict.Fail, &verdict.Finding{Status: verdict.Fail, Probe: "GET /", Expected: "Strict-Transport-Security max-age ≥ 31536000", Clause: "NCSC U/WA.05", Got: "no header", Severity: verdict.Medium}, "evidence/sc003/hsts/get.txt"),
			// A multi-item finding: report.html lists its items, the
			// fifth one behind a click, without the repeated clause.
			sc("SC003", "answers name no software versions", verdict.Fail, &verdict.Finding{Status: verdict.Fail, Probe: "GET / and OPTIONS /",
				Expected: "no product version in any header", Clause: "NCSC U/WA.02",
				Got: "Server: nginx/1.2 (NCSC U/WA.02); X-Powered-By: PHP/8.1 (NCSC U/WA.02); X-AspNet-Version: 4.0 (NCSC U/WA.02); Via: 1.1 squid/5 (NCSC U/WA.02); X-Generator: Drupal 10 (the CMS; NCSC U/WA.02)"},
				"evidence/sc003/versions/get.txt", "evidence/sc003/versions/options.txt"),
			sc("SC003", "answers forbid content sniffing", verdict.Error, &verdict.Finding{Status: verdict.Error, Probe: "GET /", Reason: "timeout: read tcp: i/o timeout", Cause: "timeout"}),
		}),
		verdict.RollUpRule(get("SC-R003"), []verdict.ScenarioResult{
			sc("SC-R003", "alg none is refused", verdict.Fail, &verdict.Finding{Status: verdict.Fail, Probe: "alg none", Expected: "400 invalid_client", Clause: "RFC 7518 §3.6", Got: "200 token", Severity: verdict.Critical}),
			sc("SC-R003", "typ recorded", verdict.Info, &verdict.Finding{Status: verdict.Info, Probe: "typ JWT", Got: "recorded: 200"}),
			sc("SC-R003", "kid unknown", verdict.Pass, nil),
		}),
		verdict.RollUpRule(get("SC-R002"), []verdict.ScenarioResult{
			sc("SC-R002", "PKCE advertised", verdict.Fail, &verdict.Finding{Status: verdict.Fail, Probe: "metadata", Expected: "S256", Clause: "RFC 7636 §4.2", Got: "none"}),
		}),
		verdict.RollUpRule(get("SC-S001"), []verdict.ScenarioResult{sc("SC-S001", "SOAP", verdict.NotApplicable, &verdict.Finding{Status: verdict.NotApplicable, Reason: "no SOAP interface"})}),
		verdict.RollUpRule(get("SC005"), []verdict.ScenarioResult{sc("SC005", "audit", verdict.NotAssessed, &verdict.Finding{Status: verdict.NotAssessed, Reason: "the profile names no audit source"})}),
	}
	selected := []catalogue.Rule{get("SC001"), get("SC003"), get("SC-R003"), get("SC-R002"), get("SC-S001"), get("SC005")}
	start := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	decls := []declare.Checked{{File: "specifier.jws", Statement: declare.Statement{Version: 1, Role: catalogue.Specifier, Rules: []string{"SC001"},
		Target: "https://t.example/", Declarant: "Example BV", IssuedAt: start.Add(-24 * time.Hour), ExpiresAt: start.Add(30 * 24 * time.Hour)}, Test: true}}
	return Build(Run{ID: "20261206T120000Z-abcdef", SuiteVersion: "golden", Started: start, Finished: start.Add(2 * time.Second),
		DurationMS: 2000, Requests: 42, TLSEdition: "2025-05", ProfileHash: strings.Repeat("0", 64)},
		Target{Name: "Golden API", BaseURL: "https://t.example/", Interfaces: []string{"rest"}},
		NewScope(cat.Rules(), selected, "--rules SC001,SC003,SC-R003,SC-R002,SC-S001,SC005"), catalogue.FSA, rules, decls)
}

// TestGoldenRenderings compares every rendering of a fixed run with its
// golden file; `go test ./harness/report -run Golden -update` rewrites them
// after a deliberate change, which then shows in review as a diff.
func TestGoldenRenderings(t *testing.T) {
	res := goldenResults(t)
	renderers := map[string]func(*Results) ([]byte, error){
		ResultsFile: marshalResults, JUnitFile: JUnit, SummaryFile: Markdown, DeclarationFile: ZorgAPIsDeclaration, HTMLFile: HTML,
	}
	for name, render := range renderers {
		got, err := render(res)
		require.NoError(t, err, name)
		path := filepath.Join("testdata", "golden", name)
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run with -update to create %s", path)
		assert.Equal(t, string(want), string(got), "%s differs from its golden file (rerun with -update if the change is deliberate)", name)
	}
}

// TestSchemaChangeNeedsAVersionBump keeps the list of results.json field
// paths per schema name. Removing or renaming a field under an unchanged
// Schema fails; so does adding one without recording it here (then the file
// is regenerated with -update and the change listed in docs/results-schema.md).
func TestSchemaChangeNeedsAVersionBump(t *testing.T) {
	fields := jsonFieldPaths(reflect.TypeOf(Results{}), "")
	slices.Sort(fields)
	got := strings.Join(fields, "\n") + "\n"
	path := filepath.Join("testdata", "schema", strings.ReplaceAll(Schema, "/", "_")+".fields")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "schema %s has no recorded field list: bump Schema or run with -update", Schema)
	for _, f := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		assert.Contains(t, fields, f, "field %s of %s is gone: removing or renaming a field needs a new schema version", f, Schema)
	}
	assert.Equal(t, string(want), got, "the results.json fields changed under %s: record additions with -update, bump the version for removals", Schema)
}

func jsonFieldPaths(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeOf(time.Time{}) {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := prefix + name
		out = append(out, p)
		out = append(out, jsonFieldPaths(f.Type, p+".")...)
	}
	return out
}

// TestWrittenRenderingsMatchTheGoldenOnes: a result folder's renderings are
// made from results.json as written (redacted, read back), so that round
// trip must lose nothing a rendering shows.
func TestWrittenRenderingsMatchTheGoldenOnes(t *testing.T) {
	dir := t.TempDir()
	res := goldenResults(t)
	require.NoError(t, writeFolder(dir, res, nil, nil))
	for _, name := range []string{ResultsFile, JUnitFile, SummaryFile, DeclarationFile, HTMLFile} {
		want, err := os.ReadFile(filepath.Join("testdata", "golden", name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%s in the folder differs from its golden rendering", name)
	}
}

// BenchmarkWriteSignedTLSRun writes the result folder of a TLS run against
// one endpoint: a 150 KB scan kept by four scenarios and 26 small grading
// documents, results, renderings and the signed manifest. Measured side by
// side with the writer of commit bd67d48 (files one at a time, renderings
// redacted as text, every copy of the scan redacted): see docs/tls-bench.md.
func BenchmarkWriteSignedTLSRun(b *testing.B) {
	res := goldenResults(b)
	scan := []byte(`{"probes": [` + strings.Repeat(`{"purpose": "TLS 1.2 suites", "client_hello": "`+strings.Repeat("16030102000100", 100)+`"},`, 100) + `{}]}`)
	items := map[string]evidence.Item{}
	for i := range 4 {
		items[fmt.Sprintf("evidence/sc004/scenario-%d/tls-scan-127.0.0.1-443.json", i)] = evidence.Item{Body: scan}
	}
	for i := range 26 {
		items[fmt.Sprintf("evidence/sc004/check-%d/ncsc-check-2025-05.json", i)] = evidence.Item{Body: []byte(`[{"address": "127.0.0.1:443", "assessment": {"check": "x", "outcome": "graded"}}]`)}
	}
	s, err := NewRunSigner()
	require.NoError(b, err)
	for b.Loop() {
		require.NoError(b, WriteSigned(b.TempDir(), res, items, []byte(`[]`), s))
	}
}
