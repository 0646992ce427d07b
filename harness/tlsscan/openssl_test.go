package tlsscan

import (
	"github.com/apisec/apisec/harness/tlsregistry"
	"github.com/apisec/apisec/internal/testpeer"

	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// needOpenSSL returns the openssl binary; in CI its absence is a failure
// (.ci/run installs the Debian package "openssl"), elsewhere a skip.
func needOpenSSL(t testing.TB) string {
	t.Helper()
	return testpeer.Require(t, "openssl", "openssl")
}

// startSServer runs `openssl s_server` on a free 127.0.0.1 port until the
// test ends and returns its address.
func startSServer(t testing.TB, bin string, pki *testPKI, env []string, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile, _ := pki.writePEM(t, dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	full := append([]string{"s_server", "-accept", addr, "-cert", certFile, "-key", keyFile, "-quiet"}, args...)
	cmd := exec.Command(bin, full...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	// An open, silent stdin: at EOF s_server would end every connection
	// right after the handshake.
	stdin, err := cmd.StdinPipe()
	must(t, err)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		<-exited
	})
	// Bounded wait for the port to accept.
	for range 100 {
		select {
		case <-exited:
			t.Fatalf("openssl s_server %v exited: %s", args, stderr.String())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return addr
		}
		time.Sleep(20 * time.Millisecond) // test-only readiness poll
	}
	t.Fatalf("openssl s_server did not listen on %s: %s", addr, stderr.String())
	return ""
}

// opensslSuites asks openssl which TLS 1.2 suites a cipher string enables,
// as IANA code points via the registry's OpenSSL names.
func opensslSuites(t testing.TB, bin, cipher string, keep func(Suite) bool) []uint16 {
	t.Helper()
	out, err := exec.Command(bin, "ciphers", "-tls1_2", "-s", cipher).Output()
	if err != nil {
		t.Fatalf("openssl ciphers %s: %v", cipher, err)
	}
	byName := map[string]Suite{}
	for _, s := range tlsregistry.Suites() {
		byName[s.OpenSSL] = s
	}
	var codes []uint16
	for _, name := range strings.Split(strings.TrimSpace(string(out)), ":") {
		s, ok := byName[name]
		if !ok {
			t.Fatalf("openssl suite %s not in the registry table", name)
		}
		if !s.TLS13() && keep(s) {
			codes = append(codes, uint16(s.Code))
		}
	}
	slices.Sort(codes)
	return codes
}

func TestScanOpenSSLServer(t *testing.T) {
	bin := needOpenSSL(t)
	rsa := newPKI(t, "rsa2048")
	ecdsa := newPKI(t, "p256")
	dir := t.TempDir()
	ffdhe2048 := filepath.Join(dir, "ffdhe2048.pem")
	if out, err := exec.Command(bin, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out", ffdhe2048).CombinedOutput(); err != nil {
		t.Fatalf("genpkey: %v %s", err, out)
	}
	noEMS := filepath.Join(dir, "noems.cnf")
	must(t, os.WriteFile(noEMS, []byte("openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nOptions = -ExtendedMasterSecret\n"), 0o600))
	rsaOnly := func(s Suite) bool { return s.Au == "RSA" }

	cases := []struct {
		name  string
		pki   *testPKI
		env   []string
		args  []string
		check func(t *testing.T, r *Result)
	}{
		{"default TLS 1.2+1.3", rsa, nil, nil, func(t *testing.T, r *Result) {
			want := opensslSuites(t, bin, "DEFAULT", rsaOnly)
			got := slices.Sorted(mapsKeys(suiteCodes(r.Version(VersionTLS12).Suites)))
			if !slices.Equal(got, want) {
				t.Errorf("TLS 1.2 suites %x, openssl ciphers says %x", got, want)
			}
			if got := len(r.Version(VersionTLS13).Suites); got != 3 {
				t.Errorf("TLS 1.3 suites: %d, want 3", got)
			}
			for _, v := range []uint16{VersionSSL20, VersionSSL30, VersionTLS10, VersionTLS11} {
				if r.Version(v).Supported {
					t.Errorf("%s supported on a default OpenSSL 3 server", VersionName(v))
				}
			}
			if o := r.Version(VersionTLS12).Order; o != "client" {
				t.Errorf("order %q: s_server without -serverpref follows the client", o)
			}
			if len(r.DHGroups) != 1 || r.DHGroups[0].Source != "RFC 3526" || r.DHGroups[0].Bits != 2048 {
				t.Errorf("DH groups %+v: OpenSSL auto DH uses the RFC 3526 group sized to the key", r.DHGroups)
			}
			if !kexAccepted(r, "sha224") || kexAccepted(r, "sha1") || kexAccepted(r, "md5") {
				t.Errorf("kex signatures %+v: stock OpenSSL 3 signs with SHA-224 but refuses SHA-1 at level 2", r.KexSignatures)
			}
			if !r.ExtendedMasterSecret.Supported || !r.SecureRenegotiation.Supported || r.Compression.Supported {
				t.Errorf("EMS %+v reneg %+v compression %+v", r.ExtendedMasterSecret, r.SecureRenegotiation, r.Compression)
			}
			if r.ZeroRTT.Offered || !r.ZeroRTT.State.Seen() || r.ZeroRTT.Tickets == 0 {
				t.Errorf("0-RTT %+v: OpenSSL issues tickets without early_data by default", r.ZeroRTT)
			}
			if !groupNames(r.Groups.TLS13)["ffdhe2048"] || !groupNames(r.Groups.TLS13)["x25519"] || !groupNames(r.Groups.TLS12)["secp256r1"] {
				t.Errorf("groups %+v", r.Groups)
			}
			if c := r.ClientRenegotiation; !c.State.Seen() || c.Outcome != "refused" || c.Refusal != "warning no_renegotiation (100)" {
				t.Errorf("client renegotiation %+v: OpenSSL 3 refuses it by default", r.ClientRenegotiation)
			}
		}},
		{"server order prefers a CBC suite", rsa, nil, []string{"-tls1_2", "-serverpref", "-cipher", "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-GCM-SHA256"}, func(t *testing.T, r *Result) {
			vr := r.Version(VersionTLS12)
			if vr.Order != "server" || !slices.Equal(vr.ServerPreference, []uint16{0xC027, 0xC02F}) {
				t.Errorf("order %q preference %x, want server [c027 c02f]", vr.Order, vr.ServerPreference)
			}
			if weaker, known := vr.Prefers(0xC027, 0xC02F); !weaker || !known {
				t.Error("the server prefers the CBC suite over the GCM one")
			}
			if r.Version(VersionTLS13).Supported {
				t.Error("TLS 1.3 supported with -tls1_2")
			}
		}},
		{"TLS 1.1 at security level 0", rsa, nil, []string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}, func(t *testing.T, r *Result) {
			if !r.Version(VersionTLS11).Supported || r.Version(VersionTLS12).Supported || r.Version(VersionTLS10).Supported {
				t.Errorf("versions %v", supported(r))
			}
			if r.ExtendedMasterSecret.Version != VersionTLS11 {
				t.Errorf("options read from %s, want TLS 1.1", VersionName(r.ExtendedMasterSecret.Version))
			}
		}},
		{"DHE with RFC 7919 ffdhe2048", rsa, nil, []string{"-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256", "-dhparam", ffdhe2048}, func(t *testing.T, r *Result) {
			if len(r.DHGroups) != 1 || r.DHGroups[0].Name != "ffdhe2048" || r.DHGroups[0].Source != "RFC 7919" || r.DHGroups[0].Bits != 2048 {
				t.Errorf("DH groups %+v, want ffdhe2048 (prime ADF85458...)", r.DHGroups)
			}
			if len(r.Groups.TLS12) != 0 {
				t.Errorf("ECDHE curves %v without ECDHE suites", r.Groups.TLS12)
			}
		}},
		{"key exchange signed with SHA-1", rsa, nil, []string{"-tls1_2", "-sigalgs", "RSA+SHA1:RSA+SHA256", "-cipher", "DEFAULT@SECLEVEL=0"}, func(t *testing.T, r *Result) {
			if !kexAccepted(r, "sha1") || kexAccepted(r, "sha224") {
				t.Errorf("kex signatures %+v, want SHA-1 accepted, SHA-224 not", r.KexSignatures)
			}
		}},
		{"0-RTT accepted", rsa, nil, []string{"-early_data", "-max_early_data", "16384"}, func(t *testing.T, r *Result) {
			if !r.ZeroRTT.Offered || r.ZeroRTT.MaxEarlyData != 16384 {
				t.Errorf("0-RTT %+v, want accepted with max 16384 (RFC 8446 4.6.1)", r.ZeroRTT)
			}
		}},
		{"no Extended Master Secret", rsa, []string{"OPENSSL_CONF=" + noEMS}, []string{"-tls1_2"}, func(t *testing.T, r *Result) {
			if !r.ExtendedMasterSecret.State.Seen() || r.ExtendedMasterSecret.Supported {
				t.Errorf("EMS %+v, want tested and absent (RFC 7627)", r.ExtendedMasterSecret)
			}
		}},
		{"TLS 1.3 CCM_8 only", ecdsa, nil, []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_8_SHA256"}, func(t *testing.T, r *Result) {
			got := r.Version(VersionTLS13).Suites
			if len(got) != 1 || got[0].Code != 0x1305 {
				t.Errorf("TLS 1.3 suites %+v, want only 0x1305", got)
			}
			if r.ExtendedMasterSecret.State.Seen() || r.ExtendedMasterSecret.State.Reason == "" {
				t.Error("EMS on a TLS 1.3-only server must say why it is not tested")
			}
			// crypto/tls has no CCM: the TLS 1.3 certificate is out of
			// reach, and the result must say so.
			if len(r.Chains) != 0 || !strings.Contains(r.ChainsState.Reason, "full handshake") {
				t.Errorf("chains %d, chain error %q", len(r.Chains), r.ChainsState.Reason)
			}
		}},
		{"ECDHE on secp224r1 with ECDSA certificate", ecdsa, nil, []string{"-tls1_2", "-groups", "secp224r1:P-256"}, func(t *testing.T, r *Result) {
			g := groupNames(r.Groups.TLS12)
			if !g["secp224r1"] || !g["secp256r1"] || len(g) != 2 {
				t.Errorf("TLS 1.2 curves %v, want secp224r1 and secp256r1", g)
			}
			for _, s := range r.Version(VersionTLS12).Suites {
				if s.Au != "ECDSA" {
					t.Errorf("suite %s with an ECDSA-only server", s.Name)
				}
			}
		}},
		{"client renegotiation allowed", rsa, nil, []string{"-tls1_2", "-client_renegotiation"}, func(t *testing.T, r *Result) {
			c := r.ClientRenegotiation
			if !c.State.Seen() || c.Outcome != "allowed" || c.Attempts != 1 || c.Succeeded != 1 || c.LimitNotTested == "" {
				t.Errorf("client renegotiation %+v, want allowed after the one default attempt, limit not tested", c)
			}
		}},
		// The renegotiation client's DHE and static RSA key exchanges,
		// against OpenSSL: every renegotiation completes a full handshake
		// with verified Finished messages.
		{"client renegotiation over DHE", rsa, nil, []string{"-tls1_2", "-client_renegotiation", "-cipher", "DHE-RSA-AES256-GCM-SHA384", "-dhparam", ffdhe2048}, func(t *testing.T, r *Result) {
			if c := r.ClientRenegotiation; !c.State.Seen() || c.Outcome != "allowed" || c.Succeeded != 1 {
				t.Errorf("client renegotiation over DHE %+v, want one renegotiation completed", c)
			}
		}},
		{"client renegotiation over static RSA", rsa, nil, []string{"-tls1_2", "-client_renegotiation", "-cipher", "AES128-GCM-SHA256"}, func(t *testing.T, r *Result) {
			if c := r.ClientRenegotiation; !c.State.Seen() || c.Outcome != "allowed" || c.Succeeded != 1 {
				t.Errorf("client renegotiation over static RSA %+v, want one renegotiation completed", c)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := startSServer(t, bin, tc.pki, tc.env, tc.args...)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			r, err := Scan(ctx, Target{Address: addr, ServerName: "scan.test", RootCAs: tc.pki.pool}, Options{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			if len(r.Errors) > 0 {
				t.Errorf("probe errors: %v", r.Errors)
			}
			if len(r.Chains) == 0 && r.ChainsState.Reason == "" || len(r.Chains) > 0 && (!r.Chains[0].Trusted || !r.Chains[0].NameMatch) {
				t.Errorf("chain %+v", r.Chains)
			}
			tc.check(t, r)
			t.Logf("%d handshakes in %d ms", r.Handshakes, r.DurationMS)
		})
	}
}

func kexAccepted(r *Result, hash string) bool {
	for _, k := range r.KexSignatures {
		if k.Hash == hash {
			return k.Signed
		}
	}
	return false
}

func supported(r *Result) []string {
	var out []string
	for _, v := range r.Versions {
		if v.Supported {
			out = append(out, v.Name)
		}
	}
	return out
}

func mapsKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestClientRenegotiationLimitProbe: only RenegotiationLimitProbe attempts
// (limits.dos_probes) tell "unlimited" from "allowed"; the default makes
// one renegotiation, and a server that refuses the first is "refused" either
// way.
func TestClientRenegotiationLimitProbe(t *testing.T) {
	bin := needOpenSSL(t)
	rsa := newPKI(t, "rsa2048")
	allows := startSServer(t, bin, rsa, nil, "-tls1_2", "-client_renegotiation")
	refuses := startSServer(t, bin, rsa, nil, "-tls1_2")
	cases := []struct {
		name, addr string
		attempts   int
		state      string
		succeeded  int
	}{
		{"default, allowing server", allows, 0, "allowed", 1},
		{"limit probe, allowing server", allows, RenegotiationLimitProbe, "unlimited", RenegotiationLimitProbe},
		{"limit probe, refusing server", refuses, RenegotiationLimitProbe, "refused", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := Options{Timeout: 5 * time.Second, RenegotiationAttempts: c.attempts}
			o.fill()
			s := &scanner{t: Target{Address: c.addr, ServerName: "scan.test"}, o: o, sem: make(chan struct{}, 1)}
			r := s.clientRenegotiation(t.Context())
			if !r.State.Seen() || r.Outcome != c.state || r.Succeeded != c.succeeded || (r.LimitNotTested != "") != (c.state == "allowed") {
				t.Errorf("%+v, want state %s after %d renegotiations", r, c.state, c.succeeded)
			}
			if got := int(s.handshakes.Load()); got != 1 {
				t.Errorf("%d connections, want 1 (renegotiations share the connection)", got)
			}
		})
	}
}
