package tlsscan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
)

// Kind is the closed vocabulary of reasons a probe could not reach a TLS
// answer. Every error the scanner returns carries one, so callers decide
// "could not test" in one place.
type Kind string

const (
	KindRefused  Kind = "refused"        // nothing listening (TCP RST on connect)
	KindTimeout  Kind = "timeout"        // dial, write or read deadline passed
	KindReset    Kind = "reset"          // connection reset after connect
	KindEOF      Kind = "eof"            // peer closed in the middle of a message
	KindProtocol Kind = "protocol-error" // bytes that are not valid TLS
	KindNotTLS   Kind = "not-tls"        // the peer speaks another protocol (HTTP, SSH, ...)
	KindTooLarge Kind = "too-large"      // the peer sent more than the read bounds allow
	KindDNS      Kind = "dns"            // name did not resolve
	KindCanceled Kind = "canceled"       // the scan's context was cancelled
	KindGuard    Kind = "guard"          // the dial function refused (host not allowed, budget spent)
	KindOther    Kind = "other"
)

// Error is a classified probe or scan failure. It wraps the underlying error
// so errors.Is(err, context.DeadlineExceeded) etc. still work.
type Error struct {
	Kind Kind
	Op   string // what was being done: "dial", "write ClientHello", "read ServerHello", ...
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("tlsscan: %s: %s", e.Kind, e.Op)
	}
	return fmt.Sprintf("tlsscan: %s: %s: %v", e.Kind, e.Op, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// CauseKind lets a generic classifier (verdict.Cause) read the kind.
func (e *Error) CauseKind() string { return string(e.Kind) }

// KindOf returns the kind of any error returned by this package; errors
// from elsewhere are classified by their type.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return classify(err)
}

func protoErr(op string, format string, args ...any) *Error {
	return &Error{Kind: KindProtocol, Op: op, Err: fmt.Errorf(format, args...)}
}

func wrapErr(op string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: classify(err), Op: op, Err: err}
}

func classify(err error) Kind {
	var (
		dnsErr *net.DNSError
		netErr net.Error
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return KindTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return KindReset
	case errors.As(err, &dnsErr):
		return KindDNS
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindEOF
	case errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	}
	return KindOther
}
