// Package rsyslogpeer runs a real rsyslog (Debian packages rsyslog and
// rsyslog-openssl) on loopback for interop tests: it takes RFC 5424
// messages over TLS on an input port and forwards them over TLS with mutual
// authentication to the suite's receiver, octet-counted (RFC 5425) or LF
// framed (RFC 6587), as a hospital's log relay would. Test helper only.
package rsyslogpeer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/syslog"
	"github.com/apisec/apisec/internal/testpeer"
)

// Peer is a running rsyslogd.
type Peer struct {
	// Input is where it listens (TLS, client certificate required).
	Input string
	// ClientCert is a certificate a sender may present to it.
	ClientCert tls.Certificate
	// CommonName is the subject of rsyslog's own certificate (what the
	// receiver sees as its sender).
	CommonName string
	log        *lockedBuffer
}

// lockedBuffer collects the process's output; it is read while the
// process may still write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// CommonName of the relay's certificate.
const CommonName = "rsyslog relay (TEST)"

// binary finds rsyslogd (in /usr/sbin, which a test's PATH may lack) and
// its OpenSSL network driver, under the project's rule for test peers.
func binary(t testing.TB) string {
	t.Helper()
	path := "/usr/sbin/rsyslogd"
	if _, err := os.Stat(path); err != nil {
		path = testpeer.Require(t, "rsyslogd", "rsyslog")
	}
	for _, dir := range []string{"/usr/lib/x86_64-linux-gnu/rsyslog", "/usr/lib/aarch64-linux-gnu/rsyslog", "/usr/lib/rsyslog"} {
		if _, err := os.Stat(filepath.Join(dir, "lmnsd_ossl.so")); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("rsyslog's OpenSSL driver lmnsd_ossl.so is missing and CI=true (Debian package rsyslog-openssl)")
	}
	t.Skip("rsyslog's OpenSSL driver is missing (Debian package rsyslog-openssl); skipping")
	return ""
}

// Start runs rsyslogd until the test ends, forwarding to the receiver at
// forward with the given framing. ca and caKey issue its certificate (both
// server and client use: it is the senders' server and the receiver's
// client) and a client certificate for senders; it trusts ca only.
func Start(t testing.TB, ca *x509.Certificate, caKey crypto.Signer, forward string, framing syslog.Framing) *Peer {
	t.Helper()
	bin := binary(t)
	dir := t.TempDir()
	now := time.Now()
	own, err := syslog.Issue(ca, caKey, CommonName, []string{"127.0.0.1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, caFile := filepath.Join(dir, "relay.pem"), filepath.Join(dir, "relay.key"), filepath.Join(dir, "ca.pem")
	if err := syslog.WritePEM(own, certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	client, err := syslog.Issue(ca, caKey, "sender to the relay", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	// A free port for the input: rsyslog binds it itself.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	input := ln.Addr().String()
	ln.Close()
	_, inPort, _ := net.SplitHostPort(input)
	fwHost, fwPort, err := net.SplitHostPort(forward)
	if err != nil {
		t.Fatal(err)
	}
	tcpFraming := "octet-counted"
	if framing == syslog.NonTransparent {
		tcpFraming = "traditional"
	}
	conf := fmt.Sprintf(`global(
  workDirectory=%q
  maxMessageSize="64k"
  defaultNetstreamDriver="ossl"
  defaultNetstreamDriverCAFile=%q
  defaultNetstreamDriverCertFile=%q
  defaultNetstreamDriverKeyFile=%q
  parser.escapeControlCharactersOnReceive="off"
)
module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="x509/certvalid" maxSessions="16")
input(type="imtcp" address="127.0.0.1" port=%q)
action(type="omfwd" target=%q port=%q protocol="tcp"
  streamDriver="ossl" streamDriverMode="1" streamDriverAuthMode="x509/certvalid"
  TCP_Framing=%q template="RSYSLOG_SyslogProtocol23Format"
  action.resumeRetryCount="-1" action.resumeInterval="1"
  queue.type="LinkedList" queue.size="200000")
`, dir, caFile, certFile, keyFile, inPort, fwHost, fwPort, tcpFraming)
	confFile := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	// -n: stay in the foreground, so the test owns the process; -i: a pid
	// file of its own, never the system's.
	cmd := exec.Command(bin, "-n", "-f", confFile, "-i", filepath.Join(dir, "rsyslogd.pid"))
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		start := time.Now()
		defer func() { t.Logf("rsyslogd stopped in %s", time.Since(start)) }()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	// Ready when its input answers a TLS handshake.
	ready := time.Now()
	defer func() { t.Logf("rsyslogd ready in %s", time.Since(ready)) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	for {
		d := &tls.Dialer{Config: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", Certificates: []tls.Certificate{client}}}
		c, err := d.DialContext(ctx, "tcp", input)
		if err == nil {
			_ = c.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("rsyslogd exited: %s", out.String())
		case <-ctx.Done():
			t.Fatalf("rsyslogd did not listen on %s: %v\n%s", input, err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return &Peer{Input: input, ClientCert: client, CommonName: CommonName, log: out}
}

// Log is what rsyslogd printed (for failure messages).
func (p *Peer) Log() string { return p.log.String() }
