// Package syslog is the suite's own syslog receiver for the run: RFC 5424
// messages over TLS (RFC 5425) with mutual TLS, framed by octet counting
// (RFC 5425 §4.3, RFC 6587 §3.4.1) or, when the profile says so, by the
// non-transparent LF trailer (RFC 6587 §3.4.2). It binds loopback or the
// address the profile names, keeps every record it accepts, and counts what
// it rejects (bad frames, oversized messages, senders without a valid
// client certificate, senders that drop mid-frame) without stopping.
//
// RFC 5424 messages are parsed by github.com/leodido/go-syslog/v4. The two
// framings are read here, not by that library's octetcounting and
// nontransparent parsers, because the receiver must tell apart and count
// each way a frame goes wrong (too large, bad length, sender gone
// mid-frame, read deadline) and bound memory before it reads a byte of the
// frame; those parsers report all of it as formatted strings, read the
// deadline of a stalled sender as a clean end of stream, and stop the
// stream at the first malformed message.
package syslog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Framing is how messages are delimited on the stream.
type Framing string

const (
	// OctetCounting is "MSG-LEN SP SYSLOG-MSG" (RFC 5425 §4.3, RFC 6587
	// §3.4.1), the framing RFC 5425 requires.
	OctetCounting Framing = "octet-counting"
	// NonTransparent ends each message with LF (RFC 6587 §3.4.2); a message
	// cannot contain LF, so multi-line XML must be sent on one line.
	NonTransparent Framing = "non-transparent"
)

// ParseFraming reads a profile value; empty means octet counting.
func ParseFraming(s string) (Framing, error) {
	switch Framing(s) {
	case "", OctetCounting:
		return OctetCounting, nil
	case NonTransparent:
		return NonTransparent, nil
	}
	return "", fmt.Errorf("syslog framing %q: want %s or %s", s, OctetCounting, NonTransparent)
}

// Frame errors. A bad frame loses the stream's synchronisation, so the
// connection ends; an oversized frame whose length is known is skipped and
// the stream goes on.
var (
	// ErrBadFrame: the octet count is not "NONZERO-DIGIT *DIGIT SP".
	ErrBadFrame = errors.New("syslog: malformed frame")
	// ErrTooLarge: the frame is longer than the receiver accepts.
	ErrTooLarge = errors.New("syslog: frame larger than the limit")
	// ErrTruncated: the stream ended inside a frame (the sender went away
	// mid-frame).
	ErrTruncated = errors.New("syslog: stream ended mid-frame")
)

// maxLenDigits bounds the MSG-LEN field: 10 digits is far beyond any limit
// the receiver accepts and keeps the number in an int64.
const maxLenDigits = 10

// FrameReader reads one frame at a time from a stream.
type FrameReader struct {
	r       *bufio.Reader
	framing Framing
	max     int
	// skipLimit bounds how much of an oversized octet-counted frame is
	// read and thrown away to keep the stream; beyond it the stream ends.
	skipLimit int64
	buf       []byte
}

// NewFrameReader reads frames of at most max bytes.
func NewFrameReader(r io.Reader, framing Framing, max int) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, 16<<10), framing: framing, max: max, skipLimit: int64(16 * max)}
}

// Next returns the next frame's message (valid until the next call). At a
// clean end of stream between frames it returns io.EOF. ErrTooLarge leaves
// the stream usable when the frame could be skipped; any other error ends
// the stream. Errors from the underlying reader (a deadline) are returned
// wrapped as they are.
func (f *FrameReader) Next() ([]byte, error) {
	if f.framing == NonTransparent {
		return f.nextLF()
	}
	return f.nextCounted()
}

func (f *FrameReader) nextCounted() ([]byte, error) {
	// RFC 6587 §3.4.1: MSG-LEN = NONZERO-DIGIT *DIGIT, then one SP. Some
	// senders put LF after each message; it is skipped between frames.
	var n int64
	digits := 0
	for {
		b, err := f.r.ReadByte()
		if err != nil {
			if err == io.EOF {
				if digits == 0 {
					return nil, io.EOF
				}
				return nil, ErrTruncated
			}
			return nil, err
		}
		switch {
		case digits == 0 && (b == '\n' || b == '\r'):
			continue
		case b >= '0' && b <= '9':
			if digits == 0 && b == '0' {
				return nil, fmt.Errorf("%w: MSG-LEN starts with 0", ErrBadFrame)
			}
			digits++
			if digits > maxLenDigits {
				return nil, fmt.Errorf("%w: MSG-LEN longer than %d digits", ErrBadFrame, maxLenDigits)
			}
			n = n*10 + int64(b-'0')
			continue
		case b == ' ' && digits > 0:
		default:
			return nil, fmt.Errorf("%w: byte %q where MSG-LEN SP was expected", ErrBadFrame, b)
		}
		break
	}
	if n > int64(f.max) {
		if n > f.skipLimit {
			return nil, fmt.Errorf("%w: %d octets (limit %d), too large to skip", ErrTooLarge, n, f.max)
		}
		if _, err := io.CopyN(io.Discard, f.r, n); err != nil {
			if err == io.EOF {
				return nil, ErrTruncated
			}
			return nil, err
		}
		return nil, &SkippedError{Len: n, Max: int64(f.max)}
	}
	if cap(f.buf) < int(n) {
		f.buf = make([]byte, n)
	}
	f.buf = f.buf[:n]
	if _, err := io.ReadFull(f.r, f.buf); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, ErrTruncated
		}
		return nil, err
	}
	return f.buf, nil
}

// SkippedError is an oversized frame that was read past; the stream goes on.
type SkippedError struct{ Len, Max int64 }

func (e *SkippedError) Error() string {
	return fmt.Sprintf("%v: %d octets (limit %d), skipped", ErrTooLarge, e.Len, e.Max)
}

func (e *SkippedError) Unwrap() error { return ErrTooLarge }

func (f *FrameReader) nextLF() ([]byte, error) {
	f.buf = f.buf[:0]
	skipping := false
	var skipped int64
	for {
		chunk, err := f.r.ReadSlice('\n')
		switch {
		case err == nil:
			if skipping {
				return nil, &SkippedError{Len: skipped + int64(len(chunk)), Max: int64(f.max)}
			}
			f.buf = append(f.buf, chunk[:len(chunk)-1]...)
			msg := bytes.TrimSuffix(f.buf, []byte{'\r'})
			if len(msg) > f.max {
				return nil, &SkippedError{Len: int64(len(msg)), Max: int64(f.max)}
			}
			if len(msg) == 0 {
				// An empty line is no message (a keep-alive LF).
				f.buf = f.buf[:0]
				continue
			}
			return msg, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if skipping {
				skipped += int64(len(chunk))
				if skipped > f.skipLimit {
					return nil, fmt.Errorf("%w: line longer than %d octets, too large to skip", ErrTooLarge, f.skipLimit)
				}
				continue
			}
			f.buf = append(f.buf, chunk...)
			if len(f.buf) > f.max {
				skipping, skipped = true, int64(len(f.buf))
				f.buf = f.buf[:0]
			}
		case err == io.EOF:
			if len(f.buf) == 0 && len(chunk) == 0 && !skipping {
				return nil, io.EOF
			}
			return nil, ErrTruncated
		default:
			return nil, err
		}
	}
}
