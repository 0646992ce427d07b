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

// Severity is the finding's severity for fail and warn, else empty.
func (s ScenarioResult) Severity() Severity {
	if s.Status != Fail && s.Status != Warn {
		return ""
	}
	if s.Finding != nil && s.Finding.Severity != "" {
		return s.Finding.Severity
	}
	return DefaultSeverity(s.Status)
}

// RuleResult is a rule's outcome: the worst of its scenarios.
type RuleResult struct {
	Rule      catalogue.Rule   `json:"rule"`
	Status    Status           `json:"status"`
	Reason    string           `json:"reason,omitempty"`
	Scenarios []ScenarioResult `json:"scenarios"`
}

// RollUpRule decides a rule from its scenarios (docs/design.md "Verdicts"): the
// worst status in the order fail > error > warn > attested > pass >
// not_assessed > not_applicable, so a proven deviation is never hidden by an
// untested scenario beside it; info scenarios do not count; a rule whose
// every scenario is not_applicable is not_applicable; a SHOULD rule turns
// fail into warn. A rule with no judged scenario could not be tested: error,
// with the catalogue's reason when it is not automated yet.
func RollUpRule(rule catalogue.Rule, scenarios []ScenarioResult) RuleResult {
	rr := RuleResult{Rule: rule, Scenarios: scenarios}
	counted := 0
	worst := NotApplicable
	for _, s := range scenarios {
		if s.Status == Info {
			continue
		}
		counted++
		worst = max(worst, s.Status)
	}
	if counted == 0 {
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
	if rule.Automation == catalogue.NotAutomated && worst != NotApplicable && worst != Error && worst != NotAssessed {
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
	if worst == Fail && has(scenarios, Error) {
		rr.Reason = "failed; some scenarios could not be tested as well"
	}
	if worst == NotAssessed {
		rr.Reason = firstReason(scenarios, NotAssessed)
	}
	rr.Status = worst
	return rr
}

func has(scenarios []ScenarioResult, s Status) bool {
	return slices.ContainsFunc(scenarios, func(x ScenarioResult) bool { return x.Status == s })
}

func firstReason(scenarios []ScenarioResult, s Status) string {
	for _, x := range scenarios {
		if x.Status == s && x.Finding != nil && x.Finding.Reason != "" {
			return x.Finding.Reason
		}
	}
	return ""
}

// LevelOutcome says whether a level is achieved.
type LevelOutcome string

const (
	Achieved    LevelOutcome = "achieved"
	NotAchieved LevelOutcome = "not_achieved"
	Incomplete  LevelOutcome = "incomplete"
	// NotAssessed: the run's scope left out a MUST rule that counts at this
	// level; a partial run never claims such a level.
	LevelNotAssessed LevelOutcome = "not_assessed"
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
	// NotAssessed are the MUST rules the run's scope left out.
	NotAssessed []string `json:"not_assessed,omitempty"`
}

// RollUpLevels decides every level over the whole catalogue: achieved when
// each MUST rule that counts at that level or below was run and is pass or
// attested (or not_applicable, or warn: a SHOULD-level deviation inside it);
// not achieved when one failed; incomplete when nothing failed but one is
// error; not assessed when nothing failed or errored but the scope left one
// out (not selected, or not_assessed). SHOULD rules never decide a level.
func RollUpLevels(catalogueRules []catalogue.Rule, rules []RuleResult) []LevelResult {
	byID := make(map[string]RuleResult, len(rules))
	for _, r := range rules {
		byID[r.Rule.ID] = r
	}
	out := make([]LevelResult, 0, len(catalogue.Levels))
	for _, level := range catalogue.Levels {
		lr := LevelResult{Level: level}
		for _, rule := range catalogueRules {
			if rule.Normative != catalogue.Must || !appliesAtOrBelow(rule, level) {
				continue
			}
			r, ran := byID[rule.ID]
			switch {
			case !ran || r.Status == NotAssessed:
				lr.NotAssessed = append(lr.NotAssessed, rule.ID)
			case r.Status == Fail:
				lr.Blocking = append(lr.Blocking, rule.ID)
			case r.Status == Error:
				lr.Untested = append(lr.Untested, rule.ID)
			}
		}
		switch {
		case len(lr.Blocking) > 0:
			lr.Outcome = NotAchieved
		case len(lr.Untested) > 0:
			lr.Outcome = Incomplete
		case len(lr.NotAssessed) > 0:
			lr.Outcome = LevelNotAssessed
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

// AchievedLevel is the highest achieved level, or "none". Levels nest, so
// the first level that is not achieved ends the climb.
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

// Exit codes (docs/design.md): 0 claimed level achieved, 1 not achieved, 2 usage
// or configuration error, 3 incomplete.
const (
	ExitAchieved    = 0
	ExitNotAchieved = 1
	ExitUsage       = 2
	ExitIncomplete  = 3
)

// ExitCode decides the run's exit code (docs/design.md "Verdicts"). When the
// claimed level was assessed its outcome decides. When the scope left it
// out (a partial run), the selected rules decide: 1 when a selected MUST
// rule failed, 3 when one could not be tested, 0 otherwise. In every case a
// run in which nothing selected could be tested exits 3.
func ExitCode(levels []LevelResult, rules []RuleResult, claimed catalogue.Level) int {
	if nothingTested(rules) {
		return ExitIncomplete
	}
	for _, l := range levels {
		if l.Level != claimed {
			continue
		}
		switch l.Outcome {
		case Achieved:
			return ExitAchieved
		case Incomplete:
			return ExitIncomplete
		case NotAchieved:
			return ExitNotAchieved
		case LevelNotAssessed:
			return partialExit(rules)
		}
	}
	return ExitUsage
}

func partialExit(rules []RuleResult) int {
	code := ExitAchieved
	for _, r := range rules {
		if r.Rule.Normative != catalogue.Must {
			continue
		}
		switch r.Status {
		case Fail:
			return ExitNotAchieved
		case Error:
			code = ExitIncomplete
		}
	}
	return code
}

// nothingTested: no selected rule reached a verdict (all error or not
// assessed). An empty run tested nothing either.
func nothingTested(rules []RuleResult) bool {
	for _, r := range rules {
		if r.Status.Judged() {
			return false
		}
	}
	return true
}

// RoleResult gathers the rules one role answers for.
type RoleResult struct {
	Role   catalogue.Role `json:"role"`
	Status Status         `json:"status"`
	Rules  []string       `json:"rules"`
	// Failing are the role's rules that failed; Warning those that only
	// warned (a SHOULD-level deviation is not a failure).
	Failing []string `json:"failing,omitempty"`
	Warning []string `json:"warning,omitempty"`
}

// Counts tallies a rule's scenarios by status ("75 probes, 6 fail, 4 warn").
func (r RuleResult) Counts() map[Status]int {
	out := map[Status]int{}
	for _, s := range r.Scenarios {
		out[s.Status]++
	}
	return out
}

// CountsText is Counts in words, worst first, zero counts left out.
func (r RuleResult) CountsText() string {
	c := r.Counts()
	text := fmt.Sprintf("%d scenario(s)", len(r.Scenarios))
	for _, st := range []Status{Fail, Error, Warn, Attested, Pass, NotAssessed, NotApplicable, Info} {
		if c[st] > 0 {
			text += fmt.Sprintf(", %d %s", c[st], st)
		}
	}
	return text
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
			switch r.Status {
			case Fail:
				rr.Failing = append(rr.Failing, r.Rule.ID)
			case Warn:
				rr.Warning = append(rr.Warning, r.Rule.ID)
			}
		}
		if len(rr.Rules) > 0 {
			out = append(out, rr)
		}
	}
	return out
}
