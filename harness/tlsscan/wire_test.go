package tlsscan

import (
	"net"
	"slices"
	"testing"

	"github.com/apisec/apisec/harness/tlsregistry"
)

// TestSuitesOffered: a version's hello offers exactly the registry suites
// that can exist in it, and never a signalling value as a suite (the
// registry itself is checked in harness/tlsregistry).
func TestSuitesOffered(t *testing.T) {
	var want13 []uint16
	for _, s := range tlsregistry.Suites() {
		if s.TLS13() {
			want13 = append(want13, uint16(s.Code))
		}
	}
	if got := suitesFor(VersionTLS13); !slices.Equal(got, want13) || len(got) < 9 {
		t.Errorf("TLS 1.3 offers %d suites, want the registry's %d", len(got), len(want13))
	}
	if n := len(suitesFor(VersionTLS12)); n < 350 {
		t.Errorf("TLS 1.2 offers %d suites; the IANA registry has more than 350", n)
	}
	for _, v := range []uint16{VersionTLS10, VersionTLS12} {
		for _, c := range suitesFor(v) {
			s, ok := LookupSuite(c)
			if !ok || s.SCSV() || s.TLS13() || (v < VersionTLS12 && s.Protocol == "TLSv1.2") {
				t.Errorf("%s hello offers %s (%s)", VersionName(v), s.DisplayName(), s.Protocol)
			}
		}
	}
}

// Every ClientHello the scanner builds parses as the version, suites and
// extensions it was meant to carry, and avoids the 256-511 byte range.
func TestClientHelloEncoding(t *testing.T) {
	for _, v := range []uint16{VersionSSL30, VersionTLS10, VersionTLS12, VersionTLS13} {
		for _, n := range []int{1, 10, 64, 128} {
			suites := suitesFor(v)[:min(n, len(suitesFor(v)))]
			h := defaultHello(v, "scan.test", suites)
			h.Compression = []uint8{1, 0}
			rec, err := h.marshal()
			if err != nil {
				t.Fatal(err)
			}
			if l := len(rec) - 5; v != VersionSSL30 && l >= 256 && l < 512 {
				t.Errorf("%s/%d: ClientHello of %d bytes falls in the F5 hang range", VersionName(v), n, l)
			}
			a, b := net.Pipe()
			go func() { _, _ = a.Write(rec); a.Close() }()
			ch, _, err := parseClientHelloRecord(b)
			b.Close()
			if err != nil {
				t.Fatalf("%s/%d: %v", VersionName(v), n, err)
			}
			wantV := min(v, VersionTLS12)
			if ch.version != wantV || !slices.Equal(ch.suites[:len(suites)], suites) || !slices.Equal(ch.comp, []uint8{1, 0}) {
				t.Errorf("%s/%d: parsed version %04x, %d suites, comp %v", VersionName(v), n, ch.version, len(ch.suites), ch.comp)
			}
			switch {
			case v == VersionSSL30 && len(ch.exts) != 0:
				t.Errorf("SSL 3.0 hello carries extensions")
			case v == VersionSSL30 && !slices.Contains(ch.suites, scsvRenegotiation):
				t.Errorf("SSL 3.0 hello lacks the renegotiation SCSV")
			case v == VersionTLS13 && (!ch.exts[extSupportedVersion] || !ch.exts[extKeyShare]):
				t.Errorf("TLS 1.3 hello lacks supported_versions/key_share")
			case v >= VersionTLS10 && (!ch.exts[extServerName] || !ch.exts[extSupportedGroups]):
				t.Errorf("%s hello lacks SNI or supported_groups", VersionName(v))
			}
		}
	}
	// No SNI for IP literals (RFC 6066 3).
	h := defaultHello(VersionTLS12, "127.0.0.1", []uint16{0xC02F})
	rec, _ := h.marshal()
	a, b := net.Pipe()
	go func() { _, _ = a.Write(rec); a.Close() }()
	ch, _, err := parseClientHelloRecord(b)
	if err != nil || ch.exts[extServerName] {
		t.Errorf("IP literal sent as SNI (%v)", err)
	}
}
