package ncsc

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tls13Only is a modern TLS 1.3-only server as a complete scan sees it: no
// TLS 1.2 key-exchange signature, no TLS 1.0-1.2 option exists on it.
func tls13Only() Facts {
	return Facts{
		Versions:     []uint16{0x0304},
		Suites:       map[uint16][]uint16{0x0304: {0x1302, 0x1303, 0x1301}},
		Groups13:     []uint16{0x001D, 0x0017},
		Certificates: []Certificate{{Subject: "CN=api", KeyType: "ecdsa", Bits: 256, Curve: "P-256", SignatureHash: "sha256"}},
		ZeroRTT:      StateOff, OCSPStapling: StateNoOCSPURL, CertificateTrust: StateTrusted, CertificateName: StateMatch,
	}
}

// staticRSAOnly is `openssl s_server -tls1_2 -cipher AES128-GCM-SHA256`:
// no ephemeral key exchange, so no group and no signed key exchange.
func staticRSAOnly() Facts {
	return Facts{
		Versions:     []uint16{0x0303},
		Suites:       map[uint16][]uint16{0x0303: {0x009C}},
		Certificates: []Certificate{{Subject: "CN=api", KeyType: "rsa", Bits: 3072, SignatureHash: "sha256"}},
		Compression:  StateOff, SecureRenegotiation: StateSupported, ClientRenegotiation: StateRefused,
		OCSPStapling: StateNoOCSPURL, ExtendedMasterSecret: StateSupported, CertificateTrust: StateTrusted, CertificateName: StateMatch,
	}
}

// TestEveryCheckOnObservedAbsence: every check, for both servers, is graded
// or not applicable (with the reason) when the scan observed everything, and
// unobserved (with the gap's reason, never not applicable) when the scan
// could not observe the check's items.
func TestEveryCheckOnObservedAbsence(t *testing.T) {
	G, NA := Graded, NotApplicable
	want := map[string]map[string]Outcome{
		"TLS 1.3 only": {CheckVersion: G, CheckCipherSuite: G, CheckGroup: G, CheckCertificate: G, CheckCertificateChain: G,
			CheckKexSignature: NA, CheckCipherOrder: NA, CheckCompression: NA, CheckSecureRenegotiation: NA,
			CheckClientRenegotiation: NA, CheckZeroRTT: G, CheckOCSPStapling: G, CheckExtendedMasterSecret: NA},
		"static RSA only": {CheckVersion: G, CheckCipherSuite: G, CheckGroup: NA, CheckCertificate: G, CheckCertificateChain: G,
			CheckKexSignature: NA, CheckCipherOrder: NA, CheckCompression: G, CheckSecureRenegotiation: G,
			CheckClientRenegotiation: G, CheckZeroRTT: NA, CheckOCSPStapling: G, CheckExtendedMasterSecret: G},
	}
	servers := map[string]func() Facts{"TLS 1.3 only": tls13Only, "static RSA only": staticRSAOnly}
	require.Len(t, want["TLS 1.3 only"], len(Checks), "every check has a row")
	for name, facts := range servers {
		for _, c := range Checks {
			for _, e := range Editions {
				t.Run(name+"/"+c.ID+"/"+string(e), func(t *testing.T) {
					a := Assess(e, facts(), c)
					assert.Equal(t, want[name][c.ID], a.Outcome, "%s: %s", a.Reason, c.ID)
					if a.Outcome == NotApplicable {
						assert.NotEmpty(t, a.Reason, "not applicable says why")
						assert.Empty(t, a.Findings)
					}
					// The same server, with the check's items unobserved.
					f := facts()
					f.Gaps = append(f.Gaps, Gap{Kind: c.Kinds[0], Reason: c.Title + " unresolved: probe 7: reset"})
					a = Assess(e, f, c)
					assert.Equal(t, Unobserved, a.Outcome, "a gap is never absence")
					assert.Contains(t, a.Reason, "probe 7: reset")
				})
			}
		}
	}
}

// TestNothingGradedIsMissingData: where the guideline allows no absence, or
// the facts imply items the scan did not report, nothing graded is
// unobserved, not a pass.
func TestNothingGradedIsMissingData(t *testing.T) {
	cases := []struct {
		name   string
		check  string
		mutate func(*Facts)
		reason string
	}{
		{"TLS 1.3 without key shares", CheckGroup, func(f *Facts) { f.Groups13 = nil }, "no key-share group"},
		{"DHE suite without a DHE group", CheckGroup, func(f *Facts) { f.Versions = append(f.Versions, 0x0303); f.Suites[0x0303] = []uint16{0x009F} }, "no DHE ServerKeyExchange"},
		{"no certificate", CheckCertificate, func(f *Facts) { f.Certificates = nil }, "no certificate key"},
		{"no 0-RTT state on TLS 1.3", CheckZeroRTT, func(f *Facts) { f.ZeroRTT = "" }, "no 0-RTT"},
		{"TLS 1.2 with ECDHE but no kex signature", CheckKexSignature, func(f *Facts) {
			f.Versions = append(f.Versions, 0x0303)
			f.Suites[0x0303] = []uint16{0xC02B}
			f.Groups12 = []uint16{0x001D}
		}, "no key-exchange signature hash"},
	}
	for _, tc := range cases {
		f := tls13Only()
		tc.mutate(&f)
		c, _ := CheckByID(tc.check)
		a := Assess(Edition2025, f, c)
		assert.Equal(t, Unobserved, a.Outcome, tc.name)
		assert.Contains(t, a.Reason, tc.reason, tc.name)
	}
}

// TestZeroRTTOnFailsNotIncomplete: 0-RTT offered is a graded Insufficient
// finding in both editions.
func TestZeroRTTOnFailsNotIncomplete(t *testing.T) {
	f := tls13Only()
	f.ZeroRTT = StateOn
	c, _ := CheckByID(CheckZeroRTT)
	for _, e := range Editions {
		a := Assess(e, f, c)
		require.Equal(t, Graded, a.Outcome)
		assert.Equal(t, Insufficient, Worst(a.Findings), "%s", e)
	}
}

// TestFindingWording (issue 9): a deployer can tell from the finding what to
// change, and where the edition says so.
func TestFindingWording(t *testing.T) {
	f := Facts{Versions: []uint16{0x0303, 0x0304},
		Suites:   map[uint16][]uint16{0x0303: {0xC02F, 0xC013}, 0x0304: {0x1302}},
		Groups13: []uint16{0x0100}, DHGroups: []DHGroup{{Name: "modp3072 (group 15)", Bits: 3072}},
		KexSignatures: []uint16{0x0303},
		Order:         &CipherOrder{Version: 0x0303}}
	byKind := func(e Edition, kind string) []Finding {
		var out []Finding
		for _, fd := range GradeAll(e, f) {
			if fd.Item.Kind == kind {
				out = append(out, fd)
			}
		}
		return out
	}
	g := byKind(Edition2025, KindGroup)
	require.Len(t, g, 1)
	assert.Contains(t, g[0].What, "TLS 1.3 key-share group ffdhe2048")
	assert.Contains(t, byKind(Edition2025, KindDHGroup)[0].What, "TLS 1.0-1.2 DHE group modp3072")

	var suite Finding
	for _, fd := range byKind(Edition2025, KindCipherSuite) {
		if fd.Item.ID == 0xC013 {
			suite = fd
		}
	}
	assert.Contains(t, suite.Reason, "HMAC-SHA1", "the reason names what makes the suite Insufficient")
	assert.Contains(t, suite.String(), "Appendix B")

	order := byKind(Edition2025, KindCipherOrder)[0]
	assert.Contains(t, order.What, SuiteName(0xC013), "the order finding names the pair")
	assert.Contains(t, order.What, SuiteName(0xC02F))

	// The 2025-05 grading of SHA-224 does not carry the v2.1 decision note.
	sha224 := byKind(Edition2025, KindKexSignature)[0]
	assert.Equal(t, PhaseOut, sha224.Level)
	assert.NotContains(t, sha224.Reason, "v2.1")
	assert.NotContains(t, sha224.Reason, "internet.nl")
	assert.Contains(t, byKind(EditionV21, KindKexSignature)[0].Reason, "decision")
}

// TestV21CitationsHaveASection: every v2.1 table a failure or warning can
// cite names its guideline or table.
func TestV21CitationsHaveASection(t *testing.T) {
	for key, r := range refs[EditionV21] {
		if key == KindEMS {
			continue // not covered by v2.1: never graded below Sufficient
		}
		assert.NotEmpty(t, r.Section, key)
		assert.NotEqual(t, "-", r.Section, key)
	}
	for _, row := range optionRows {
		if row.V21 >= PhaseOut {
			c := Grade(EditionV21, Item{Kind: row.Kind, State: row.State}).Cite()
			assert.False(t, strings.Contains(c, " - "), c)
		}
	}
}
