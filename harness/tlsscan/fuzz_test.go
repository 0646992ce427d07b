package tlsscan

import (
	"bytes"
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The parsers read attacker-controlled bytes; these targets check they
// never panic or over-allocate. Seeds in testdata/fuzz/<Target>/ are real
// server flights recorded with -update (see TestRecordFuzzSeeds).

var update = flag.Bool("update", false, "re-record fuzz seeds in testdata/ from in-process servers")

func FuzzReadFlight(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, 14, 0, 0, 0})
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40})
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rr := newRecordReader(bytes.NewReader(data))
		for range 16 {
			msg, err := rr.readHandshake()
			if err != nil {
				return
			}
			if len(msg) < 4 {
				t.Fatalf("handshake message of %d bytes", len(msg))
			}
			body := msg[4:]
			switch msg[0] {
			case hsServerHello:
				_, _ = parseServerHello(msg)
			case hsCertificate:
				certs, _ := parseCertificateList(body)
				for _, c := range certs {
					describeCert(c)
				}
			case hsServerKeyExchange:
				for _, code := range []uint16{0xC02F, 0x009E, 0x00A6, 0xC0A7, 0xCCAC} {
					su, _ := LookupSuite(code)
					for _, v := range []uint16{VersionTLS10, VersionTLS12} {
						if ske, err := parseServerKeyExchange(body, su, v); err == nil && len(ske.P) > 0 {
							identifyDH(ske.P, ske.G)
						}
					}
				}
			case hsCertificateStatus:
				_, _ = parseCertificateStatus(body)
			}
		}
		if rr.read > maxFlightBytes {
			t.Fatalf("read %d bytes, bound is %d", rr.read, maxFlightBytes)
		}
	})
}

func FuzzParseServerHello(f *testing.F) {
	f.Add([]byte{2, 0, 0, 38, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x2f, 0})
	f.Fuzz(func(t *testing.T, msg []byte) {
		sh, err := parseServerHello(msg)
		if err == nil && len(sh.Random) != 32 {
			t.Fatalf("random of %d bytes accepted", len(sh.Random))
		}
	})
}

func FuzzSSLv2ServerHello(f *testing.F) {
	f.Add([]byte{0x80, 0x0d, 4, 0, 1, 0, 2, 0, 0, 0, 3, 0, 0, 0x01, 0x00, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		sh, err := readSSLv2ServerHello(bytes.NewReader(data))
		if err == nil && len(sh.Specs) > len(data)/3 {
			t.Fatalf("%d specs from %d bytes", len(sh.Specs), len(data))
		}
	})
}

func FuzzTicketStream(f *testing.F) {
	secret := bytes.Repeat([]byte{7}, 32)
	f.Add([]byte{23, 3, 3, 0, 17, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
	f.Add([]byte{0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 42, 0, 4, 0, 0, 0x40, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := newTicketReader(tls.TLS_AES_128_GCM_SHA256, secret, secret)
		if err != nil {
			t.Fatal(err)
		}
		_, _, _ = tr.scan(data)
		_, _ = parseTicketEarlyData(data)
	})
}

// TestRecordFuzzSeeds records real server flights as fuzz seeds when run
// with -update; otherwise it checks the seed corpus is present.
func TestRecordFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReadFlight")
	if !*update {
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) == 0 {
			t.Fatalf("no recorded seeds in %s (run go test -run TestRecordFuzzSeeds -update): %v", dir, err)
		}
		return
	}
	p := newPKI(t, "rsa2048")
	addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{p.leaf}, MinVersion: tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA}})
	var mu sync.Mutex
	var flights [][]byte
	dial := func(ctx context.Context, network, a string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, a)
		if err != nil {
			return nil, err
		}
		rc := &recordConn{Conn: c}
		rc.done = func() {
			mu.Lock()
			flights = append(flights, rc.buf.Bytes())
			mu.Unlock()
		}
		return rc, nil
	}
	_, err := Scan(context.Background(), Target{Address: addr, ServerName: "scan.test", RootCAs: p.pool}, Options{Dial: dial, Timeout: 5 * time.Second})
	must(t, err)
	must(t, os.MkdirAll(dir, 0o755))
	shDir := filepath.Join("testdata", "fuzz", "FuzzParseServerHello")
	must(t, os.MkdirAll(shDir, 0o755))
	seen := map[string]bool{}
	n := 0
	for _, fl := range flights {
		if len(fl) == 0 || seen[string(fl)] || n >= 12 {
			continue
		}
		seen[string(fl)] = true
		must(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("flight%02d", n)), corpusFile(fl), 0o644))
		rr := newRecordReader(bytes.NewReader(fl))
		if msg, err := rr.readHandshake(); err == nil {
			must(t, os.WriteFile(filepath.Join(shDir, fmt.Sprintf("hello%02d", n)), corpusFile(msg), 0o644))
		}
		n++
	}
	t.Logf("wrote %d seeds", n)
}

func corpusFile(b []byte) []byte {
	return fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b)
}

// recordConn keeps what the server sent.
type recordConn struct {
	net.Conn
	buf  bytes.Buffer
	done func()
	once sync.Once
}

func (c *recordConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.buf.Write(p[:n])
	return n, err
}

func (c *recordConn) Close() error {
	c.once.Do(c.done)
	return c.Conn.Close()
}
