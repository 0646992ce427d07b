package ncsc

import (
	"testing"

	"github.com/apisec/apisec/harness/tlsregistry"
)

// TestRowNamesAreRegistryNames: the grading tables name each code point as
// harness/tlsregistry does, so a finding and the scan evidence use one name,
// and every graded code point is one the registry (and so the scanner) knows.
func TestRowNamesAreRegistryNames(t *testing.T) {
	tables := []struct {
		what string
		rows []codeRow
		name func(uint16) string
		ok   func(uint16) bool
	}{
		{"version", versionRows, tlsregistry.VersionName, func(id uint16) bool {
			for _, v := range tlsregistry.Versions() {
				if v.ID == id {
					return true
				}
			}
			return false
		}},
		{"suite", suiteRows, tlsregistry.SuiteName, func(id uint16) bool { _, ok := tlsregistry.LookupSuite(id); return ok }},
		{"group", groupRows, tlsregistry.GroupName, func(id uint16) bool { return tlsregistry.LookupGroup(id).Kind != "other" }},
		{"signature scheme", kexSigRows, tlsregistry.SignatureSchemeName, func(id uint16) bool { return tlsregistry.LookupSignatureScheme(id).Hash != "unknown" }},
	}
	for _, tb := range tables {
		for _, r := range tb.rows {
			if tb.what == "version" && r.ID == 0x0200 {
				continue // SSL 2.0 byte-swapped, as some tools write it; graded, never scanned
			}
			if !tb.ok(r.ID) {
				t.Errorf("%s row 0x%04X %s is not in the registry", tb.what, r.ID, r.Name)
			} else if got := tb.name(r.ID); got != r.Name {
				t.Errorf("%s row 0x%04X is named %q; the registry says %q", tb.what, r.ID, r.Name, got)
			}
		}
	}
}

// TestRegistryGapsClosed: suites only the scanner's old hand-kept table had
// (SM4 RFC 8998, integrity-only RFC 9150) are graded by their components,
// not "not in the IANA registry".
func TestRegistryGapsClosed(t *testing.T) {
	for _, id := range []uint16{0x00C6, 0x00C7, 0xC0B4, 0xC0B5} {
		for _, e := range Editions {
			g := Grade(e, Item{Kind: KindCipherSuite, ID: id})
			if g.Level != Insufficient || g.Section == refs[e]["suite"].Section {
				t.Errorf("0x%04X under %s: %s at %s (%s); want Insufficient by a component", id, e, g.Level, g.Section, g.Reason)
			}
		}
	}
}
