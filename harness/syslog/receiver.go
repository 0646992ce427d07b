package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a Receiver.
const (
	// DefaultMaxMessage: RFC 5425 §4.3.1 says receivers SHOULD take 8192
	// octets and MAY take more; a DICOM audit message with a few
	// participants is several kilobytes, so the receiver takes 64 KiB.
	DefaultMaxMessage     = 64 << 10
	DefaultMaxConns       = 64
	DefaultIdleTimeout    = 30 * time.Second
	DefaultHandshake      = 10 * time.Second
	DefaultMaxStored      = 1 << 20
	DefaultMaxStoredBytes = 512 << 20
)

// Config sets up a Receiver.
type Config struct {
	// Addr is where to listen (host:port); the caller keeps it on loopback
	// or the address the profile names. Default 127.0.0.1:0.
	Addr string
	// TLS must carry the receiver's certificate and, in ClientCAs, the CA
	// that issues the senders' client certificates; the receiver demands
	// and verifies a client certificate (RFC 5425 §5.1, mutual
	// authentication) and TLS 1.2 or later whatever this says.
	TLS     *tls.Config
	Framing Framing
	// MaxMessage bounds one message (frame); larger ones are counted and
	// skipped.
	MaxMessage int
	// MaxConns bounds concurrent senders; more are closed at once and
	// counted.
	MaxConns int
	// IdleTimeout ends a connection that sends nothing for that long
	// (a stalled sender cannot hold a slot); HandshakeTimeout bounds TLS.
	IdleTimeout, HandshakeTimeout time.Duration
	// MaxStored and MaxStoredBytes bound what is kept; beyond them
	// messages are counted as dropped, never silently lost.
	MaxStored      int
	MaxStoredBytes int64
	// Now is the receiver's clock (default time.Now).
	Now func() time.Time
}

// Stats counts what the receiver did. Every byte stream ends in exactly one
// connection outcome; every frame is accepted, malformed, oversized or lost
// with its connection.
type Stats struct {
	Connections int64 `json:"connections"`
	// Refused: over MaxConns.
	Refused int64 `json:"refused_over_limit"`
	// HandshakeFailed: no valid client certificate, not TLS, or too slow.
	HandshakeFailed int64 `json:"handshake_failed"`
	Accepted        int64 `json:"accepted"`
	// Malformed: a whole frame that is not an RFC 5424 message.
	Malformed int64 `json:"malformed_messages"`
	// BadFrames: framing errors that end the connection.
	BadFrames int64 `json:"bad_frames"`
	Oversized int64 `json:"oversized"`
	// Truncated: the sender went away mid-frame.
	Truncated int64 `json:"truncated"`
	// Timeouts: a connection closed for silence.
	Timeouts int64 `json:"idle_timeouts"`
	// Dropped: accepted by the parser but over the storage bounds.
	Dropped int64 `json:"dropped_over_capacity"`
}

// Rejection is one thing the receiver refused, for the evidence.
type Rejection struct {
	At     time.Time `json:"at"`
	Peer   string    `json:"peer"`
	Reason string    `json:"reason"`
}

const keepRejections = 50

// Receiver is a running syslog receiver.
type Receiver struct {
	cfg Config
	ln  net.Listener

	conns sync.WaitGroup
	slots chan struct{}
	stop  chan struct{}
	once  sync.Once

	mu        sync.Mutex
	live      map[net.Conn]struct{}
	msgs      []*Message
	bytes     int64
	changed   chan struct{}
	rejection []Rejection

	connections, refused, handshakeFailed, accepted, malformed atomic.Int64
	badFrames, oversized, truncated, timeouts, dropped         atomic.Int64
}

// Listen starts a receiver; Close stops it.
func Listen(cfg Config) (*Receiver, error) {
	if cfg.TLS == nil || len(cfg.TLS.Certificates) == 0 && cfg.TLS.GetCertificate == nil {
		return nil, errors.New("syslog: the receiver needs a TLS certificate (RFC 5425)")
	}
	if cfg.TLS.ClientCAs == nil {
		return nil, errors.New("syslog: the receiver needs the CA of the senders' client certificates (RFC 5425 §5.1 mutual authentication)")
	}
	if cfg.Framing == "" {
		cfg.Framing = OctetCounting
	}
	if _, err := ParseFraming(string(cfg.Framing)); err != nil {
		return nil, err
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = DefaultMaxMessage
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = DefaultHandshake
	}
	if cfg.MaxStored <= 0 {
		cfg.MaxStored = DefaultMaxStored
	}
	if cfg.MaxStoredBytes <= 0 {
		cfg.MaxStoredBytes = DefaultMaxStoredBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	tc := cfg.TLS.Clone()
	tc.ClientAuth = tls.RequireAndVerifyClientCert
	tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
	cfg.TLS = tc
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("syslog: %w", err)
	}
	r := &Receiver{cfg: cfg, ln: ln, slots: make(chan struct{}, cfg.MaxConns), stop: make(chan struct{}),
		live: map[net.Conn]struct{}{}, changed: make(chan struct{})}
	r.conns.Add(1)
	go r.accept()
	return r, nil
}

// Addr is the address the receiver listens on.
func (r *Receiver) Addr() string { return r.ln.Addr().String() }

// Close stops accepting, ends every connection and waits for them.
func (r *Receiver) Close() error {
	var err error
	r.once.Do(func() {
		close(r.stop)
		err = r.ln.Close()
		r.mu.Lock()
		for c := range r.live {
			_ = c.Close()
		}
		r.mu.Unlock()
		r.conns.Wait()
	})
	return err
}

func (r *Receiver) accept() {
	defer r.conns.Done()
	backoff := 5 * time.Millisecond
	for {
		c, err := r.ln.Accept()
		if err != nil {
			select {
			case <-r.stop:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) || isTemporary(err) {
				// Out of file descriptors and the like: wait, go on.
				t := time.NewTimer(backoff)
				select {
				case <-r.stop:
					t.Stop()
					return
				case <-t.C:
				}
				backoff = min(2*backoff, time.Second)
				continue
			}
			return
		}
		backoff = 5 * time.Millisecond
		r.connections.Add(1)
		select {
		case r.slots <- struct{}{}:
		default:
			r.refused.Add(1)
			r.reject(c.RemoteAddr().String(), fmt.Sprintf("over %d concurrent senders", r.cfg.MaxConns))
			_ = c.Close()
			continue
		}
		if !r.track(c) {
			<-r.slots
			_ = c.Close()
			return
		}
		r.conns.Add(1)
		go func() {
			defer r.conns.Done()
			defer func() { <-r.slots }()
			defer r.untrack(c)
			r.serve(c)
		}()
	}
}

func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (r *Receiver) track(c net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.stop:
		return false
	default:
	}
	r.live[c] = struct{}{}
	return true
}

func (r *Receiver) untrack(c net.Conn) {
	_ = c.Close()
	r.mu.Lock()
	delete(r.live, c)
	r.mu.Unlock()
}

// deadlineReader pushes the idle deadline forward on every read, so a
// sender that keeps sending is never cut off and a silent one is.
type deadlineReader struct {
	c    net.Conn
	idle time.Duration
}

func (d deadlineReader) Read(p []byte) (int, error) {
	_ = d.c.SetReadDeadline(time.Now().Add(d.idle))
	return d.c.Read(p)
}

func (r *Receiver) serve(raw net.Conn) {
	peer := raw.RemoteAddr().String()
	tc := tls.Server(raw, r.cfg.TLS)
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.HandshakeTimeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		r.handshakeFailed.Add(1)
		r.reject(peer, "TLS handshake: "+err.Error())
		return
	}
	st := tc.ConnectionState()
	name := ""
	if len(st.VerifiedChains) > 0 && len(st.VerifiedChains[0]) > 0 {
		name = st.VerifiedChains[0][0].Subject.CommonName
	}
	fr := NewFrameReader(deadlineReader{c: tc, idle: r.cfg.IdleTimeout}, r.cfg.Framing, r.cfg.MaxMessage)
	p := NewParser()
	for {
		frame, err := fr.Next()
		if err != nil {
			var sk *SkippedError
			switch {
			case errors.As(err, &sk):
				r.oversized.Add(1)
				r.reject(peer, err.Error())
				continue
			case err == io.EOF:
			case errors.Is(err, ErrTooLarge):
				r.oversized.Add(1)
				r.reject(peer, err.Error())
			case errors.Is(err, ErrBadFrame):
				r.badFrames.Add(1)
				r.reject(peer, err.Error())
			case errors.Is(err, ErrTruncated):
				r.truncated.Add(1)
				r.reject(peer, err.Error())
			case errors.Is(err, os.ErrDeadlineExceeded):
				r.timeouts.Add(1)
				r.reject(peer, fmt.Sprintf("silent for %s", r.cfg.IdleTimeout))
			default:
				select {
				case <-r.stop: // Close ended it.
				default:
					// A reset or TLS alert mid-stream: the sender went away.
					r.truncated.Add(1)
					r.reject(peer, "connection ended: "+err.Error())
				}
			}
			return
		}
		m, err := p.Parse(frame)
		if err != nil {
			r.malformed.Add(1)
			r.reject(peer, "not RFC 5424: "+err.Error())
			continue
		}
		m.Peer, m.PeerName, m.Received = peer, name, r.cfg.Now()
		r.store(m, len(frame))
	}
}

func (r *Receiver) store(m *Message, size int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.msgs) >= r.cfg.MaxStored || r.bytes+int64(size) > r.cfg.MaxStoredBytes {
		r.dropped.Add(1)
		r.notify()
		return
	}
	r.accepted.Add(1)
	m.Seq = uint64(len(r.msgs) + 1)
	r.msgs = append(r.msgs, m)
	r.bytes += int64(size)
	r.notify()
}

func (r *Receiver) reject(peer, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notify()
	if len(r.rejection) >= keepRejections {
		return
	}
	if len(reason) > 300 {
		reason = reason[:300] + "…"
	}
	r.rejection = append(r.rejection, Rejection{At: r.cfg.Now(), Peer: peer, Reason: reason})
}

// notify wakes WaitFor; the caller holds mu.
func (r *Receiver) notify() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// Stats is a snapshot of the counters.
func (r *Receiver) Stats() Stats {
	return Stats{
		Connections: r.connections.Load(), Refused: r.refused.Load(), HandshakeFailed: r.handshakeFailed.Load(),
		Accepted: r.accepted.Load(), Malformed: r.malformed.Load(), BadFrames: r.badFrames.Load(),
		Oversized: r.oversized.Load(), Truncated: r.truncated.Load(), Timeouts: r.timeouts.Load(), Dropped: r.dropped.Load(),
	}
}

// Rejections are the first rejections with their reasons.
func (r *Receiver) Rejections() []Rejection {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Rejection(nil), r.rejection...)
}

// Messages returns the messages accepted after the first `from` (a
// snapshot; the messages themselves are never changed).
func (r *Receiver) Messages(from int) []*Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	if from >= len(r.msgs) {
		return nil
	}
	return append([]*Message(nil), r.msgs[max(from, 0):]...)
}

// Count is the number of messages kept.
func (r *Receiver) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// WaitCount blocks until at least n messages are kept or ctx ends.
func (r *Receiver) WaitCount(ctx context.Context, n int) error {
	return r.WaitFor(ctx, func(s Stats) bool { return s.Accepted >= int64(n) })
}

// WaitFor blocks until cond holds for the counters or ctx ends. The
// counters are read after every accepted or rejected message.
func (r *Receiver) WaitFor(ctx context.Context, cond func(Stats) bool) error {
	for {
		r.mu.Lock()
		ch := r.changed
		r.mu.Unlock()
		st := r.Stats()
		if cond(st) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("syslog: waiting for the receiver (%+v): %w", st, ctx.Err())
		case <-ch:
		}
	}
}
