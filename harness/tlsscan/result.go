package tlsscan

import "time"

// Status says what one item of a scan rests on. It is the one vocabulary
// the grader reads to tell observed absence from missing data (docs/design.md
// "Verdicts"): only Observed and Absent are facts about the server.
type Status string

const (
	// Observed: the server answered every probe of the item; the item's
	// fields say what it does (including "nothing": no suite, no group).
	Observed Status = "observed"
	// Absent: the item does not exist on this server, as other answers
	// showed (0-RTT on a server without TLS 1.3); Reason says why.
	Absent Status = "absent"
	// NotTested: the scanner did not run the item's probe; Reason says why
	// (the endpoint demands a client certificate the profile does not give,
	// an option turned it off, the scanner's client cannot speak it).
	NotTested Status = "not_tested"
	// Unresolved: a probe of the item got no answer it could read (reset,
	// EOF, timeout, garbage) on every attempt; Reason and Probes name them.
	// Missing data: never read as absence.
	Unresolved Status = "unresolved"
)

// State is how far one item got, with the reason when it is not Observed.
type State struct {
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"`
	// Probes index Result.Probes: the attempts that left the item
	// unresolved or not tested.
	Probes []int `json:"probes,omitempty"`
}

// Seen reports an item the server answered for.
func (s State) Seen() bool { return s.Status == Observed }

func observed() State { return State{Status: Observed} }

func absent(reason string) State { return State{Status: Absent, Reason: reason} }

func notTested(reason string, probes ...int) State {
	return State{Status: NotTested, Reason: reason, Probes: probes}
}

func unresolved(reason string, probes ...int) State {
	return State{Status: Unresolved, Reason: reason, Probes: probes}
}

// Result is everything one scan of one endpoint found. It is plain data
// (code points, sizes, flags) for the NCSC grader; nothing in it is a
// verdict. A Result is returned even when the scan fails part-way: every
// item carries a State saying whether it was observed, absent, not tested
// or unresolved.
type Result struct {
	Address    string    `json:"address"`
	ServerName string    `json:"server_name"`
	Started    time.Time `json:"started"`
	// DurationMS is the wall-clock time of the scan.
	DurationMS int64 `json:"duration_ms"`
	// Handshakes counts the TCP connections the scan opened (each carries
	// one ClientHello or one full handshake), retries included.
	Handshakes int `json:"handshakes"`

	// Versions has one entry per probed version, SSL 2.0 to TLS 1.3.
	Versions []VersionResult `json:"versions"`
	// Groups are the key-exchange groups the server accepts.
	Groups GroupsResult `json:"groups"`
	// DHGroups are the distinct finite-field groups seen in TLS 1.0-1.2
	// DHE ServerKeyExchange messages.
	DHGroups []DHGroup `json:"dh_groups,omitempty"`
	// KexSignatures: per hash, whether the server signs its TLS 1.2
	// ServerKeyExchange with it when the client offers only that hash.
	KexSignatures      []KexSignature `json:"kex_signatures,omitempty"`
	KexSignaturesState State          `json:"kex_signatures_state"`
	// Chains are the distinct certificate chains the server sent;
	// ChainsState says why there are none.
	Chains      []Chain `json:"chains"`
	ChainsState State   `json:"chains_state"`
	// ClientAuth: "none"; "requested" (a CertificateRequest was seen);
	// "required" (the server ended a handshake without a client
	// certificate).
	ClientAuth string `json:"client_auth"`

	Compression          Compression          `json:"compression"`
	SecureRenegotiation  SecureRenegotiation  `json:"secure_renegotiation"`
	ClientRenegotiation  ClientRenegotiation  `json:"client_renegotiation"`
	ZeroRTT              ZeroRTT              `json:"zero_rtt"`
	OCSPStapling         OCSPStapling         `json:"ocsp_stapling"`
	ExtendedMasterSecret ExtendedMasterSecret `json:"extended_master_secret"`

	// Probes is the evidence: every ClientHello sent (each attempt) and
	// what came back.
	Probes []Probe `json:"probes"`
	// Errors lists anomalies that did not stop an item (a flight that
	// broke off after its ServerHello, a message that did not parse).
	Errors []string `json:"errors,omitempty"`
}

// Version returns the entry for wire version v, or nil.
func (r *Result) Version(v uint16) *VersionResult {
	for i := range r.Versions {
		if r.Versions[i].Version == v {
			return &r.Versions[i]
		}
	}
	return nil
}

// VersionResult is what one protocol version offers.
type VersionResult struct {
	Version uint16 `json:"version"` // wire value: 0x0002 SSL 2.0, 0x0300 SSL 3.0 ... 0x0304 TLS 1.3
	Name    string `json:"name"`
	// State of the version probe: Observed (Supported says yes or no, from
	// a ServerHello, an alert or another version's ServerHello) or
	// Unresolved (no answer on any attempt: neither yes nor no).
	State     State `json:"state"`
	Supported bool  `json:"supported"`
	// Suites the server accepted, in ServerPreference order when the
	// server imposes its own order, else in registry order. SuitesState is
	// Observed when every enumeration probe was answered.
	Suites      []SuiteResult `json:"suites,omitempty"`
	SuitesState State         `json:"suites_state"`
	// SSLv2Ciphers are the SSL 2.0 cipher specs (3-byte code points).
	SSLv2Ciphers []Suite `json:"sslv2_ciphers,omitempty"`
	// Order: "server" (the server picks by its own preference), "client"
	// (it picks the client's first acceptable suite); OrderState is Absent
	// with fewer than two suites.
	Order      string `json:"order,omitempty"`
	OrderState State  `json:"order_state"`
	// ServerPreference is the server's full ranking of Suites (code
	// points, most preferred first), determined when Order is "server".
	ServerPreference []uint16 `json:"server_preference,omitempty"`
}

// SuiteResult is one accepted cipher suite with what its handshake showed.
type SuiteResult struct {
	Code    uint16 `json:"code"`
	Name    string `json:"name"`
	OpenSSL string `json:"openssl,omitempty"`
	Kx      string `json:"kx"`
	Au      string `json:"au"`
	Enc     string `json:"enc"`
	Bits    int    `json:"bits"`
	Mac     string `json:"mac"`
	Export  bool   `json:"export,omitempty"`
	// Group is the named group of the key exchange when it was visible
	// (ECDHE curve in ServerKeyExchange, TLS 1.3 key_share / HRR).
	Group uint16 `json:"group,omitempty"`
	// DHBits is the DHE prime size seen with this suite.
	DHBits int `json:"dh_bits,omitempty"`
	// Probe indexes Result.Probes: the handshake that accepted it.
	Probe int `json:"probe"`
}

// GroupsResult lists accepted key-exchange groups.
type GroupsResult struct {
	// TLS13 are groups accepted in TLS 1.3 (learned from
	// HelloRetryRequest.selected_group while offering no key share), in
	// the order the server chose them.
	TLS13      []Group `json:"tls13,omitempty"`
	TLS13State State   `json:"tls13_state"`
	// TLS12 are curves accepted for TLS 1.0-1.2 ECDHE (from the named
	// curve in ServerKeyExchange), in the order the server chose them.
	TLS12      []Group `json:"tls12,omitempty"`
	TLS12State State   `json:"tls12_state"`
}

// DHGroup is a finite-field group a server used for DHE.
type DHGroup struct {
	Version uint16 `json:"version"`
	Suite   uint16 `json:"suite"`
	Bits    int    `json:"bits"` // bit length of the prime
	// Name is the well-known name ("ffdhe2048", "modp2048 (group 14)")
	// or "" for a custom group.
	Name string `json:"name,omitempty"`
	// Source: "RFC 7919", "RFC 3526", "RFC 2409", "RFC 5114" or "custom".
	Source    string `json:"source"`
	Generator string `json:"generator"` // hex
	Prime     string `json:"prime"`     // hex
	Probe     int    `json:"probe"`
}

// KexSignature is one signature-hash probe of the TLS 1.2 key exchange.
type KexSignature struct {
	Hash string `json:"hash"` // md5, sha1, sha224, sha256, sha384, sha512, intrinsic (EdDSA)
	// Offered are the signature schemes the ClientHello listed.
	Offered []uint16 `json:"offered"`
	// State: Observed when the server answered (a signed key exchange or
	// a refusal), Unresolved when it did not.
	State State `json:"state"`
	// Signed: the server signed its ServerKeyExchange with one of the
	// offered schemes.
	Signed bool `json:"signed"`
	// Used is the scheme the server signed with (0: refused / unsigned);
	// a server that ignores the offer shows a Used outside Offered.
	Used  uint16 `json:"used,omitempty"`
	Alert string `json:"alert,omitempty"`
	Probe int    `json:"probe"`
}

// Chain is one certificate chain as sent by the server.
type Chain struct {
	// Source: "full-handshake" (crypto/tls, highest version) or
	// "tls12-certificate" (a hand-made probe's Certificate message).
	Source  string     `json:"source"`
	Version uint16     `json:"version"`
	Certs   []CertInfo `json:"certs"` // leaf first, as sent
	// Trusted: the chain verifies to Target.RootCAs (system pool if nil)
	// at scan time. A signature hash crypto/x509 refuses (SHA-1, SHA-224)
	// is checked by hand and reported in WeakSignatures instead, so a weak
	// hash is one finding, not also "untrusted".
	Trusted bool `json:"trusted"`
	// TrustProblem says why not, in words a deployer can act on: unknown
	// issuer, self-signed, incomplete chain, expired, not yet valid, not
	// valid for server authentication. VerifyError is crypto/x509's text.
	TrustProblem string `json:"trust_problem,omitempty"`
	VerifyError  string `json:"verify_error,omitempty"`
	// Anchor is the trust anchor the chain verified to (sent or not).
	Anchor *CertInfo `json:"anchor,omitempty"`
	// WeakSignatures names the certificates whose signature hash
	// crypto/x509 refuses and that were verified by hand.
	WeakSignatures []string `json:"weak_signatures,omitempty"`
	// NameMatch: the leaf is valid for Target.ServerName (or the host of
	// Address when ServerName is empty).
	NameMatch bool   `json:"name_match"`
	NameError string `json:"name_error,omitempty"`
}

// CertInfo describes one certificate.
type CertInfo struct {
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	Serial  string `json:"serial"`
	// KeyType: "RSA", "ECDSA", "Ed25519", "Ed448", "DSA", "RSA-PSS" or
	// "unknown"; KeyBits the modulus / curve size; Curve the ECDSA curve
	// ("P-256", "brainpoolP256r1", ...).
	KeyType string `json:"key_type"`
	KeyBits int    `json:"key_bits"`
	Curve   string `json:"curve,omitempty"`
	// SignatureAlgorithm names the issuer's signature; SignatureHash its
	// hash (md5, sha1, sha224, sha256, sha384, sha512, intrinsic for
	// EdDSA, unknown).
	SignatureAlgorithm string    `json:"signature_algorithm"`
	SignatureHash      string    `json:"signature_hash"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	DNSNames           []string  `json:"dns_names,omitempty"`
	IsCA               bool      `json:"is_ca"`
	SelfSigned         bool      `json:"self_signed"`
	OCSPServers        []string  `json:"ocsp_servers,omitempty"`
	SHA256             string    `json:"sha256"`
	ParseError         string    `json:"parse_error,omitempty"`
}

// Compression: whether TLS-level compression (DEFLATE, RFC 3749) is
// negotiated when the client offers it.
type Compression struct {
	State     State  `json:"state"`
	Supported bool   `json:"supported"`
	Method    uint8  `json:"method"` // chosen compression method (0 = null)
	Version   uint16 `json:"version,omitempty"`
	Probe     int    `json:"probe"`
}

// SecureRenegotiation: RFC 5746 renegotiation_info in the ServerHello of
// the highest TLS 1.0-1.2 version.
type SecureRenegotiation struct {
	State     State  `json:"state"`
	Supported bool   `json:"supported"`
	Version   uint16 `json:"version,omitempty"`
	Probe     int    `json:"probe"`
}

// ClientRenegotiation: whether the server honours client-initiated
// renegotiation in TLS 1.2 and how often.
type ClientRenegotiation struct {
	State State `json:"state"`
	// Outcome: "refused", "limited" (some succeed, then refused before
	// Attempts), "unlimited" (all of more than 10 Attempts succeed),
	// "allowed" (all of at most 10 Attempts succeed: whether the server
	// limits them was not tested; LimitNotTested says why).
	Outcome   string `json:"outcome,omitempty"`
	Attempts  int    `json:"attempts"`
	Succeeded int    `json:"succeeded"`
	// LimitNotTested is set with Outcome "allowed".
	LimitNotTested string `json:"limit_not_tested,omitempty"`
	// Refusal is how the server said no (alert, close).
	Refusal string `json:"refusal,omitempty"`
}

// ZeroRTT: whether the server offers to take TLS 1.3 early data.
type ZeroRTT struct {
	State State `json:"state"`
	// Offered: a session ticket carried the early_data extension with a
	// non-zero max_early_data_size (RFC 8446 4.6.1), i.e. the server
	// offers 0-RTT on resumption. No early data is sent.
	Offered      bool   `json:"offered"`
	MaxEarlyData uint32 `json:"max_early_data,omitempty"`
	Tickets      int    `json:"tickets"`
	Method       string `json:"method,omitempty"`
}

// OCSPStapling: whether the server staples an OCSP response and whether it
// is valid for the leaf certificate.
type OCSPStapling struct {
	State State `json:"state"`
	// CertHasOCSPURL: the leaf's AIA names an OCSP responder.
	CertHasOCSPURL bool `json:"cert_has_ocsp_url"`
	Stapled        bool `json:"stapled"`
	// Valid: the staple parses, is signed by the issuer (or its
	// delegate), names the leaf, status good, and is current.
	Valid      bool   `json:"valid"`
	CertStatus string `json:"cert_status,omitempty"` // good, revoked, unknown
	Problem    string `json:"problem,omitempty"`
}

// ExtendedMasterSecret: RFC 7627 extension echoed by the server in the
// highest TLS 1.0-1.2 version.
type ExtendedMasterSecret struct {
	State     State  `json:"state"`
	Supported bool   `json:"supported"`
	Version   uint16 `json:"version,omitempty"`
	Probe     int    `json:"probe"`
}

// Probe is the evidence of one connection.
type Probe struct {
	ID      int    `json:"id"`
	Purpose string `json:"purpose"`
	// ClientHello is the hex of the records sent (hand-made probes).
	ClientHello string `json:"client_hello,omitempty"`
	// Offered summarises the ClientHello: version, suite/group count.
	Offered string `json:"offered"`
	// Outcome: "server-hello", "hello-retry", "alert", "closed",
	// "full-handshake", "error".
	Outcome string `json:"outcome"`
	// ServerHello is the hex of the ServerHello message received.
	ServerHello string `json:"server_hello,omitempty"`
	// Answer summarises the answer: version, suite, group, alert.
	Answer    string `json:"answer,omitempty"`
	ErrorKind Kind   `json:"error_kind,omitempty"`
	// Attempt counts from 1; a probe retried after a reset, EOF or
	// timeout leaves one Probe per attempt.
	Attempt    int   `json:"attempt,omitempty"`
	DurationUS int64 `json:"duration_us"`
}

// Prefers reports whether the server picks suite a over suite b when both
// are offered: known is false when the version has no server order (the
// client's order decides, so a client can be steered to the weaker one) or
// either suite is not accepted.
func (vr *VersionResult) Prefers(a, b uint16) (prefers, known bool) {
	if vr.Order != "server" {
		return false, false
	}
	ia, ib := -1, -1
	for i, c := range vr.ServerPreference {
		switch c {
		case a:
			ia = i
		case b:
			ib = i
		}
	}
	if ia < 0 || ib < 0 {
		return false, false
	}
	return ia < ib, true
}
