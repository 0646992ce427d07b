package tlsscan

import (
	"errors"
	"fmt"
	"github.com/apisec/apisec/harness/cause"
)

// Kind is the one "could not test" vocabulary (harness/cause); every error
// the scanner returns carries one, so callers decide in one place.
type Kind = cause.Kind

const (
	KindRefused  = cause.Refused
	KindTimeout  = cause.Timeout
	KindReset    = cause.Reset
	KindEOF      = cause.EOF
	KindProtocol = cause.Protocol
	KindNotTLS   = cause.NotTLS
	KindTooLarge = cause.TooLarge
	KindDNS      = cause.DNS
	KindCanceled = cause.Canceled
	KindGuard    = cause.Guard
	KindOther    = cause.Other
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
		return fmt.Sprintf("%s: %s", e.Kind, e.Op)
	}
	return fmt.Sprintf("%s: %s: %v", e.Kind, e.Op, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// CauseKind lets the generic classifier (cause.Of) read the kind.
func (e *Error) CauseKind() cause.Kind { return e.Kind }

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

func classify(err error) Kind { return cause.Of(err) }
