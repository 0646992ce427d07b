package scanfacts

import (
	"slices"
	"strings"
	"testing"

	"github.com/apisec/apisec/harness/ncsc"
	"github.com/apisec/apisec/harness/tlsscan"
)

var seen = tlsscan.State{Status: tlsscan.Observed}

func TestFromResult(t *testing.T) {
	r := &tlsscan.Result{
		Versions: []tlsscan.VersionResult{
			{Version: 0x0301, Supported: false},
			{Version: 0x0303, Supported: true, Order: "server", ServerPreference: []uint16{0xC030, 0xC027},
				Suites: []tlsscan.SuiteResult{{Code: 0xC030}, {Code: 0xC027}}},
			{Version: 0x0304, Supported: true, Suites: []tlsscan.SuiteResult{{Code: 0x1302}}},
		},
		Groups: tlsscan.GroupsResult{TLS13: []tlsscan.Group{{ID: 0x001D}, {ID: 0x0100}}, TLS12: []tlsscan.Group{{ID: 0x001D}, {ID: 0x0017}}},
		DHGroups: []tlsscan.DHGroup{
			{Bits: 2048, Name: "ffdhe2048", Source: "RFC 7919", Prime: "aa", Generator: "02"},
			{Bits: 2048, Name: "ffdhe2048", Source: "RFC 7919", Prime: "aa", Generator: "02"}, // same group, other suite
			{Bits: 1024, Source: "custom", Prime: "bb", Generator: "02"},
		},
		KexSignatures: []tlsscan.KexSignature{{Hash: "sha1", Signed: false}, {Hash: "sha224", Signed: true, Used: 0x0301}},
		Chains: []tlsscan.Chain{{Trusted: true, Anchor: &tlsscan.CertInfo{Subject: "CN=root"}, Certs: []tlsscan.CertInfo{
			{Subject: "CN=leaf", KeyType: "RSA", KeyBits: 2048, SignatureHash: "sha256", SHA256: "1"},
			{Subject: "CN=ed", KeyType: "Ed25519", KeyBits: 256, SignatureAlgorithm: "Ed25519", SignatureHash: "intrinsic", SHA256: "2"},
			{Subject: "CN=root", KeyType: "RSA", KeyBits: 4096, SignatureHash: "sha1", IsCA: true, SelfSigned: true, SHA256: "3"},
		}}},
		Compression:          tlsscan.Compression{State: seen, Supported: false},
		SecureRenegotiation:  tlsscan.SecureRenegotiation{State: seen, Supported: true},
		ClientRenegotiation:  tlsscan.ClientRenegotiation{State: tlsscan.State{Status: tlsscan.NotTested, Reason: "the endpoint requires a client certificate"}},
		ZeroRTT:              tlsscan.ZeroRTT{State: seen, Offered: true},
		OCSPStapling:         tlsscan.OCSPStapling{State: seen, CertHasOCSPURL: true, Stapled: true, Valid: false},
		ExtendedMasterSecret: tlsscan.ExtendedMasterSecret{State: seen, Supported: false},
		ChainsState:          seen, KexSignaturesState: seen,
	}
	f := FromResult(r)
	if !slices.Equal(f.Versions, []uint16{0x0303, 0x0304}) {
		t.Errorf("versions %v", f.Versions)
	}
	if !slices.Equal(f.Suites[0x0303], []uint16{0xC030, 0xC027}) || !slices.Equal(f.Suites[0x0304], []uint16{0x1302}) {
		t.Errorf("suites %v", f.Suites)
	}
	if !slices.Equal(f.Groups13, []uint16{0x001D, 0x0100}) || !slices.Equal(f.Groups12, []uint16{0x001D, 0x0017}) {
		t.Errorf("groups %v / %v: TLS 1.3 key shares and TLS 1.2 curves are kept apart", f.Groups13, f.Groups12)
	}
	if len(f.Gaps) != 1 || f.Gaps[0].Kind != ncsc.KindClientRenegotiation || !strings.Contains(f.Gaps[0].Reason, "not tested: the endpoint requires a client certificate") {
		t.Errorf("gaps %+v: a not-tested item is a gap with its reason", f.Gaps)
	}
	if f.CertificateTrust != ncsc.StateTrusted || f.TrustDetail != "verifies to CN=root" {
		t.Errorf("trust %q %q", f.CertificateTrust, f.TrustDetail)
	}
	if len(f.DHGroups) != 2 || f.DHGroups[0].Name != "ffdhe2048" || f.DHGroups[1].Name != "" || f.DHGroups[1].Bits != 1024 {
		t.Errorf("DH groups %+v", f.DHGroups)
	}
	if !slices.Equal(f.KexSignatures, []uint16{0x0301}) {
		t.Errorf("kex signatures %v", f.KexSignatures)
	}
	if len(f.Certificates) != 3 || f.Certificates[0].KeyType != "rsa" || f.Certificates[1].SignatureHash != "ed25519" || !f.Certificates[2].TrustAnchor || f.Certificates[0].TrustAnchor {
		t.Errorf("certificates %+v", f.Certificates)
	}
	if f.Compression != ncsc.StateOff || f.SecureRenegotiation != ncsc.StateSupported || f.ClientRenegotiation != "" ||
		f.ZeroRTT != ncsc.StateOn || f.OCSPStapling != ncsc.StateInvalid || f.ExtendedMasterSecret != ncsc.StateUnsupported {
		t.Errorf("options %+v", f)
	}
	if f.Order == nil || f.Order.Version != 0x0303 || !f.Order.ServerEnforced || !slices.Equal(f.Order.Preference, []uint16{0xC030, 0xC027}) {
		t.Errorf("order %+v", f.Order)
	}
	// The facts grade: ffdhe2048, 0-RTT and missing EMS are Insufficient in 2025.
	bad := ncsc.AtLeast(ncsc.GradeAll(ncsc.Edition2025, f), ncsc.Insufficient)
	kinds := map[string]bool{}
	for _, b := range bad {
		kinds[b.Item.Kind] = true
	}
	for _, k := range []string{ncsc.KindDHGroup, ncsc.KindGroup, ncsc.KindZeroRTT, ncsc.KindEMS} {
		if !kinds[k] {
			t.Errorf("2025 grading lacks an insufficient %s: %v", k, bad)
		}
	}
	if got := FromResult(nil); len(got.Versions) != 0 {
		t.Error("nil result gave facts")
	}
}

func TestOCSPStates(t *testing.T) {
	cases := map[string]tlsscan.OCSPStapling{
		ncsc.StateValid:      {State: seen, Stapled: true, Valid: true, CertHasOCSPURL: true},
		ncsc.StateNotStapled: {State: seen, CertHasOCSPURL: true},
		ncsc.StateNoOCSPURL:  {State: seen},
		"":                   {State: tlsscan.State{Status: tlsscan.Unresolved, Reason: "no chain"}},
	}
	for want, o := range cases {
		if got := FromResult(&tlsscan.Result{OCSPStapling: o}).OCSPStapling; got != want {
			t.Errorf("%+v -> %q, want %q", o, got, want)
		}
	}
}

func TestChainStates(t *testing.T) {
	leaf := []tlsscan.CertInfo{{Subject: "CN=x"}}
	cases := []struct {
		chains        []tlsscan.Chain
		trust, name   string
		why, undecide string
	}{
		{nil, "", "", "", ""},
		{[]tlsscan.Chain{{Trusted: true, NameMatch: true, Certs: leaf}}, ncsc.StateTrusted, ncsc.StateMatch, "", ""},
		{[]tlsscan.Chain{{Trusted: true, NameMatch: true, Certs: leaf}, {TrustProblem: "unknown issuer: CN=y is not a trust anchor", NameMatch: false, NameError: "x509: wrong name", Certs: leaf}},
			ncsc.StateUntrusted, ncsc.StateMismatch, "unknown issuer: CN=y is not a trust anchor", ""},
		// A SHA-1 signature verified by hand: trusted, the hash is graded apart.
		{[]tlsscan.Chain{{Trusted: true, NameMatch: true, Certs: leaf, WeakSignatures: []string{"CN=x (ECDSA-SHA1)"}}}, ncsc.StateTrusted, ncsc.StateMatch, "weak signature hash checked by hand", ""},
		// No issuer to check a weak signature against: not untrusted, undetermined.
		{[]tlsscan.Chain{{TrustProblem: "a signature in the chain uses an algorithm nothing here can check: x509: insecure algorithm", NameMatch: true, Certs: leaf}},
			"", ncsc.StateMatch, "", "nothing here can check"},
	}
	for i, c := range cases {
		tr, why, nm, _, und := chainStates(c.chains)
		if tr != c.trust || nm != c.name || !strings.Contains(why, c.why) || !strings.Contains(und, c.undecide) || (c.undecide == "") != (und == "") {
			t.Errorf("case %d: got %q (%q) / %q, undetermined %q; want %q (%q) / %q, %q", i, tr, why, nm, und, c.trust, c.why, c.name, c.undecide)
		}
	}
}
