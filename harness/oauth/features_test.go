package oauth_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apisec/apisec/features"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/profile"
)

// featureRow is one Examples row that names an OAuth probe.
type featureRow struct {
	file, rule, probe, behaviour string
}

// featureRows reads every Examples row with a "probe" column from the
// shipped feature files.
func featureRows(t *testing.T) []featureRow {
	t.Helper()
	files, err := fs.Glob(features.FS, "*.feature")
	require.NoError(t, err)
	var rows []featureRow
	for _, f := range files {
		raw, err := features.FS.ReadFile(f)
		require.NoError(t, err)
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(raw), (&messages.Incrementing{}).NewId)
		require.NoError(t, err, f)
		rule := strings.TrimPrefix(doc.Feature.Tags[0].Name, "@")
		if !slices.Contains([]string{oauth.RuleR001, oauth.RuleR002, oauth.RuleR003, oauth.Rule008}, rule) {
			continue // other rules' probe tables (web probes) have runners of their own
		}
		for _, c := range doc.Feature.Children {
			if c.Scenario == nil {
				continue
			}
			for _, ex := range c.Scenario.Examples {
				col := map[string]int{}
				for i, cell := range ex.TableHeader.Cells {
					col[cell.Value] = i
				}
				pi, ok := col["probe"]
				if !ok {
					continue
				}
				bi, hasBehaviour := col["behaviour"]
				require.True(t, hasBehaviour, "%s: an Examples table with probes has no behaviour column", f)
				for _, row := range ex.TableBody {
					rows = append(rows, featureRow{f, rule, row.Cells[pi].Value, row.Cells[bi].Value})
				}
			}
		}
	}
	require.NotEmpty(t, rows)
	return rows
}

// fullProfile gives every probe what it needs.
func fullProfile(audience string) *profile.OAuth {
	return &profile.OAuth{Issuer: "https://as.test", TokenEndpoint: "https://as.test/token", ClientID: "c",
		AudienceProfile: audience, KeyDistribution: "jwks_uri", GrantSubject: "u", ResourceURL: "https://rs.test/r",
		OtherResource: "https://other.test", SecondClient: &profile.SecondClient{ClientID: "c2", SigningKey: "k2.pem"},
		ErrorCodes: profile.ErrorCodesOIDF}
}

// TestFeatureRowsHaveRunners: every probe id a feature names has exactly
// one runner in the plan, for the rule of that feature, and the feature's
// behaviour text is the probe's title; every probe is named by exactly one
// feature row. A mistyped id fails here, not mid-run.
func TestFeatureRowsHaveRunners(t *testing.T) {
	rows := featureRows(t)
	for _, aud := range []string{oauth.AudRFC7523, oauth.AudRFC7523bis} {
		plan := map[string]oauth.Probe{}
		for _, p := range oauth.Plan(fullProfile(aud)) {
			plan[p.ID] = p
		}
		named := map[string]int{}
		for _, r := range rows {
			named[r.probe]++
			p, ok := plan[r.probe]
			if !assert.True(t, ok, "%s names probe %q, which no runner defines", r.file, r.probe) {
				continue
			}
			assert.Equal(t, p.Title, r.behaviour, "%s: behaviour of %s", r.file, r.probe)
			assert.Equal(t, p.Rule, r.rule, "%s: %s decides another rule", r.file, r.probe)
		}
		for id := range plan {
			assert.Equal(t, 1, named[id], "probe %s is named by %d feature rows", id, named[id])
		}
	}
}

// TestProbeIDsAreLiteral: grepping a feature's probe id finds its runner:
// the id is written once, as a literal, in the package's source (never
// built as "ca/"+id).
func TestProbeIDsAreLiteral(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var src strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		src.Write(b)
	}
	for _, r := range featureRows(t) {
		assert.Equal(t, 1, strings.Count(src.String(), `"`+r.probe+`"`), "probe id %q must appear exactly once, literally, in harness/oauth", r.probe)
	}
}
