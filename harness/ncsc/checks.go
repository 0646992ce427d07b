package ncsc

import (
	"fmt"
	"github.com/apisec/apisec/harness/tlsregistry"
	"strings"
)

// Check IDs: one per graded aspect of an endpoint, one SC004 / SC004.001
// scenario each (features/SC004*.feature name them by Title).
const (
	CheckVersion              = "version"
	CheckCipherSuite          = "cipher-suite"
	CheckGroup                = "group"
	CheckCertificate          = "certificate"
	CheckCertificateChain     = "certificate-chain"
	CheckKexSignature         = "kex-signature"
	CheckCipherOrder          = "cipher-order"
	CheckCompression          = "compression"
	CheckSecureRenegotiation  = "secure-renegotiation"
	CheckClientRenegotiation  = "client-renegotiation"
	CheckZeroRTT              = "zero-rtt"
	CheckOCSPStapling         = "ocsp-stapling"
	CheckExtendedMasterSecret = "extended-master-secret"
)

// Check is one graded aspect of an endpoint: the item kinds it covers and
// what it means when the scan graded none of them (docs/design.md "Verdicts":
// observed absence is not missing data). Absent names why a server with
// these facts has nothing of the aspect, which the guideline allows (a TLS
// 1.3-only server has no TLS 1.2 key-exchange signature); when it returns
// "" the aspect must exist, and nothing graded means the scan missed it.
// Missing names facts that imply items the scan did not report (DHE
// suites accepted but no DHE group read).
type Check struct {
	ID    string
	Title string
	Kinds []string
	// Absent and Missing take the facts; nil means "never".
	Absent  func(Facts) string `json:"-"`
	Missing func(Facts) string `json:"-"`
}

// Checks lists every check in report order.
var Checks = []Check{
	{ID: CheckVersion, Title: "protocol version", Kinds: []string{KindVersion}},
	{ID: CheckCipherSuite, Title: "cipher suite", Kinds: []string{KindCipherSuite}},
	{ID: CheckGroup, Title: "key-exchange group", Kinds: []string{KindGroup, KindDHGroup},
		Absent: func(f Facts) string {
			if f.has13() || f.ephemeral() {
				return ""
			}
			return "no ephemeral key exchange: no TLS 1.3 and no ECDHE or DHE suite, so there is no group to grade (the static key exchange is graded under cipher suites)"
		},
		Missing: func(f Facts) string {
			var miss []string
			if f.has13() && len(f.Groups13) == 0 {
				miss = append(miss, "TLS 1.3 is accepted but no key-share group was read")
			}
			if f.acceptsKx("ECDHE") && len(f.Groups12) == 0 {
				miss = append(miss, "ECDHE suites are accepted but no curve was read")
			}
			if f.acceptsKx("DHE") && len(f.DHGroups) == 0 {
				miss = append(miss, "DHE suites are accepted but no DHE ServerKeyExchange was read")
			}
			return strings.Join(miss, "; ")
		}},
	{ID: CheckCertificate, Title: "certificate key or signature", Kinds: []string{KindCertKey, KindCertSignature}},
	{ID: CheckCertificateChain, Title: "certificate chain", Kinds: []string{KindCertTrust, KindCertName}},
	{ID: CheckKexSignature, Title: "key-exchange signature hash", Kinds: []string{KindKexSignature},
		Absent: func(f Facts) string {
			switch {
			case !contains(f.Versions, 0x0303):
				// RFC 8446 4.4.3: TLS 1.3 signs inside the encrypted
				// handshake; TLS 1.0/1.1 fix the hash (RFC 4346 7.4.3).
				return "no TLS 1.2: the hash of the key-exchange signature is negotiated only in a TLS 1.2 ServerKeyExchange (TLS 1.3 signs inside the encrypted handshake)"
			case !f.signedKex12():
				return "no TLS 1.2 suite with a signed key exchange (ECDHE or DHE): static RSA sends no ServerKeyExchange"
			}
			return ""
		}},
	{ID: CheckCipherOrder, Title: "cipher order", Kinds: []string{KindCipherOrder},
		Absent: func(f Facts) string {
			if !f.below13() {
				return "TLS 1.3 only: the guideline requires no server order there"
			}
			if f.Order == nil {
				top := uint16(0)
				for _, v := range f.Versions {
					if v < 0x0304 && v > top {
						top = v
					}
				}
				if len(f.Suites[top]) < 2 {
					return fmt.Sprintf("fewer than two suites on %s: there is no order to enforce", VersionName(top))
				}
				return ""
			}
			for _, e := range Editions {
				if s, _ := orderState(e, f); s != "" {
					return ""
				}
			}
			return fmt.Sprintf("every suite accepted on %s is of one level, so no order is required", VersionName(f.Order.Version))
		}},
	{ID: CheckCompression, Title: "TLS compression", Kinds: []string{KindCompression}, Absent: legacyOnly("TLS compression")},
	{ID: CheckSecureRenegotiation, Title: "secure renegotiation", Kinds: []string{KindSecureRenegotiation}, Absent: legacyOnly("renegotiation")},
	{ID: CheckClientRenegotiation, Title: "client-initiated renegotiation", Kinds: []string{KindClientRenegotiation}, Absent: legacyOnly("renegotiation")},
	{ID: CheckZeroRTT, Title: "0-RTT", Kinds: []string{KindZeroRTT},
		Absent: func(f Facts) string {
			if f.has13() {
				return ""
			}
			return "no TLS 1.3: 0-RTT early data exists only in TLS 1.3 (RFC 8446 2.3)"
		}},
	{ID: CheckOCSPStapling, Title: "OCSP stapling", Kinds: []string{KindOCSPStapling}},
	{ID: CheckExtendedMasterSecret, Title: "extended master secret", Kinds: []string{KindEMS}, Absent: legacyOnly("the extended master secret extension")},
}

// legacyOnly is the Absent rule of what exists below TLS 1.3 only (RFC 8446
// 1.2 removed compression and renegotiation; 7.1 derives every secret
// from the transcript).
func legacyOnly(what string) func(Facts) string {
	return func(f Facts) string {
		if f.below13() {
			return ""
		}
		return "TLS 1.3 only: " + what + " does not exist in TLS 1.3"
	}
}

// CheckByID finds a check.
func CheckByID(id string) (Check, bool) {
	for _, c := range Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// CheckByTitle finds the check a step names by its title.
func CheckByTitle(title string) (Check, bool) {
	for _, c := range Checks {
		if c.Title == title {
			return c, true
		}
	}
	return Check{}, false
}

// Outcome says what a check could conclude about one endpoint.
type Outcome string

const (
	// Graded: every item of the aspect was observed and graded.
	Graded Outcome = "graded"
	// NotApplicable: the server has none of the aspect, which the
	// guideline allows; Reason says why.
	NotApplicable Outcome = "not_applicable"
	// Unobserved: the scan could not observe (part of) the aspect; Reason
	// names what is missing. Findings hold what was seen.
	Unobserved Outcome = "unobserved"
)

// Assessment is one check on one endpoint under one edition.
type Assessment struct {
	Check    string    `json:"check"`
	Outcome  Outcome   `json:"outcome"`
	Reason   string    `json:"reason,omitempty"`
	Findings []Finding `json:"findings,omitempty"`
}

// Assess grades one check. A finding is never dropped because something
// else is missing: a proven Insufficient item stays a finding beside the
// gap, and the caller decides (a failure outranks "could not test").
func Assess(e Edition, f Facts, c Check) Assessment {
	return AssessGraded(GradeAll(e, f), f, c)
}

// AssessGraded is Assess with the facts already graded (GradeAll of the
// same facts and edition), for a caller that assesses many checks.
func AssessGraded(graded []Finding, f Facts, c Check) Assessment {
	a := Assessment{Check: c.ID}
	for _, fd := range graded {
		if contains2(c.Kinds, fd.Item.Kind) {
			a.Findings = append(a.Findings, fd)
		}
	}
	var gaps []string
	for _, g := range f.Gaps {
		if contains2(c.Kinds, g.Kind) && !contains2(gaps, g.Reason) {
			gaps = append(gaps, g.Reason)
		}
	}
	if c.Missing != nil {
		if m := c.Missing(f); m != "" {
			gaps = append(gaps, m)
		}
	}
	switch {
	case len(gaps) > 0:
		a.Outcome, a.Reason = Unobserved, strings.Join(gaps, "; ")
	case len(a.Findings) > 0:
		a.Outcome = Graded
	case c.Absent != nil && c.Absent(f) != "":
		a.Outcome, a.Reason = NotApplicable, c.Absent(f)
	default:
		a.Outcome, a.Reason = Unobserved, "the scan reported no "+c.Title+" to grade"
	}
	return a
}

func (f Facts) has13() bool { return contains(f.Versions, 0x0304) }

func (f Facts) below13() bool {
	for _, v := range f.Versions {
		if v < 0x0304 {
			return true
		}
	}
	return false
}

// acceptsKx reports a suite with this key exchange accepted below TLS 1.3
// (kx as suiteComponents names it: ECDHE, DHE, RSA, ...).
func (f Facts) acceptsKx(kx string) bool {
	for v, suites := range f.Suites {
		if v >= 0x0304 {
			continue
		}
		for _, id := range suites {
			if k, _ := suiteKx(id); k == kx {
				return true
			}
		}
	}
	return false
}

func (f Facts) ephemeral() bool { return f.acceptsKx("ECDHE") || f.acceptsKx("DHE") }

// signedKex12 reports a TLS 1.2 suite whose ServerKeyExchange is signed
// (ephemeral and authenticated).
func (f Facts) signedKex12() bool {
	for _, id := range f.Suites[0x0303] {
		if kx, au := suiteKx(id); (kx == "ECDHE" || kx == "DHE") && au != "None" && au != "PSK" {
			return true
		}
	}
	return false
}

// suiteKx is a registry suite's key exchange (as graded) and
// authentication, "" for an unknown or TLS 1.3 suite.
func suiteKx(id uint16) (kx, au string) {
	s, ok := tlsregistry.LookupSuite(id)
	if !ok {
		return "", ""
	}
	for _, c := range suiteComponents(s) {
		if c.key == "suite.kx" {
			return c.name, s.Au
		}
	}
	return "", s.Au
}

func contains2(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
