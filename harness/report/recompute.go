package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/verdict"
)

// Recompute decides every verdict of results.json again from its scenario
// results, with this suite's catalogue and roll-up (harness/verdict), and
// returns an error naming the first stated verdict that disagrees: a rule's
// definition or status, a scenario whose status contradicts its own finding,
// a level, a role, the achieved level, the claimed level's outcome or the
// exit code. `apisec report` and `apisec verify` refuse such a file, so an
// edited results.json can neither be rendered nor pass as verified: the
// verdicts a report shows are always the ones its scenarios make.
//
// Recomputing cannot tell a scenario's own status from an honest one (a
// forger can set every scenario to pass and make the roll-ups agree); that
// is what the operator's signature on the manifest, checked against a pinned
// key, is for.
func Recompute(res *Results) error {
	cat := catalogue.Default()
	var rules []verdict.RuleResult
	seen := map[string]bool{}
	for _, stated := range res.Rules {
		id := stated.Rule.ID
		rule, ok := cat.Lookup(id)
		switch {
		case !ok:
			return fmt.Errorf("rule %q is not in this suite's catalogue", id)
		case seen[rule.ID]:
			return fmt.Errorf("rule %s appears twice", rule.ID)
		}
		seen[rule.ID] = true
		if d := ruleDefinitionDiff(stated.Rule, rule); d != "" {
			return fmt.Errorf("rule %s is stated with %s; this suite's catalogue says otherwise", rule.ID, d)
		}
		for _, sc := range stated.Scenarios {
			if sc.Finding != nil && sc.Finding.Status != sc.Status {
				return fmt.Errorf("%s scenario %q is stated %s but its finding says %s", rule.ID, sc.Name, sc.Status, sc.Finding.Status)
			}
			if sc.Rule != "" && !strings.EqualFold(sc.Rule, rule.ID) {
				return fmt.Errorf("%s lists scenario %q of rule %s", rule.ID, sc.Name, sc.Rule)
			}
		}
		got := recomputeRule(rule, stated, res.Target.Interfaces)
		if got.Status != stated.Status {
			return fmt.Errorf("%s is stated %s, but its scenarios make it %s", rule.ID, stated.Status, got.Status)
		}
		rules = append(rules, got)
	}
	levels := verdict.RollUpLevels(cat.Rules(), rules)
	if len(levels) != len(res.Levels) {
		return fmt.Errorf("results.json states %d levels, the roll-up gives %d", len(res.Levels), len(levels))
	}
	for i, l := range levels {
		s := res.Levels[i]
		switch {
		case s.Level != l.Level:
			return fmt.Errorf("level %d is stated as %s, not %s", i+1, s.Level, l.Level)
		case s.Outcome != l.Outcome:
			return fmt.Errorf("level %s is stated %s, but its rules make it %s", l.Level, s.Outcome, l.Outcome)
		case !slices.Equal(s.Blocking, l.Blocking) || !slices.Equal(s.Untested, l.Untested) || !slices.Equal(s.NotAssessed, l.NotAssessed):
			return fmt.Errorf("level %s names other deciding rules than its roll-up (failed %s, untested %s, not assessed %s)",
				l.Level, orNone(l.Blocking), orNone(l.Untested), orNone(l.NotAssessed))
		}
	}
	roles := verdict.RollUpRoles(rules)
	if len(roles) != len(res.Roles) {
		return fmt.Errorf("results.json states %d roles, the roll-up gives %d", len(res.Roles), len(roles))
	}
	for i, r := range roles {
		s := res.Roles[i]
		if s.Role != r.Role || s.Status != r.Status || !slices.Equal(s.Rules, r.Rules) || !slices.Equal(s.Failing, r.Failing) {
			return fmt.Errorf("role %s is stated %s (failing %s), but its rules make it %s (failing %s)",
				r.Role, s.Status, orNone(s.Failing), r.Status, orNone(r.Failing))
		}
	}
	if a := verdict.AchievedLevel(levels); a != res.AchievedLevel {
		return fmt.Errorf("achieved level is stated %s, but the levels make it %s", res.AchievedLevel, a)
	}
	var outcome verdict.LevelOutcome
	for _, l := range levels {
		if l.Level == res.ClaimedLevel {
			outcome = l.Outcome
		}
	}
	if outcome != res.Outcome {
		return fmt.Errorf("the claimed level %s is stated %s, but the levels make it %s", res.ClaimedLevel, res.Outcome, outcome)
	}
	if code := verdict.ExitCode(levels, rules, res.ClaimedLevel); code != res.ExitCode {
		return fmt.Errorf("exit code is stated %d, but the verdicts make it %d", res.ExitCode, code)
	}
	return nil
}

// recomputeRule is the runner's decision (steps.runRule): a rule of an
// interface the target does not have is not_applicable without scenarios;
// every other rule is the roll-up of its scenarios.
func recomputeRule(rule catalogue.Rule, stated verdict.RuleResult, interfaces []string) verdict.RuleResult {
	if len(stated.Scenarios) == 0 && (rule.Interface == catalogue.SOAP || rule.Interface == catalogue.REST) &&
		!slices.Contains(interfaces, string(rule.Interface)) {
		return verdict.RuleResult{Rule: rule, Status: verdict.NotApplicable, Reason: stated.Reason}
	}
	return verdict.RollUpRule(rule, stated.Scenarios)
}

// ruleDefinitionDiff names the verdict-deciding fields in which a stated
// rule differs from the catalogue's ("" when none): an edited normative word
// or level list would change the roll-up without touching a status.
func ruleDefinitionDiff(stated, cat catalogue.Rule) string {
	var d []string
	if stated.Normative != cat.Normative {
		d = append(d, fmt.Sprintf("normative %s", stated.Normative))
	}
	if !slices.Equal(stated.Levels, cat.Levels) {
		d = append(d, "other levels")
	}
	if stated.Role != cat.Role {
		d = append(d, fmt.Sprintf("role %s", stated.Role))
	}
	if stated.Interface != cat.Interface {
		d = append(d, fmt.Sprintf("interface %s", stated.Interface))
	}
	if stated.Automation != cat.Automation {
		d = append(d, fmt.Sprintf("automation %s", stated.Automation))
	}
	return strings.Join(d, ", ")
}
