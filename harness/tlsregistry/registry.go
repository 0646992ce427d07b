// Package tlsregistry is the one table of TLS code points the suite knows:
// protocol versions, cipher suites (TLS and SSL 2.0), supported groups and
// signature schemes, with their names and the properties the scanner
// (harness/tlsscan) and the grader (harness/ncsc) need.
//
// tables_gen.go is generated from the files in registry/: the IANA "TLS
// Parameters" registries as published (tls-parameters-4.csv cipher suites,
// tls-parameters-8.csv supported groups, tls-signaturescheme.csv), joined with
// the project's own columns the IANA does not publish (suites.csv: OpenSSL
// name and components; groups.csv: kind, size and the versions a group is
// usable in; versions.csv; sslv2.csv). A code point the IANA lists takes the
// IANA name; the few the IANA does not list (OpenSSL-private, withdrawn
// drafts) are marked IANA=false. Regenerate after editing a file in registry/:
//
//	go generate ./harness/tlsregistry/
package tlsregistry

//go:generate go run ./internal/regen/cmd -dir registry -out tables_gen.go

import (
	"fmt"
	"slices"
)

// Protocol versions as they appear on the wire. SSL 2.0 has no record-layer
// version in the TLS sense; 0x0002 is the version field of its CLIENT-HELLO.
const (
	VersionSSL20 uint16 = 0x0002
	VersionSSL30 uint16 = 0x0300
	VersionTLS10 uint16 = 0x0301
	VersionTLS11 uint16 = 0x0302
	VersionTLS12 uint16 = 0x0303
	VersionTLS13 uint16 = 0x0304
)

// Version is one protocol version.
type Version struct {
	ID        uint16
	Name      string // "TLS 1.2"
	Reference string // the RFC defining it
}

// Versions returns every version, oldest first.
func Versions() []Version { return append([]Version(nil), versionTable...) }

// VersionName is the conventional name of a wire version ("TLS 1.2"), or
// "version 0x....".
func VersionName(v uint16) string {
	for _, r := range versionTable {
		if r.ID == v {
			return r.Name
		}
	}
	return fmt.Sprintf("version 0x%04X", v)
}

// Suite is one cipher suite. Kx/Au/Enc/Mac use OpenSSL's vocabulary (Kx
// "ECDH" with Au "RSA"/"ECDSA"/"None" is ephemeral ECDHE; "ECDH/RSA" is static
// ECDH; "DH" with Au "RSA"/"DSS"/"None" is DHE); TLS 1.3 suites have Kx and Au
// "any". Protocol is the oldest version defining it (SSLv2, SSLv3, TLSv1,
// TLSv1.2, TLSv1.3), or "SCSV" for a signalling value that is no suite.
type Suite struct {
	Code     uint32 `json:"code"` // 2-byte IANA code point; 3-byte CIPHER-SPEC for SSL 2.0
	Name     string `json:"name"` // IANA name, else the conventional one ("" for some private code points)
	OpenSSL  string `json:"openssl"`
	Protocol string `json:"protocol"`
	Kx       string `json:"kx"`
	Au       string `json:"au"`
	Enc      string `json:"enc"`
	Bits     int    `json:"bits"`
	Mac      string `json:"mac"`
	Export   bool   `json:"export"`
	// IANA reports a code point listed in the IANA TLS Cipher Suites
	// registry (false: OpenSSL-private, a withdrawn draft, SSL 2.0).
	IANA bool `json:"-"`
}

// DisplayName prefers the IANA name.
func (s Suite) DisplayName() string {
	if s.Name != "" {
		return s.Name
	}
	return s.OpenSSL
}

// Cipher is the bulk cipher with its key size in OpenSSL's notation,
// "AESGCM(256)", or "None".
func (s Suite) Cipher() string {
	if s.Enc == "None" && s.Bits == 0 {
		return s.Enc
	}
	return fmt.Sprintf("%s(%d)", s.Enc, s.Bits)
}

// EphemeralEC reports an ECDHE suite (signed, anonymous or PSK), whose
// ServerKeyExchange names a curve.
func (s Suite) EphemeralEC() bool { return s.Kx == "ECDH" || s.Kx == "ECDHEPSK" }

// EphemeralDH reports a DHE suite whose ServerKeyExchange carries p, g, Ys.
func (s Suite) EphemeralDH() bool {
	return s.Kx == "DH" || s.Kx == "DHEPSK" || s.Kx == "DH(512)" || s.Kx == "DH(1024)"
}

// SignedKex reports a suite whose ServerKeyExchange is signed by the
// certificate key.
func (s Suite) SignedKex() bool {
	return (s.Kx == "ECDH" || s.Kx == "DH") && (s.Au == "RSA" || s.Au == "ECDSA" || s.Au == "DSS")
}

// PSKHint reports a suite whose ServerKeyExchange starts with a PSK
// identity hint.
func (s Suite) PSKHint() bool { return s.Kx == "DHEPSK" || s.Kx == "ECDHEPSK" }

// TLS13 reports a TLS 1.3 suite.
func (s Suite) TLS13() bool { return s.Protocol == "TLSv1.3" }

// SCSV reports a signalling value (RFC 5746, RFC 7507), which is no suite.
func (s Suite) SCSV() bool { return s.Protocol == "SCSV" }

// The tables indexed by code point.
var (
	suiteByCode   = index(suiteTable, func(s Suite) uint16 { return uint16(s.Code) })
	groupByID     = index(groupTable, func(g Group) uint16 { return g.ID })
	sigSchemeByID = index(sigSchemeTable, func(s SignatureScheme) uint16 { return s.ID })
)

func index[R any](rows []R, key func(R) uint16) map[uint16]R {
	m := make(map[uint16]R, len(rows))
	for _, r := range rows {
		m[key(r)] = r
	}
	return m
}

// lookup returns the row of id, or unknown.
func lookup[R any](m map[uint16]R, id uint16, unknown R) R {
	if r, ok := m[id]; ok {
		return r
	}
	return unknown
}

// hexName is the name of a code point the registry does not know.
func hexName(id uint16) string { return fmt.Sprintf("0x%04X", id) }

// where lists the keys of the rows keep accepts, in table order.
func where[R any](rows []R, key func(R) uint16, keep func(R) bool) []uint16 {
	var out []uint16
	for _, r := range rows {
		if keep(r) {
			out = append(out, key(r))
		}
	}
	return out
}

// LookupSuite returns the row of a TLS code point; an unknown code point
// gets the name "0x...." so a server picking one is still reported.
func LookupSuite(code uint16) (Suite, bool) {
	s, ok := suiteByCode[code]
	if !ok {
		return Suite{Code: uint32(code), Name: hexName(code)}, false
	}
	return s, true
}

// SuiteName is the name of a TLS cipher suite code point, or its hex.
func SuiteName(code uint16) string {
	s, _ := LookupSuite(code)
	return s.DisplayName()
}

// Suites returns every TLS suite and signalling value, roughly strongest
// first (the order a client naturally offers them).
func Suites() []Suite { return append([]Suite(nil), suiteTable...) }

// SSLv2Suites returns the SSL 2.0 CIPHER-SPECS (3-byte code points).
func SSLv2Suites() []Suite { return append([]Suite(nil), sslv2Table...) }

// LookupSSLv2Suite returns the row of an SSL 2.0 cipher spec.
func LookupSSLv2Suite(code uint32) (Suite, bool) {
	for _, s := range sslv2Table {
		if s.Code == code {
			return s, true
		}
	}
	return Suite{Code: code, Name: fmt.Sprintf("SSL_CK_0x%06X", code), Protocol: "SSLv2"}, false
}

// Group is a supported_groups code point.
type Group struct {
	ID   uint16 `json:"id"`
	Name string `json:"name"`
	// Kind: "ec" (ECDHE curve), "ecx" (x25519/x448), "ffdhe", "hybrid"
	// (post-quantum hybrid), "kem" (pure ML-KEM), "explicit" (RFC 8422
	// arbitrary curves), "other".
	Kind string `json:"kind"`
	// Bits is the curve or prime size (hybrids: of the classical part).
	Bits int `json:"bits"`
	// TLS12 marks groups usable for TLS 1.2 ECDHE/FFDHE; TLS13 for TLS 1.3.
	TLS12 bool `json:"-"`
	TLS13 bool `json:"-"`
	// IANA reports a code point listed in the IANA TLS Supported Groups
	// registry.
	IANA bool `json:"-"`
}

// SignatureScheme is a TLS 1.3 SignatureScheme or a TLS 1.2 (hash,
// signature) pair, which share one code space (RFC 8446 §4.2.3).
type SignatureScheme struct {
	ID   uint16 `json:"id"`
	Name string `json:"name"`
	// Hash: md5, sha1, sha224, sha256, sha384, sha512, sm3, streebog256,
	// streebog512, intrinsic (EdDSA, ML-DSA) or other.
	Hash string `json:"hash"`
	// IANA reports a name from the IANA TLS SignatureScheme registry; the
	// other TLS 1.2 pairs are named from RFC 5246 §7.4.1.4.1.
	IANA bool `json:"-"`
}

// LookupGroup names a supported_groups code point; an unknown one is
// "0x....", kind "other".
func LookupGroup(id uint16) Group {
	return lookup(groupByID, id, Group{ID: id, Name: hexName(id), Kind: "other"})
}

// GroupByName finds a group by its registry name ("x25519", "ffdhe2048").
func GroupByName(name string) (Group, bool) {
	for _, g := range groupTable {
		if g.Name == name {
			return g, true
		}
	}
	return Group{}, false
}

// GroupName names a supported_groups code point.
func GroupName(id uint16) string { return LookupGroup(id).Name }

// GroupIDs lists the code points of the groups keep accepts, by code point.
func GroupIDs(keep func(Group) bool) []uint16 {
	return where(groupTable, func(g Group) uint16 { return g.ID }, keep)
}

// LookupSignatureScheme names a signature_algorithms code point; an
// unknown one is "0x....", hash "unknown".
func LookupSignatureScheme(id uint16) SignatureScheme {
	return lookup(sigSchemeByID, id, SignatureScheme{ID: id, Name: hexName(id), Hash: "unknown"})
}

// SignatureSchemeName names a signature_algorithms code point.
func SignatureSchemeName(id uint16) string { return LookupSignatureScheme(id).Name }

// SignatureSchemesWithHash lists the code points whose hash is one of
// hashes, by code point.
func SignatureSchemesWithHash(hashes ...string) []uint16 {
	return where(sigSchemeTable, func(s SignatureScheme) uint16 { return s.ID },
		func(s SignatureScheme) bool { return slices.Contains(hashes, s.Hash) })
}
