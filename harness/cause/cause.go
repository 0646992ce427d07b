// Package cause is the one closed vocabulary of "could not test": why a probe
// got no answer it could judge. Every harness package classifies its errors
// with it and the reports print its words, so one failure is named one way
// everywhere (zgrab2's connection-error kinds are the model).
package cause

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
)

// Kind names why the suite could not observe an answer.
type Kind string

const (
	Refused  Kind = "refused"        // nothing listening (TCP RST on connect)
	Timeout  Kind = "timeout"        // a dial, write or read deadline passed
	Reset    Kind = "reset"          // connection reset or broken pipe after connect
	EOF      Kind = "eof"            // the peer closed in the middle of a message
	DNS      Kind = "dns"            // the name did not resolve
	Canceled Kind = "canceled"       // the run was cancelled
	Protocol Kind = "protocol-error" // bytes that are not valid for the protocol spoken
	NotTLS   Kind = "not-tls"        // the peer speaks another protocol on a TLS port
	TooLarge Kind = "too-large"      // the peer sent more than the read bounds allow
	Guard    Kind = "guard"          // the suite's own conduct guard refused (host not allowed, budget spent)
	HTTP     Kind = "http"           // an HTTP exchange failed below the status line
	Missing  Kind = "missing-data"   // the profile or an earlier probe did not provide what this check needs
	Other    Kind = "could-not-test" // anything else; never a verdict
)

// Transient reports whether a probe that ended this way may succeed when
// retried: silence is not an answer (docs/design.md "Verdicts").
func (k Kind) Transient() bool {
	switch k {
	case Timeout, Reset, EOF:
		return true
	}
	return false
}

// Named is implemented by errors that carry their own Kind.
type Named interface{ CauseKind() Kind }

// Of classifies any error. An error that names its kind (Named) wins; then
// the standard library's error types decide.
func Of(err error) Kind {
	if err == nil {
		return ""
	}
	var named Named
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
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return Timeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return Refused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return Reset
	case errors.As(err, &dnsErr):
		return DNS
	case errors.As(err, &recordErr), errors.As(err, &alertErr):
		return Protocol
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return EOF
	case errors.As(err, &netErr) && netErr.Timeout():
		return Timeout
	case errors.As(err, &urlErr):
		return HTTP
	case strings.HasPrefix(err.Error(), "tls:"):
		return Protocol
	}
	return Other
}

// Describe is "kind: message", without repeating the kind when the message
// already starts with it.
func Describe(err error) string {
	if err == nil {
		return "no error"
	}
	k := string(Of(err))
	msg := err.Error()
	if strings.HasPrefix(msg, k+":") || strings.HasPrefix(msg, k+" ") {
		return msg
	}
	return k + ": " + msg
}
