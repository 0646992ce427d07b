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

// Config sets the bounds of one run.
type Config struct {
	Hosts         []string
	RatePerSecond float64
	Burst         int
	Timeout       time.Duration
	MaxRequests   int
	// RootCAs trusts the target's certificates; nil means the system pool.
	RootCAs *x509.CertPool
}

// Guard enforces Config; it is safe for concurrent use and shared by all
// scenarios of a run.
type Guard struct {
	cfg     Config
	limiter *rate.Limiter
	used    atomic.Int64
	dialer  net.Dialer
}

// NewGuard builds a guard. Zero limits take safe defaults.
func NewGuard(cfg Config) *Guard {
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = 20
	}
	if cfg.Burst <= 0 {
		cfg.Burst = max(1, int(cfg.RatePerSecond))
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxRequests <= 0 {
		cfg.MaxRequests = 5000
	}
	g := &Guard{cfg: cfg, limiter: rate.NewLimiter(rate.Limit(cfg.RatePerSecond), cfg.Burst)}
	g.dialer.Timeout = cfg.Timeout
	return g
}

// Timeout is the deadline of one operation.
func (g *Guard) Timeout() time.Duration { return g.cfg.Timeout }

// RootCAs is the trust anchor for the target.
func (g *Guard) RootCAs() *x509.CertPool { return g.cfg.RootCAs }

// Used reports how many requests and handshakes the run has made.
func (g *Guard) Used() int64 { return g.used.Load() }

// Allowed reports whether host may be contacted.
func (g *Guard) Allowed(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return slices.ContainsFunc(g.cfg.Hosts, func(h string) bool { return strings.EqualFold(h, host) })
}

// Admit checks the host, takes one unit of the budget and waits for the rate
// limiter. Call it once per request or handshake.
func (g *Guard) Admit(ctx context.Context, host string) error {
	if !g.Allowed(host) {
		return fmt.Errorf("%w: %s", ErrHostNotInProfile, host)
	}
	if g.used.Add(1) > int64(g.cfg.MaxRequests) {
		return fmt.Errorf("%w (%d)", ErrBudgetExhausted, g.cfg.MaxRequests)
	}
	return g.limiter.Wait(ctx)
}

// DialContext opens a TCP connection to an allowed host:port, admitted and
// with the run's deadline applied to the dial.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if err := g.Admit(ctx, host); err != nil {
		return nil, err
	}
	return g.dialer.DialContext(ctx, network, addr)
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
	if err := t.g.Admit(req.Context(), req.URL.Hostname()); err != nil {
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
