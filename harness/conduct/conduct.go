// Package conduct is how the suite behaves towards a target: it contacts only
// the hosts named in the profile, every operation has a deadline, and the
// number and rate of requests and handshakes are bounded. Every probe that
// opens a connection goes through a Guard.
package conduct

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// ErrHostNotInProfile is returned when a probe tries to contact a host the
// profile does not name.
var ErrHostNotInProfile = errors.New("conduct: host is not named in the profile")

// ErrBudgetExhausted is returned when the run has used all its requests.
var ErrBudgetExhausted = errors.New("conduct: request budget of the run is exhausted")

// ErrBodyTooLarge is returned when a response body passes the cap.
var ErrBodyTooLarge = errors.New("conduct: response body exceeds the cap")

// DefaultBodyCap bounds every response body the suite reads.
const DefaultBodyCap = 1 << 20

// Config sets the bounds of one run. Rate and concurrency apply to each
// host on its own: scans of endpoints on different hosts run side by side,
// each as gentle as a scan of one.
type Config struct {
	Hosts []string
	// RatePerSecond caps the requests and handshakes started per second,
	// per host, as a token bucket of Burst (default: one second's worth),
	// so a short scan is bound by ConnectionsPerHost alone and a long run
	// by the rate.
	RatePerSecond float64
	Burst         int
	// ConnectionsPerHost caps what is in flight per host: open TCP
	// connections from DialContext (until closed) and HTTP requests
	// awaiting their response headers (default 4).
	ConnectionsPerHost int
	Timeout            time.Duration
	MaxRequests        int
	// RootCAs trusts the target's certificates; nil means the system pool.
	RootCAs *x509.CertPool
}

// Default politeness per host: at most DefaultConnectionsPerHost in flight
// (a browser opens six) and DefaultRatePerSecond starts per second. At
// internet round-trip times the connection cap binds (4 handshakes per RTT);
// on a near server the rate does, once a second's worth has been used.
const (
	DefaultConnectionsPerHost = 4
	DefaultRatePerSecond      = 150
)

// Guard enforces Config; it is safe for concurrent use and shared by all
// scenarios of a run.
type Guard struct {
	cfg    Config
	used   atomic.Int64
	dialer net.Dialer

	mu    sync.Mutex
	hosts map[string]*hostBudget
}

// hostBudget is the politeness budget of one host.
type hostBudget struct {
	limiter *rate.Limiter
	slots   chan struct{}
}

// NewGuard builds a guard. Zero limits take safe defaults.
func NewGuard(cfg Config) *Guard {
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = DefaultRatePerSecond
	}
	if cfg.ConnectionsPerHost <= 0 {
		cfg.ConnectionsPerHost = DefaultConnectionsPerHost
	}
	if cfg.Burst <= 0 {
		cfg.Burst = max(cfg.ConnectionsPerHost, int(cfg.RatePerSecond))
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxRequests <= 0 {
		cfg.MaxRequests = 5000
	}
	g := &Guard{cfg: cfg, hosts: map[string]*hostBudget{}}
	g.dialer.Timeout = cfg.Timeout
	return g
}

// budget returns the host's budget, made on first use.
func (g *Guard) budget(host string) *hostBudget {
	host = normalHost(host)
	g.mu.Lock()
	defer g.mu.Unlock()
	b, ok := g.hosts[host]
	if !ok {
		b = &hostBudget{limiter: rate.NewLimiter(rate.Limit(g.cfg.RatePerSecond), g.cfg.Burst),
			slots: make(chan struct{}, g.cfg.ConnectionsPerHost)}
		g.hosts[host] = b
	}
	return b
}

func normalHost(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

// ConnectionsPerHost is the cap on what is in flight per host.
func (g *Guard) ConnectionsPerHost() int { return g.cfg.ConnectionsPerHost }

// acquire takes one in-flight slot of host, waiting for one to free up; the
// returned release is safe to call more than once.
func (g *Guard) acquire(ctx context.Context, host string) (release func(), err error) {
	b := g.budget(host)
	select {
	case b.slots <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-b.slots }) }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("conduct: waiting for one of %d connections to %s: %w", g.cfg.ConnectionsPerHost, host, ctx.Err())
	}
}

// Timeout is the deadline of one operation.
func (g *Guard) Timeout() time.Duration { return g.cfg.Timeout }

// RootCAs is the trust anchor for the target.
func (g *Guard) RootCAs() *x509.CertPool { return g.cfg.RootCAs }

// Used reports how many requests and handshakes the run has made.
func (g *Guard) Used() int64 { return g.used.Load() }

// Allowed reports whether host may be contacted.
func (g *Guard) Allowed(host string) bool {
	host = normalHost(host)
	return slices.ContainsFunc(g.cfg.Hosts, func(h string) bool { return strings.EqualFold(h, host) })
}

// Admit checks the host, takes one unit of the run's budget and waits for
// the host's rate limiter. Call it once per request or handshake.
func (g *Guard) Admit(ctx context.Context, host string) error {
	if !g.Allowed(host) {
		return fmt.Errorf("%w: %s", ErrHostNotInProfile, host)
	}
	if g.used.Add(1) > int64(g.cfg.MaxRequests) {
		return fmt.Errorf("%w (%d)", ErrBudgetExhausted, g.cfg.MaxRequests)
	}
	return g.budget(host).limiter.Wait(ctx)
}

// DialContext opens a TCP connection to an allowed host:port, admitted, with
// the run's deadline applied to the dial. The connection holds one of the
// host's in-flight slots until it is closed.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if !g.Allowed(host) {
		return nil, fmt.Errorf("%w: %s", ErrHostNotInProfile, host)
	}
	release, err := g.acquire(ctx, host)
	if err != nil {
		return nil, err
	}
	if err := g.Admit(ctx, host); err != nil {
		release()
		return nil, err
	}
	c, err := g.dialer.DialContext(ctx, network, addr)
	if err != nil {
		release()
		return nil, err
	}
	return &slotConn{Conn: c, release: release}, nil
}

// slotConn gives its host slot back when closed.
type slotConn struct {
	net.Conn
	release func()
}

func (c *slotConn) Close() error {
	defer c.release()
	return c.Conn.Close()
}

// HTTPClient returns a client whose every request is admitted by the guard,
// bounded by the deadline, and never follows redirects (a redirect is an
// answer the probe must judge, not a hop to an unlisted host).
func (g *Guard) HTTPClient(tlsConf *tls.Config) *http.Client {
	if tlsConf == nil {
		tlsConf = &tls.Config{RootCAs: g.cfg.RootCAs, MinVersion: tls.VersionTLS12}
	}
	tr := &http.Transport{
		DialContext:            g.dialOnly,
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    g.cfg.Timeout,
		ResponseHeaderTimeout:  g.cfg.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
		DisableCompression:     true,
		ForceAttemptHTTP2:      false,
	}
	return &http.Client{
		Transport:     admittingTransport{g: g, next: tr},
		Timeout:       g.cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// dialOnly enforces the allow-list on the connection the transport opens;
// the budget was already taken per request by admittingTransport.
func (g *Guard) dialOnly(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if !g.Allowed(host) {
		return nil, fmt.Errorf("%w: %s", ErrHostNotInProfile, host)
	}
	return g.dialer.DialContext(ctx, network, addr)
}

type admittingTransport struct {
	g    *Guard
	next http.RoundTripper
}

func (t admittingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	if !t.g.Allowed(host) {
		return nil, fmt.Errorf("%w: %s", ErrHostNotInProfile, host)
	}
	release, err := t.g.acquire(req.Context(), host)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := t.g.Admit(req.Context(), host); err != nil {
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// ReadBody reads at most limit bytes (DefaultBodyCap when limit <= 0) and
// fails with ErrBodyTooLarge beyond it, so a hostile target cannot flood the
// suite's memory.
func ReadBody(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultBodyCap
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return b[:limit], fmt.Errorf("%w of %d bytes", ErrBodyTooLarge, limit)
	}
	return b, nil
}
