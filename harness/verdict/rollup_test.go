package verdict

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allStatuses = []Status{Info, NotApplicable, NotAssessed, Pass, Attested, Warn, Error, Fail}

func rule(id string, n catalogue.Normative, levels ...catalogue.Level) catalogue.Rule {
	return catalogue.Rule{ID: id, Normative: n, Levels: levels, Automation: catalogue.Automated, Role: catalogue.Specifier}
}

func scenarios(statuses ...Status) []ScenarioResult {
	out := make([]ScenarioResult, len(statuses))
	for i, s := range statuses {
		out[i] = ScenarioResult{Name: fmt.Sprint(i), Status: s}
	}
	return out
}

// TestRollUpRuleEveryPair checks the worst-of order on every pair of
// scenario statuses, for a MUST and a SHOULD rule.
func TestRollUpRuleEveryPair(t *testing.T) {
	// docs/design.md "Verdicts": fail > error > warn > attested > pass >
	// not_applicable; not_assessed sits just above not_applicable (any judged
	// scenario decides); info never counts.
	order := map[Status]int{Info: -1, NotApplicable: 0, NotAssessed: 1, Pass: 2, Attested: 3, Warn: 4, Error: 5, Fail: 6}
	for _, n := range []catalogue.Normative{catalogue.Must, catalogue.Should} {
		for _, a := range allStatuses {
			for _, b := range allStatuses {
				got := RollUpRule(rule("X", n, catalogue.OA), scenarios(a, b)).Status
				want := a
				if order[b] > order[a] {
					want = b
				}
				if want == Info {
					want = Error // nothing judged: could not test
				}
				if n == catalogue.Should && want == Fail {
					want = Warn
				}
				assert.Equal(t, want, got, "%s rule with scenarios %s,%s", n, a, b)
			}
		}
	}
}

func TestRollUpRuleWithoutScenarios(t *testing.T) {
	r := rule("SC005", catalogue.Must, catalogue.OA)
	r.Automation, r.Reason, r.Issue = catalogue.NotAutomated, "audit checks not built", 7
	got := RollUpRule(r, nil)
	assert.Equal(t, Error, got.Status, "a rule nobody tested is never pass")
	assert.Contains(t, got.Reason, "not yet automated: audit checks not built (issue #7)")

	got = RollUpRule(rule("SC001", catalogue.Must, catalogue.OA), nil)
	assert.Equal(t, Error, got.Status)
	assert.Contains(t, got.Reason, "no scenario")
}

func TestRollUpRuleNotAutomatedNeverPasses(t *testing.T) {
	r := rule("SC005", catalogue.Must, catalogue.OA)
	r.Automation, r.Reason = catalogue.NotAutomated, "work in progress"
	for _, s := range []Status{Pass, Attested, Warn, Fail} {
		got := RollUpRule(r, scenarios(s))
		assert.Equal(t, Error, got.Status, "scenarios %s", s)
		assert.Contains(t, got.Reason, "not yet automated")
	}
}

func TestRollUpLevels(t *testing.T) {
	all := []catalogue.Level{catalogue.OA, catalogue.TSA, catalogue.FSA}
	tsa := []catalogue.Level{catalogue.TSA, catalogue.FSA}
	fsa := []catalogue.Level{catalogue.FSA}
	type ruleStatus struct {
		r catalogue.Rule
		s Status
	}
	cases := []struct {
		name     string
		rules    []ruleStatus
		outcomes [3]LevelOutcome
		achieved string
		exitFSA  int
		exitOA   int
	}{
		{"all MUST pass", []ruleStatus{{rule("A", catalogue.Must, all...), Pass}, {rule("B", catalogue.Must, tsa...), Pass}},
			[3]LevelOutcome{Achieved, Achieved, Achieved}, "FSA", 0, 0},
		{"attested counts as met", []ruleStatus{{rule("A", catalogue.Must, all...), Attested}},
			[3]LevelOutcome{Achieved, Achieved, Achieved}, "FSA", 0, 0},
		{"MUST fail at TSA blocks TSA and FSA only", []ruleStatus{{rule("A", catalogue.Must, all...), Pass}, {rule("B", catalogue.Must, tsa...), Fail}},
			[3]LevelOutcome{Achieved, NotAchieved, NotAchieved}, "OA", 1, 0},
		{"MUST fail at OA blocks all", []ruleStatus{{rule("A", catalogue.Must, all...), Fail}},
			[3]LevelOutcome{NotAchieved, NotAchieved, NotAchieved}, "none", 1, 1},
		{"FSA-only fail", []ruleStatus{{rule("A", catalogue.Must, all...), Pass}, {rule("C", catalogue.Must, fsa...), Fail}},
			[3]LevelOutcome{Achieved, Achieved, NotAchieved}, "TSA", 1, 0},
		{"error makes incomplete, never fail", []ruleStatus{{rule("A", catalogue.Must, all...), Error}},
			[3]LevelOutcome{Incomplete, Incomplete, Incomplete}, "none", 3, 3},
		{"fail wins over error", []ruleStatus{{rule("A", catalogue.Must, all...), Error}, {rule("B", catalogue.Must, all...), Fail}},
			[3]LevelOutcome{NotAchieved, NotAchieved, NotAchieved}, "none", 1, 1},
		{"not assessed MUST leaves its levels not assessed", []ruleStatus{{rule("A", catalogue.Must, all...), Pass}, {rule("B", catalogue.Must, tsa...), NotAssessed}},
			[3]LevelOutcome{Achieved, LevelNotAssessed, LevelNotAssessed}, "OA", 0, 0},
		{"error outranks not assessed at a level", []ruleStatus{{rule("A", catalogue.Must, all...), Error}, {rule("B", catalogue.Must, tsa...), NotAssessed}},
			[3]LevelOutcome{Incomplete, Incomplete, Incomplete}, "none", 3, 3},
		{"only SHOULD rules, all error: nothing tested, exit 3", []ruleStatus{{rule("S", catalogue.Should, all...), Error}, {rule("A", catalogue.Must, all...), NotAssessed}},
			[3]LevelOutcome{LevelNotAssessed, LevelNotAssessed, LevelNotAssessed}, "none", 3, 3},
		{"error at TSA leaves OA achieved", []ruleStatus{{rule("A", catalogue.Must, all...), Pass}, {rule("B", catalogue.Must, tsa...), Error}},
			[3]LevelOutcome{Achieved, Incomplete, Incomplete}, "OA", 3, 0},
		{"SHOULD warn never blocks", []ruleStatus{{rule("A", catalogue.Must, all...), Pass}, {rule("S", catalogue.Should, all...), Warn}},
			[3]LevelOutcome{Achieved, Achieved, Achieved}, "FSA", 0, 0},
		{"SHOULD error never blocks", []ruleStatus{{rule("A", catalogue.Must, all...), Pass}, {rule("S", catalogue.Should, tsa...), Error}},
			[3]LevelOutcome{Achieved, Achieved, Achieved}, "FSA", 0, 0},
		{"warn inside a MUST rule is a SHOULD-level deviation", []ruleStatus{{rule("A", catalogue.Must, all...), Warn}},
			[3]LevelOutcome{Achieved, Achieved, Achieved}, "FSA", 0, 0},
		{"not_applicable MUST (SOAP on a REST target)", []ruleStatus{{rule("A", catalogue.Must, all...), Pass}, {rule("SOAP", catalogue.Must, tsa...), NotApplicable}},
			[3]LevelOutcome{Achieved, Achieved, Achieved}, "FSA", 0, 0},
		{"no rules in scope", nil,
			[3]LevelOutcome{Achieved, Achieved, Achieved}, "none", 3, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rules []RuleResult
			for _, rs := range tc.rules {
				rules = append(rules, RuleResult{Rule: rs.r, Status: rs.s})
			}
			var cat []catalogue.Rule
			for _, rs := range tc.rules {
				cat = append(cat, rs.r)
			}
			levels := RollUpLevels(cat, rules)
			require.Len(t, levels, 3)
			for i, l := range levels {
				assert.Equal(t, tc.outcomes[i], l.Outcome, "level %s", l.Level)
			}
			if len(rules) == 0 {
				return
			}
			assert.Equal(t, tc.achieved, AchievedLevel(levels))
			assert.Equal(t, tc.exitFSA, ExitCode(levels, rules, catalogue.FSA), "exit for claimed FSA")
			assert.Equal(t, tc.exitOA, ExitCode(levels, rules, catalogue.OA), "exit for claimed OA")
		})
	}
}

func TestRollUpLevelsNamesTheRules(t *testing.T) {
	rs := []RuleResult{
		{Rule: rule("SC003", catalogue.Must, catalogue.OA, catalogue.TSA, catalogue.FSA), Status: Fail},
		{Rule: rule("SC-R001", catalogue.Must, catalogue.TSA, catalogue.FSA), Status: Error},
	}
	levels := RollUpLevels([]catalogue.Rule{rs[0].Rule, rs[1].Rule, rule("SC007", catalogue.Must, catalogue.FSA)}, rs)
	assert.Equal(t, []string{"SC007"}, levels[2].NotAssessed, "a rule outside the run's scope is named as not assessed")
	assert.Equal(t, []string{"SC003"}, levels[0].Blocking)
	assert.Empty(t, levels[0].Untested)
	assert.Equal(t, []string{"SC-R001"}, levels[2].Untested)
}

func TestRollUpRoles(t *testing.T) {
	spec := rule("SC001", catalogue.Must, catalogue.OA)
	dep := rule("SC003", catalogue.Must, catalogue.OA)
	dep.Role = catalogue.Deployer
	roles := RollUpRoles([]RuleResult{{Rule: spec, Status: Attested}, {Rule: dep, Status: Fail}})
	require.Len(t, roles, 2)
	assert.Equal(t, catalogue.Specifier, roles[0].Role)
	assert.Equal(t, Attested, roles[0].Status)
	assert.Equal(t, Fail, roles[1].Status)
	assert.Equal(t, []string{"SC003"}, roles[1].Failing)

	should := rule("SC-R002", catalogue.Should, catalogue.TSA)
	roles = RollUpRoles([]RuleResult{{Rule: should, Status: Warn}})
	assert.Empty(t, roles[0].Failing, "a SHOULD warning is not a failing rule")
	assert.Equal(t, []string{"SC-R002"}, roles[0].Warning)
}

func TestClassifyDecidesInOnePlace(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want Status
	}{
		{"nil is pass", nil, Pass},
		{"deviation", Deviation("p", "400", "RFC 7523 §3", "200"), Fail},
		{"wrapped deviation", fmt.Errorf("step: %w", Deviation("p", "400", "c", "200")), Fail},
		{"warning", Warning("p", "x", "c", "y"), Warn},
		{"inapplicable", Inapplicable("no SOAP interface"), NotApplicable},
		{"network error is could-not-test", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, Error},
		{"plain error is could-not-test, never fail", errors.New("unexpected"), Error},
	}
	for _, tc := range cases {
		got, _ := Classify(tc.err)
		assert.Equal(t, tc.want, got, tc.name)
	}
}

func TestFindingMessageCitesTheClause(t *testing.T) {
	err := Deviation("assertion with exp in the past", "400/401 invalid_client", "RFC 7523 §3 item 4", "200")
	assert.Equal(t, "assertion with exp in the past: expected 400/401 invalid_client (RFC 7523 §3 item 4), got 200", err.Error())
}

func TestStatusTextRoundTrip(t *testing.T) {
	for _, s := range allStatuses {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back Status
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	var s Status
	assert.Error(t, s.UnmarshalText([]byte("maybe")))
}
