package tlsscan

import (
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// What stock Debian servers cannot do any more (SSL 2.0/3.0, TLS
// compression, no RFC 5746, RC4/3DES) is played by a scripted server that
// answers a ClientHello with a crafted ServerHello flight.

type clientHelloInfo struct {
	version uint16
	suites  []uint16
	comp    []uint8
	exts    map[uint16]bool
}

func parseClientHelloRecord(c net.Conn) (*clientHelloInfo, bool, error) {
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c, hdr[:2]); err != nil {
		return nil, false, err
	}
	if hdr[0]&0x80 != 0 { // SSL 2.0 CLIENT-HELLO
		n := int(hdr[0]&0x7f)<<8 | int(hdr[1])
		body := make([]byte, n)
		_, err := io.ReadFull(c, body)
		return nil, true, err
	}
	if _, err := io.ReadFull(c, hdr[2:]); err != nil {
		return nil, false, err
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(c, body); err != nil {
		return nil, false, err
	}
	s := cryptobyte.String(body[4:])
	ch := &clientHelloInfo{exts: map[uint16]bool{}}
	var random, sid, suites, comp cryptobyte.String
	if !s.ReadUint16(&ch.version) || !s.ReadBytes((*[]byte)(&random), 32) || !s.ReadUint8LengthPrefixed(&sid) ||
		!s.ReadUint16LengthPrefixed(&suites) || !s.ReadUint8LengthPrefixed(&comp) {
		return nil, false, io.ErrUnexpectedEOF
	}
	for !suites.Empty() {
		var v uint16
		suites.ReadUint16(&v)
		ch.suites = append(ch.suites, v)
	}
	ch.comp = comp
	var exts cryptobyte.String
	if s.ReadUint16LengthPrefixed(&exts) {
		for !exts.Empty() {
			var typ uint16
			var d cryptobyte.String
			if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&d) {
				break
			}
			ch.exts[typ] = true
		}
	}
	return ch, false, nil
}

// scriptedServer serves versions <= max, down to min, choosing the first
// offered suite of allowed (client order), compressing when allowed, and
// never sending renegotiation_info or extended_master_secret.
type scriptedServer struct {
	min, max uint16
	allowed  []uint16
	compress bool
	sslv2    []uint32 // SSL 2.0 cipher specs, nil: no SSL 2.0
	// warnFirst sends a warning unrecognized_name alert before the
	// ServerHello, as SNI-mismatched Apache virtual hosts do.
	warnFirst bool
	certDER   []byte
}

func (ss scriptedServer) handle(c net.Conn) {
	ch, v2, err := parseClientHelloRecord(c)
	if err != nil {
		return
	}
	if v2 {
		if ss.sslv2 == nil {
			return
		}
		body := []byte{4, 0, 1, 0, 2, byte(len(ss.certDER) >> 8), byte(len(ss.certDER)), 0, byte(3 * len(ss.sslv2)), 0, 16}
		body = append(body, ss.certDER...)
		for _, s := range ss.sslv2 {
			body = append(body, byte(s>>16), byte(s>>8), byte(s))
		}
		body = append(body, make([]byte, 16)...)
		_, _ = c.Write(append([]byte{0x80 | byte(len(body)>>8), byte(len(body))}, body...))
		return
	}
	alert := func(d byte) { _, _ = c.Write([]byte{21, 3, 1, 0, 2, 2, d}) }
	v := min(ch.version, ss.max)
	if ch.exts[extSupportedVersion] && ss.max < VersionTLS13 {
		v = min(VersionTLS12, ss.max)
	}
	if v < ss.min || ss.max == 0 {
		alert(70)
		return
	}
	suite := uint16(0)
	for _, s := range ch.suites {
		if slices.Contains(ss.allowed, s) {
			suite = s
			break
		}
	}
	if suite == 0 {
		alert(40)
		return
	}
	comp := uint8(0)
	if ss.compress && slices.Contains(ch.comp, 1) {
		comp = 1
	}
	var b cryptobyte.Builder
	b.AddUint8(hsServerHello)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(v)
		b.AddBytes(make([]byte, 32))
		b.AddUint8(0)
		b.AddUint16(suite)
		b.AddUint8(comp)
	})
	b.AddUint8(hsCertificate)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ss.certDER) })
		})
	})
	b.AddUint8(hsServerHelloDone)
	b.AddUint24(0)
	if ss.warnFirst {
		_, _ = c.Write([]byte{21, 3, 3, 0, 2, 1, 112})
	}
	_, _ = c.Write(appendRecords(nil, recordHandshake, v, b.BytesOrPanic()))
	_, _ = io.Copy(io.Discard, c)
}

func TestScanLegacyScriptedServers(t *testing.T) {
	p := newPKI(t, "rsa2048")
	der := p.leafX.Raw
	cases := []struct {
		name  string
		srv   scriptedServer
		check func(t *testing.T, r *Result)
	}{
		{"SSL 3.0 only with RC4 and 3DES", scriptedServer{min: VersionSSL30, max: VersionSSL30, allowed: []uint16{0x0005, 0x000A}, certDER: der}, func(t *testing.T, r *Result) {
			vr := r.Version(VersionSSL30)
			if !vr.Supported || !slices.Equal(slices.Sorted(mapsKeys(suiteCodes(vr.Suites))), []uint16{0x0005, 0x000A}) {
				t.Errorf("SSL 3.0 %+v", vr)
			}
			if vr.Order != "client" {
				t.Errorf("order %q, the script follows the client", vr.Order)
			}
			for _, v := range []uint16{VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13, VersionSSL20} {
				if r.Version(v).Supported {
					t.Errorf("%s supported", VersionName(v))
				}
			}
			if sr := r.SecureRenegotiation; !sr.State.Seen() || sr.Supported || sr.Version != VersionSSL30 {
				t.Errorf("secure renegotiation %+v, want tested on SSL 3.0 and absent", sr)
			}
			if len(r.Chains) != 1 || r.Chains[0].Source != "tls12-certificate" || r.Chains[0].Certs[0].SHA256 != hexFP(der) {
				t.Errorf("chain from the raw Certificate message: %+v (%s)", r.Chains, r.ChainsState.Reason)
			}
		}},
		{"TLS 1.0 with DEFLATE and without RFC 5746", scriptedServer{min: VersionTLS10, max: VersionTLS10, allowed: []uint16{0x002F}, compress: true, certDER: der}, func(t *testing.T, r *Result) {
			if !r.Version(VersionTLS10).Supported || r.Version(VersionTLS11).Supported || r.Version(VersionTLS12).Supported {
				t.Errorf("versions %v", supported(r))
			}
			if c := r.Compression; !c.State.Seen() || !c.Supported || c.Method != 1 {
				t.Errorf("compression %+v, want DEFLATE (RFC 3749) detected", c)
			}
			if sr := r.SecureRenegotiation; !sr.State.Seen() || sr.Supported {
				t.Errorf("secure renegotiation %+v, want absent (RFC 5746)", sr)
			}
			if e := r.ExtendedMasterSecret; !e.State.Seen() || e.Supported {
				t.Errorf("EMS %+v", e)
			}
			if r.ClientRenegotiation.State.Seen() || r.ClientRenegotiation.State.Reason == "" {
				t.Errorf("client renegotiation %+v: needs TLS 1.2", r.ClientRenegotiation)
			}
		}},
		{"warning alert before the ServerHello", scriptedServer{min: VersionTLS12, max: VersionTLS12, allowed: []uint16{0xC02F, 0x009C}, warnFirst: true, certDER: der}, func(t *testing.T, r *Result) {
			if got := slices.Sorted(mapsKeys(suiteCodes(r.Version(VersionTLS12).Suites))); !slices.Equal(got, []uint16{0x009C, 0xC02F}) {
				t.Errorf("TLS 1.2 suites %x: a warning alert (RFC 5246 7.2) must not end the probe", got)
			}
		}},
		{"suites OpenSSL 3 cannot offer", scriptedServer{min: VersionTLS12, max: VersionTLS12, allowed: []uint16{0xC07C, 0xC03C, 0x0003, 0xFF85, 0xC0B4}, certDER: der}, func(t *testing.T, r *Result) {
			// DHE-Camellia-GCM, RSA-ARIA-CBC, export RC4, GOST (private
			// use) and the TLS 1.3 integrity-only suite in a TLS 1.2 hello
			// is not offered (it is TLS 1.3 only).
			got := slices.Sorted(mapsKeys(suiteCodes(r.Version(VersionTLS12).Suites)))
			if !slices.Equal(got, []uint16{0x0003, 0xC03C, 0xC07C, 0xFF85}) {
				t.Errorf("TLS 1.2 suites %x", got)
			}
		}},
		{"SSL 2.0", scriptedServer{sslv2: []uint32{0x010080, 0x0700C0}, certDER: der}, func(t *testing.T, r *Result) {
			vr := r.Version(VersionSSL20)
			if !vr.Supported || len(vr.SSLv2Ciphers) != 2 || vr.SSLv2Ciphers[0].OpenSSL != "RC4-MD5" {
				t.Errorf("SSL 2.0 %+v", vr)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := serveRaw(t, tc.srv.handle)
			r, err := Scan(t.Context(), Target{Address: addr, ServerName: "scan.test", RootCAs: p.pool}, Options{Timeout: time.Second, Attempts: 2, Backoff: time.Millisecond})
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			tc.check(t, r)
		})
	}
}
