package features

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apisec/apisec/harness/catalogue"
)

type parsedFeature struct {
	file string
	doc  *messages.GherkinDocument
}

func parseAll(t *testing.T) []parsedFeature {
	t.Helper()
	files, err := fs.Glob(FS, "*.feature")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []parsedFeature
	for _, f := range files {
		raw, err := FS.ReadFile(f)
		require.NoError(t, err)
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(raw), (&messages.Incrementing{}).NewId)
		require.NoError(t, err, f)
		require.NotNil(t, doc.Feature, f)
		out = append(out, parsedFeature{f, doc})
	}
	return out
}

// expectedTags is the tag set the catalogue prescribes for a rule's feature.
func expectedTags(r catalogue.Rule) []string {
	tags := []string{r.Tag(), "@" + strings.ToLower(string(r.Normative))}
	for _, l := range r.Levels {
		tags = append(tags, "@level:"+l.String())
	}
	tags = append(tags, "@role:"+string(r.Role))
	slices.Sort(tags)
	return tags
}

// TestEveryRuleHasAFeatureOrAReason fails when a catalogue rule has neither a
// feature file nor a stated reason why it is not automated, or when a rule
// claims to be automated but has no feature.
func TestEveryRuleHasAFeatureOrAReason(t *testing.T) {
	byRule := map[string]string{}
	for _, pf := range parseAll(t) {
		for _, tag := range pf.doc.Feature.Tags {
			if _, ok := catalogue.Default().Lookup(strings.TrimPrefix(tag.Name, "@")); ok {
				assert.Empty(t, byRule[tag.Name], "rule %s has two feature files", tag.Name)
				byRule[tag.Name] = pf.file
			}
		}
	}
	for _, r := range catalogue.Default().Rules() {
		file, has := byRule[r.Tag()]
		switch {
		case r.Automation == catalogue.NotAutomated:
			assert.NotEmpty(t, r.Reason, "%s is not automated and states no reason", r.ID)
		case !has:
			t.Errorf("%s is %s but has no feature file", r.ID, r.Automation)
		default:
			assert.NotEmpty(t, file)
		}
	}
}

// TestFeatureTagsMatchTheCatalogue fails on an unknown tag, or on a feature
// whose normative word, levels or role differ from the catalogue.
func TestFeatureTagsMatchTheCatalogue(t *testing.T) {
	cat := catalogue.Default()
	allowedExtra := []string{"@wip", "@dos", "@info"}
	for _, pf := range parseAll(t) {
		var tags []string
		var rule catalogue.Rule
		found := 0
		for _, tag := range pf.doc.Feature.Tags {
			tags = append(tags, tag.Name)
			if r, ok := cat.Lookup(strings.TrimPrefix(tag.Name, "@")); ok {
				rule = r
				found++
			}
		}
		require.Equal(t, 1, found, "%s must carry exactly one rule id tag, has %v", pf.file, tags)
		want := expectedTags(rule)
		var got []string
		for _, tag := range tags {
			if !slices.Contains(allowedExtra, tag) {
				got = append(got, tag)
			}
		}
		slices.Sort(got)
		assert.Equal(t, want, got, "%s tags", pf.file)
		assert.True(t, strings.HasPrefix(pf.file, rule.ID+"_"), "%s should be named %s_<slug>.feature", pf.file, rule.ID)
		names := map[string]bool{}
		for _, child := range pf.doc.Feature.Children {
			if child.Scenario == nil {
				continue
			}
			assert.False(t, names[child.Scenario.Name], "%s has two scenarios named %q (evidence folders are named after them)", pf.file, child.Scenario.Name)
			names[child.Scenario.Name] = true
			for _, tag := range child.Scenario.Tags {
				assert.True(t, slices.Contains(allowedExtra, tag.Name),
					fmt.Sprintf("%s scenario %q carries unknown tag %s", pf.file, child.Scenario.Name, tag.Name))
			}
		}
	}
}

// recordOnlyThens are Then steps that observe without judging. A scenario
// may use one only when it is tagged @info: its result is reported outside
// the verdict (verdict.Info), never as a pass.
var recordOnlyThens = []string{"the answer is recorded", "the observation is recorded outside the verdict"}

// TestEveryScenarioJudges fails on a scenario with no Then step (it would
// pass having asserted nothing) and on a Then that cannot fail outside an
// @info scenario (issue 8, item 8).
func TestEveryScenarioJudges(t *testing.T) {
	for _, pf := range parseAll(t) {
		for _, p := range judgeProblems(pf.doc) {
			t.Errorf("%s: %s", pf.file, p)
		}
	}
}

func judgeProblems(doc *messages.GherkinDocument) []string {
	var out []string
	for _, child := range doc.Feature.Children {
		sc := child.Scenario
		if sc == nil {
			continue
		}
		info := slices.ContainsFunc(sc.Tags, func(tag *messages.Tag) bool { return tag.Name == "@info" })
		thens, inThen := 0, false
		for _, st := range sc.Steps {
			switch strings.TrimSpace(st.Keyword) {
			case "Then":
				inThen = true
			case "Given", "When":
				inThen = false
			}
			if !inThen {
				continue
			}
			thens++
			if slices.Contains(recordOnlyThens, strings.TrimSpace(st.Text)) && !info {
				out = append(out, fmt.Sprintf("scenario %q: %q judges nothing; make it judge, or tag the scenario @info", sc.Name, st.Text))
			}
		}
		if thens == 0 {
			out = append(out, fmt.Sprintf("scenario %q has no Then step: it would pass having asserted nothing", sc.Name))
		}
	}
	return out
}

// TestJudgeProblemsCanFail proves the check above catches both cases.
func TestJudgeProblemsCanFail(t *testing.T) {
	src := "@SC003\nFeature: x\n  Scenario: only a given\n    Given the target\n    And more\n" +
		"  Scenario: recorded\n    When a probe\n    Then the answer is recorded\n" +
		"  @info\n  Scenario: info\n    When a probe\n    Then the answer is recorded\n"
	doc, err := gherkin.ParseGherkinDocument(strings.NewReader(src), (&messages.Incrementing{}).NewId)
	require.NoError(t, err)
	got := judgeProblems(doc)
	require.Len(t, got, 2)
	assert.Contains(t, got[0], "has no Then step")
	assert.Contains(t, got[1], "judges nothing")
}
