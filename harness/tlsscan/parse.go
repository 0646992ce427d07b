package tlsscan

// Parsers for what a server sends before the handshake is encrypted. They
// work on attacker-controlled bytes: every length is checked through
// cryptobyte (which never reads out of bounds), records are capped at the
// RFC 8446 5.2 ciphertext limit and a flight at maxFlightBytes, and no
// parser allocates more than the bytes it was given.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

const (
	// maxRecordPayload is 2^14 + 2048, the largest TLSCiphertext
	// (RFC 8446 5.2, RFC 5246 6.2.3); plaintext records are smaller.
	maxRecordPayload = 1<<14 + 2048
	// maxHandshakeMsg bounds one reassembled handshake message (a
	// Certificate message with a long chain is the largest).
	maxHandshakeMsg = 1 << 17
	// maxFlightBytes bounds all bytes read in one probe.
	maxFlightBytes = 1 << 18
)

// Alert is a TLS alert (RFC 8446 6).
type Alert struct {
	Level       uint8 `json:"level"`
	Description uint8 `json:"description"`
}

var alertNames = map[uint8]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
	22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure", 41: "no_certificate",
	42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
	45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
	49: "access_denied", 50: "decode_error", 51: "decrypt_error", 60: "export_restriction",
	70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
	86: "inappropriate_fallback", 90: "user_canceled", 100: "no_renegotiation",
	109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name",
	113: "bad_certificate_status_response", 115: "unknown_psk_identity", 116: "certificate_required",
	120: "no_application_protocol", 121: "ech_required",
}

func (a Alert) String() string {
	level := "warning"
	if a.Level == 2 {
		level = "fatal"
	}
	name, ok := alertNames[a.Description]
	if !ok {
		name = "alert_" + strconv.Itoa(int(a.Description))
	}
	return fmt.Sprintf("%s %s (%d)", level, name, a.Description)
}

// alertError is returned by the reader when the server sends an alert: an
// answer (usually "no"), not a failure to test.
type alertError struct{ Alert Alert }

func (e *alertError) Error() string { return "server sent alert " + e.Alert.String() }

// recordReader reads TLS records from a stream within fixed bounds.
type recordReader struct {
	r     io.Reader
	read  int // bytes consumed so far
	hs    []byte
	hdr   [5]byte
	ver   uint16 // record version of the first record
	first bool
}

// newRecordReader buffers the connection: a server may split its flight
// into tiny records, and one read per record header would be slow.
func newRecordReader(r io.Reader) *recordReader {
	return &recordReader{r: bufio.NewReaderSize(r, 1<<13), first: true}
}

func (rr *recordReader) readFull(p []byte, op string) error {
	if rr.read+len(p) > maxFlightBytes {
		return &Error{Kind: KindTooLarge, Op: op, Err: fmt.Errorf("more than %d bytes in one handshake", maxFlightBytes)}
	}
	n, err := io.ReadFull(rr.r, p)
	rr.read += n
	if err != nil {
		if errors.Is(err, io.EOF) && rr.read > 0 {
			err = io.ErrUnexpectedEOF
		}
		return wrapErr(op, err)
	}
	return nil
}

// readRecord returns the next record. The first record is sniffed so a peer
// speaking HTTP or another protocol is named as such.
func (rr *recordReader) readRecord() (typ uint8, payload []byte, err error) {
	if err := rr.readFull(rr.hdr[:], "read record header"); err != nil {
		return 0, nil, err
	}
	h := rr.hdr[:]
	if rr.first {
		rr.first = false
		if kind, what := sniffNotTLS(h); kind != "" {
			return 0, nil, &Error{Kind: kind, Op: "read record header", Err: errors.New(what)}
		}
		rr.ver = uint16(h[1])<<8 | uint16(h[2])
	}
	typ = h[0]
	if typ < recordChangeCipherSpec || typ > recordApplicationData {
		return 0, nil, protoErr("read record header", "unknown record type %d", typ)
	}
	if h[1] != 3 || h[2] > 4 {
		return 0, nil, protoErr("read record header", "bad record version 0x%02x%02x", h[1], h[2])
	}
	n := int(h[3])<<8 | int(h[4])
	if n > maxRecordPayload {
		return 0, nil, &Error{Kind: KindTooLarge, Op: "read record", Err: fmt.Errorf("record of %d bytes exceeds 2^14+2048 (RFC 8446 5.2)", n)}
	}
	payload = make([]byte, n)
	if err := rr.readFull(payload, "read record body"); err != nil {
		return 0, nil, err
	}
	return typ, payload, nil
}

// sniffNotTLS recognises a plaintext answer (HTTP, SMTP, SSH banners...):
// TLS record types and SSL 2.0 headers are never printable ASCII.
func sniffNotTLS(h []byte) (Kind, string) {
	for _, c := range h {
		if c < 0x20 || c > 0x7e {
			if c != '\r' && c != '\n' && c != '\t' {
				return "", ""
			}
		}
	}
	return KindNotTLS, fmt.Sprintf("peer answered in plaintext %q, not TLS", printable(h))
}

func printable(b []byte) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			out = append(out, c)
		} else {
			out = append(out, '.')
		}
	}
	return string(out)
}

// readHandshake returns the next handshake message (with its 4-byte
// header), reassembling across records. Alerts end the read with
// *alertError; ChangeCipherSpec (TLS 1.3 middlebox mode) is skipped;
// application data (encrypted TLS 1.3 handshake) returns errEncrypted.
func (rr *recordReader) readHandshake() (msg []byte, err error) {
	for {
		if len(rr.hs) >= 4 {
			n := int(rr.hs[1])<<16 | int(rr.hs[2])<<8 | int(rr.hs[3])
			if n > maxHandshakeMsg {
				return nil, &Error{Kind: KindTooLarge, Op: "read handshake", Err: fmt.Errorf("handshake message of %d bytes", n)}
			}
			if len(rr.hs) >= 4+n {
				msg = rr.hs[: 4+n : 4+n]
				rr.hs = rr.hs[4+n:]
				return msg, nil
			}
		}
		typ, payload, err := rr.readRecord()
		if err != nil {
			return nil, err
		}
		switch typ {
		case recordHandshake:
			rr.hs = append(rr.hs, payload...)
		case recordAlert:
			if len(payload) < 2 {
				return nil, protoErr("read alert", "alert record of %d bytes", len(payload))
			}
			if warningToSkip(payload) {
				continue
			}
			return nil, &alertError{Alert{payload[0], payload[1]}}
		case recordChangeCipherSpec:
			continue
		case recordApplicationData:
			return nil, errEncrypted
		}
	}
}

var errEncrypted = errors.New("encrypted records follow")

// warningToSkip reports a warning alert a server may send before going on
// with the handshake (unrecognized_name from SNI-mismatched virtual hosts,
// RFC 6066 3); close_notify and no_renegotiation are answers and are kept.
func warningToSkip(a []byte) bool {
	return a[0] == 1 && a[1] != 0 && a[1] != 100
}

// extension is one (type, data) pair in order of appearance.
type extension struct {
	Type uint16
	Data []byte
}

// serverHello is a parsed ServerHello or HelloRetryRequest (RFC 8446 4.1.3).
type serverHello struct {
	LegacyVersion uint16
	Random        []byte
	SessionID     []byte
	Suite         uint16
	Compression   uint8
	Extensions    []extension
	// Derived.
	HRR      bool
	Version  uint16 // negotiated: supported_versions if present, else LegacyVersion
	KeyShare uint16 // group of the server key share, or HRR selected_group
}

var helloRetryRandom = []byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

func (sh *serverHello) ext(t uint16) ([]byte, bool) {
	for _, e := range sh.Extensions {
		if e.Type == t {
			return e.Data, true
		}
	}
	return nil, false
}

// parseServerHello parses a handshake message including its 4-byte header.
func parseServerHello(msg []byte) (*serverHello, error) {
	s := cryptobyte.String(msg)
	var typ uint8
	var body cryptobyte.String
	if !s.ReadUint8(&typ) || !s.ReadUint24LengthPrefixed(&body) || !s.Empty() {
		return nil, protoErr("parse ServerHello", "bad handshake framing")
	}
	if typ != hsServerHello {
		return nil, protoErr("parse ServerHello", "expected ServerHello, got handshake type %d", typ)
	}
	sh := &serverHello{}
	if !body.ReadUint16(&sh.LegacyVersion) || !body.ReadBytes(&sh.Random, 32) ||
		!body.ReadUint8LengthPrefixed((*cryptobyte.String)(&sh.SessionID)) ||
		!body.ReadUint16(&sh.Suite) || !body.ReadUint8(&sh.Compression) {
		return nil, protoErr("parse ServerHello", "truncated ServerHello")
	}
	if len(sh.SessionID) > 32 {
		return nil, protoErr("parse ServerHello", "session id of %d bytes", len(sh.SessionID))
	}
	if !body.Empty() {
		var exts cryptobyte.String
		if !body.ReadUint16LengthPrefixed(&exts) || !body.Empty() {
			return nil, protoErr("parse ServerHello", "bad extensions block")
		}
		seen := map[uint16]bool{}
		for !exts.Empty() {
			var e extension
			var data cryptobyte.String
			if !exts.ReadUint16(&e.Type) || !exts.ReadUint16LengthPrefixed(&data) {
				return nil, protoErr("parse ServerHello", "truncated extension")
			}
			if seen[e.Type] {
				// RFC 8446 4.2: no more than one extension of each type.
				return nil, protoErr("parse ServerHello", "duplicate extension %d", e.Type)
			}
			seen[e.Type] = true
			e.Data = data
			sh.Extensions = append(sh.Extensions, e)
		}
	}
	sh.HRR = bytes.Equal(sh.Random, helloRetryRandom)
	sh.Version = sh.LegacyVersion
	if d, ok := sh.ext(extSupportedVersion); ok {
		v := cryptobyte.String(d)
		if !v.ReadUint16(&sh.Version) || !v.Empty() {
			return nil, protoErr("parse ServerHello", "bad supported_versions")
		}
	}
	if d, ok := sh.ext(extKeyShare); ok {
		v := cryptobyte.String(d)
		if !v.ReadUint16(&sh.KeyShare) {
			return nil, protoErr("parse ServerHello", "bad key_share")
		}
	}
	return sh, nil
}

// serverKeyExchange holds the parameters of a TLS 1.0-1.2 ServerKeyExchange.
type serverKeyExchange struct {
	CurveType uint8
	Curve     uint16
	Point     []byte
	P, G, Ys  []byte
	SigScheme uint16 // TLS 1.2 signature algorithm; 0 when absent
	Signed    bool
}

// parseServerKeyExchange parses the body (after the 4-byte header) of a
// ServerKeyExchange for the given suite (RFC 4492 5.4, RFC 5246 7.4.3,
// RFC 4279 for PSK hints).
func parseServerKeyExchange(body []byte, suite Suite, version uint16) (*serverKeyExchange, error) {
	s := cryptobyte.String(body)
	ske := &serverKeyExchange{}
	if suite.PSKHint() {
		var hint cryptobyte.String
		if !s.ReadUint16LengthPrefixed(&hint) {
			return nil, protoErr("parse ServerKeyExchange", "bad PSK identity hint")
		}
	}
	switch {
	case suite.EphemeralEC():
		var point cryptobyte.String
		if !s.ReadUint8(&ske.CurveType) {
			return nil, protoErr("parse ServerKeyExchange", "truncated ECParameters")
		}
		if ske.CurveType != 3 {
			return ske, nil // explicit curves: no named group to report
		}
		if !s.ReadUint16(&ske.Curve) || !s.ReadUint8LengthPrefixed(&point) {
			return nil, protoErr("parse ServerKeyExchange", "truncated ECDH parameters")
		}
		ske.Point = point
	case suite.EphemeralDH():
		if !s.ReadUint16LengthPrefixed((*cryptobyte.String)(&ske.P)) ||
			!s.ReadUint16LengthPrefixed((*cryptobyte.String)(&ske.G)) ||
			!s.ReadUint16LengthPrefixed((*cryptobyte.String)(&ske.Ys)) {
			return nil, protoErr("parse ServerKeyExchange", "truncated DH parameters")
		}
		if len(ske.P) == 0 {
			return nil, protoErr("parse ServerKeyExchange", "empty DH prime")
		}
	default:
		return ske, nil
	}
	if s.Empty() {
		return ske, nil // anonymous suites are not signed
	}
	ske.Signed = true
	if version >= VersionTLS12 {
		if !s.ReadUint16(&ske.SigScheme) {
			return nil, protoErr("parse ServerKeyExchange", "truncated signature algorithm")
		}
	}
	var sig cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&sig) || !s.Empty() {
		return nil, protoErr("parse ServerKeyExchange", "bad signature")
	}
	return ske, nil
}

// parseCertificateList parses a TLS 1.0-1.2 Certificate body into DER
// certificates (RFC 5246 7.4.2).
func parseCertificateList(body []byte) ([][]byte, error) {
	s := cryptobyte.String(body)
	var list cryptobyte.String
	if !s.ReadUint24LengthPrefixed(&list) || !s.Empty() {
		return nil, protoErr("parse Certificate", "bad certificate_list")
	}
	var certs [][]byte
	for !list.Empty() {
		var c cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&c) || len(c) == 0 {
			return nil, protoErr("parse Certificate", "bad ASN.1Cert")
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// parseCertificateStatus returns the OCSP response of a CertificateStatus
// body (RFC 6066 8).
func parseCertificateStatus(body []byte) ([]byte, error) {
	s := cryptobyte.String(body)
	var typ uint8
	var resp cryptobyte.String
	if !s.ReadUint8(&typ) || typ != 1 || !s.ReadUint24LengthPrefixed(&resp) || !s.Empty() {
		return nil, protoErr("parse CertificateStatus", "bad CertificateStatus")
	}
	return resp, nil
}

// sslv2ServerHello is the part of an SSL 2.0 SERVER-HELLO the scan uses.
type sslv2ServerHello struct {
	Version uint16
	Cert    []byte
	Specs   []uint32
}

// readSSLv2ServerHello reads one SSL 2.0 record and parses a SERVER-HELLO.
// A TLS-framed answer (an alert, usually) is reported as alertError or a
// protocol error.
func readSSLv2ServerHello(r io.Reader) (*sslv2ServerHello, error) {
	rr := newRecordReader(r)
	var hdr [2]byte
	if err := rr.readFull(hdr[:], "read SSLv2 header"); err != nil {
		return nil, err
	}
	if kind, what := sniffNotTLS(hdr[:]); kind != "" {
		return nil, &Error{Kind: kind, Op: "read SSLv2 header", Err: errors.New(what)}
	}
	if hdr[0] == recordAlert && hdr[1] == 3 {
		var rest [5]byte
		if err := rr.readFull(rest[:], "read alert"); err != nil {
			return nil, err
		}
		return nil, &alertError{Alert{rest[3], rest[4]}}
	}
	if hdr[0]&0x80 == 0 {
		return nil, protoErr("read SSLv2 header", "not an SSL 2.0 record (0x%02x%02x)", hdr[0], hdr[1])
	}
	n := int(hdr[0]&0x7f)<<8 | int(hdr[1])
	body := make([]byte, n)
	if err := rr.readFull(body, "read SSLv2 record"); err != nil {
		return nil, err
	}
	return parseSSLv2ServerHello(body)
}

func parseSSLv2ServerHello(body []byte) (*sslv2ServerHello, error) {
	s := cryptobyte.String(body)
	var typ, hit, certType uint8
	var certLen, specLen, idLen uint16
	sh := &sslv2ServerHello{}
	if !s.ReadUint8(&typ) {
		return nil, protoErr("parse SSLv2 SERVER-HELLO", "empty record")
	}
	if typ == 0 { // ERROR message
		return nil, &alertError{Alert{2, 40}}
	}
	if typ != 4 || !s.ReadUint8(&hit) || !s.ReadUint8(&certType) || !s.ReadUint16(&sh.Version) ||
		!s.ReadUint16(&certLen) || !s.ReadUint16(&specLen) || !s.ReadUint16(&idLen) ||
		!s.ReadBytes(&sh.Cert, int(certLen)) || specLen%3 != 0 {
		return nil, protoErr("parse SSLv2 SERVER-HELLO", "malformed SERVER-HELLO")
	}
	for i := 0; i < int(specLen)/3; i++ {
		var b []byte
		if !s.ReadBytes(&b, 3) {
			return nil, protoErr("parse SSLv2 SERVER-HELLO", "truncated cipher specs")
		}
		sh.Specs = append(sh.Specs, uint32(b[0])<<16|uint32(b[1])<<8|uint32(b[2]))
	}
	return sh, nil
}
