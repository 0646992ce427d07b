package syslog

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCA is a throw-away CA for the receiver and its senders.
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newCA(t testing.TB, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &testCA{cert: cert, key: key}
}

func (ca *testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

func (ca *testCA) issue(t testing.TB, cn string, hosts ...string) tls.Certificate {
	t.Helper()
	c, err := Issue(ca.cert, ca.key, cn, hosts, time.Now())
	require.NoError(t, err)
	return c
}

// start runs a receiver with a server certificate and client CA from ca.
func start(t testing.TB, ca *testCA, cfg Config) *Receiver {
	t.Helper()
	cfg.TLS = &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "receiver", "127.0.0.1")}, ClientCAs: ca.pool()}
	r, err := Listen(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func senderTLS(ca *testCA, client *tls.Certificate) *tls.Config {
	c := &tls.Config{RootCAs: ca.pool(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	if client != nil {
		c.Certificates = []tls.Certificate{*client}
	}
	return c
}

func msg(t testing.TB, i int, body string) []byte {
	t.Helper()
	m, err := Format(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "host-a", "apisec-test", "IHE+RFC-3881", []byte(fmt.Sprintf("%s %d", body, i)))
	require.NoError(t, err)
	return m
}

func waitFor(t testing.TB, r *Receiver, cond func(Stats) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, r.WaitFor(ctx, cond))
}

func TestReceiverKeepsMessagesOfEachFraming(t *testing.T) {
	ca := newCA(t, "suite CA")
	for _, framing := range []Framing{OctetCounting, NonTransparent} {
		t.Run(string(framing), func(t *testing.T) {
			t.Parallel()
			r := start(t, ca, Config{Framing: framing})
			cert := ca.issue(t, "sender-1")
			s := &Sender{Addr: r.Addr(), TLS: senderTLS(ca, &cert), Framing: framing}
			for i := range 3 {
				require.NoError(t, s.Send(context.Background(), msg(t, i, "<AuditMessage/>")))
			}
			require.NoError(t, s.Close())
			waitFor(t, r, func(s Stats) bool { return s.Accepted == 3 && s.Connections == 1 })
			got := r.Messages(0)
			require.Len(t, got, 3)
			assert.Equal(t, "sender-1", got[0].PeerName, "the client certificate names the sender")
			assert.Equal(t, 85, got[0].Priority)
			assert.Equal(t, "host-a", got[0].Hostname)
			assert.Equal(t, "apisec-test", got[0].AppName)
			assert.Equal(t, "IHE+RFC-3881", got[0].MsgID)
			assert.Equal(t, "<AuditMessage/> 2", got[2].Msg)
			assert.Equal(t, uint64(3), got[2].Seq)
			assert.Equal(t, Stats{Connections: 1, Accepted: 3}, r.Stats(), "nothing rejected")
			assert.Len(t, r.Messages(2), 1)
		})
	}
}

// TestReceiverRejectsAndCountsFaults sends each fault on its own
// connection beside a good sender and checks each is counted under its own
// name while every good message is kept.
func TestReceiverRejectsAndCountsFaults(t *testing.T) {
	ca := newCA(t, "suite CA")
	other := newCA(t, "someone else's CA")
	r := start(t, ca, Config{MaxMessage: 1024})
	good := ca.issue(t, "good-sender")
	ctx := context.Background()

	// raw sends payload on a connection of its own and ends it cleanly:
	// close_notify and FIN, then it reads until the receiver closes. Closing
	// at once would leave the receiver's TLS 1.3 session tickets unread, and
	// the reset the sender's kernel then answers with can discard what the
	// receiver has not read yet: each fault would depend on timing.
	raw := func(t *testing.T, client *tls.Certificate, payload []byte) {
		c, err := tls.Dial("tcp", r.Addr(), senderTLS(ca, client))
		require.NoError(t, err)
		_, err = c.Write(payload)
		require.NoError(t, err)
		require.NoError(t, c.CloseWrite())
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.Copy(io.Discard, c)
		require.NoError(t, c.Close())
	}
	before := r.Stats()
	step := func(name string, want func(s Stats) bool) {
		t.Helper()
		waitFor(t, r, want)
		before = r.Stats()
	}

	gs := &Sender{Addr: r.Addr(), TLS: senderTLS(ca, &good)}
	require.NoError(t, gs.Send(ctx, msg(t, 0, "good")))
	// The good message is counted before any fault is sent: each step below
	// expects exact counts, and a late increment would overshoot them.
	step("good", func(s Stats) bool { return s.Accepted == before.Accepted+1 })

	// A frame whose MSG-LEN is not a number ends that stream (RFC 6587 §3.4.1).
	raw(t, &good, []byte("abc <85>1 - - - - - -"))
	step("bad frame", func(s Stats) bool { return s.BadFrames == before.BadFrames+1 })

	// An oversized frame is skipped, and the message after it is kept.
	big := make([]byte, 2000)
	for i := range big {
		big[i] = 'x'
	}
	payload := append(Frame(OctetCounting, big), Frame(OctetCounting, msg(t, 1, "after-oversized"))...)
	raw(t, &good, payload)
	step("oversized", func(s Stats) bool { return s.Oversized == before.Oversized+1 && s.Accepted == before.Accepted+1 })

	// A whole frame that is no RFC 5424 message is counted; the stream goes on.
	raw(t, &good, append(Frame(OctetCounting, []byte("hello, not syslog")), Frame(OctetCounting, msg(t, 2, "after-malformed"))...))
	step("malformed", func(s Stats) bool { return s.Malformed == before.Malformed+1 && s.Accepted == before.Accepted+1 })

	// The sender goes away inside a frame.
	raw(t, &good, []byte("100 <85>1 2026-01-02T03:04:05Z h a - - - half"))
	step("truncated", func(s Stats) bool { return s.Truncated == before.Truncated+1 })

	// No client certificate, and one from another CA: the handshake fails.
	if c, err := tls.Dial("tcp", r.Addr(), senderTLS(ca, nil)); err == nil {
		// TLS 1.3: the client learns of the refusal on its first read.
		_, _ = c.Write(Frame(OctetCounting, msg(t, 3, "no-cert")))
		_, _ = c.Read(make([]byte, 1))
		_ = c.Close()
	}
	step("no client certificate", func(s Stats) bool { return s.HandshakeFailed == before.HandshakeFailed+1 })
	foreign := other.issue(t, "intruder")
	if c, err := tls.Dial("tcp", r.Addr(), senderTLS(ca, &foreign)); err == nil {
		_, _ = c.Write(Frame(OctetCounting, msg(t, 4, "foreign-cert")))
		_, _ = c.Read(make([]byte, 1))
		_ = c.Close()
	}
	step("foreign client certificate", func(s Stats) bool { return s.HandshakeFailed == before.HandshakeFailed+1 })

	// Plain TCP to a TLS receiver.
	c, err := net.Dial("tcp", r.Addr())
	require.NoError(t, err)
	_, _ = c.Write(Frame(OctetCounting, msg(t, 5, "cleartext")))
	_ = c.Close()
	step("not TLS", func(s Stats) bool { return s.HandshakeFailed == before.HandshakeFailed+1 })

	// The good sender's connection outlived all of it.
	require.NoError(t, gs.Send(ctx, msg(t, 9, "good")))
	require.NoError(t, gs.Close())
	waitFor(t, r, func(s Stats) bool { return s.Accepted == 4 })
	var bodies []string
	for _, m := range r.Messages(0) {
		bodies = append(bodies, m.Msg)
		assert.Equal(t, "good-sender", m.PeerName)
	}
	assert.ElementsMatch(t, []string{"good 0", "after-oversized 1", "after-malformed 2", "good 9"}, bodies,
		"no rejected message is kept, no good one is lost")
	st := r.Stats()
	assert.Equal(t, int64(0), st.Dropped)
	assert.NotEmpty(t, r.Rejections())
}

func TestReceiverConcurrentSendersLoseNothing(t *testing.T) {
	ca := newCA(t, "suite CA")
	r := start(t, ca, Config{})
	const senders, each = 8, 250
	var wg sync.WaitGroup
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cert := ca.issue(t, fmt.Sprintf("sender-%d", i))
			s := &Sender{Addr: r.Addr(), TLS: senderTLS(ca, &cert)}
			defer s.Close()
			for j := range each {
				if err := s.Send(context.Background(), msg(t, i*each+j, "burst")); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, r, func(s Stats) bool { return s.Accepted == senders*each })
	seen := map[string]bool{}
	for _, m := range r.Messages(0) {
		seen[m.Msg] = true
	}
	assert.Len(t, seen, senders*each, "every message kept exactly once")
}

func TestReceiverLimits(t *testing.T) {
	ca := newCA(t, "suite CA")
	cert := ca.issue(t, "sender")
	t.Run("idle sender is cut off", func(t *testing.T) {
		t.Parallel()
		r := start(t, ca, Config{IdleTimeout: 50 * time.Millisecond})
		c, err := tls.Dial("tcp", r.Addr(), senderTLS(ca, &cert))
		require.NoError(t, err)
		defer c.Close()
		_, err = c.Write([]byte("12"))
		require.NoError(t, err)
		waitFor(t, r, func(s Stats) bool { return s.Timeouts == 1 })
	})
	t.Run("storage bound counts drops", func(t *testing.T) {
		t.Parallel()
		r := start(t, ca, Config{MaxStored: 2})
		s := &Sender{Addr: r.Addr(), TLS: senderTLS(ca, &cert)}
		defer s.Close()
		for i := range 3 {
			require.NoError(t, s.Send(context.Background(), msg(t, i, "m")))
		}
		waitFor(t, r, func(s Stats) bool { return s.Accepted == 2 && s.Dropped == 1 })
	})
	t.Run("too many senders", func(t *testing.T) {
		t.Parallel()
		r := start(t, ca, Config{MaxConns: 1})
		s1 := &Sender{Addr: r.Addr(), TLS: senderTLS(ca, &cert)}
		defer s1.Close()
		require.NoError(t, s1.Send(context.Background(), msg(t, 0, "first")))
		waitFor(t, r, func(s Stats) bool { return s.Accepted == 1 })
		c, err := net.Dial("tcp", r.Addr())
		require.NoError(t, err)
		defer c.Close()
		waitFor(t, r, func(s Stats) bool { return s.Refused == 1 })
	})
	t.Run("config", func(t *testing.T) {
		t.Parallel()
		_, err := Listen(Config{})
		assert.ErrorContains(t, err, "TLS certificate")
		_, err = Listen(Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
		assert.ErrorContains(t, err, "mutual authentication")
		_, err = ParseFraming("crlf")
		assert.Error(t, err)
	})
}
