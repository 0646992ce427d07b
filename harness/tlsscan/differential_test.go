package tlsscan

import (
	"github.com/apisec/apisec/internal/testpeer"

	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDifferentialSSLScan scans the same openssl s_server configurations
// with sslscan and requires our versions to match and our suites and
// groups to be a superset of what sslscan reports (issue 3: "a cipher list
// that is a superset of what both report").
func TestDifferentialSSLScan(t *testing.T) {
	bin := needOpenSSL(t)
	sslscan := testpeer.Require(t, "sslscan", "sslscan")
	rsa := newPKI(t, "rsa2048")
	ecdsa := newPKI(t, "p256")
	configs := []struct {
		name string
		pki  *testPKI
		args []string
	}{
		{"default", rsa, nil},
		{"TLS 1.0+1.1 level 0", rsa, []string{"-no_tls1_2", "-no_tls1_3", "-cipher", "ALL:@SECLEVEL=0"}},
		{"ECDSA all suites level 0", ecdsa, []string{"-cipher", "ALL:@SECLEVEL=0", "-groups", "secp224r1:P-256:X25519:brainpoolP256r1"}},
		{"TLS 1.3 CCM", ecdsa, []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256:TLS_AES_256_GCM_SHA384"}},
	}
	cipherRe := regexp.MustCompile(`<cipher status="[a-z]+" sslversion="([^"]+)"[^>]* id="0x([0-9a-fA-F]+)"`)
	protoRe := regexp.MustCompile(`<protocol type="(ssl|tls)" version="([0-9.]+)" enabled="1"`)
	groupRe := regexp.MustCompile(`<group sslversion="([^"]+)"[^>]* name="([^"]+)"`)
	versionOf := map[string]uint16{"SSLv2": VersionSSL20, "SSLv3": VersionSSL30, "TLSv1.0": VersionTLS10, "TLSv1.1": VersionTLS11, "TLSv1.2": VersionTLS12, "TLSv1.3": VersionTLS13,
		"ssl2": VersionSSL20, "ssl3": VersionSSL30, "tls1.0": VersionTLS10, "tls1.1": VersionTLS11, "tls1.2": VersionTLS12, "tls1.3": VersionTLS13}
	groupAlias := map[string]string{"25519": "x25519", "448": "x448", "P-256": "secp256r1", "P-384": "secp384r1", "P-521": "secp521r1"}
	for _, tc := range configs {
		t.Run(tc.name, func(t *testing.T) {
			addr := startSServer(t, bin, tc.pki, nil, tc.args...)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			start := time.Now()
			out, err := exec.CommandContext(ctx, sslscan, "--no-colour", "--xml=-", "--no-heartbleed", addr).Output()
			if err != nil {
				t.Fatalf("sslscan: %v", err)
			}
			sslscanTook := time.Since(start)
			res, err := Scan(ctx, Target{Address: addr, ServerName: "scan.test", RootCAs: tc.pki.pool}, Options{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			theirVersions := map[uint16]bool{}
			for _, m := range protoRe.FindAllStringSubmatch(string(out), -1) {
				theirVersions[versionOf[m[1]+m[2]]] = true
			}
			for _, vr := range res.Versions {
				if vr.Supported != theirVersions[vr.Version] {
					t.Errorf("%s: we say supported=%v, sslscan %v", vr.Name, vr.Supported, theirVersions[vr.Version])
				}
			}
			ours := map[uint16]map[uint16]bool{}
			for _, vr := range res.Versions {
				ours[vr.Version] = suiteCodes(vr.Suites)
			}
			theirs := 0
			for _, m := range cipherRe.FindAllStringSubmatch(string(out), -1) {
				v := versionOf[m[1]]
				code, _ := strconv.ParseUint(m[2], 16, 16)
				theirs++
				if !ours[v][uint16(code)] {
					su, _ := LookupSuite(uint16(code))
					t.Errorf("sslscan found %s %s that we missed", m[1], su.DisplayName())
				}
			}
			total := 0
			for _, m := range ours {
				total += len(m)
			}
			ourGroups := map[uint16]map[string]bool{VersionTLS13: groupNames(res.Groups.TLS13), VersionTLS12: groupNames(res.Groups.TLS12)}
			for _, m := range groupRe.FindAllStringSubmatch(string(out), -1) {
				name, _, _ := strings.Cut(m[2], " (")
				if a, ok := groupAlias[name]; ok {
					name = a
				}
				v := versionOf[m[1]]
				if v == VersionTLS10 || v == VersionTLS11 {
					v = VersionTLS12
				}
				if !ourGroups[v][name] && !ourGroups[v][name+"tls13"] {
					t.Errorf("sslscan found group %s %s that we missed (ours: %v)", m[1], m[2], ourGroups[v])
				}
			}
			t.Logf("suites: ours %d, sslscan %d; time: ours %d ms (%d handshakes), sslscan %d ms",
				total, theirs, res.DurationMS, res.Handshakes, sslscanTook.Milliseconds())
		})
	}
}
