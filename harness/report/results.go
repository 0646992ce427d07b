// Package report writes a run's results: results.json (the versioned record
// everything else is rendered from), summary.md, junit.xml, cucumber.json,
// report.html, declaration.json (zorgapis.nl shape), evidence/ with secrets
// redacted, and a manifest of hashes signed by a per-run key.
package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/trust"
	"github.com/apisec/apisec/harness/verdict"
)

// Schema names the version of results.json (documented in docs/results-schema.md).
const Schema = "apisec.results/v2"

// Results is the content of results.json.
type Results struct {
	Schema string `json:"schema"`
	Run    Run    `json:"run"`
	Target Target `json:"target"`
	// Scope says which rules the run assessed; levels it left out are
	// not_assessed, never achieved.
	Scope Scope `json:"scope"`
	// ClaimedLevel is the level the exit code is decided on.
	ClaimedLevel catalogue.Level `json:"claimed_level"`
	// AchievedLevel is the highest achieved level or "none".
	AchievedLevel string `json:"achieved_level"`
	// Outcome is the claimed level's outcome.
	Outcome      verdict.LevelOutcome  `json:"outcome"`
	ExitCode     int                   `json:"exit_code"`
	Levels       []verdict.LevelResult `json:"levels"`
	Roles        []verdict.RoleResult  `json:"roles"`
	Rules        []verdict.RuleResult  `json:"rules"`
	Declarations []declare.Checked     `json:"declarations"`
	// Trust lists the anchors that decided (TLS roots, role keys), where
	// each came from, and which TLS trust decisions rested on which.
	Trust *trust.Report `json:"trust,omitempty"`
}

// Run describes the run itself.
type Run struct {
	ID           string    `json:"id"`
	SuiteVersion string    `json:"suite_version"`
	Started      time.Time `json:"started"`
	Finished     time.Time `json:"finished"`
	DurationMS   int64     `json:"duration_ms"`
	// Requests counts requests and handshakes sent to the target.
	Requests    int64  `json:"requests"`
	TLSEdition  string `json:"tls_guideline"`
	ProfileHash string `json:"profile_sha256,omitempty"`
	// ManifestKey is the RFC 7638 thumbprint of the key that signs the
	// folder's manifest; ManifestKeyOrigin says whether it is the
	// operator's persistent key or one made for this run (sign.go).
	ManifestKey       string `json:"manifest_key,omitempty"`
	ManifestKeyOrigin string `json:"manifest_key_origin,omitempty"`
}

// Scope kinds.
const (
	ScopeFull    = "full"
	ScopePartial = "partial"
)

// Scope is what the run set out to assess.
type Scope struct {
	// Kind is "full" (every catalogue rule) or "partial".
	Kind string `json:"kind"`
	// Selected are the rule ids that ran.
	Selected []string `json:"selected"`
	// NotRun are the catalogue's rules left out, each with why.
	NotRun []NotRun `json:"not_run,omitempty"`
}

// NotRun is a rule the run did not assess.
type NotRun struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// NewScope describes a run of the selected rules out of the catalogue; why
// names the selection ("--rules SC003", "--level OA").
func NewScope(all []catalogue.Rule, selected []catalogue.Rule, why string) Scope {
	sc := Scope{Kind: ScopeFull, Selected: []string{}}
	for _, r := range selected {
		sc.Selected = append(sc.Selected, r.ID)
	}
	for _, r := range all {
		if !slices.Contains(sc.Selected, r.ID) {
			sc.Kind = ScopePartial
			sc.NotRun = append(sc.NotRun, NotRun{Rule: r.ID, Reason: "not selected (" + why + ")"})
		}
	}
	return sc
}

// Target describes the deployment under test.
type Target struct {
	Name       string   `json:"name"`
	BaseURL    string   `json:"base_url"`
	Interfaces []string `json:"interfaces"`
	// Reference is true when the embedded reference target was tested.
	Reference bool     `json:"reference,omitempty"`
	Defects   []string `json:"reference_defects,omitempty"`
}

// Build rolls levels and roles up from the rule results over the whole
// catalogue (a rule the scope left out leaves its levels not assessed) and
// fills the decision fields.
func Build(run Run, target Target, scope Scope, claimed catalogue.Level, rules []verdict.RuleResult, decls []declare.Checked) *Results {
	levels := verdict.RollUpLevels(catalogue.Default().Rules(), rules)
	r := &Results{
		Schema: Schema, Run: run, Target: target, Scope: scope, ClaimedLevel: claimed,
		AchievedLevel: verdict.AchievedLevel(levels),
		Levels:        levels, Roles: verdict.RollUpRoles(rules), Rules: rules, Declarations: decls,
		ExitCode: verdict.ExitCode(levels, rules, claimed),
	}
	for _, l := range levels {
		if l.Level == claimed {
			r.Outcome = l.Outcome
		}
	}
	if r.Declarations == nil {
		r.Declarations = []declare.Checked{}
	}
	return r
}

// Headline is the run's verdict in one line, the same in the CLI, summary.md
// and report.html. A partial run says so first and never names a level it
// did not assess.
func (r *Results) Headline() string {
	var b strings.Builder
	if r.Scope.Kind == ScopePartial {
		fmt.Fprintf(&b, "PARTIAL RUN (%d of %d rules: %s) — ", len(r.Scope.Selected), len(r.Scope.Selected)+len(r.Scope.NotRun), strings.Join(r.Scope.Selected, ", "))
	}
	fmt.Fprintf(&b, "achieved level %s; claimed %s %s", r.AchievedLevel, r.ClaimedLevel, r.Outcome)
	if na := r.LevelsNotAssessed(); len(na) > 0 {
		fmt.Fprintf(&b, "; not assessed: %s", strings.Join(na, ", "))
	}
	fmt.Fprintf(&b, " (exit %d)", r.ExitCode)
	return b.String()
}

// LevelsNotAssessed names the levels the run's scope left undecided.
func (r *Results) LevelsNotAssessed() []string {
	var out []string
	for _, l := range r.Levels {
		if l.Outcome == verdict.LevelNotAssessed {
			out = append(out, l.Level.String())
		}
	}
	return out
}

// FailedRules are the selected rules that failed, MUST first; they are what
// a one-line summary names, never hidden behind errors beside them.
func (r *Results) FailedRules() (must, should []string) {
	for _, rr := range r.Rules {
		switch {
		case rr.Status == verdict.Fail:
			must = append(must, rr.Rule.ID)
		case rr.Status == verdict.Warn && rr.Rule.Normative == catalogue.Should && hasStatus(rr, verdict.Fail):
			should = append(should, rr.Rule.ID)
		}
	}
	return must, should
}

// UntestedRules names the selected rules with scenarios that could not be
// tested, with their count ("SC003 (3 scenarios)"), also where a failure
// beside them decided the rule.
func (r *Results) UntestedRules() []string {
	var out []string
	for _, rr := range r.Rules {
		n := 0
		for _, sc := range rr.Scenarios {
			if sc.Status == verdict.Error {
				n++
			}
		}
		switch {
		case n > 0:
			out = append(out, fmt.Sprintf("%s (%d scenario(s))", rr.Rule.ID, n))
		case rr.Status == verdict.Error:
			out = append(out, rr.Rule.ID)
		}
	}
	return out
}

func hasStatus(rr verdict.RuleResult, s verdict.Status) bool {
	for _, sc := range rr.Scenarios {
		if sc.Status == s {
			return true
		}
	}
	return false
}

// Finding is one scenario that failed, warned or could not be tested, with
// its rule, in the order a reader should see them.
type Finding struct {
	Rule     catalogue.Rule
	Scenario verdict.ScenarioResult
}

// Findings lists fail and warn scenarios by severity (critical first), then
// could-not-test scenarios; within one rank in rule order.
func (r *Results) Findings() []Finding {
	var out []Finding
	for _, rr := range r.Rules {
		for _, s := range rr.Scenarios {
			if s.Status == verdict.Fail || s.Status == verdict.Warn || s.Status == verdict.Error {
				out = append(out, Finding{Rule: rr.Rule, Scenario: s})
			}
		}
	}
	rank := func(f Finding) int {
		switch f.Scenario.Status {
		case verdict.Fail:
			return f.Scenario.Severity().Rank()
		case verdict.Warn:
			return 10 + f.Scenario.Severity().Rank()
		}
		return 20
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return rank(a) - rank(b) })
	return out
}
