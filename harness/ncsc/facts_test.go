package ncsc

import (
	"encoding/json"
	"strings"
	"testing"
)

// baseline is the bench's clean server (reference §4.2): TLS 1.2+1.3,
// ECDHE AEAD suites, x25519/P-256, RSA-3072 leaf signed with SHA-256,
// restricted signature algorithms, no renegotiation, no 0-RTT.
func baseline() Facts {
	return Facts{
		Versions: []uint16{0x0303, 0x0304},
		Suites: map[uint16][]uint16{
			0x0304: {0x1302, 0x1303, 0x1301},
			0x0303: {0xC030, 0xC02F, 0xCCA8},
		},
		Groups13:             []uint16{0x001D, 0x0017, 0x0018},
		Groups12:             []uint16{0x001D, 0x0017, 0x0018},
		Certificates:         []Certificate{{Subject: "CN=bench", KeyType: "rsa", Bits: 3072, SignatureHash: "sha256"}, {Subject: "CN=root", KeyType: "rsa", Bits: 4096, SignatureHash: "sha1", TrustAnchor: true}},
		KexSignatures:        []uint16{0x0804, 0x0401},
		Compression:          StateOff,
		SecureRenegotiation:  StateSupported,
		ClientRenegotiation:  StateRefused,
		ZeroRTT:              StateOff,
		OCSPStapling:         StateNoOCSPURL,
		ExtendedMasterSecret: StateSupported,
		CertificateTrust:     StateTrusted,
		CertificateName:      StateMatch,
		Order:                &CipherOrder{Version: 0x0303, ServerEnforced: true, Preference: []uint16{0xC030, 0xCCA8, 0xC02F}},
	}
}

func TestGradeAllBaseline(t *testing.T) {
	for _, e := range Editions {
		fs := GradeAll(e, baseline())
		if w := Worst(fs); w > Sufficient {
			t.Errorf("baseline under %s: worst %s, want at most sufficient: %v", e, w, AtLeast(fs, PhaseOut))
		}
		for _, f := range fs {
			if f.Edition != e || (f.Section == "" && f.Level != NotCovered) || f.What == "" || f.Reason == "" {
				t.Errorf("finding does not name item, edition and section: %+v", f)
			}
			if strings.Contains(f.What, "CN=root") {
				t.Errorf("trust anchor graded: %s", f)
			}
		}
		// 2 versions + 6 suites + 3 key shares + 3 curves + key + sig + 2
		// kex sigs + 8 options; the cipher order is not required (one tier
		// in 2025; all Good in v2.1).
		if len(fs) != 26 {
			t.Errorf("baseline under %s: %d findings, want 26", e, len(fs))
			for _, f := range fs {
				t.Log(f)
			}
		}
	}
	// EMS is not covered by v2.1 (open point 3).
	for _, f := range GradeAll(EditionV21, baseline()) {
		if f.Item.Kind == KindEMS && f.Level != NotCovered {
			t.Errorf("v2.1 EMS graded %s, want not covered", f.Level)
		}
	}
}

// TestGradeAllDefects changes one fact of the baseline per case (the bench
// rows of reference §4.2) and checks the worst grade and the culprit.
func TestGradeAllDefects(t *testing.T) {
	cases := []struct {
		row    int
		name   string
		mutate func(*Facts)
		want   levels // worst level
		kind   string // kind of the worst finding
	}{
		{4, "TLS 1.1 enabled", func(f *Facts) { f.Versions = append(f.Versions, 0x0302) }, levels{Insufficient, PhaseOut}, KindVersion},
		{5, "SSL 3.0", func(f *Facts) { f.Versions = append(f.Versions, 0x0300) }, levels{Insufficient, Insufficient}, KindVersion},
		{6, "TLS compression", func(f *Facts) { f.Compression = StateOn }, levels{Insufficient, Insufficient}, KindCompression},
		{7, "insecure renegotiation", func(f *Facts) { f.SecureRenegotiation = StateUnsupported }, levels{Insufficient, Insufficient}, KindSecureRenegotiation},
		{8, "unlimited client renegotiation", func(f *Facts) { f.ClientRenegotiation = StateUnlimited }, levels{PhaseOut, Sufficient}, KindClientRenegotiation},
		{11, "0-RTT", func(f *Facts) { f.ZeroRTT = StateOn }, levels{Insufficient, Insufficient}, KindZeroRTT},
		{14, "invalid staple", func(f *Facts) { f.OCSPStapling = StateInvalid }, levels{PhaseOut, PhaseOut}, KindOCSPStapling},
		{15, "no EMS", func(f *Facts) { f.ExtendedMasterSecret = StateUnsupported }, levels{Insufficient, Sufficient}, KindEMS},
		{18, "HMAC-SHA1 suite", func(f *Facts) { f.Suites[0x0303] = append(f.Suites[0x0303], 0xC013) }, levels{Insufficient, Sufficient}, KindCipherSuite},
		{19, "static RSA", func(f *Facts) { f.Suites[0x0303] = append(f.Suites[0x0303], 0x009C) }, levels{Insufficient, PhaseOut}, KindCipherSuite},
		{23, "ffdhe2048", func(f *Facts) { f.DHGroups = []DHGroup{{"ffdhe2048", 2048}} }, levels{Insufficient, PhaseOut}, KindDHGroup},
		{28, "secp224r1", func(f *Facts) { f.Groups12 = append(f.Groups12, 0x0015) }, levels{PhaseOut, PhaseOut}, KindGroup},
		{32, "RSA-2048 leaf", func(f *Facts) { f.Certificates[0].Bits = 2048 }, levels{PhaseOut, Sufficient}, KindCertKey},
		{37, "SHA-1 signed leaf", func(f *Facts) { f.Certificates[0].SignatureHash = "sha1" }, levels{Insufficient, Insufficient}, KindCertSignature},
		{39, "SHA-224 kex signature", func(f *Facts) { f.KexSignatures = append(f.KexSignatures, 0x0301) }, levels{PhaseOut, Sufficient}, KindKexSignature},
		{40, "SHA-1 kex signature", func(f *Facts) { f.KexSignatures = append(f.KexSignatures, 0x0201) }, levels{Insufficient, PhaseOut}, KindKexSignature},
		{0, "untrusted chain", func(f *Facts) { f.CertificateTrust = StateUntrusted }, levels{Insufficient, Insufficient}, KindCertTrust},
		{0, "wrong name", func(f *Facts) { f.CertificateName = StateMismatch }, levels{Insufficient, Insufficient}, KindCertName},
	}
	for _, c := range cases {
		for _, e := range Editions {
			f := baseline()
			c.mutate(&f)
			fs := GradeAll(e, f)
			if w := Worst(fs); w != c.want.of(e) {
				t.Errorf("row %d %s under %s: worst %s, want %s", c.row, c.name, e, w, c.want.of(e))
				continue
			}
			if c.want.of(e) <= Sufficient {
				continue
			}
			bad := AtLeast(fs, c.want.of(e))
			if len(bad) == 0 || bad[0].Item.Kind != c.kind {
				t.Errorf("row %d %s under %s: worst findings %v, want kind %s", c.row, c.name, e, bad, c.kind)
			}
		}
	}
}

func TestGradeAllTLS13OnlySkipsLegacyOptions(t *testing.T) {
	f := baseline()
	f.Versions = []uint16{0x0304}
	delete(f.Suites, 0x0303)
	f.Compression, f.SecureRenegotiation = StateOn, StateUnsupported // would be Insufficient if graded
	f.ExtendedMasterSecret = StateUnsupported
	f.Order = &CipherOrder{Version: 0x0304}
	for _, e := range Editions {
		for _, fd := range GradeAll(e, f) {
			switch fd.Item.Kind {
			case KindCompression, KindSecureRenegotiation, KindClientRenegotiation, KindEMS, KindCipherOrder:
				t.Errorf("TLS 1.3-only server graded on %s (bench row 41: not applicable)", fd.Item.Kind)
			}
		}
	}
	f = baseline()
	f.Versions = []uint16{0x0303}
	f.ZeroRTT = StateOn
	for _, fd := range GradeAll(Edition2025, f) {
		if fd.Item.Kind == KindZeroRTT {
			t.Error("0-RTT graded on a server without TLS 1.3")
		}
	}
}

func TestCipherOrder(t *testing.T) {
	const (
		gcm    = 0xC02F // 2025 Sufficient, v2.1 Good
		cbc256 = 0xC027 // 2025 Phase out, v2.1 Sufficient
		sha1   = 0xC013 // 2025 Insufficient, v2.1 Sufficient
	)
	cases := []struct {
		name  string
		suite []uint16
		order CipherOrder
		want  map[Edition]string
	}{
		{"one tier needs no order", []uint16{gcm, 0xC030}, CipherOrder{Version: 0x0303},
			map[Edition]string{Edition2025: "", EditionV21: ""}},
		{"client order with mixed tiers (row 16)", []uint16{gcm, cbc256}, CipherOrder{Version: 0x0303},
			map[Edition]string{Edition2025: StateClientOrder, EditionV21: StateClientOrder}},
		{"phase-out preferred (row 16)", []uint16{gcm, cbc256}, CipherOrder{Version: 0x0303, ServerEnforced: true, Preference: []uint16{cbc256, gcm}},
			map[Edition]string{Edition2025: StateWeakerFirst, EditionV21: StateWeakerFirst}},
		{"good first", []uint16{gcm, cbc256}, CipherOrder{Version: 0x0303, ServerEnforced: true, Preference: []uint16{gcm, cbc256}},
			map[Edition]string{Edition2025: StateEnforced, EditionV21: StateEnforced}},
		// v2.1 needs Good before Sufficient; 2025 puts them in one tier.
		{"good, then phase out and insufficient", []uint16{gcm, sha1, cbc256}, CipherOrder{Version: 0x0303, ServerEnforced: true, Preference: []uint16{gcm, cbc256, sha1}},
			map[Edition]string{Edition2025: StateEnforced, EditionV21: StateEnforced}},
		{"weaker in the middle", []uint16{gcm, 0xC030, cbc256}, CipherOrder{Version: 0x0303, ServerEnforced: true, Preference: []uint16{gcm, cbc256, 0xC030}},
			map[Edition]string{Edition2025: StateWeakerFirst, EditionV21: StateWeakerFirst}},
	}
	for _, c := range cases {
		for _, e := range Editions {
			f := Facts{Versions: []uint16{0x0303}, Suites: map[uint16][]uint16{0x0303: c.suite}}
			o := c.order
			f.Order = &o
			got := ""
			for _, fd := range GradeAll(e, f) {
				if fd.Item.Kind == KindCipherOrder {
					got = fd.Item.State
					if fd.Level != Grade(e, fd.Item).Level || (got != StateEnforced && fd.Level != Insufficient) {
						t.Errorf("%s under %s: order %s graded %s", c.name, e, got, fd.Level)
					}
				}
			}
			if got != c.want[e] {
				t.Errorf("%s under %s: order state %q, want %q", c.name, e, got, c.want[e])
			}
		}
	}
}

func TestFindingJSON(t *testing.T) {
	fs := GradeAll(Edition2025, Facts{Versions: []uint16{0x0301}})
	b, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"level":"insufficient"`, `"edition":"2025-05"`, `"section":"§3.3.1"`, `"what":"protocol TLS 1.0"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	if s := fs[0].String(); !strings.Contains(s, "protocol TLS 1.0: insufficient per NCSC TLS 2025-05 §3.3.1") {
		t.Errorf("String() = %q", s)
	}
}
