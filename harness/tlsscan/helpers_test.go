package tlsscan

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testPKI is a throw-away CA and leaf generated per test run; no private
// key is ever committed.
type testPKI struct {
	ca     *x509.Certificate
	caKey  crypto.Signer
	pool   *x509.CertPool
	leaf   tls.Certificate
	leafX  *x509.Certificate
	client tls.Certificate
}

func newKey(t testing.TB, kind string) crypto.Signer {
	t.Helper()
	var k crypto.Signer
	var err error
	switch kind {
	case "rsa2048":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case "p256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		t.Fatalf("unknown key kind %s", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var serial atomic.Int64

func issue(t testing.TB, tmpl *x509.Certificate, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(1000 + serial.Add(1))
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newPKI makes a CA (P-256) and a leaf of leafKind for "scan.test" and
// 127.0.0.1 with an OCSP URL, and a client certificate.
func newPKI(t testing.TB, leafKind string) *testPKI {
	t.Helper()
	now := time.Now()
	caKey := newKey(t, "p256")
	ca := issue(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "tlsscan test CA"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil, caKey.Public(), caKey)
	leafKey := newKey(t, leafKind)
	leaf := issue(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "scan.test"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		DNSNames: []string{"scan.test"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		OCSPServer: []string{"http://127.0.0.1:1/ocsp"},
	}, ca, leafKey.Public(), caKey)
	clientKey := newKey(t, "p256")
	client := issue(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "tlsscan client"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}, ca, clientKey.Public(), caKey)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &testPKI{
		ca: ca, caKey: caKey, pool: pool, leafX: leaf,
		leaf:   tls.Certificate{Certificate: [][]byte{leaf.Raw, ca.Raw}, PrivateKey: leafKey, Leaf: leaf},
		client: tls.Certificate{Certificate: [][]byte{client.Raw}, PrivateKey: clientKey, Leaf: client},
	}
}

// writePEM writes the leaf chain and key for external servers.
func (p *testPKI) writePEM(t testing.TB, dir string) (certFile, keyFile, caFile string) {
	t.Helper()
	certFile, keyFile, caFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem")
	var chain []byte
	for _, d := range p.leaf.Certificate[:1] {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(p.leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(certFile, chain, 0o600))
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	must(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.ca.Raw}), 0o600))
	return
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// serveTLS runs a crypto/tls server on 127.0.0.1 until the test ends.
// Each connection completes the handshake and then echoes until EOF.
func serveTLS(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	return serveRaw(t, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
		if err := tc.Handshake(); err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, tc)
	})
}

// serveRaw accepts connections on 127.0.0.1 and runs handle for each; the
// listener and every connection close when the test ends.
func serveRaw(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	done := make(chan struct{})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			select {
			case <-done:
				mu.Unlock()
				c.Close()
				return
			default:
			}
			conns[c] = true
			mu.Unlock()
			wg.Go(func() {
				defer func() {
					mu.Lock()
					delete(conns, c)
					mu.Unlock()
					c.Close()
				}()
				handle(c)
			})
		}
	})
	t.Cleanup(func() {
		close(done)
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// countingDial counts dials and the most connections open at once.
type countingDial struct {
	dials, open, peak atomic.Int64
}

func (d *countingDial) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.dials.Add(1)
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	n := d.open.Add(1)
	for {
		p := d.peak.Load()
		if n <= p || d.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return &closeHook{Conn: c, once: &sync.Once{}, f: func() { d.open.Add(-1) }}, nil
}

type closeHook struct {
	net.Conn
	once *sync.Once
	f    func()
}

func (c *closeHook) Close() error {
	c.once.Do(c.f)
	return c.Conn.Close()
}

func suiteCodes(rs []SuiteResult) map[uint16]bool {
	m := map[uint16]bool{}
	for _, r := range rs {
		m[r.Code] = true
	}
	return m
}

func groupNames(gs []Group) map[string]bool {
	m := map[string]bool{}
	for _, g := range gs {
		m[g.Name] = true
	}
	return m
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}
