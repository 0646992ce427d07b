package steps

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/verdict"
)

// Progress hears of a run as it goes. ScenarioDone is called from the
// scenarios' goroutines, so an implementation must be safe for concurrent
// use; the calls for one rule come between its RuleStarted and RuleDone.
type Progress interface {
	// RuleStarted: the rule's scenarios start; total is how many there are
	// (0 for a rule that does not apply to the target).
	RuleStarted(rule catalogue.Rule, total int)
	// ScenarioDone: done of the rule's total scenarios have ended.
	ScenarioDone(rule catalogue.Rule, done, total int)
	// RuleDone: the rule's result, and where its time went.
	RuleDone(r verdict.RuleResult, t RuleTiming)
}

// scenarioCounts counts the scenarios godog will run per rule: the pickles
// (one per scenario, one per Examples row of an outline) of every feature
// file that carry the rule's tag and not @wip, the filter runRule gives godog.
func scenarioCounts(fsys fs.FS, rules []catalogue.Rule) (map[string]int, error) {
	out := map[string]int{}
	ids := (&messages.Incrementing{}).NewId
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".feature" {
			return err
		}
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(raw), ids)
		if err != nil {
			return fmt.Errorf("runner: %s: %w", p, err)
		}
		doc.Uri = p
		for _, pk := range gherkin.Pickles(*doc, p, ids) {
			tags := make([]string, 0, len(pk.Tags))
			for _, t := range pk.Tags {
				tags = append(tags, t.Name)
			}
			if slices.Contains(tags, "@wip") {
				continue
			}
			for _, r := range rules {
				if slices.Contains(tags, r.Tag()) {
					out[r.ID]++
				}
			}
		}
		return nil
	})
	return out, err
}
