package steps

import (
	"context"
	"testing"

	"github.com/apisec/apisec/features"
	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/require"
)

// runShipped runs the shipped feature files of the given rules through Run,
// exactly as `apisec run` does (all steps registered, scenarios of a rule
// concurrent), and returns the rule results by id with the whole outcome.
func runShipped(t *testing.T, env *Env, ids ...string) (map[string]verdict.RuleResult, *Outcome) {
	t.Helper()
	var rules []catalogue.Rule
	for _, id := range ids {
		r, ok := env.Catalogue.Lookup(id)
		require.True(t, ok, "no rule %s", id)
		rules = append(rules, r)
	}
	out, err := Run(context.Background(), env, RunOptions{Rules: rules, Features: features.FS, Concurrency: 4})
	require.NoError(t, err)
	byID := map[string]verdict.RuleResult{}
	for _, rr := range out.Rules {
		byID[rr.Rule.ID] = rr
	}
	return byID, out
}
