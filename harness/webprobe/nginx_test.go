package webprobe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/apisec/apisec/fixtures/nginxpeer"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/internal/testpeer"
)

// TestNginxPeers runs the probes against nginx, an independent server whose
// defaults differ from the reference target's, in two configurations:
// stock (no hardening headers, version banner, `return 200` for any method
// and path, plain HTTP redirected to another host) and hardened. What
// decides each difference:
//   - HSTS: RFC 6797 §6.1 / ASVS 3.4.1 (stock sends none: fail);
//   - redirect to another host first: Stb. 2023, 179 and internet.nl
//     "HTTPS forced" (fail);
//   - unknown method answered 200: RFC 9110 §9.1 (SHOULD 501) and ASVS
//     4.1.4 — nginx hands any token method to `return` (fail);
//   - TRACE: nginx refuses it in its core with 405 (pass, both); TRACK
//     reaches `return 200` but is not echoed, so it is no cross-site
//     tracing (the unknown-method probe judges it);
//   - a catch-all 200 body is not an exposed /.git or /actuator: the
//     signature decides, not the status (pass);
//   - a POST answered like a GET makes method override unobservable (info).
func TestNginxPeers(t *testing.T) {
	bin := testpeer.Require(t, "nginx", "nginx-light")
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	ports := freePorts(t, 4)
	stock, hardened, plainSame, plainOther := ports[0], ports[1], ports[2], ports[3]
	cmd, err := nginxpeer.Command(bin, dir)
	if err != nil {
		t.Fatal(err)
	}
	conf := nginxpeer.Prelude(dir) + fmt.Sprintf(`    client_max_body_size 64k;
    ssl_certificate %[1]s;
    ssl_certificate_key %[2]s;
    server {
        listen 127.0.0.1:%[3]d ssl;
        location / { default_type application/json; return 200 '{"ok":true}'; }
    }
    server {
        listen 127.0.0.1:%[4]d ssl;
        server_tokens off;
        # add_header in a location replaces every inherited one (nginx's
        # own gotcha, which the probes do notice), so each location repeats them.
        location = / {
            %[7]s
            add_header Allow "GET, HEAD" always;
            if ($request_method !~ ^(GET|HEAD)$) { return 405; }
            default_type application/json;
            return 200 '{"ok":true}';
        }
        location / { %[7]s default_type application/json; return 404 '{"error":"not found"}'; }
    }
    server { listen 127.0.0.1:%[5]d; return 301 https://$host:%[4]d$request_uri; }
    server { listen 127.0.0.1:%[6]d; return 301 https://elsewhere.apisec.invalid$request_uri; }
}
`, cert, key, stock, hardened, plainSame, plainOther, hardeningHeaders)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := os.Create(filepath.Join(dir, "logs", "stdout")); err == nil {
		cmd.Stdout, cmd.Stderr = out, out
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
	})
	waitDial(t, stock, hardened, plainSame, plainOther)

	pool := x509.NewCertPool()
	raw, _ := os.ReadFile(cert)
	pool.AppendCertsFromPEM(raw)
	run := func(t *testing.T, port, plain int, rule string) map[string]verdict.Status {
		p := &profile.Profile{Version: 1, Target: profile.Target{Name: "nginx", BaseURL: fmt.Sprintf("https://127.0.0.1:%d/", port), Interfaces: []string{"rest"}},
			Web: &profile.Web{HTTPURL: fmt.Sprintf("http://127.0.0.1:%d/", plain)}}
		g := conduct.NewGuard(conduct.Config{Hosts: p.Hosts(), RatePerSecond: 500, Burst: 50, Timeout: 5 * time.Second, RootCAs: pool})
		s, err := NewSession(Config{Profile: p, Client: g.HTTPClient(nil)})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]verdict.Status{}
		for _, res := range s.Run(context.Background(), rule).Results {
			st, f := verdict.Classify(res.Err)
			out[res.Probe.ID] = st
			if f != nil {
				t.Logf("%s %s: %s", res.Probe.ID, st, f.Error())
			}
		}
		return out
	}
	expect := func(t *testing.T, got map[string]verdict.Status, want map[string]verdict.Status) {
		t.Helper()
		for id, w := range want {
			if got[id] != w {
				t.Errorf("%s: got %s, want %s", id, got[id], w)
			}
		}
	}
	t.Run("stock", func(t *testing.T) {
		expect(t, run(t, stock, plainOther, "SC003"), map[string]verdict.Status{
			"web/plain-http": verdict.Fail, "web/hsts": verdict.Fail, "web/hsts-subdomains": verdict.Warn,
			"web/nosniff": verdict.Warn, "web/csp": verdict.Warn, "web/referrer-policy": verdict.Warn,
			"web/banner": verdict.Warn, "web/exposed-defaults": verdict.Pass, "web/cors": verdict.Pass,
			"web/frame-options": verdict.Info, "web/security-txt": verdict.Info,
		})
		expect(t, run(t, stock, plainOther, "SC002"), map[string]verdict.Status{
			"web/trace": verdict.Pass, "web/unsupported-method": verdict.Fail, "web/malformed-json": verdict.Warn,
			"web/oversized-body": verdict.Pass, "web/method-override": verdict.Info, "web/bad-soap-envelope": verdict.NotApplicable,
			"web/cache-control": verdict.NotAssessed, "web/reflection": verdict.Pass,
		})
	})
	t.Run("hardened", func(t *testing.T) {
		expect(t, run(t, hardened, plainSame, "SC003"), map[string]verdict.Status{
			"web/plain-http": verdict.Pass, "web/hsts": verdict.Pass, "web/hsts-subdomains": verdict.Pass,
			"web/nosniff": verdict.Pass, "web/csp": verdict.Pass, "web/referrer-policy": verdict.Pass,
			"web/banner": verdict.Pass, "web/exposed-defaults": verdict.Pass,
		})
		expect(t, run(t, hardened, plainSame, "SC002"), map[string]verdict.Status{
			"web/trace": verdict.Pass, "web/unsupported-method": verdict.Pass, "web/malformed-json": verdict.Pass,
			"web/content-type": verdict.Pass, "web/method-override": verdict.Pass,
		})
	})
}

const hardeningHeaders = `add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
            add_header X-Content-Type-Options nosniff always;
            add_header Content-Security-Policy "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" always;
            add_header Referrer-Policy no-referrer always;`

func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var out []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return out
}

func waitDial(t *testing.T, ports ...int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range ports {
		for {
			c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p), time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("nginx does not listen on %d: %v", p, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
