package steps

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRuleFeaturesListsOnlyFilesNamingTheTag(t *testing.T) {
	fsys := fstest.MapFS{
		"SC004_tls.feature":      {Data: []byte("@SC004\nFeature: TLS\n")},
		"SC005_audit.feature":    {Data: []byte("@SC005\nFeature: audit\n  @SC004\n  Scenario: borrowed\n")},
		"SC003_web.feature":      {Data: []byte("@SC003\nFeature: web\n")},
		"nested/SC004_x.feature": {Data: []byte("@SC004\nFeature: nested\n")},
		"README.md":              {Data: []byte("@SC004")},
	}
	sub := ruleFeatures(fsys, "@SC004")
	var seen []string
	require.NoError(t, fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if !d.IsDir() {
			seen = append(seen, p)
		}
		return err
	}))
	assert.ElementsMatch(t, []string{"SC004_tls.feature", "SC005_audit.feature", "nested/SC004_x.feature", "README.md"}, seen)
	b, err := fs.ReadFile(sub, "SC003_web.feature")
	require.NoError(t, err, "unlisted files still read through")
	assert.Contains(t, string(b), "@SC003")
}
