package tlsscan

import (
	"net"
	"slices"
	"testing"
)

func TestRegistryTables(t *testing.T) {
	seen := map[uint32]bool{}
	for _, s := range suiteTable {
		if seen[s.Code] || s.Code > 0xFFFF {
			t.Errorf("suite code 0x%04x duplicated or too wide", s.Code)
		}
		seen[s.Code] = true
		if s.DisplayName() == "" {
			t.Errorf("suite 0x%04x has no name", s.Code)
		}
	}
	if len(suiteTable) < 350 {
		t.Errorf("registry has %d suites; the IANA registry has more than 350", len(suiteTable))
	}
	for _, code := range []uint16{0x1301, 0x1305, 0xC02F, 0x009E, 0x000A, 0x0005, 0x0001, 0xC0A8, 0xC050, 0xC07C, 0x0017} {
		if _, ok := LookupSuite(code); !ok {
			t.Errorf("suite 0x%04x missing", code)
		}
	}
	if got := len(suitesFor(VersionTLS13)); got != 9 {
		t.Errorf("TLS 1.3 offers %d suites", got)
	}
	for _, c := range suitesFor(VersionTLS10) {
		if s, _ := LookupSuite(c); s.Protocol == "TLSv1.2" || s.tls13() {
			t.Errorf("TLS 1.0 hello offers %s", s.DisplayName())
		}
	}
	ids := map[uint16]bool{}
	for _, g := range groupTable {
		if ids[g.ID] {
			t.Errorf("group 0x%04x duplicated", g.ID)
		}
		ids[g.ID] = true
	}
	if LookupGroup(0x11EC).Name != "X25519MLKEM768" || LookupSignatureScheme(0x0303).Hash != "sha224" {
		t.Error("hybrid group or SHA-224 scheme misnamed")
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
