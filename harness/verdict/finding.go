package verdict

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
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
}

func (f *Finding) Error() string {
	switch {
	case f.Status == Fail || f.Status == Warn:
		msg := fmt.Sprintf("%s: expected %s", f.Probe, f.Expected)
		if f.Clause != "" {
			msg += " (" + f.Clause + ")"
		}
		return msg + ", got " + f.Got
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

// CouldNotTest says the suite could not reach a verdict (unreachable, timeout,
// garbage). It is never a failure.
func CouldNotTest(probe string, err error) error {
	return &Finding{Status: Error, Probe: probe, Reason: Cause(err)}
}

// CouldNotTestf is CouldNotTest with a formatted reason.
func CouldNotTestf(probe, format string, args ...any) error {
	return &Finding{Status: Error, Probe: probe, Reason: fmt.Sprintf(format, args...)}
}

// Classify is the one place that decides what an error from a probe means.
// nil is pass; a Finding is its own status; everything else — network
// failures, deadlines, parse errors, bugs in a step — is error, so nothing
// unforeseen can turn into a fail or a pass.
func Classify(err error) (Status, *Finding) {
	if err == nil {
		return Pass, nil
	}
	var f *Finding
	if errors.As(err, &f) {
		return f.Status, f
	}
	return Error, &Finding{Status: Error, Reason: Cause(err)}
}

// Cause names why a target could not be tested, in the closed vocabulary
// zgrab2 uses (refused, timeout, reset, dns, tls-protocol, eof), followed by
// the underlying message.
func Cause(err error) string {
	if err == nil {
		return "no error"
	}
	return causeKind(err) + ": " + err.Error()
}

func causeKind(err error) string {
	// A harness package that has its own closed vocabulary (the TLS
	// scanner's refused/timeout/protocol-error/not-tls/...) names the kind.
	var named interface{ CauseKind() string }
	if errors.As(err, &named) {
		return named.CauseKind()
	}
	var (
		dnsErr    *net.DNSError
		netErr    net.Error
		recordErr tls.RecordHeaderError
		alertErr  tls.AlertError
		urlErr    *url.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection-refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection-reset"
	case errors.As(err, &dnsErr):
		return "dns"
	case errors.As(err, &recordErr), errors.As(err, &alertErr):
		return "tls-protocol"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "eof"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.As(err, &urlErr):
		return "http"
	case strings.HasPrefix(err.Error(), "tls:"):
		return "tls-protocol"
	default:
		return "could-not-test"
	}
}
