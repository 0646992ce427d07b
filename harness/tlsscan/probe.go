package tlsscan

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DialFunc opens a connection; production passes conduct.Guard.DialContext
// so every handshake is admitted, rate-limited and counted by the guard.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Target is the endpoint to scan.
type Target struct {
	// Address is host:port.
	Address string
	// ServerName is sent as SNI and checked against the certificate;
	// empty means the host part of Address.
	ServerName string
	// RootCAs verifies the chain; nil means the system pool.
	RootCAs *x509.CertPool
	// Anchors are the certificates behind RootCAs when the caller has
	// them (a profile's ca_file); a chain signed with a hash crypto/x509
	// refuses can then still be checked for trust.
	Anchors []*x509.Certificate
	// ClientCert is presented in full handshakes (mutual TLS); optional.
	ClientCert *tls.Certificate
}

// Options bound and steer a scan.
type Options struct {
	// Dial opens every connection; nil uses a plain net.Dialer.
	Dial DialFunc
	// Concurrency is the number of handshakes in flight (default 8).
	Concurrency int
	// Timeout is the deadline of one handshake (default 10s).
	Timeout time.Duration
	// ChunkSize is how many suites one ClientHello offers during
	// enumeration (default 64; some servers fail on >128).
	ChunkSize int
	// RenegotiationAttempts bounds the client-initiated renegotiation
	// probe. The default, 1, decides "refused" or "allowed"; telling
	// "limited" from "unlimited" takes RenegotiationLimitProbe attempts on
	// one connection (a small renegotiation flood, so only with the
	// profile's limits.dos_probes). A negative value skips the probe.
	RenegotiationAttempts int
	// Now is the clock for certificate and OCSP validity (default
	// time.Now).
	Now func() time.Time
	// OmitHex leaves the hex of ClientHello/ServerHello out of the
	// evidence (summaries stay).
	OmitHex bool
	// Attempts bounds how often one probe is sent when it gets no answer
	// (reset, EOF, silent close, timeout) before it counts as unresolved
	// (default 3). Silence is never read as "not supported".
	Attempts int
	// Backoff is the wait before the first retry, doubled for each
	// further one (default 250ms). Every attempt still goes through Dial,
	// so the guard's rate limit and budget hold.
	Backoff time.Duration
}

func (o *Options) fill() {
	if o.Dial == nil {
		var d net.Dialer
		o.Dial = d.DialContext
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = 64
	}
	if o.RenegotiationAttempts == 0 {
		o.RenegotiationAttempts = 1
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = 250 * time.Millisecond
	}
}

// retry runs one attempt of a probe until it gets an answer or the
// attempts are spent: a reset, EOF, silent close or timeout is silence,
// which a middlebox or an overloaded server produces as easily as a
// refusing one, so it is tried again after a growing pause (docs/design.md
// "Verdicts"). It returns the attempts made.
func (s *scanner) retry(ctx context.Context, attempt func(n int) (silent bool)) int {
	wait := s.o.Backoff
	for n := 1; ; n++ {
		if !attempt(n) || n >= s.o.Attempts || ctx.Err() != nil {
			return n
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return n
		case <-t.C:
		}
		wait *= 2
	}
}

// silent reports an attempt that ended without an answer worth reading.
func silent(err error) bool { return err != nil && KindOf(err).Transient() }

// scanner holds the shared state of one scan.
type scanner struct {
	t   Target
	o   Options
	sem chan struct{}

	handshakes atomic.Int64

	mu       sync.Mutex
	probes   []Probe
	errs     []string
	chains   map[string]rawChain // by leaf fingerprint
	dh       map[string]DHGroup  // by prime hex
	certReq  bool
	staple12 []byte
}

type rawChain struct {
	version uint16
	ders    [][]byte
	order   int
}

// outcome is what one hand-made ClientHello got back.
type outcome struct {
	probe int
	// probes are every attempt's evidence index, the last one is probe.
	probes []int
	sh     *serverHello
	alert  *Alert
	err    error // *Error: no answer (after every attempt) or an unreadable one
	// TLS 1.0-1.2 flight after the ServerHello; flightAlert is an alert
	// that ended it early (the server accepted the hello, then refused,
	// e.g. no shared signature scheme).
	flightAlert *Alert
	certs       [][]byte
	ske         *serverKeyExchange
	ocsp        []byte
	certReq     bool
}

// unanswered describes a failed outcome for a State reason.
func (o outcome) unanswered() string {
	n := len(o.probes)
	if n <= 1 {
		return fmt.Sprintf("probe %d: %v", o.probe, o.err)
	}
	return fmt.Sprintf("probe %d, %d attempts: %v", o.probe, n, o.err)
}

// accepted reports a ServerHello (or HRR) for the wanted version.
func (o outcome) accepted(v uint16) bool {
	return o.sh != nil && o.sh.Version == v
}

// acquire takes a concurrency slot; it fails only when ctx ends.
func (s *scanner) acquire(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *scanner) release() { <-s.sem }

// dial opens one connection with the per-handshake deadline applied and
// cancellation of ctx unblocking any read or write.
func (s *scanner) dial(ctx context.Context) (net.Conn, func(), error) {
	s.handshakes.Add(1)
	conn, err := s.o.Dial(ctx, "tcp", s.t.Address)
	if err != nil {
		e := wrapErr("dial", err)
		var opErr *net.OpError
		if e.Kind == KindOther && !errors.As(err, &opErr) {
			e.Kind = KindGuard
		}
		return nil, nil, e
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return conn, func() { stop(); _ = conn.Close() }, nil
}

func (s *scanner) addProbe(p Probe) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.ID = len(s.probes)
	s.probes = append(s.probes, p)
	return p.ID
}

func (s *scanner) noteError(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, fmt.Sprintf(format, args...))
}

func (s *scanner) hexOf(b []byte) string {
	if s.o.OmitHex {
		return ""
	}
	return hex.EncodeToString(b)
}

// hello sends one ClientHello and reads the answer, again when the answer
// was silence (see retry). With flight set it reads a TLS 1.0-1.2 answer up
// to ServerHelloDone (certificate, key exchange, OCSP status) without ever
// finishing the handshake.
func (s *scanner) hello(ctx context.Context, purpose string, h helloSpec, flight bool) outcome {
	var out outcome
	var probes []int
	s.retry(ctx, func(n int) bool {
		out = s.helloOnce(ctx, purpose, h, flight, n)
		probes = append(probes, out.probe)
		return silent(out.err)
	})
	out.probes = probes
	return out
}

// helloOnce is one attempt of hello. A close without a byte of answer is
// silence like a reset: an EOF error, never a refusal.
func (s *scanner) helloOnce(ctx context.Context, purpose string, h helloSpec, flight bool, attempt int) outcome {
	start := time.Now()
	p := Probe{Purpose: purpose, Offered: h.summary()}
	if attempt > 1 {
		p.Attempt = attempt
	}
	out := s.doHello(ctx, h, flight, &p)
	p.DurationUS = time.Since(start).Microseconds()
	switch {
	case out.err != nil:
		p.Outcome, p.ErrorKind, p.Answer = "error", KindOf(out.err), out.err.Error()
	case out.alert != nil:
		p.Outcome, p.Answer = "alert", out.alert.String()
	case out.sh.HRR:
		p.Outcome, p.Answer = "hello-retry", out.sh.summary()
	default:
		p.Outcome, p.Answer = "server-hello", out.sh.summary()
	}
	out.probe = s.addProbe(p)
	s.collect(out)
	return out
}

func (s *scanner) doHello(ctx context.Context, h helloSpec, flight bool, p *Probe) (out outcome) {
	if err := s.acquire(ctx); err != nil {
		out.err = wrapErr("wait for a slot", err)
		return out
	}
	defer s.release()
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	ch, err := h.marshal()
	if err != nil {
		out.err = wrapErr("build ClientHello", err)
		return out
	}
	p.ClientHello = s.hexOf(ch)
	conn, done, err := s.dial(ctx)
	if err != nil {
		out.err = err
		return out
	}
	defer done()
	if _, err := conn.Write(ch); err != nil {
		out.err = wrapErr("write ClientHello", err)
		return out
	}
	rr := newRecordReader(conn)
	msg, err := rr.readHandshake()
	if err != nil {
		return answerError(out, rr, err, ctx)
	}
	sh, err := parseServerHello(msg)
	if err != nil {
		out.err = err
		return out
	}
	p.ServerHello = s.hexOf(msg)
	out.sh = sh
	if !flight || sh.HRR || sh.Version >= VersionTLS13 || sh.Version < VersionSSL30 {
		return out
	}
	suite, _ := LookupSuite(sh.Suite)
	// A flight has at most Certificate, CertificateStatus,
	// ServerKeyExchange, CertificateRequest, ServerHelloDone.
	for range 8 {
		msg, err := rr.readHandshake()
		if err != nil {
			var ae *alertError
			switch {
			case errors.As(err, &ae):
				out.flightAlert = &ae.Alert
			case !errors.Is(err, errEncrypted):
				s.noteError("%s: after ServerHello: %v", p.Purpose, err)
			}
			return out
		}
		body := msg[4:]
		switch msg[0] {
		case hsCertificate:
			if out.certs, err = parseCertificateList(body); err != nil {
				s.noteError("%s: %v", p.Purpose, err)
			}
		case hsCertificateStatus:
			if out.ocsp, err = parseCertificateStatus(body); err != nil {
				s.noteError("%s: %v", p.Purpose, err)
			}
		case hsServerKeyExchange:
			if out.ske, err = parseServerKeyExchange(body, suite, sh.Version); err != nil {
				s.noteError("%s: %v", p.Purpose, err)
			}
		case hsCertificateRequest:
			out.certReq = true
		case hsServerHelloDone:
			return out
		default:
			return out
		}
	}
	return out
}

// answerError turns a failed first read into an outcome: an alert is the
// server's answer; anything else, a silent close included, is not.
func answerError(out outcome, rr *recordReader, err error, ctx context.Context) outcome {
	var ae *alertError
	switch {
	case errors.As(err, &ae):
		out.alert = &ae.Alert
	case rr.read == 0 && (KindOf(err) == KindEOF || KindOf(err) == KindReset):
		out.err = &Error{Kind: KindOf(err), Op: "read ServerHello", Err: errors.New("closed without a byte of answer")}
		if KindOf(err) == KindReset {
			out.err.(*Error).Err = errors.New("connection reset without a byte of answer")
		}
	default:
		if ctx.Err() != nil && KindOf(err) != KindTimeout {
			err = &Error{Kind: KindTimeout, Op: "read ServerHello", Err: ctx.Err()}
		}
		out.err = wrapErr("read ServerHello", err)
	}
	return out
}

// collect keeps certificate chains, DH groups and staples seen in any
// probe, so the dedicated probes need not repeat them.
func (s *scanner) collect(out outcome) {
	if out.sh == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if out.certReq {
		s.certReq = true
	}
	if len(out.certs) > 0 {
		key := hex.EncodeToString(fingerprint(out.certs[0]))
		if _, ok := s.chains[key]; !ok {
			s.chains[key] = rawChain{version: out.sh.Version, ders: out.certs, order: len(s.chains)}
		}
	}
	if len(out.ocsp) > 0 && s.staple12 == nil {
		s.staple12 = out.ocsp
	}
	if out.ske != nil && len(out.ske.P) > 0 {
		key := hex.EncodeToString(out.ske.P)
		if _, ok := s.dh[key]; !ok {
			g := identifyDH(out.ske.P, out.ske.G)
			g.Version, g.Suite, g.Probe = out.sh.Version, out.sh.Suite, out.probe
			s.dh[key] = g
		}
	}
}

func (h helloSpec) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %d suites", VersionName(h.Version), len(h.Suites))
	if len(h.Suites) <= 4 {
		for _, c := range h.Suites {
			su, _ := LookupSuite(c)
			b.WriteString(" " + su.DisplayName())
		}
	}
	if h.Groups != nil {
		fmt.Fprintf(&b, ", %d groups", len(h.Groups))
	}
	if h.Version == VersionTLS13 {
		fmt.Fprintf(&b, ", %d key shares", len(h.KeyShare))
	}
	if h.SigSchemes != nil && h.Version >= VersionTLS12 && len(h.SigSchemes) <= 6 {
		var names []string
		for _, id := range h.SigSchemes {
			names = append(names, LookupSignatureScheme(id).Name)
		}
		b.WriteString(", signature_algorithms " + strings.Join(names, ","))
	}
	if len(h.Compression) > 0 {
		fmt.Fprintf(&b, ", compression %v", h.Compression)
	}
	return b.String()
}

func (sh *serverHello) summary() string {
	su, _ := LookupSuite(sh.Suite)
	kind := "ServerHello"
	if sh.HRR {
		kind = "HelloRetryRequest"
	}
	s := fmt.Sprintf("%s %s %s", kind, VersionName(sh.Version), su.DisplayName())
	if sh.KeyShare != 0 {
		s += " group " + LookupGroup(sh.KeyShare).Name
	}
	if sh.Compression != 0 {
		s += fmt.Sprintf(" compression %d", sh.Compression)
	}
	return s
}
