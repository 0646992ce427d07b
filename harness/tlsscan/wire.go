package tlsscan

// The ClientHello is built by hand rather than by crypto/tls because
// crypto/tls offers only its own handful of modern suites, versions TLS 1.0+
// and groups it implements; a scanner must offer any code point of the IANA
// registry (DHE, static RSA, CBC-SHA1, CCM/CCM_8, ARIA, Camellia, 3DES,
// RC4, NULL, anon, export), SSL 2.0/3.0 hellos, one-hash
// signature_algorithms lists, DEFLATE compression and bare key-exchange
// groups, and read the ServerHello without finishing the handshake.

import (
	"crypto/ecdh"
	"crypto/rand"
	"net"

	"golang.org/x/crypto/cryptobyte"
)

// TLS record content types and handshake message types (RFC 8446 B.1, B.3;
// RFC 5246 7.4; RFC 6066 8).
const (
	recordChangeCipherSpec uint8 = 20
	recordAlert            uint8 = 21
	recordHandshake        uint8 = 22
	recordApplicationData  uint8 = 23

	hsClientHello        uint8 = 1
	hsServerHello        uint8 = 2
	hsNewSessionTicket   uint8 = 4
	hsEncryptedExt       uint8 = 8
	hsCertificate        uint8 = 11
	hsServerKeyExchange  uint8 = 12
	hsCertificateRequest uint8 = 13
	hsServerHelloDone    uint8 = 14
	hsCertificateVerify  uint8 = 15
	hsClientKeyExchange  uint8 = 16
	hsFinished           uint8 = 20
	hsCertificateStatus  uint8 = 22
)

// Extension code points (IANA "TLS ExtensionType Values").
const (
	extServerName       uint16 = 0
	extStatusRequest    uint16 = 5
	extSupportedGroups  uint16 = 10
	extECPointFormats   uint16 = 11
	extSignatureAlgs    uint16 = 13
	extPadding          uint16 = 21
	extEncryptThenMAC   uint16 = 22
	extExtendedMS       uint16 = 23
	extSessionTicket    uint16 = 35
	extEarlyData        uint16 = 42
	extSupportedVersion uint16 = 43
	extCookie           uint16 = 44
	extPSKModes         uint16 = 45
	extKeyShare         uint16 = 51
	extRenegotiation    uint16 = 0xff01
)

const scsvRenegotiation uint16 = 0x00ff

// helloSpec describes one hand-built ClientHello.
type helloSpec struct {
	Version     uint16   // VersionSSL30..VersionTLS13
	Suites      []uint16 // offered in this order
	Groups      []uint16 // supported_groups; nil omits the extension
	KeyShare    []uint16 // TLS 1.3 key_share groups to generate (x25519, P-256/384/521); empty sends an empty list
	SigSchemes  []uint16 // signature_algorithms; nil omits it
	Compression []uint8  // compression methods; nil means [null]
	ServerName  string
	// Extensions to include (ignored for SSL 3.0, which gets none).
	StatusRequest bool
	EMS           bool
	RenegInfo     bool
	SessionTicket bool
}

// defaultHello fills the usual extensions for version v.
func defaultHello(v uint16, serverName string, suites []uint16) helloSpec {
	h := helloSpec{
		Version:       v,
		Suites:        suites,
		ServerName:    serverName,
		SigSchemes:    defaultSigSchemes,
		StatusRequest: true,
		EMS:           true,
		RenegInfo:     true,
	}
	if v == VersionTLS13 {
		h.Groups = []uint16{0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x11EC, 0x11EB, 0x11ED, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104, 0x001F, 0x0020, 0x0021}
		h.KeyShare = []uint16{0x001D}
	} else {
		h.Groups = groupIDs(func(g Group) bool { return g.TLS12 && (g.Kind == "ec" || g.Kind == "ecx" || g.Kind == "ffdhe") })
	}
	return h
}

// marshal encodes the ClientHello as one or more handshake records.
func (h helloSpec) marshal() ([]byte, error) {
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	legacy := h.Version
	if legacy > VersionTLS12 {
		legacy = VersionTLS12 // RFC 8446 4.1.2: legacy_version is 0x0303
	}
	var b cryptobyte.Builder
	b.AddUint8(hsClientHello)
	var buildErr error
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(legacy)
		b.AddBytes(random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			if h.Version == VersionTLS13 {
				// A 32-byte session id puts middleboxes in
				// compatibility mode (RFC 8446 D.4).
				sid := make([]byte, 32)
				_, _ = rand.Read(sid)
				b.AddBytes(sid)
			}
		})
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, s := range h.Suites {
				b.AddUint16(s)
			}
			if h.Version == VersionSSL30 && h.RenegInfo {
				b.AddUint16(scsvRenegotiation)
			}
		})
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			if len(h.Compression) == 0 {
				b.AddUint8(0)
			}
			for _, c := range h.Compression {
				b.AddUint8(c)
			}
		})
		if h.Version == VersionSSL30 {
			return // SSL 3.0 servers may choke on extensions
		}
		exts, err := h.extensions()
		if err != nil {
			buildErr = err
			return
		}
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(exts) })
	})
	if buildErr != nil {
		return nil, buildErr
	}
	msg, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	recVersion := VersionTLS10
	if h.Version == VersionSSL30 {
		recVersion = VersionSSL30
	}
	return appendRecords(nil, recordHandshake, recVersion, msg), nil
}

// appendRecords splits payload into records of at most 2^14 bytes.
func appendRecords(out []byte, typ uint8, version uint16, payload []byte) []byte {
	for first := true; first || len(payload) > 0; first = false {
		n := min(len(payload), 1<<14)
		out = append(out, typ, byte(version>>8), byte(version), byte(n>>8), byte(n))
		out = append(out, payload[:n]...)
		payload = payload[n:]
	}
	return out
}

func (h helloSpec) extensions() ([]byte, error) {
	var b cryptobyte.Builder
	ext := func(id uint16, body func(*cryptobyte.Builder)) {
		b.AddUint16(id)
		b.AddUint16LengthPrefixed(body)
	}
	if h.ServerName != "" && net.ParseIP(h.ServerName) == nil {
		// RFC 6066 3: literal IP addresses are not permitted in SNI.
		ext(extServerName, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8(0) // host_name
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(h.ServerName)) })
			})
		})
	}
	if h.StatusRequest {
		ext(extStatusRequest, func(b *cryptobyte.Builder) {
			b.AddUint8(1)  // ocsp
			b.AddUint16(0) // responder_id_list
			b.AddUint16(0) // request_extensions
		})
	}
	if h.Groups != nil {
		ext(extSupportedGroups, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, g := range h.Groups {
					b.AddUint16(g)
				}
			})
		})
		ext(extECPointFormats, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
		})
	}
	if h.SigSchemes != nil && h.Version >= VersionTLS12 {
		ext(extSignatureAlgs, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, s := range h.SigSchemes {
					b.AddUint16(s)
				}
			})
		})
	}
	if h.EMS && h.Version < VersionTLS13 {
		ext(extExtendedMS, func(*cryptobyte.Builder) {})
	}
	if h.SessionTicket {
		ext(extSessionTicket, func(*cryptobyte.Builder) {})
	}
	if h.Version == VersionTLS13 {
		ext(extSupportedVersion, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(VersionTLS13) })
		})
		ext(extPSKModes, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(1) }) // psk_dhe_ke
		})
		var shares []byte
		for _, g := range h.KeyShare {
			pub, err := keySharePublic(g)
			if err != nil {
				return nil, err
			}
			shares = append(shares, byte(g>>8), byte(g), byte(len(pub)>>8), byte(len(pub)))
			shares = append(shares, pub...)
		}
		ext(extKeyShare, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(shares) })
		})
	}
	if h.RenegInfo && h.Version < VersionTLS13 {
		ext(extRenegotiation, func(b *cryptobyte.Builder) { b.AddUint8(0) })
	}
	out, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	// Some servers (F5 BIG-IP) hang on ClientHellos of 256..511 bytes; pad
	// to 512 with the RFC 7685 padding extension, as browsers do.
	sid := 0
	if h.Version == VersionTLS13 {
		sid = 32
	}
	total := 4 + 2 + 32 + 1 + sid + 2 + 2*len(h.Suites) + 1 + max(1, len(h.Compression)) + 2 + len(out)
	if total >= 256 && total < 512 {
		pad := max(0, 512-total-4)
		out = append(out, byte(extPadding>>8), byte(extPadding), byte(pad>>8), byte(pad))
		out = append(out, make([]byte, pad)...)
	}
	return out, nil
}

// ecdhCurve is crypto/ecdh's curve for a supported_groups code point, or nil.
func ecdhCurve(group uint16) ecdh.Curve {
	switch group {
	case 0x001D:
		return ecdh.X25519()
	case 0x0017:
		return ecdh.P256()
	case 0x0018:
		return ecdh.P384()
	case 0x0019:
		return ecdh.P521()
	}
	return nil
}

// keySharePublic makes a throw-away public key for a TLS 1.3 key_share.
// The private key is discarded: probes stop at the ServerHello.
func keySharePublic(group uint16) ([]byte, error) {
	curve := ecdhCurve(group)
	if curve == nil {
		return nil, protoErr("key share", "no key generator for group 0x%04x", group)
	}
	k, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return k.PublicKey().Bytes(), nil
}

// sslv2Hello builds an SSL 2.0 CLIENT-HELLO (two-byte record header,
// draft-hickman-netscape-ssl-00 section "Client-Hello").
func sslv2Hello(specs []uint32) []byte {
	challenge := make([]byte, 16)
	_, _ = rand.Read(challenge)
	body := []byte{1, 0x00, 0x02, byte(len(specs) * 3 >> 8), byte(len(specs) * 3), 0, 0, 0, 16}
	for _, s := range specs {
		body = append(body, byte(s>>16), byte(s>>8), byte(s))
	}
	body = append(body, challenge...)
	n := len(body)
	return append([]byte{0x80 | byte(n>>8), byte(n)}, body...)
}
