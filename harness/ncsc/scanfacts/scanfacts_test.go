package scanfacts

import (
	"slices"
	"testing"

	"github.com/apisec/apisec/harness/ncsc"
	"github.com/apisec/apisec/harness/tlsscan"
)

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
		KexSignatures: []tlsscan.KexSignature{{Hash: "sha1", Accepted: false}, {Hash: "sha224", Accepted: true, Used: 0x0301}},
		Chains: []tlsscan.Chain{{Trusted: true, Certs: []tlsscan.CertInfo{
			{Subject: "CN=leaf", KeyType: "RSA", KeyBits: 2048, SignatureHash: "sha256", SHA256: "1"},
			{Subject: "CN=ed", KeyType: "Ed25519", KeyBits: 256, SignatureAlgorithm: "Ed25519", SignatureHash: "intrinsic", SHA256: "2"},
			{Subject: "CN=root", KeyType: "RSA", KeyBits: 4096, SignatureHash: "sha1", IsCA: true, SelfSigned: true, SHA256: "3"},
		}}},
		Compression:          tlsscan.Compression{Tested: true, Supported: false},
		SecureRenegotiation:  tlsscan.SecureRenegotiation{Tested: true, Supported: true},
		ClientRenegotiation:  tlsscan.ClientRenegotiation{NotTested: "skipped"},
		ZeroRTT:              tlsscan.ZeroRTT{Tested: true, Accepted: true},
		OCSPStapling:         tlsscan.OCSPStapling{Tested: true, CertHasOCSPURL: true, Stapled: true, Valid: false},
		ExtendedMasterSecret: tlsscan.ExtendedMasterSecret{Tested: true, Supported: false},
	}
	f := FromResult(r)
	if !slices.Equal(f.Versions, []uint16{0x0303, 0x0304}) {
		t.Errorf("versions %v", f.Versions)
	}
	if !slices.Equal(f.Suites[0x0303], []uint16{0xC030, 0xC027}) || !slices.Equal(f.Suites[0x0304], []uint16{0x1302}) {
		t.Errorf("suites %v", f.Suites)
	}
	if !slices.Equal(f.Groups, []uint16{0x001D, 0x0100, 0x0017}) {
		t.Errorf("groups %v (want deduplicated union)", f.Groups)
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
		ncsc.StateValid:      {Tested: true, Stapled: true, Valid: true, CertHasOCSPURL: true},
		ncsc.StateNotStapled: {Tested: true, CertHasOCSPURL: true},
		ncsc.StateNoOCSPURL:  {Tested: true},
		"":                   {NotTested: "no TLS"},
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
		chains      []tlsscan.Chain
		trust, name string
	}{
		{nil, "", ""},
		{[]tlsscan.Chain{{Trusted: true, NameMatch: true, Certs: leaf}}, ncsc.StateTrusted, ncsc.StateMatch},
		{[]tlsscan.Chain{{Trusted: true, NameMatch: true, Certs: leaf}, {Trusted: false, VerifyError: "x509: certificate signed by unknown authority", NameMatch: false, Certs: leaf}},
			ncsc.StateUntrusted, ncsc.StateMismatch},
		{[]tlsscan.Chain{{VerifyError: "x509: cannot verify signature: algorithm unimplemented", NameMatch: true, Certs: leaf}}, "", ncsc.StateMatch},
	}
	for i, c := range cases {
		if tr, nm := chainStates(c.chains); tr != c.trust || nm != c.name {
			t.Errorf("case %d: got %q/%q, want %q/%q", i, tr, nm, c.trust, c.name)
		}
	}
}
