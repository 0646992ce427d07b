package report

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/apisec/apisec/harness/verdict"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// JUnit renders junit.xml: one suite per rule, one test case per scenario;
// the class name carries the rule id and its levels so CI shows them. A
// warning passes with its text in system-out (it never blocks a level); a
// rule with no scenario is one errored case stating why.
func JUnit(res *Results) ([]byte, error) {
	out := junitSuites{Name: "apisec " + res.Target.Name}
	if res.Scope.Kind == ScopePartial {
		out.Name += " (partial run: " + strings.Join(res.Scope.Selected, ",") + ")"
	}
	for _, r := range res.Rules {
		levels := make([]string, len(r.Rule.Levels))
		for i, l := range r.Rule.Levels {
			levels[i] = l.String()
		}
		class := fmt.Sprintf("%s[%s][%s]", r.Rule.ID, strings.Join(levels, ","), r.Rule.Normative)
		s := junitSuite{Name: r.Rule.ID + " " + r.Rule.Title, Properties: []junitProperty{
			{"rule", r.Rule.ID}, {"normative", string(r.Rule.Normative)}, {"levels", strings.Join(levels, " ")},
			{"role", string(r.Rule.Role)}, {"status", r.Status.String()},
		}}
		scenarios := r.Scenarios
		if len(scenarios) == 0 {
			scenarios = []verdict.ScenarioResult{{Name: r.Rule.ID + " " + r.Status.String(), Status: r.Status,
				Finding: &verdict.Finding{Status: r.Status, Reason: r.Reason}}}
		}
		for _, sc := range scenarios {
			c := junitCase{Name: sc.Name, Classname: class, Time: fmt.Sprintf("%.3f", sc.Duration.Seconds())}
			msg := findingText(sc)
			switch sc.Status {
			case verdict.Fail:
				c.Failure = &junitProblem{Message: msg, Type: "fail/" + string(sc.Severity()), Text: msg}
				s.Failures++
			case verdict.Error:
				c.Error = &junitProblem{Message: msg, Type: "could-not-test", Text: msg}
				s.Errors++
			case verdict.NotApplicable:
				c.Skipped = &junitProblem{Message: "not applicable: " + msg}
				s.Skipped++
			case verdict.Warn:
				c.SystemOut = "WARN [" + string(sc.Severity()) + "] (SHOULD-level deviation, does not block a level): " + msg
			case verdict.NotAssessed:
				c.Skipped = &junitProblem{Message: "not assessed: " + msg}
				s.Skipped++
			case verdict.Info:
				c.SystemOut = "INFO (outside the verdict): " + msg
			case verdict.Attested:
				c.SystemOut = "ATTESTED by " + sc.Attestation
			}
			if len(sc.Evidence) > 0 {
				c.SystemOut = strings.TrimSpace(c.SystemOut + "\nevidence: " + strings.Join(sc.Evidence, " "))
			}
			s.Cases = append(s.Cases, c)
			s.Tests++
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	for _, n := range res.Scope.NotRun {
		// A rule the scope left out is visible in CI as skipped, never absent.
		out.Suites = append(out.Suites, junitSuite{Name: n.Rule + " (not run)", Tests: 1, Skipped: 1,
			Properties: []junitProperty{{"rule", n.Rule}, {"status", "not_assessed"}},
			Cases:      []junitCase{{Name: n.Rule + " not assessed", Classname: n.Rule, Time: "0.000", Skipped: &junitProblem{Message: "not assessed: " + n.Reason}}}})
		out.Tests++
		out.Skipped++
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}
