package report

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/verdict"
)

// cell is what a rules × levels table shows for a rule at a level.
func cell(r verdict.RuleResult, l catalogue.Level) string {
	if !r.Rule.AppliesAt(l) {
		return "—"
	}
	return r.Status.String()
}

// Markdown renders summary.md.
func Markdown(res *Results) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# apisec result: %s\n\n", res.Target.Name)
	fmt.Fprintf(&b, "**%s**\n\n", res.Headline())
	fmt.Fprintf(&b, "- Target: %s (%s)\n", res.Target.BaseURL, strings.Join(res.Target.Interfaces, ", "))
	if res.Target.Reference {
		fmt.Fprintf(&b, "- Embedded reference target; defects: %s\n", orNone(res.Target.Defects))
	}
	fmt.Fprintf(&b, "- Run %s, %s → %s (%d ms), %d requests/handshakes, suite %s\n", res.Run.ID,
		res.Run.Started.Format("2006-01-02 15:04:05Z07:00"), res.Run.Finished.Format("15:04:05"), res.Run.DurationMS, res.Run.Requests, res.Run.SuiteVersion)
	fmt.Fprintf(&b, "- %s\n", res.SignerLine())
	if res.Scope.Kind == ScopePartial {
		fmt.Fprintf(&b, "- **Partial run**: assessed %s; a level that needs a rule it left out is not assessed\n", strings.Join(res.Scope.Selected, ", "))
		for _, n := range res.Scope.NotRun {
			fmt.Fprintf(&b, "  - %s not run: %s\n", n.Rule, n.Reason)
		}
	}
	b.WriteString("\n## Findings by severity\n\n")
	findings := res.Findings()
	for _, f := range findings {
		sev := string(f.Scenario.Severity())
		if sev == "" {
			sev = "could not test"
		}
		fmt.Fprintf(&b, "- **%s** %s [%s] — %s: %s\n", f.Rule.ID, f.Scenario.Status, sev, f.Scenario.Name, findingText(f.Scenario))
		for _, e := range f.Scenario.Evidence {
			fmt.Fprintf(&b, "  - evidence: [%s](%s)\n", e, e)
		}
	}
	for _, r := range res.Rules {
		if r.Reason != "" && len(r.Scenarios) == 0 {
			fmt.Fprintf(&b, "- **%s** %s: %s\n", r.Rule.ID, r.Status, r.Reason)
			findings = append(findings, Finding{})
		}
	}
	if len(findings) == 0 {
		b.WriteString("None.\n")
	}
	b.WriteString("\n## Levels\n\n| level | outcome | failed MUST rules | untested MUST rules | MUST rules not assessed |\n|---|---|---|---|---|\n")
	for _, l := range res.Levels {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", l.Level, l.Outcome, orNone(l.Blocking), orNone(l.Untested), orNone(l.NotAssessed))
	}
	b.WriteString("\n## Rules\n\n| rule | | role | OA | TSA | FSA | status | scenarios | automation |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range res.Rules {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | **%s** | %s | %s |\n", r.Rule.ID, r.Rule.Normative, r.Rule.Role,
			cell(r, catalogue.OA), cell(r, catalogue.TSA), cell(r, catalogue.FSA), r.Status, r.CountsText(), r.Rule.Automation)
	}
	b.WriteString("\n## Roles\n\n")
	for _, r := range res.Roles {
		fmt.Fprintf(&b, "- %s: %s (rules %s; failing %s; warnings %s)\n", r.Role.Title(), r.Status, strings.Join(r.Rules, ", "), orNone(r.Failing), orNone(r.Warning))
	}
	b.WriteString("\n## Declarations\n\n")
	if len(res.Declarations) == 0 {
		b.WriteString("None in the profile.\n")
	}
	for _, d := range res.Declarations {
		if d.Rejected != "" {
			// Only why: none of an unverified declaration's claims.
			fmt.Fprintf(&b, "- %s — REJECTED: %s\n", d.File, d.Rejected)
			continue
		}
		test := ""
		if d.Test {
			test = " (TEST declaration, throw-away key: not a declaration of conformity)"
		}
		fmt.Fprintf(&b, "- %s — %s for %s%s: valid\n", d.File, d.Statement.Role, strings.Join(d.Statement.Rules, ", "), test)
	}
	writeProvenance(&b, res)
	return b.Bytes(), nil
}

// findingText is the finding's message without repeating the scenario's
// own name: "expected … (clause), got …" for fail and warn, the reason for
// error; the probe is named only when it says more than the scenario name.
func findingText(s verdict.ScenarioResult) string {
	f := s.Finding
	if f == nil {
		return ""
	}
	var text string
	switch {
	case f.Status == verdict.Fail || f.Status == verdict.Warn:
		text = "expected " + f.Expected
		if f.Clause != "" {
			text += " (" + f.Clause + ")"
		}
		text += ", got " + f.Got
	case f.Status == verdict.Info:
		text = f.Got
	default:
		text = f.Reason
	}
	if f.Probe != "" && f.Probe != s.Name && !strings.HasPrefix(s.Name, f.Probe) {
		text = "[" + f.Probe + "] " + text
	}
	return text
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
