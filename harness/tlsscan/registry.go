package tlsscan

import "fmt"

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

// AllVersions is every version the scanner probes, oldest first.
var AllVersions = []uint16{VersionSSL20, VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13}

// VersionName is the conventional name of a wire version.
func VersionName(v uint16) string {
	switch v {
	case VersionSSL20:
		return "SSL 2.0"
	case VersionSSL30:
		return "SSL 3.0"
	case VersionTLS10:
		return "TLS 1.0"
	case VersionTLS11:
		return "TLS 1.1"
	case VersionTLS12:
		return "TLS 1.2"
	case VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

// Suite is one row of the cipher suite registry. Kx/Au/Enc/Mac use OpenSSL's
// vocabulary (Kx "ECDH" with Au "RSA"/"ECDSA"/"None" is ephemeral ECDHE;
// "ECDH/RSA" is static ECDH; "DH" with Au "RSA"/"DSS"/"None" is DHE).
type Suite struct {
	Code     uint32 `json:"code"` // 2-byte IANA code point; 3-byte CIPHER-SPEC for SSL 2.0
	Name     string `json:"name"` // IANA name ("" for private-use code points)
	OpenSSL  string `json:"openssl"`
	Protocol string `json:"protocol"` // oldest version defining it: SSLv2, SSLv3, TLSv1, TLSv1.2, TLSv1.3
	Kx       string `json:"kx"`
	Au       string `json:"au"`
	Enc      string `json:"enc"`
	Bits     int    `json:"bits"`
	Mac      string `json:"mac"`
	Export   bool   `json:"export"`
}

// DisplayName prefers the IANA name.
func (s Suite) DisplayName() string {
	if s.Name != "" {
		return s.Name
	}
	return s.OpenSSL
}

// ephemeralEC reports an ECDHE suite (signed or anonymous), whose
// ServerKeyExchange names a curve.
func (s Suite) ephemeralEC() bool { return s.Kx == "ECDH" || s.Kx == "ECDHEPSK" }

// ephemeralDH reports a DHE suite whose ServerKeyExchange carries p, g, Ys.
func (s Suite) ephemeralDH() bool {
	return s.Kx == "DH" || s.Kx == "DHEPSK" || s.Kx == "DH(512)" || s.Kx == "DH(1024)"
}

// signedKex reports a suite whose ServerKeyExchange is signed by the
// certificate key, so the signature_algorithms probe applies.
func (s Suite) signedKex() bool {
	return (s.Kx == "ECDH" || s.Kx == "DH") && (s.Au == "RSA" || s.Au == "ECDSA" || s.Au == "DSS")
}

func (s Suite) pskHint() bool { return s.Kx == "DHEPSK" || s.Kx == "ECDHEPSK" }

func (s Suite) tls13() bool { return s.Protocol == "TLSv1.3" }

var suiteByCode = func() map[uint16]Suite {
	m := make(map[uint16]Suite, len(suiteTable))
	for _, s := range suiteTable {
		m[uint16(s.Code)] = s
	}
	return m
}()

// LookupSuite returns the registry row of a TLS code point; unknown code
// points get a placeholder name so a server picking one is still reported.
func LookupSuite(code uint16) (Suite, bool) {
	s, ok := suiteByCode[code]
	if !ok {
		return Suite{Code: uint32(code), Name: fmt.Sprintf("UNKNOWN_0x%04X", code)}, false
	}
	return s, true
}

// Suites returns a copy of the registry (TLS suites, roughly strongest first).
func Suites() []Suite { return append([]Suite(nil), suiteTable...) }

// SSLv2Suites returns a copy of the SSL 2.0 cipher-spec table.
func SSLv2Suites() []Suite { return append([]Suite(nil), sslv2Table...) }

// suitesFor is what a ClientHello for version v offers: TLS 1.3 suites only
// for 1.3; for older versions every non-1.3 suite that can exist in them.
func suitesFor(v uint16) []uint16 {
	var out []uint16
	for _, s := range suiteTable {
		switch {
		case v == VersionTLS13:
			if s.tls13() {
				out = append(out, uint16(s.Code))
			}
		case s.tls13():
		case v < VersionTLS12 && s.Protocol == "TLSv1.2":
		default:
			out = append(out, uint16(s.Code))
		}
	}
	return out
}

// Group is a TLS supported_groups code point (IANA "TLS Supported Groups").
type Group struct {
	ID   uint16 `json:"id"`
	Name string `json:"name"`
	// Kind: "ec" (ECDHE curve), "ecx" (x25519/x448), "ffdhe", "hybrid"
	// (post-quantum hybrid), "kem" (pure ML-KEM), "other".
	Kind string `json:"kind"`
	// Bits is the curve or prime size (hybrids: of the classical part).
	Bits int `json:"bits"`
	// TLS12 marks groups usable for TLS 1.2 ECDHE/FFDHE; TLS13 for TLS 1.3.
	TLS12 bool `json:"-"`
	TLS13 bool `json:"-"`
}

var groupTable = []Group{
	{0x0001, "sect163k1", "ec", 163, true, false},
	{0x0002, "sect163r1", "ec", 163, true, false},
	{0x0003, "sect163r2", "ec", 163, true, false},
	{0x0004, "sect193r1", "ec", 193, true, false},
	{0x0005, "sect193r2", "ec", 193, true, false},
	{0x0006, "sect233k1", "ec", 233, true, false},
	{0x0007, "sect233r1", "ec", 233, true, false},
	{0x0008, "sect239k1", "ec", 239, true, false},
	{0x0009, "sect283k1", "ec", 283, true, false},
	{0x000A, "sect283r1", "ec", 283, true, false},
	{0x000B, "sect409k1", "ec", 409, true, false},
	{0x000C, "sect409r1", "ec", 409, true, false},
	{0x000D, "sect571k1", "ec", 571, true, false},
	{0x000E, "sect571r1", "ec", 571, true, false},
	{0x000F, "secp160k1", "ec", 160, true, false},
	{0x0010, "secp160r1", "ec", 160, true, false},
	{0x0011, "secp160r2", "ec", 160, true, false},
	{0x0012, "secp192k1", "ec", 192, true, false},
	{0x0013, "secp192r1", "ec", 192, true, false},
	{0x0014, "secp224k1", "ec", 224, true, false},
	{0x0015, "secp224r1", "ec", 224, true, false},
	{0x0016, "secp256k1", "ec", 256, true, false},
	{0x0017, "secp256r1", "ec", 256, true, true},
	{0x0018, "secp384r1", "ec", 384, true, true},
	{0x0019, "secp521r1", "ec", 521, true, true},
	{0x001A, "brainpoolP256r1", "ec", 256, true, false},
	{0x001B, "brainpoolP384r1", "ec", 384, true, false},
	{0x001C, "brainpoolP512r1", "ec", 512, true, false},
	{0x001D, "x25519", "ecx", 253, true, true},
	{0x001E, "x448", "ecx", 448, true, true},
	{0x001F, "brainpoolP256r1tls13", "ec", 256, false, true},
	{0x0020, "brainpoolP384r1tls13", "ec", 384, false, true},
	{0x0021, "brainpoolP512r1tls13", "ec", 512, false, true},
	{0x0022, "GC256A", "ec", 256, true, true},
	{0x0023, "GC256B", "ec", 256, true, true},
	{0x0024, "GC256C", "ec", 256, true, true},
	{0x0025, "GC256D", "ec", 256, true, true},
	{0x0026, "GC512A", "ec", 512, true, true},
	{0x0027, "GC512B", "ec", 512, true, true},
	{0x0028, "GC512C", "ec", 512, true, true},
	{0x0029, "curveSM2", "ec", 256, false, true},
	{0x0100, "ffdhe2048", "ffdhe", 2048, true, true},
	{0x0101, "ffdhe3072", "ffdhe", 3072, true, true},
	{0x0102, "ffdhe4096", "ffdhe", 4096, true, true},
	{0x0103, "ffdhe6144", "ffdhe", 6144, true, true},
	{0x0104, "ffdhe8192", "ffdhe", 8192, true, true},
	{0x0200, "MLKEM512", "kem", 0, false, true},
	{0x0201, "MLKEM768", "kem", 0, false, true},
	{0x0202, "MLKEM1024", "kem", 0, false, true},
	{0x11EB, "SecP256r1MLKEM768", "hybrid", 256, false, true},
	{0x11EC, "X25519MLKEM768", "hybrid", 253, false, true},
	{0x11ED, "SecP384r1MLKEM1024", "hybrid", 384, false, true},
	{0x11EE, "curveSM2MLKEM768", "hybrid", 256, false, true},
	{0x6399, "X25519Kyber768Draft00", "hybrid", 253, false, true},
	{0x639A, "SecP256r1Kyber768Draft00", "hybrid", 256, false, true},
}

var groupByID = func() map[uint16]Group {
	m := make(map[uint16]Group, len(groupTable))
	for _, g := range groupTable {
		m[g.ID] = g
	}
	return m
}()

// LookupGroup names a supported_groups code point.
func LookupGroup(id uint16) Group {
	if g, ok := groupByID[id]; ok {
		return g
	}
	return Group{ID: id, Name: fmt.Sprintf("group_0x%04X", id), Kind: "other"}
}

// Groups returns a copy of the group registry.
func Groups() []Group { return append([]Group(nil), groupTable...) }

func groupIDs(keep func(Group) bool) []uint16 {
	var out []uint16
	for _, g := range groupTable {
		if keep(g) {
			out = append(out, g.ID)
		}
	}
	return out
}

// SignatureScheme is a TLS SignatureScheme / (hash, signature) pair.
type SignatureScheme struct {
	ID   uint16 `json:"id"`
	Name string `json:"name"`
	Hash string `json:"hash"` // md5, sha1, sha224, sha256, sha384, sha512, intrinsic
}

var sigSchemeTable = []SignatureScheme{
	{0x0101, "rsa_pkcs1_md5", "md5"},
	{0x0102, "dsa_md5", "md5"},
	{0x0103, "ecdsa_md5", "md5"},
	{0x0201, "rsa_pkcs1_sha1", "sha1"},
	{0x0202, "dsa_sha1", "sha1"},
	{0x0203, "ecdsa_sha1", "sha1"},
	{0x0301, "rsa_pkcs1_sha224", "sha224"},
	{0x0302, "dsa_sha224", "sha224"},
	{0x0303, "ecdsa_sha224", "sha224"},
	{0x0401, "rsa_pkcs1_sha256", "sha256"},
	{0x0402, "dsa_sha256", "sha256"},
	{0x0403, "ecdsa_secp256r1_sha256", "sha256"},
	{0x0501, "rsa_pkcs1_sha384", "sha384"},
	{0x0502, "dsa_sha384", "sha384"},
	{0x0503, "ecdsa_secp384r1_sha384", "sha384"},
	{0x0601, "rsa_pkcs1_sha512", "sha512"},
	{0x0602, "dsa_sha512", "sha512"},
	{0x0603, "ecdsa_secp521r1_sha512", "sha512"},
	{0x0804, "rsa_pss_rsae_sha256", "sha256"},
	{0x0805, "rsa_pss_rsae_sha384", "sha384"},
	{0x0806, "rsa_pss_rsae_sha512", "sha512"},
	{0x0807, "ed25519", "intrinsic"},
	{0x0808, "ed448", "intrinsic"},
	{0x0809, "rsa_pss_pss_sha256", "sha256"},
	{0x080A, "rsa_pss_pss_sha384", "sha384"},
	{0x080B, "rsa_pss_pss_sha512", "sha512"},
	{0x081A, "ecdsa_brainpoolP256r1tls13_sha256", "sha256"},
	{0x081B, "ecdsa_brainpoolP384r1tls13_sha384", "sha384"},
	{0x081C, "ecdsa_brainpoolP512r1tls13_sha512", "sha512"},
}

var sigSchemeByID = func() map[uint16]SignatureScheme {
	m := make(map[uint16]SignatureScheme, len(sigSchemeTable))
	for _, s := range sigSchemeTable {
		m[s.ID] = s
	}
	return m
}()

// LookupSignatureScheme names a signature_algorithms code point.
func LookupSignatureScheme(id uint16) SignatureScheme {
	if s, ok := sigSchemeByID[id]; ok {
		return s
	}
	return SignatureScheme{ID: id, Name: fmt.Sprintf("sigscheme_0x%04X", id), Hash: "unknown"}
}

func sigSchemesWithHash(hashes ...string) []uint16 {
	var out []uint16
	for _, s := range sigSchemeTable {
		for _, h := range hashes {
			if s.Hash == h {
				out = append(out, s.ID)
			}
		}
	}
	return out
}

// defaultSigSchemes is offered by every probe that is not about signature
// hashes: strongest first, SHA-1 last so old servers still answer.
var defaultSigSchemes = []uint16{
	0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x081A, 0x081B, 0x081C,
	0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
	0x0401, 0x0501, 0x0601, 0x0402, 0x0502, 0x0602,
	0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202,
}
