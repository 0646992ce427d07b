package verdict

import (
	"fmt"
	"slices"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
)

// ScenarioResult is one probe's outcome.
type ScenarioResult struct {
	Rule     string        `json:"rule"`
	Feature  string        `json:"feature"`
	Name     string        `json:"name"`
	Status   Status        `json:"status"`
	Finding  *Finding      `json:"finding,omitempty"`
	Notes    []string      `json:"notes,omitempty"`
	Evidence []string      `json:"evidence,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	// Attestation names the declaration file that covers an attested scenario.
	Attestation string `json:"attestation,omitempty"`
}

// RuleResult is a rule's outcome: the worst of its scenarios.
type RuleResult struct {
	Rule      catalogue.Rule   `json:"rule"`
	Status    Status           `json:"status"`
	Reason    string           `json:"reason,omitempty"`
	Scenarios []ScenarioResult `json:"scenarios"`
}

// RollUpRule decides a rule from its scenarios (DESIGN.md "Verdicts"): the
// worst status in the order error > fail > warn > attested > pass; a rule
// whose every scenario is not_applicable is not_applicable; a SHOULD rule
// turns fail into warn. A rule with no scenario could not be tested: error,
// with the catalogue's reason when it is not automated yet.
func RollUpRule(rule catalogue.Rule, scenarios []ScenarioResult) RuleResult {
	rr := RuleResult{Rule: rule, Scenarios: scenarios}
	if len(scenarios) == 0 {
		rr.Status = Error
		if rule.Automation == catalogue.NotAutomated {
			rr.Reason = "not yet automated: " + rule.Reason
			if rule.Issue != 0 {
				rr.Reason += fmt.Sprintf(" (issue #%d)", rule.Issue)
			}
		} else {
			rr.Reason = "no scenario of this rule ran"
		}
		return rr
	}
	worst := NotApplicable
	for _, s := range scenarios {
		worst = max(worst, s.Status)
	}
	if rule.Automation == catalogue.NotAutomated && worst != NotApplicable && worst != Error {
		// The catalogue is the authority: a rule it calls not automated
		// never reports pass, whatever scenarios exist for it.
		rr.Status = Error
		rr.Reason = "not yet automated: " + rule.Reason
		return rr
	}
	if worst == Fail && rule.Normative == catalogue.Should {
		worst = Warn
		rr.Reason = "SHOULD rule: failures count as warnings"
	}
	rr.Status = worst
	return rr
}

// LevelOutcome says whether a level is achieved.
type LevelOutcome string

const (
	Achieved    LevelOutcome = "achieved"
	NotAchieved LevelOutcome = "not_achieved"
	Incomplete  LevelOutcome = "incomplete"
)

// LevelResult is one standardization level's outcome with the MUST rules
// that decided it.
type LevelResult struct {
	Level   catalogue.Level `json:"level"`
	Outcome LevelOutcome    `json:"outcome"`
	// Blocking are the MUST rules that failed at this level.
	Blocking []string `json:"blocking,omitempty"`
	// Untested are the MUST rules that could not be decided at this level.
	Untested []string `json:"untested,omitempty"`
}

// RollUpLevels decides every level: achieved when each MUST rule that
// applies at it (the catalogue's level sets nest, so "at that level or
// below" is "at that level") is pass or attested — or not_applicable, or
// warn (a SHOULD-level deviation inside it); not achieved when one failed;
// incomplete when nothing failed but something is error. SHOULD rules
// never decide a level.
func RollUpLevels(rules []RuleResult) []LevelResult {
	out := make([]LevelResult, 0, len(catalogue.Levels))
	for _, level := range catalogue.Levels {
		lr := LevelResult{Level: level}
		for _, r := range rules {
			if r.Rule.Normative != catalogue.Must || !appliesAtOrBelow(r.Rule, level) {
				continue
			}
			switch r.Status {
			case Fail:
				lr.Blocking = append(lr.Blocking, r.Rule.ID)
			case Error:
				lr.Untested = append(lr.Untested, r.Rule.ID)
			}
		}
		switch {
		case len(lr.Blocking) > 0:
			lr.Outcome = NotAchieved
		case len(lr.Untested) > 0:
			lr.Outcome = Incomplete
		default:
			lr.Outcome = Achieved
		}
		out = append(out, lr)
	}
	return out
}

func appliesAtOrBelow(r catalogue.Rule, level catalogue.Level) bool {
	return slices.ContainsFunc(r.Levels, func(l catalogue.Level) bool { return l <= level })
}

// AchievedLevel is the highest achieved level, or "none".
func AchievedLevel(levels []LevelResult) string {
	best := "none"
	for _, l := range levels {
		if l.Outcome != Achieved {
			break
		}
		best = l.Level.String()
	}
	return best
}

// Exit codes (DESIGN.md): 0 claimed level achieved, 1 not achieved, 2 usage
// or configuration error, 3 incomplete.
const (
	ExitAchieved    = 0
	ExitNotAchieved = 1
	ExitUsage       = 2
	ExitIncomplete  = 3
)

// ExitCode decides the run's exit code from the claimed level's outcome.
func ExitCode(levels []LevelResult, claimed catalogue.Level) int {
	for _, l := range levels {
		if l.Level != claimed {
			continue
		}
		switch l.Outcome {
		case Achieved:
			return ExitAchieved
		case Incomplete:
			return ExitIncomplete
		default:
			return ExitNotAchieved
		}
	}
	return ExitUsage
}

// RoleResult gathers the rules one role answers for.
type RoleResult struct {
	Role   catalogue.Role `json:"role"`
	Status Status         `json:"status"`
	Rules  []string       `json:"rules"`
	// Failing are the role's rules that failed or warned.
	Failing []string `json:"failing,omitempty"`
}

// RollUpRoles gives each role the worst status of its rules.
func RollUpRoles(rules []RuleResult) []RoleResult {
	var out []RoleResult
	for _, role := range catalogue.Roles {
		rr := RoleResult{Role: role, Status: NotApplicable}
		for _, r := range rules {
			if r.Rule.Role != role {
				continue
			}
			rr.Rules = append(rr.Rules, r.Rule.ID)
			rr.Status = max(rr.Status, r.Status)
			if r.Status == Fail || r.Status == Warn {
				rr.Failing = append(rr.Failing, r.Rule.ID)
			}
		}
		if len(rr.Rules) > 0 {
			out = append(out, rr)
		}
	}
	return out
}
