package verdict

import (
	"errors"
	"fmt"

	"github.com/apisec/apisec/harness/cause"
)

// Finding is what a probe concluded when it did not simply pass. Steps return
// it as an error so godog stops the scenario; Classify turns it back into a
// status. Only a Finding can make a scenario fail or warn: any other error is
// "could not test".
type Finding struct {
	Status Status `json:"status"`
	// Probe names the named mutation or check ("assertion with exp in the past").
	Probe string `json:"probe,omitempty"`
	// Expected is what the spec demands, Clause where it demands it.
	Expected string `json:"expected,omitempty"`
	Clause   string `json:"clause,omitempty"`
	// Got is what came back.
	Got string `json:"got,omitempty"`
	// Reason explains error and not_applicable outcomes.
	Reason string `json:"reason,omitempty"`
	// Severity ranks a fail or warn (critical, high, medium, low).
	Severity Severity `json:"severity,omitempty"`
	// Cause is the could-not-test kind of an error outcome.
	Cause cause.Kind `json:"cause,omitempty"`
}

func (f *Finding) Error() string {
	switch {
	case f.Status == Fail || f.Status == Warn:
		msg := fmt.Sprintf("%s: expected %s", f.Probe, f.Expected)
		if f.Clause != "" {
			msg += " (" + f.Clause + ")"
		}
		return msg + ", got " + f.Got
	case f.Status == Info:
		return f.Probe + ": " + f.Got
	case f.Probe != "":
		return f.Probe + ": " + f.Reason
	default:
		return f.Reason
	}
}

// Deviation is a MUST-level failure: the target did not do what the clause demands.
func Deviation(probe, expected, clause, got string) error {
	return &Finding{Status: Fail, Probe: probe, Expected: expected, Clause: clause, Got: got}
}

// Warning is a SHOULD-level deviation; it never blocks a level.
func Warning(probe, expected, clause, got string) error {
	return &Finding{Status: Warn, Probe: probe, Expected: expected, Clause: clause, Got: got}
}

// Inapplicable says the scenario does not apply to this target (a SOAP probe
// against a REST-only API), with the reason from the profile.
func Inapplicable(reason string) error {
	return &Finding{Status: NotApplicable, Reason: reason}
}

// OutOfScope says the profile does not give what the scenario needs (no
// oauth section for a REST target): the scenario is not assessed, and a rule
// made only of such scenarios leaves its levels not assessed.
func OutOfScope(reason string) error {
	return &Finding{Status: NotAssessed, Reason: reason}
}

// CouldNotTest says the suite could not reach a verdict (unreachable, timeout,
// garbage). It is never a failure.
func CouldNotTest(probe string, err error) error {
	return &Finding{Status: Error, Probe: probe, Reason: Cause(err), Cause: cause.Of(err)}
}

// WithSeverity sets the severity of a fail or warn Finding and returns it;
// any other error passes through unchanged.
func WithSeverity(err error, s Severity) error {
	var f *Finding
	if errors.As(err, &f) && (f.Status == Fail || f.Status == Warn) {
		f.Severity = s
	}
	return err
}

// Noted records an observation outside the verdict (the roll-up skips it).
func Noted(probe, got string) error {
	return &Finding{Status: Info, Probe: probe, Got: got}
}

// CouldNotTestf is CouldNotTest with a formatted reason.
func CouldNotTestf(probe, format string, args ...any) error {
	return &Finding{Status: Error, Probe: probe, Reason: fmt.Sprintf(format, args...)}
}

// Classify is the one place that decides what an error from a probe means.
// nil is pass; a Finding is its own status; everything else — network
// failures, deadlines, parse errors, bugs in a step — is error, so nothing
// unforeseen can turn into a fail or a pass. A fail or warn finding always
// leaves with a severity.
func Classify(err error) (Status, *Finding) {
	if err == nil {
		return Pass, nil
	}
	var f *Finding
	if errors.As(err, &f) {
		if f.Severity == "" && DefaultSeverity(f.Status) != "" {
			// A copy: one Finding may be shared by several probes that
			// are classified concurrently.
			c := *f
			c.Severity = DefaultSeverity(f.Status)
			return c.Status, &c
		}
		return f.Status, f
	}
	return Error, &Finding{Status: Error, Reason: Cause(err), Cause: cause.Of(err)}
}

// Cause names why a target could not be tested, in the one closed
// vocabulary (harness/cause), followed by the underlying message.
func Cause(err error) string { return cause.Describe(err) }
