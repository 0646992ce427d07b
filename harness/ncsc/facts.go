package ncsc

import (
	"fmt"
	"sort"
)

// Facts is what a scan established about one endpoint, in primitives. An
// empty field is either observed absence or missing data: Gaps lists what
// the scan could not observe, and each Check says what it may be absent
// for (see Assess).
type Facts struct {
	// Versions the server accepted (wire values; SSL 2.0 is 0x0002).
	Versions []uint16 `json:"versions"`
	// Suites maps a version to the cipher suites it accepted on it.
	Suites map[uint16][]uint16 `json:"suites"`
	// Groups13 are the groups the server accepts as TLS 1.3 key shares;
	// Groups12 the named curves of its TLS 1.0-1.2 ECDHE key exchange.
	Groups13 []uint16 `json:"groups_tls13,omitempty"`
	Groups12 []uint16 `json:"groups_tls12,omitempty"`
	// DHGroups are the finite-field groups seen in TLS <= 1.2 DHE
	// ServerKeyExchange messages.
	DHGroups []DHGroup `json:"dh_groups,omitempty"`
	// Certificates are the chain the server sent, leaf first.
	Certificates []Certificate `json:"certificates,omitempty"`
	// KexSignatures are the signature schemes the server was seen to sign a
	// key exchange with when the client offered only that scheme's hash.
	KexSignatures []uint16 `json:"kex_signatures,omitempty"`

	Compression          string `json:"compression,omitempty"`            // off|on
	SecureRenegotiation  string `json:"secure_renegotiation,omitempty"`   // supported|unsupported
	ClientRenegotiation  string `json:"client_renegotiation,omitempty"`   // refused|limited|unlimited|allowed
	ZeroRTT              string `json:"zero_rtt,omitempty"`               // off|on
	OCSPStapling         string `json:"ocsp_stapling,omitempty"`          // valid|not_stapled|no_ocsp_url|invalid
	ExtendedMasterSecret string `json:"extended_master_secret,omitempty"` // supported|unsupported
	CertificateTrust     string `json:"certificate_trust,omitempty"`      // trusted|untrusted
	CertificateName      string `json:"certificate_name,omitempty"`       // match|mismatch
	// TrustDetail says why the chain is untrusted (unknown issuer,
	// expired, incomplete chain) or which anchor it verifies to;
	// NameDetail which name did not match.
	TrustDetail string `json:"trust_detail,omitempty"`
	NameDetail  string `json:"name_detail,omitempty"`

	// Order is the server's cipher preference on its highest version below
	// TLS 1.3, when it was tested.
	Order *CipherOrder `json:"cipher_order,omitempty"`

	// Gaps are what the scan could not observe: an item kind with no
	// finding and a gap is missing data, never absence.
	Gaps []Gap `json:"gaps,omitempty"`
}

// Gap is an item kind the scan could not observe completely, and why
// ("0-RTT not tested: the endpoint requires a client certificate ...").
type Gap struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

// DHGroup is a finite-field group: Name is the RFC 7919 name when prime and
// generator match one ("ffdhe3072"), else the well-known name ("modp2048
// (group 14)") or "" for a self-generated group.
type DHGroup struct {
	Name string `json:"name,omitempty"`
	Bits int    `json:"bits"`
}

// Certificate is one certificate of the chain.
type Certificate struct {
	Subject string `json:"subject"`
	// KeyType is rsa, ecdsa, ed25519, ed448 or dsa.
	KeyType string `json:"key_type"`
	Bits    int    `json:"bits,omitempty"`
	// Curve is the ECDSA curve in Go's naming (P-256, brainpoolP256r1).
	Curve string `json:"curve,omitempty"`
	// SignatureHash is the hash of the signature on it (sha256, sha1, ...;
	// ed25519/ed448 for EdDSA signatures).
	SignatureHash string `json:"signature_hash"`
	// TrustAnchor marks a root from the trust store: like internet.nl, the
	// grader skips it (its key and self-signature are not the server's choice).
	TrustAnchor bool `json:"trust_anchor,omitempty"`
}

// CipherOrder is what a cipher-order probe found.
type CipherOrder struct {
	Version uint16 `json:"version"`
	// ServerEnforced is true when the server chose by its own preference.
	ServerEnforced bool `json:"server_enforced"`
	// Preference is the server's order, best first, when enforced.
	Preference []uint16 `json:"preference,omitempty"`
}

// GradeAll grades every fact under one edition, in a stable order:
// versions, suites, groups, DH groups, certificates, key-exchange
// signatures, options.
func GradeAll(e Edition, f Facts) []Finding {
	if e != EditionV21 {
		e = Edition2025
	}
	var out []Finding
	add := func(it Item, what string) {
		out = append(out, Finding{Item: it, What: what, Grading: Grade(e, it)})
	}
	versions := sortedDesc(f.Versions)
	for _, v := range versions {
		add(Item{Kind: KindVersion, ID: v}, "protocol "+VersionName(v))
	}
	for _, v := range sortedDesc(keys(f.Suites)) {
		for _, s := range f.Suites[v] {
			add(Item{Kind: KindCipherSuite, ID: s, Version: v},
				fmt.Sprintf("cipher suite %s (0x%04X) on %s", SuiteName(s), s, VersionName(v)))
		}
	}
	// A group finding says where the group is used: a deployer changes a
	// TLS 1.3 key share list and a TLS 1.2 DHE parameter file in
	// different places.
	for _, g := range f.Groups13 {
		add(Item{Kind: KindGroup, ID: g, Version: 0x0304}, fmt.Sprintf("TLS 1.3 key-share group %s (0x%04X)", GroupName(g), g))
	}
	for _, g := range f.Groups12 {
		add(Item{Kind: KindGroup, ID: g, Version: 0x0303}, fmt.Sprintf("TLS 1.0-1.2 ECDHE curve %s (0x%04X)", GroupName(g), g))
	}
	for _, d := range f.DHGroups {
		name := d.Name
		if name == "" {
			name = "self-generated group"
		}
		add(Item{Kind: KindDHGroup, Name: d.Name, Bits: d.Bits}, fmt.Sprintf("TLS 1.0-1.2 DHE group %s (%d bits, from the ServerKeyExchange)", name, d.Bits))
	}
	for i, c := range f.Certificates {
		if c.TrustAnchor {
			continue
		}
		pos := "leaf certificate"
		if i > 0 {
			pos = fmt.Sprintf("chain certificate %d", i)
		}
		key := c.KeyType
		if c.Curve != "" {
			key += " " + c.Curve
		} else if c.Bits > 0 {
			key += fmt.Sprintf(" %d", c.Bits)
		}
		add(Item{Kind: KindCertKey, Name: c.KeyType, Bits: c.Bits, Curve: c.Curve, Subject: c.Subject},
			fmt.Sprintf("%s %s key (%s)", pos, key, c.Subject))
		if c.SignatureHash != "" {
			add(Item{Kind: KindCertSignature, Name: c.SignatureHash, Subject: c.Subject},
				fmt.Sprintf("%s signature hash %s (%s)", pos, c.SignatureHash, c.Subject))
		}
	}
	for _, s := range f.KexSignatures {
		add(Item{Kind: KindKexSignature, ID: s}, fmt.Sprintf("key-exchange signature %s (0x%04X)", SignatureSchemeName(s), s))
	}

	// Options that only exist below TLS 1.3 are not applicable to a TLS
	// 1.3-only server (reference bench row 41).
	below13 := false
	has13 := false
	for _, v := range f.Versions {
		below13 = below13 || v < 0x0304
		has13 = has13 || v == 0x0304
	}
	option := func(kind, state, what string, applies bool) {
		if state != "" && applies {
			add(Item{Kind: kind, State: state}, what+": "+state)
		}
	}
	option(KindCompression, f.Compression, "TLS compression", below13)
	option(KindSecureRenegotiation, f.SecureRenegotiation, "secure renegotiation (RFC 5746)", below13)
	option(KindClientRenegotiation, f.ClientRenegotiation, "client-initiated renegotiation", below13)
	option(KindZeroRTT, f.ZeroRTT, "0-RTT early data", has13)
	option(KindOCSPStapling, f.OCSPStapling, "OCSP stapling", true)
	option(KindEMS, f.ExtendedMasterSecret, "extended master secret (RFC 7627)", below13)
	option(KindCertTrust, f.CertificateTrust, "certificate chain"+detail(f.TrustDetail), true)
	option(KindCertName, f.CertificateName, "certificate name"+detail(f.NameDetail), true)
	if f.Order != nil {
		if state, why := orderState(e, f); state != "" {
			add(Item{Kind: KindCipherOrder, State: state, Version: f.Order.Version}, "cipher order on "+VersionName(f.Order.Version)+": "+why)
		}
	}
	return out
}

func detail(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// orderState decides the cipher-order state, or "" when the edition does not
// require an order (every accepted suite in one tier, or TLS 1.3 only).
func orderState(e Edition, f Facts) (string, string) {
	o := f.Order
	if o.Version >= 0x0304 {
		return "", ""
	}
	tiers := orderTiers[e]
	tierOf := func(s uint16) int { return tiers[Grade(e, Item{Kind: KindCipherSuite, ID: s}).Level] }
	seen := map[int]bool{}
	for _, s := range f.Suites[o.Version] {
		seen[tierOf(s)] = true
	}
	if len(seen) < 2 {
		return "", ""
	}
	// The pair that shows the problem: the best and the worst suite the
	// server accepts, by tier.
	best, worst := uint16(0), uint16(0)
	for _, s := range f.Suites[o.Version] {
		if best == 0 || tierOf(s) < tierOf(best) {
			best = s
		}
		if worst == 0 || tierOf(s) > tierOf(worst) {
			worst = s
		}
	}
	level := func(s uint16) Level { return Grade(e, Item{Kind: KindCipherSuite, ID: s}).Level }
	if !o.ServerEnforced {
		return StateClientOrder, fmt.Sprintf("the server follows the client's order, so a client that lists %s (%s) before %s (%s) gets %s; enforce a server order (e.g. ssl_prefer_server_ciphers on)",
			SuiteName(worst), level(worst), SuiteName(best), level(best), SuiteName(worst))
	}
	// Walking the server's order best first, tiers must never get better.
	worstTier, worstSuite := -1, uint16(0)
	for _, s := range o.Preference {
		t := tierOf(s)
		if t < worstTier {
			return StateWeakerFirst, fmt.Sprintf("the server prefers %s (%s) over %s (%s); rank it below",
				SuiteName(worstSuite), level(worstSuite), SuiteName(s), level(s))
		}
		if t > worstTier {
			worstTier, worstSuite = t, s
		}
	}
	return StateEnforced, "the server prefers better suites"
}

// Worst is the worst level among findings (NotCovered when none is graded).
func Worst(fs []Finding) Level {
	w := NotCovered
	for _, f := range fs {
		w = worse(w, f.Level)
	}
	return w
}

// AtLeast returns the findings graded l or worse (Insufficient is worse than
// Phase out).
func AtLeast(fs []Finding, l Level) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Level >= l && f.Level != NotCovered {
			out = append(out, f)
		}
	}
	return out
}

func keys[V any](m map[uint16]V) []uint16 {
	out := make([]uint16, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sortedDesc(in []uint16) []uint16 {
	out := append([]uint16(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i] > out[j] })
	return out
}

func contains(s []uint16, v uint16) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
