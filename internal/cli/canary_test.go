package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apisec/apisec/fixtures/reference"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/report"
	"github.com/stretchr/testify/require"
)

// The canary scan is the redaction layer's end-to-end property test: every
// file of a result folder of a run against the reference target (each
// defect, and all of them at once) is searched for secrets the run is known
// to have handled, in every encoding evidence comes in. The scanner is
// deliberately written apart from harness/evidence: it decodes everything
// (JSON strings recursively, HTML entities, URL escapes) and then looks for
//   - literal canaries: the reference's session cookie value, the client
//     secret the suite sends, every private key of the test PKI (each PEM
//     body line, each private scalar in base64url, base64 and hex);
//   - structural leaks: a compact JWS whose signature survived, a
//     SignatureValue or CipherValue with content, a JWK private member with
//     a value, a PEM private key with a body.

// canaryStats adds up what every scan in this test binary looked at.
var canaryStats struct{ runs, files, hits atomic.Int64 }

type canarySet struct {
	literal map[string]string // value → what it is
}

func loadCanaries(t *testing.T, certs string) canarySet {
	t.Helper()
	set, err := pki.Init(certs)
	require.NoError(t, err)
	c := canarySet{literal: map[string]string{}}
	cookie, err := reference.SessionCookieValue(set)
	require.NoError(t, err)
	c.literal[cookie] = "session cookie value"
	const secret = "apisec-not-a-secret" // the client_secret the suite sends (harness/oauth run.go)
	c.literal[secret] = "client secret"
	c.literal[base64.StdEncoding.EncodeToString([]byte(reference.SuiteClientID+":"+secret))] = "HTTP Basic credential"
	keys, _ := filepath.Glob(filepath.Join(certs, "*.key"))
	require.NotEmpty(t, keys, "the test PKI has private keys to look for")
	for _, f := range keys {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		name := "private key " + filepath.Base(f)
		if b, _ := pem.Decode(raw); b != nil {
			body := base64.StdEncoding.EncodeToString(b.Bytes)
			for i := 64; i+64 <= len(body); i += 64 { // whole PEM lines after the first (common prefix)
				c.literal[body[i:i+64]] = name + " (PEM line)"
			}
		}
		k, err := pki.ParsePrivateKeyPEM(raw)
		require.NoError(t, err)
		for _, scalar := range privateScalars(k) {
			for _, enc := range []string{base64.RawURLEncoding.EncodeToString(scalar), base64.RawStdEncoding.EncodeToString(scalar), hex.EncodeToString(scalar)} {
				c.literal[enc] = name + " (private scalar)"
			}
		}
	}
	return c
}

func privateScalars(k any) [][]byte {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		b, _ := k.Bytes()
		return [][]byte{b}
	case *rsa.PrivateKey:
		out := [][]byte{k.D.Bytes()}
		for _, p := range k.Primes {
			out = append(out, p.Bytes())
		}
		return out
	case ed25519.PrivateKey:
		return [][]byte{k.Seed()}
	}
	return nil
}

var (
	scanJWS      = regexp.MustCompile(`([A-Za-z0-9_+/=-]{4,})\.([A-Za-z0-9_+/=-]*)\.([A-Za-z0-9_+/=-]{16,})`)
	scanXMLValue = regexp.MustCompile(`(?s)(SignatureValue|CipherValue)\b[^>]*>\s*([^<\s][^<]*)<`)
	scanJWKText  = regexp.MustCompile(`"(d|p|q|dp|dq|qi|k)"\s*:\s*"([^"]+)"`)
	scanPEM      = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\s*([A-Za-z0-9+/=]{16,})`)
)

// scanResult searches every file of a result folder but the manifest (whose
// signature is meant to be there) and fails the test on each hit.
func (c canarySet) scanResult(t *testing.T, dir string) {
	t.Helper()
	canaryStats.runs.Add(1)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == report.ManifestFile {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		canaryStats.files.Add(1)
		rel, _ := filepath.Rel(dir, path)
		for _, hit := range c.scan(raw) {
			canaryStats.hits.Add(1)
			t.Errorf("%s leaks %s", rel, hit)
		}
		return nil
	})
	require.NoError(t, err)
}

func (c canarySet) scan(raw []byte) []string {
	var views []string
	var jwks []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			views = append(views, v)
			if t := strings.TrimSpace(v); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
				var inner any
				if json.Unmarshal([]byte(t), &inner) == nil {
					walk(inner)
				}
			}
		case map[string]any:
			if _, ok := v["kty"]; ok {
				jwks = append(jwks, v)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	views = append(views, string(raw), html.UnescapeString(string(raw)))
	var doc any
	if json.Unmarshal(raw, &doc) == nil {
		walk(doc)
	}
	for _, v := range slicesClone(views) {
		if u, err := url.QueryUnescape(v); err == nil && u != v {
			views = append(views, u)
		}
	}
	var hits []string
	seen := map[string]bool{}
	add := func(h string) {
		if !seen[h] {
			seen[h] = true
			hits = append(hits, h)
		}
	}
	for _, k := range jwks {
		for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if s, ok := k[m].(string); ok && s != "" && s != "[REDACTED]" {
				add(fmt.Sprintf("JWK private member %q", m))
			}
		}
	}
	for _, v := range views {
		for value, what := range c.literal {
			if strings.Contains(v, value) {
				add(what)
			}
		}
		for _, m := range scanJWS.FindAllStringSubmatch(v, -1) {
			if signedJOSEHeader(m[1]) {
				add("a JWS signature: " + clipCanary(m[0]))
			}
		}
		for _, m := range scanXMLValue.FindAllStringSubmatch(v, -1) {
			if strings.TrimSpace(m[2]) != "[REDACTED]" {
				add(m[1] + ": " + clipCanary(m[2]))
			}
		}
		for _, m := range scanJWKText.FindAllStringSubmatch(v, -1) {
			if m[2] != "[REDACTED]" {
				add(fmt.Sprintf("JWK private member %q in text", m[1]))
			}
		}
		if m := scanPEM.FindString(v); m != "" {
			add("a PEM private key")
		}
	}
	return hits
}

// signedJOSEHeader: the segment is a JOSE header naming a signing algorithm.
func signedJOSEHeader(seg string) bool {
	seg = strings.NewReplacer("+", "-", "/", "_", "=", "").Replace(seg)
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return false
	}
	var h map[string]any
	if json.Unmarshal(bytes.TrimSpace(raw), &h) != nil {
		return false
	}
	alg, _ := h["alg"].(string)
	_, enc := h["enc"]
	return alg != "" && !strings.EqualFold(alg, "none") && !enc
}

func clipCanary(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// TestCanaryScannerFindsLeaks proves the scanner is not blind: unredacted
// material planted in each encoding is found.
func TestCanaryScannerFindsLeaks(t *testing.T) {
	c := loadCanaries(t, certsFor(t))
	var cookie string
	for v, what := range c.literal {
		if what == "session cookie value" {
			cookie = v
		}
	}
	jws := "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJhIn0.c2lnbmF0dXJlLXRoYXQtbXVzdC1nbw"
	leaks := map[string]string{
		"cookie in a json header map": `{"response_headers":{"Set-Cookie":["` + reference.SessionCookieName + `=` + cookie + `; Secure"]}}`,
		"secret in an escaped form":   `{"request_body":"a=b\u0026client_secret=apisec-not-a-secret"}`,
		"jws in a transcript":         "Authorization: Bearer " + jws,
		"signature value escaped":     `{"x":"\u003cds:SignatureValue\u003eQUJD\u003c/ds:SignatureValue\u003e"}`,
		"private jwk nested":          `{"body":"{\"keys\":[{\"kty\":\"RSA\",\"d\":\"x\"}]}"}`,
		"pem private key":             "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\n-----END PRIVATE KEY-----",
		"html-escaped signature":      "&lt;SignatureValue&gt;QUJD&lt;/SignatureValue&gt;",
	}
	for name, in := range leaks {
		if len(c.scan([]byte(in))) == 0 {
			t.Errorf("%s: scanner found nothing in %s", name, in)
		}
	}
	require.Empty(t, c.scan([]byte(`{"Set-Cookie":["s=[REDACTED]; Secure"],"a":"eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJhIn0.[REDACTED]"}`)))
}

// TestEvidenceHoldsNoCanaryWithEveryDefectAtOnce runs the reference target
// with every defect switched on at once (also those the default run does not
// notice) and scans the whole result folder. TestEveryDefectFlipsExactlyItsRules
// scans each single-defect run and the conformant one.
func TestEvidenceHoldsNoCanaryWithEveryDefectAtOnce(t *testing.T) {
	t.Parallel()
	var all []string
	for _, d := range reference.Defects() {
		all = append(all, d.Name)
	}
	_, _, _, dir := runArgs(t, "--defect", strings.Join(all, ","))
	loadCanaries(t, certsFor(t)).scanResult(t, dir)
	t.Logf("canary scan so far: %d result folders, %d files, %d hits", canaryStats.runs.Load(), canaryStats.files.Load(), canaryStats.hits.Load())
}
