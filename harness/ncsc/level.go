// Package ncsc grades TLS facts by the Dutch NCSC "IT Security Guidelines for
// Transport Layer Security" (ICT-beveiligingsrichtlijnen voor TLS), editions
// 2025-05 (current, the default) and v2.1 (the edition Nictiz SC004 links).
//
// The classification lives in data tables (tables.go; code points and suite components come from harness/tlsregistry);
// the code only looks rows up and takes the worst of a suite's components.
// Inputs are primitives (IANA code points, names, sizes) so the grader does
// not depend on the scanner's types.
package ncsc

import (
	"fmt"
	"strings"
)

// Edition is a published edition of the guideline.
type Edition string

const (
	// Edition2025 is "ICT-beveiligingsrichtlijnen voor TLS 2025-05" (current).
	Edition2025 Edition = "2025-05"
	// EditionV21 is v2.1 of 2021-01-19, which NCSC now marks outdated.
	EditionV21 Edition = "v2.1"
)

// Editions lists every edition the grader knows, default first.
var Editions = []Edition{Edition2025, EditionV21}

// ParseEdition accepts "2025-05" and "v2.1" ("" means the default, 2025-05).
func ParseEdition(s string) (Edition, error) {
	switch strings.TrimSpace(s) {
	case "", string(Edition2025):
		return Edition2025, nil
	case string(EditionV21), "2.1":
		return EditionV21, nil
	}
	return "", fmt.Errorf("ncsc: unknown guideline edition %q (want 2025-05 or v2.1)", s)
}

// Level is the guideline's four-step security level. The zero value means
// the edition does not cover the item at all.
type Level int

const (
	NotCovered   Level = iota // the edition has no table for this item
	Good                      // Goed
	Sufficient                // Voldoende
	PhaseOut                  // Uit te faseren
	Insufficient              // Onvoldoende
)

var levelNames = [...]string{"not covered", "good", "sufficient", "phase out", "insufficient"}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return levelNames[l]
}

// MarshalText makes levels readable in results.json.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level name back ("phase out", "phase_out" and
// "phase-out" are the same).
func (l *Level) UnmarshalText(b []byte) error {
	s := strings.NewReplacer("_", " ", "-", " ").Replace(strings.ToLower(strings.TrimSpace(string(b))))
	for i, n := range levelNames {
		if n == s {
			*l = Level(i)
			return nil
		}
	}
	return fmt.Errorf("ncsc: unknown level %q", string(b))
}

// worse returns the worse of two levels; NotCovered never wins.
func worse(a, b Level) Level {
	if b > a {
		return b
	}
	return a
}

// Item kinds.
const (
	KindVersion             = "version"                // ID: wire version
	KindCipherSuite         = "cipher_suite"           // ID: IANA code point; Version: where accepted
	KindGroup               = "group"                  // ID: supported_groups code point
	KindDHGroup             = "dh_group"               // Name: RFC 7919 name or "" ; Bits: prime size (TLS <= 1.2 DHE)
	KindCertKey             = "cert_key"               // Name: rsa|ecdsa|ed25519|ed448|dsa; Bits; Curve
	KindCertSignature       = "cert_signature"         // Name: hash (sha256, sha1, ...) or ed25519/ed448
	KindKexSignature        = "kex_signature"          // ID: SignatureScheme code point the server signs with
	KindCompression         = "compression"            // State: off|on
	KindSecureRenegotiation = "secure_renegotiation"   // State: supported|unsupported
	KindClientRenegotiation = "client_renegotiation"   // State: refused|limited|unlimited|allowed (limit not tested)
	KindZeroRTT             = "zero_rtt"               // State: off|on
	KindOCSPStapling        = "ocsp_stapling"          // State: valid|not_stapled|no_ocsp_url|invalid
	KindEMS                 = "extended_master_secret" // State: supported|unsupported
	KindCipherOrder         = "cipher_order"           // State: enforced|weaker_preferred|client_order
	KindCertTrust           = "cert_trust"             // State: trusted|untrusted
	KindCertName            = "cert_name"              // State: match|mismatch
)

// Option states.
const (
	StateOff         = "off"
	StateOn          = "on"
	StateSupported   = "supported"
	StateUnsupported = "unsupported"
	StateRefused     = "refused"
	StateLimited     = "limited"
	StateUnlimited   = "unlimited"
	// StateAllowed: client renegotiation succeeded but its limit was not
	// tested (limits.dos_probes off); graded as limited up to unlimited.
	StateAllowed     = "allowed"
	StateValid       = "valid"
	StateNotStapled  = "not_stapled"
	StateNoOCSPURL   = "no_ocsp_url"
	StateInvalid     = "invalid"
	StateEnforced    = "enforced"
	StateWeakerFirst = "weaker_preferred"
	StateClientOrder = "client_order"
	StateTrusted     = "trusted"
	StateUntrusted   = "untrusted"
	StateMatch       = "match"
	StateMismatch    = "mismatch"
)

// Item is one graded fact, in primitives.
type Item struct {
	Kind string `json:"kind"`
	// ID is the IANA code point (version, cipher suite, group, signature scheme).
	ID uint16 `json:"id,omitempty"`
	// Version is the protocol version a cipher suite was accepted on.
	Version uint16 `json:"version,omitempty"`
	// Name is a key type, hash or DH group name, by kind.
	Name  string `json:"name,omitempty"`
	Curve string `json:"curve,omitempty"`
	Bits  int    `json:"bits,omitempty"`
	State string `json:"state,omitempty"`
	// Subject names where the item was seen ("leaf certificate CN=api.example").
	Subject string `json:"subject,omitempty"`
}

// Grading is the verdict of one edition on one item.
type Grading struct {
	Level   Level   `json:"level"`
	Edition Edition `json:"edition"`
	Section string  `json:"section"`
	Table   string  `json:"table,omitempty"`
	Reason  string  `json:"reason"`
	// UpTo is set when part of the item was not tested: Level is the best
	// it can be and UpTo the worst, so a check at a limit between the two
	// could not be decided (client renegotiation allowed, limit untested).
	UpTo Level `json:"up_to,omitempty"`
}

// Undecided reports whether the grading cannot say if the item reaches
// limit: its best level is below it, its worst at or above.
func (g Grading) Undecided(limit Level) bool { return g.Level < limit && g.UpTo >= limit }

// Cite is "NCSC TLS 2025-05 §3.3.1 (TLS versions)".
func (g Grading) Cite() string {
	s := "NCSC TLS " + string(g.Edition)
	if g.Section != "" {
		s += " " + g.Section
	}
	if g.Table != "" {
		s += " (" + g.Table + ")"
	}
	return s
}

// Finding is a graded item.
type Finding struct {
	Item Item `json:"item"`
	// What is the item in words: "cipher suite TLS_RSA_WITH_AES_128_GCM_SHA256 (0x009C) on TLS 1.2".
	What string `json:"what"`
	Grading
}

// String is the finding for people: what was seen, its level, where the
// edition says so and why.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s per %s: %s", f.What, f.Level, f.Cite(), f.Reason)
}
