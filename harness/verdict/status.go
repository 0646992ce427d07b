// Package verdict holds the closed vocabulary of outcomes and the roll-up
// from scenario to rule to role to level (DESIGN.md "Verdicts").
package verdict

import "fmt"

// Status is the outcome of one scenario or one rule.
type Status int

// The statuses, in rising severity for the rule roll-up (DESIGN.md: error >
// fail > warn > attested > pass). NotApplicable is below pass: it never
// hides another outcome and a rule is not_applicable only when all of its
// scenarios are.
const (
	NotApplicable Status = iota
	Pass
	Attested
	Warn
	Fail
	Error
)

var statusNames = [...]string{
	NotApplicable: "not_applicable",
	Pass:          "pass",
	Attested:      "attested",
	Warn:          "warn",
	Fail:          "fail",
	Error:         "error",
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
// achieved. Warn is by definition a SHOULD-level deviation (DESIGN.md), so a
// warning inside a MUST rule never blocks a level.
func (s Status) Satisfies() bool {
	return s == Pass || s == Attested || s == Warn || s == NotApplicable
}
