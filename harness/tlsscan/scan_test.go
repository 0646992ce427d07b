package tlsscan

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"maps"
	"math/big"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

func scanTLS(t *testing.T, addr string, tgt Target, o Options) *Result {
	t.Helper()
	tgt.Address = addr
	if tgt.ServerName == "" {
		tgt.ServerName = "scan.test"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Scan(ctx, tgt, o)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return res
}

func TestScanCryptoTLSServers(t *testing.T) {
	ecdsaPKI := newPKI(t, "p256")
	rsaPKI := newPKI(t, "rsa2048")
	cases := []struct {
		name       string
		cfg        *tls.Config
		versions   []uint16
		suites     map[uint16][]uint16 // exact accepted set per version
		groups13   []string
		groups12   []string
		kexSHA256  bool
		serverPref bool
	}{
		{
			name: "TLS 1.2+1.3 ECDSA with hybrid group",
			cfg: &tls.Config{
				Certificates: []tls.Certificate{ecdsaPKI.leaf}, MinVersion: tls.VersionTLS12,
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,
					tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256},
				CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384},
			},
			versions: []uint16{VersionTLS12, VersionTLS13},
			suites: map[uint16][]uint16{
				VersionTLS12: {0xC02C, 0xCCA9, 0xC02B, 0xC023},
				VersionTLS13: {0x1301, 0x1302, 0x1303},
			},
			groups13:   []string{"X25519MLKEM768", "x25519", "secp256r1", "secp384r1"},
			groups12:   []string{"x25519", "secp256r1", "secp384r1"},
			kexSHA256:  true,
			serverPref: true,
		},
		{
			name: "TLS 1.0-1.2 RSA with CBC-SHA1 and static RSA",
			cfg: &tls.Config{
				Certificates: []tls.Certificate{rsaPKI.leaf}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
				CipherSuites:     []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
				CurvePreferences: []tls.CurveID{tls.CurveP256},
			},
			versions: []uint16{VersionTLS10, VersionTLS11, VersionTLS12},
			suites: map[uint16][]uint16{
				VersionTLS10: {0xC013, 0x002F},
				VersionTLS11: {0xC013, 0x002F},
				VersionTLS12: {0xC013, 0x002F, 0xC02F},
			},
			groups12:   []string{"secp256r1"},
			kexSHA256:  true,
			serverPref: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := serveTLS(t, tc.cfg)
			pki := ecdsaPKI
			if tc.cfg.Certificates[0].Leaf == rsaPKI.leaf.Leaf {
				pki = rsaPKI
			}
			res := scanTLS(t, addr, Target{RootCAs: pki.pool}, Options{Timeout: 5 * time.Second})
			for _, vr := range res.Versions {
				want := slices.Contains(tc.versions, vr.Version)
				if vr.Supported != want {
					t.Errorf("%s supported = %v, want %v (error %q)", vr.Name, vr.Supported, want, vr.State.Reason)
				}
				if wantSuites, ok := tc.suites[vr.Version]; ok {
					got := slices.Sorted(maps.Keys(suiteCodes(vr.Suites)))
					slices.Sort(wantSuites)
					if !slices.Equal(got, wantSuites) {
						t.Errorf("%s suites = %x, want %x", vr.Name, got, wantSuites)
					}
					if tc.serverPref && vr.Version == VersionTLS12 && len(wantSuites) > 1 {
						if vr.Order != "server" || len(vr.ServerPreference) != len(wantSuites) {
							t.Errorf("%s order = %q, preference %x; crypto/tls servers impose their own order", vr.Name, vr.Order, vr.ServerPreference)
						}
					}
				}
			}
			if g := slices.Sorted(maps.Keys(groupNames(res.Groups.TLS13))); !slices.Equal(g, slices.Sorted(slices.Values(tc.groups13))) {
				t.Errorf("TLS 1.3 groups = %v, want %v (%s)", g, tc.groups13, res.Groups.TLS13State.Reason)
			}
			if g := slices.Sorted(maps.Keys(groupNames(res.Groups.TLS12))); !slices.Equal(g, slices.Sorted(slices.Values(tc.groups12))) {
				t.Errorf("TLS 1.2 curves = %v, want %v (%s)", g, tc.groups12, res.Groups.TLS12State.Reason)
			}
			if !res.ExtendedMasterSecret.State.Seen() || !res.ExtendedMasterSecret.Supported {
				t.Errorf("EMS = %+v; crypto/tls always echoes extended_master_secret (RFC 7627)", res.ExtendedMasterSecret)
			}
			if !res.SecureRenegotiation.Supported {
				t.Errorf("secure renegotiation = %+v; crypto/tls sends renegotiation_info (RFC 5746)", res.SecureRenegotiation)
			}
			if !res.Compression.State.Seen() || res.Compression.Supported {
				t.Errorf("compression = %+v; crypto/tls never compresses", res.Compression)
			}
			for _, ks := range res.KexSignatures {
				switch ks.Hash {
				case "md5", "sha224":
					if ks.Signed {
						t.Errorf("kex signature %s accepted; crypto/tls cannot sign with it", ks.Hash)
					}
				case "sha256":
					if ks.Signed != tc.kexSHA256 {
						t.Errorf("kex signature sha256 accepted = %v (%+v)", ks.Signed, ks)
					}
				}
			}
			if tc.kexSHA256 && tc.suites[VersionTLS12] != nil && len(res.KexSignatures) != 7 {
				t.Errorf("kex signatures probed: %d, want 7", len(res.KexSignatures))
			}
			if len(res.Chains) == 0 || !res.Chains[0].Trusted || !res.Chains[0].NameMatch {
				t.Fatalf("chains = %+v; want a trusted chain matching scan.test", res.Chains)
			}
			leaf := res.Chains[0].Certs[0]
			if want := pki.leafX; leaf.SHA256 != hexFP(want.Raw) || leaf.SignatureHash != "sha256" {
				t.Errorf("leaf = %+v", leaf)
			}
			if c := res.ClientRenegotiation; !c.State.Seen() || c.Outcome != "refused" || c.Refusal != "fatal unexpected_message (10)" {
				t.Errorf("client renegotiation %+v; crypto/tls servers refuse a ClientHello after the handshake with unexpected_message", c)
			}
			if res.Handshakes != len(res.Probes) {
				t.Errorf("handshakes %d != probes %d", res.Handshakes, len(res.Probes))
			}
		})
	}
}

func hexFP(der []byte) string {
	d := describeCertOnly(der)
	return d.SHA256
}

func describeCertOnly(der []byte) CertInfo {
	c, _ := describeCert(der)
	return c
}

func TestScanCertificateDetails(t *testing.T) {
	p := newPKI(t, "rsa2048")
	addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{p.leaf}})
	res := scanTLS(t, addr, Target{RootCAs: p.pool}, Options{})
	ch := res.Chains[0]
	if ch.Source != "full-handshake" || ch.Version != VersionTLS13 {
		t.Errorf("first chain from %s %s, want the TLS 1.3 full handshake", ch.Source, VersionName(ch.Version))
	}
	if len(ch.Certs) != 2 {
		t.Fatalf("chain has %d certs, want leaf + CA as sent", len(ch.Certs))
	}
	leaf, ca := ch.Certs[0], ch.Certs[1]
	if leaf.KeyType != "RSA" || leaf.KeyBits != 2048 || leaf.SignatureHash != "sha256" || leaf.SignatureAlgorithm != "ecdsa-with-SHA256" {
		t.Errorf("leaf = %s %d signed %s/%s", leaf.KeyType, leaf.KeyBits, leaf.SignatureAlgorithm, leaf.SignatureHash)
	}
	if ca.KeyType != "ECDSA" || ca.Curve != "P-256" || ca.KeyBits != 256 || !ca.IsCA || !ca.SelfSigned {
		t.Errorf("CA = %+v", ca)
	}
	if !leaf.NotAfter.Equal(p.leafX.NotAfter) || len(leaf.OCSPServers) != 1 {
		t.Errorf("leaf validity/OCSP = %v %v", leaf.NotAfter, leaf.OCSPServers)
	}
	// Name mismatch and an unknown root are reported, not fatal.
	res = scanTLS(t, addr, Target{ServerName: "other.test", RootCAs: x509.NewCertPool()}, Options{})
	ch = res.Chains[0]
	if ch.NameMatch || ch.NameError == "" || ch.Trusted || ch.VerifyError == "" {
		t.Errorf("wrong name + unknown root: %+v", ch)
	}
	if !res.OCSPStapling.State.Seen() || res.OCSPStapling.Stapled || !res.OCSPStapling.CertHasOCSPURL {
		t.Errorf("OCSP = %+v, want tested, not stapled, URL present", res.OCSPStapling)
	}
}

func TestScanOCSPStaple(t *testing.T) {
	p := newPKI(t, "p256")
	now := time.Now()
	mk := func(serialOffset int64, status int) []byte {
		sn := new(big.Int).Add(p.leafX.SerialNumber, big.NewInt(serialOffset))
		der, err := ocsp.CreateResponse(p.ca, p.ca, ocsp.Response{Status: status, SerialNumber: sn,
			ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(time.Hour)}, p.caKey)
		must(t, err)
		return der
	}
	cases := []struct {
		name   string
		staple []byte
		valid  bool
		status string
	}{
		{"valid staple", mk(0, ocsp.Good), true, "good"},
		{"revoked", mk(0, ocsp.Revoked), false, "revoked"},
		{"staple for another certificate", mk(1, ocsp.Good), false, ""},
		{"garbage staple", []byte{0x30, 0x03, 0x0a, 0x01, 0x00}, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cert := p.leaf
			cert.OCSPStaple = tc.staple
			addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{cert}})
			res := scanTLS(t, addr, Target{RootCAs: p.pool}, Options{})
			o := res.OCSPStapling
			if !o.State.Seen() || !o.Stapled || o.Valid != tc.valid || o.CertStatus != tc.status {
				t.Errorf("OCSP = %+v, want stapled, valid=%v status=%q (RFC 6960 4.2.2.2)", o, tc.valid, tc.status)
			}
			if !tc.valid && o.Problem == "" {
				t.Error("invalid staple without a problem statement")
			}
		})
	}
}

func TestScanMutualTLS(t *testing.T) {
	p := newPKI(t, "p256")
	addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{p.leaf}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.pool})
	res := scanTLS(t, addr, Target{RootCAs: p.pool, ClientCert: &p.client}, Options{})
	if res.ClientAuth != "requested" {
		t.Errorf("client auth = %q", res.ClientAuth)
	}
	if len(res.Chains) == 0 || res.Chains[0].Source != "full-handshake" {
		t.Fatalf("with a client certificate the full handshake must succeed: chains %+v, errors %v", res.Chains, res.Errors)
	}
	if !res.ZeroRTT.State.Seen() {
		t.Errorf("0-RTT not tested after a successful TLS 1.3 handshake: %+v", res.ZeroRTT)
	}
	// The hand-made TLS 1.2 client must present the certificate (with
	// CertificateVerify) to reach the renegotiation question.
	if c := res.ClientRenegotiation; !c.State.Seen() || c.Outcome != "refused" {
		t.Errorf("client renegotiation over mutual TLS: %+v", c)
	}
	// Without the certificate the hand-made probes still enumerate.
	res = scanTLS(t, addr, Target{RootCAs: p.pool}, Options{})
	if !res.Version(VersionTLS13).Supported || len(res.Version(VersionTLS12).Suites) == 0 {
		t.Errorf("enumeration failed without client certificate")
	}
	if res.ZeroRTT.Offered || res.ZeroRTT.State.Reason == "" {
		t.Errorf("0-RTT = %+v, want not tested with a reason", res.ZeroRTT)
	}
}

func TestScanSessionTickets(t *testing.T) {
	p := newPKI(t, "p256")
	for _, disabled := range []bool{false, true} {
		addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{p.leaf}, SessionTicketsDisabled: disabled})
		res := scanTLS(t, addr, Target{RootCAs: p.pool}, Options{})
		z := res.ZeroRTT
		wantTickets := 1
		if disabled {
			wantTickets = 0
		}
		// crypto/tls never offers early data over TCP.
		if !z.State.Seen() || z.Offered || z.Tickets < wantTickets || (disabled && z.Tickets != 0) {
			t.Errorf("tickets disabled=%v: 0-RTT = %+v", disabled, z)
		}
	}
}

func TestScanBoundsConcurrencyAndUsesDial(t *testing.T) {
	p := newPKI(t, "p256")
	addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{p.leaf}})
	for _, conc := range []int{1, 3} {
		var d countingDial
		res := scanTLS(t, addr, Target{RootCAs: p.pool}, Options{Dial: d.dial, Concurrency: conc})
		if int(d.dials.Load()) != res.Handshakes {
			t.Errorf("dials %d != handshakes %d: every connection must go through Options.Dial", d.dials.Load(), res.Handshakes)
		}
		if peak := d.peak.Load(); peak > int64(conc) {
			t.Errorf("concurrency %d: %d connections open at once", conc, peak)
		}
		if d.open.Load() != 0 {
			t.Errorf("%d connections left open", d.open.Load())
		}
	}
}
