// Package verdict holds the closed vocabulary of outcomes and the roll-up
// from scenario to rule to role to level (docs/design.md "Verdicts").
package verdict

import "fmt"

// Status is the outcome of one scenario or one rule.
type Status int

// The statuses, in rising weight for the rule roll-up (docs/design.md "Verdicts":
// fail > error > warn > attested > pass > not_applicable): a proven
// deviation is never hidden by an untested scenario beside it.
// NotApplicable is below pass: it never hides another outcome and a rule is
// not_applicable only when all of its scenarios are. Info is outside the
// verdict altogether: a scenario that records something for the reader
// without judging it; the roll-up skips it.
const (
	Info Status = iota
	NotApplicable
	// NotAssessed: the run's scope (a profile without the section the
	// scenario needs) left it out. Any judged scenario beside it decides the
	// rule; a rule made only of these is not assessed, and so is every level
	// it counts for.
	NotAssessed
	Pass
	Attested
	Warn
	Error
	Fail
)

var statusNames = [...]string{
	Info:          "info",
	NotApplicable: "not_applicable",
	NotAssessed:   "not_assessed",
	Pass:          "pass",
	Attested:      "attested",
	Warn:          "warn",
	Error:         "error",
	Fail:          "fail",
}

func (s Status) String() string {
	if int(s) < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("status(%d)", int(s))
	}
	return statusNames[s]
}

// ParseStatus is the inverse of String.
func ParseStatus(name string) (Status, error) {
	for i, n := range statusNames {
		if n == name {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("verdict: unknown status %q", name)
}

// MarshalText writes the status name, so JSON and YAML carry words.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status name.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Satisfies reports whether a MUST rule at this status lets a level be
// achieved. Warn is by definition a SHOULD-level deviation (docs/design.md), so a
// warning inside a MUST rule never blocks a level.
func (s Status) Satisfies() bool {
	return s == Pass || s == Attested || s == Warn || s == NotApplicable
}

// Judged reports whether the status is a verdict on the target (not error,
// not a scope or information marker).
func (s Status) Judged() bool {
	return s == Pass || s == Attested || s == Warn || s == Fail || s == NotApplicable
}

// Severity ranks a fail or warn finding by what it would cost the target's
// users (docs/design.md "Verdicts"): accepting an unsigned or expired assertion is
// critical; a wrong error code is low. docs/severity.md maps each probe
// family.
type Severity string

const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Rank orders severities for sorting: critical first. Unknown is last.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 0
	case High:
		return 1
	case Medium:
		return 2
	case Low:
		return 3
	}
	return 4
}

// ParseSeverity accepts the four words.
func ParseSeverity(name string) (Severity, error) {
	s := Severity(name)
	if s.Rank() == 4 {
		return "", fmt.Errorf("verdict: unknown severity %q", name)
	}
	return s, nil
}

// DefaultSeverity is the severity of a finding whose probe family did not
// say: a MUST-level deviation is high, a SHOULD-level one low.
func DefaultSeverity(s Status) Severity {
	switch s {
	case Fail:
		return High
	case Warn:
		return Low
	}
	return ""
}
