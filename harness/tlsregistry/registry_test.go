package tlsregistry_test

import (
	"bytes"
	"crypto/tls"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apisec/apisec/fixtures/tlsbench"
	"github.com/apisec/apisec/harness/ncsc"
	"github.com/apisec/apisec/harness/tlsregistry"
	"github.com/apisec/apisec/harness/tlsregistry/internal/regen"
	"github.com/apisec/apisec/internal/testpeer"
)

// TestGeneratedTablesUpToDate: tables_gen.go is what the generator makes of
// registry/ today, so nobody edits the table by hand or forgets go generate.
func TestGeneratedTablesUpToDate(t *testing.T) {
	want, err := regen.Generate("registry")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("tables_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("tables_gen.go is stale: run go generate ./harness/tlsregistry/")
	}
}

// TestGeneratorRefusesDrift: the join of the IANA files and the project's
// columns fails loudly instead of dropping or renaming a code point.
func TestGeneratorRefusesDrift(t *testing.T) {
	cases := []struct {
		name, file string
		edit       func(string) string
		want       string
	}{
		{"IANA suite without components", "suites.csv",
			func(s string) string { return dropLine(s, "0x00C6,") },
			"IANA cipher suite 0x00C6 TLS_SM4_GCM_SM3 has no row in suites.csv"},
		{"own name for an IANA suite", "suites.csv",
			func(s string) string {
				return strings.Replace(s, "0xC02F,,", "0xC02F,TLS_MY_NAME,", 1)
			},
			"0xC02F is named by the IANA"},
		{"suite listed twice", "suites.csv",
			func(s string) string { return s + "0xC02F,,X,TLSv1.2,ECDH,RSA,AESGCM,128,AEAD,false\n" },
			"0xC02F listed twice"},
		{"IANA group without properties", "groups.csv",
			func(s string) string { return dropLine(s, "0x001D,") },
			"IANA group 0x001D x25519 has no row in groups.csv"},
		{"unnamed private group", "groups.csv",
			func(s string) string { return strings.Replace(s, "0x11EE,curveSM2MLKEM768,", "0x11EE,,", 1) },
			"0x11EE is not in the IANA registry; give it a name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyRegistry(t)
			p := filepath.Join(dir, c.file)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			edited := c.edit(string(b))
			if edited == string(b) {
				t.Fatal("the edit changed nothing")
			}
			if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = regen.Generate(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Generate: %v; want an error containing %q", err, c.want)
			}
		})
	}
}

func dropLine(s, prefix string) string {
	var out []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

func copyRegistry(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob("registry/*.csv")
	if err != nil || len(files) == 0 {
		t.Fatalf("registry files: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestGapsOfTheOldTables: the code points the grader's old table lacked
// (RFC 8998 SM4, RFC 9150 integrity-only) and the scanner's lacked (RFC 8492
// ECCPWD, RFC 9189 GOST, ECDHE-PSK AEAD) are known, with their IANA names.
func TestGapsOfTheOldTables(t *testing.T) {
	want := map[uint16]string{
		0x00C6: "TLS_SM4_GCM_SM3", 0x00C7: "TLS_SM4_CCM_SM3",
		0xC0B4: "TLS_SHA256_SHA256", 0xC0B5: "TLS_SHA384_SHA384",
		0xC0B0: "TLS_ECCPWD_WITH_AES_128_GCM_SHA256", 0xC100: "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC",
		0xD001: "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",
	}
	for id, name := range want {
		s, ok := tlsregistry.LookupSuite(id)
		if !ok || s.Name != name || !s.IANA {
			t.Errorf("0x%04X: %+v, want IANA suite %s", id, s, name)
		}
	}
	for _, id := range []uint16{0x00C6, 0xC0B4} {
		if s, _ := tlsregistry.LookupSuite(id); !s.TLS13() {
			t.Errorf("0x%04X is a TLS 1.3 suite (RFC 8998 / RFC 9150), registry says %s", id, s.Protocol)
		}
	}
	if s, _ := tlsregistry.LookupSuite(0x00FF); !s.SCSV() {
		t.Error("0x00FF is the RFC 5746 signalling value, not a suite")
	}
}

// TestAgreesWithCryptoTLS: every suite, group, signature scheme and version
// Go's crypto/tls defines is in the registry under the same code point, with
// the same name (suites: Go uses the IANA names) and the same version range.
func TestAgreesWithCryptoTLS(t *testing.T) {
	goSuites := append(tls.CipherSuites(), tls.InsecureCipherSuites()...)
	if len(goSuites) < 20 {
		t.Fatalf("crypto/tls lists only %d suites", len(goSuites))
	}
	for _, g := range goSuites {
		s, ok := tlsregistry.LookupSuite(g.ID)
		if !ok || !s.IANA {
			t.Errorf("crypto/tls suite %s (0x%04X) is not an IANA suite of the registry", g.Name, g.ID)
			continue
		}
		if s.Name != g.Name {
			t.Errorf("0x%04X: registry %s, crypto/tls %s", g.ID, s.Name, g.Name)
		}
		only13 := slices.Equal(g.SupportedVersions, []uint16{tls.VersionTLS13})
		only12 := slices.Equal(g.SupportedVersions, []uint16{tls.VersionTLS12})
		switch {
		case only13 != s.TLS13():
			t.Errorf("%s: crypto/tls versions %x, registry protocol %s", g.Name, g.SupportedVersions, s.Protocol)
		case only12 && s.Protocol != "TLSv1.2":
			t.Errorf("%s is TLS 1.2 only in crypto/tls, registry says %s", g.Name, s.Protocol)
		case !only12 && !only13 && (s.Protocol == "TLSv1.2" || s.TLS13()):
			t.Errorf("%s exists before TLS 1.2 in crypto/tls, registry says %s", g.Name, s.Protocol)
		}
	}
	groups := map[tls.CurveID]string{
		tls.CurveP256: "secp256r1", tls.CurveP384: "secp384r1", tls.CurveP521: "secp521r1", tls.X25519: "x25519",
		tls.X25519MLKEM768: "X25519MLKEM768", tls.SecP256r1MLKEM768: "SecP256r1MLKEM768", tls.SecP384r1MLKEM1024: "SecP384r1MLKEM1024",
	}
	for id, name := range groups {
		g := tlsregistry.LookupGroup(uint16(id))
		if g.Name != name || !g.IANA || !g.TLS13 {
			t.Errorf("crypto/tls %s (%d): registry %+v, want TLS 1.3 group %s", id, uint16(id), g, name)
		}
	}
	schemes := map[tls.SignatureScheme]string{
		tls.PKCS1WithSHA256: "sha256", tls.PKCS1WithSHA384: "sha384", tls.PKCS1WithSHA512: "sha512",
		tls.PSSWithSHA256: "sha256", tls.PSSWithSHA384: "sha384", tls.PSSWithSHA512: "sha512",
		tls.ECDSAWithP256AndSHA256: "sha256", tls.ECDSAWithP384AndSHA384: "sha384", tls.ECDSAWithP521AndSHA512: "sha512",
		tls.Ed25519: "intrinsic", tls.PKCS1WithSHA1: "sha1", tls.ECDSAWithSHA1: "sha1",
	}
	for id, hash := range schemes {
		s := tlsregistry.LookupSignatureScheme(uint16(id))
		if s.Hash != hash || !s.IANA {
			t.Errorf("crypto/tls %s (0x%04X): registry %+v, want IANA scheme with hash %s", id, uint16(id), s, hash)
		}
	}
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13} {
		if got, want := tlsregistry.VersionName(v), tls.VersionName(v); got != want {
			t.Errorf("version 0x%04X: registry %q, crypto/tls %q", v, got, want)
		}
	}
	if tlsregistry.VersionName(tls.VersionSSL30) != "SSL 3.0" {
		t.Error("SSL 3.0 misnamed")
	}
}

// TestKnowsTheBench: every code point a bench row serves or expects a grade
// for is in the registry, so the scanner offers it and the grader names it.
func TestKnowsTheBench(t *testing.T) {
	n := 0
	for _, r := range tlsbench.Rows {
		for _, x := range r.Expect {
			n++
			it := x.Item
			switch it.Kind {
			case ncsc.KindCipherSuite:
				if _, ok := tlsregistry.LookupSuite(it.ID); !ok {
					t.Errorf("row %s: suite 0x%04X unknown", r.ID, it.ID)
				}
			case ncsc.KindGroup:
				if tlsregistry.LookupGroup(it.ID).Kind == "other" {
					t.Errorf("row %s: group 0x%04X unknown", r.ID, it.ID)
				}
			case ncsc.KindKexSignature:
				if tlsregistry.LookupSignatureScheme(it.ID).Hash == "unknown" {
					t.Errorf("row %s: signature scheme 0x%04X unknown", r.ID, it.ID)
				}
			case ncsc.KindVersion:
				if strings.HasPrefix(tlsregistry.VersionName(it.ID), "version ") {
					t.Errorf("row %s: version 0x%04X unknown", r.ID, it.ID)
				}
			}
		}
		for _, g := range r.GoGroups {
			if !tlsregistry.LookupGroup(g).TLS13 {
				t.Errorf("row %s: Go server group 0x%04X is not a TLS 1.3 group of the registry", r.ID, g)
			}
		}
		for _, c := range r.Checks {
			if c.Group != 0 && tlsregistry.LookupGroup(c.Group).Kind == "other" {
				t.Errorf("row %s check %s: group 0x%04X unknown", r.ID, c.Name, c.Group)
			}
		}
	}
	if n < 50 {
		t.Fatalf("the bench expects only %d items", n)
	}
}

// TestSchemeHashes: the hash each scheme is probed under (TLS 1.2 key
// exchange, harness/tlsscan) follows from its name, and every legacy TLS 1.2
// (hash, signature) pair has one.
func TestSchemeHashes(t *testing.T) {
	want := map[uint16]string{
		0x0101: "md5", 0x0202: "sha1", 0x0303: "sha224", 0x0402: "sha256", 0x0503: "sha384", 0x0601: "sha512",
		0x0804: "sha256", 0x0808: "intrinsic", 0x081C: "sha512", 0x0708: "sm3", 0x0905: "intrinsic",
	}
	for id, h := range want {
		if got := tlsregistry.LookupSignatureScheme(id); got.Hash != h {
			t.Errorf("0x%04X %s: hash %s, want %s", id, got.Name, got.Hash, h)
		}
	}
	if got := tlsregistry.SignatureSchemesWithHash("sha224"); !slices.Equal(got, []uint16{0x0301, 0x0302, 0x0303}) {
		t.Errorf("SHA-224 schemes %x", got)
	}
	if n := tlsregistry.LookupSignatureScheme(0x0301).Name; n != "rsa_pkcs1_sha224" {
		t.Errorf("0x0301 named %s", n)
	}
	if g, ok := tlsregistry.GroupByName("ffdhe2048"); !ok || g.ID != 0x0100 || g.Kind != "ffdhe" {
		t.Errorf("GroupByName(ffdhe2048) = %+v, %v", g, ok)
	}
	if _, ok := tlsregistry.GroupByName("prime256v1"); ok {
		t.Error("OpenSSL's alias is not a registry name")
	}
}

// TestAgreesWithTestssl: the OpenSSL names and components of registry/
// suites.csv are those of testssl.sh's etc/cipher-mapping.txt (an
// independent table of the same facts) for every code point both know, and
// the IANA names agree; testssl.sh lacks only newer code points.
func TestAgreesWithTestssl(t *testing.T) {
	testpeer.Require(t, "testssl", "testssl.sh")
	b, err := os.ReadFile("/etc/testssl/cipher-mapping.txt")
	if err != nil {
		t.Skipf("testssl.sh is installed but its cipher-mapping.txt is not where Debian puts it: %v", err)
	}
	line := regexp.MustCompile(`^\s*0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})\s+-\s+(\S+)\s+(\S+)\s+(\S+)\s+Kx=(\S+)\s+Au=(\S+)\s+Enc=(\S+)\s+Mac=(\S+)\s*(export)?`)
	compared := 0
	for _, l := range strings.Split(string(b), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		code, _ := strconv.ParseUint(m[1]+m[2], 16, 16)
		s, ok := tlsregistry.LookupSuite(uint16(code))
		if !ok {
			t.Errorf("testssl.sh knows 0x%04X %s, the registry does not", code, m[4])
			continue
		}
		compared++
		got := []string{s.OpenSSL, s.Protocol, s.Kx, s.Au, s.Cipher(), s.Mac, strconv.FormatBool(s.Export)}
		want := []string{m[3], m[5], m[6], m[7], m[8], m[9], strconv.FormatBool(m[10] == "export")}
		if !slices.Equal(got, want) {
			t.Errorf("0x%04X: registry %v, testssl.sh %v", code, got, want)
		}
		if s.IANA && m[4] != "-" && m[4] != s.Name {
			t.Errorf("0x%04X: IANA name %s, testssl.sh %s", code, s.Name, m[4])
		}
	}
	if compared < 350 {
		t.Fatalf("compared only %d suites with testssl.sh", compared)
	}
}
