package evidence

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	jwtHead   = "eyJhbGciOiJFUzI1NiJ9"
	jwtClaims = "eyJpc3MiOiJhIn0"
	jwtSig    = "c2lnbmF0dXJlLXRoYXQtbXVzdC1nbw"
	jwt       = jwtHead + "." + jwtClaims + "." + jwtSig
)

// Each case is one encoding a secret reaches evidence in: gone must vanish,
// kept must survive (the shape a reader needs).
func TestRedact(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	lenientJWT := b64([]byte(`{"alg":"ES256"}`)) + "==." + jwtClaims + "." + "abc%2Bdef%0D%0Aghi-SIGNATURE-REST"
	cases := []struct {
		name string
		in   string
		gone []string
		kept []string
	}{
		{"authorization bearer opaque", "GET / HTTP/1.1\r\nAuthorization: Bearer opaque-token-123\r\n", []string{"opaque-token-123"}, []string{"Authorization: Bearer [REDACTED]"}},
		{"authorization bearer jwt keeps header and claims", "Authorization: Bearer " + jwt + "\n", []string{jwtSig}, []string{"Bearer " + jwtHead + "." + jwtClaims + ".[REDACTED]"}},
		{"authorization basic", "Authorization: Basic YXBpc2VjOnNlY3JldA==\n", []string{"YXBpc2VjOnNlY3JldA"}, []string{"Authorization: Basic [REDACTED]"}},
		{"jwt signature in a form", "client_assertion=" + jwt, []string{jwtSig}, []string{jwtHead + "." + jwtClaims + "."}},
		{"lenient base64 assertion", "grant_type=x&client_assertion=" + lenientJWT + "&scope=s", []string{"abc", "ghi", "SIGNATURE-REST"}, []string{"&scope=s", jwtClaims}},
		{"non-jwt assertion is gone whole", "assertion=PHNhbWw6QXNzZXJ0aW9u&x=1", []string{"PHNhbWw6QXNzZXJ0aW9u"}, []string{"assertion=[REDACTED]&x=1"}},
		{"access token in json", `{"access_token":"s3cr3t","token_type":"Bearer"}`, []string{"s3cr3t"}, []string{`"token_type":"Bearer"`}},
		{"client secret in form", "grant_type=x&client_secret=hunter2&scope=a", []string{"hunter2"}, []string{"scope=a"}},
		{"client secret in a form inside json, & escaped", `{"request_body":"grant_type=x\u0026client_secret=hunter2\u0026scope=a"}`, []string{"hunter2"}, []string{"scope=a", "grant_type=x"}},
		{"client secret yaml", "client_secret: hunter2\nname: x\n", []string{"hunter2"}, []string{"name: x"}},
		{"private key pem", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----", []string{"MHcCAQEE"}, []string{"PRIVATE KEY"}},
		{"truncated private key pem", "x\n-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBM", []string{"MIGHAgEAMBM"}, []string{"BEGIN PRIVATE KEY"}},
		{"certificate pem stays", "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----", nil, []string{"MIIBcert"}},
		{"wsse password", `<wsse:Password Type="x">pw123</wsse:Password>`, []string{"pw123"}, []string{"<wsse:Password"}},
		{"jwk private member", `{"kty":"EC","d":"privatepart","x":"pub"}`, []string{"privatepart"}, []string{`"x":"pub"`}},
		{"jwks in a json string", `{"response_body":"{\"keys\":[{\"kty\":\"RSA\",\"n\":\"nnn\",\"d\":\"ddd\",\"p\":\"ppp\",\"qi\":\"qqq\"}]}"}`, []string{"ddd", "ppp", "qqq"}, []string{"nnn"}},
		{"jwks in a transcript", "HTTP/1.1 200 OK\n\n{\"keys\":[{\"kty\":\"oct\",\"k\":\"symmetric\"}]}", []string{"symmetric"}, []string{`"kty":"oct"`}},
		{"set-cookie line", "Set-Cookie: session=abcdef; Path=/; Secure; HttpOnly", []string{"abcdef"}, []string{"Set-Cookie: session=[REDACTED]; Path=/; Secure; HttpOnly"}},
		{"set-cookie lines joined", "Set-Cookie: a=one1; Expires=Wed, 21 Oct 2026 07:28:00 GMT, b=two2; Secure", []string{"one1", "two2"}, []string{"Expires=Wed, 21 Oct 2026", "b=[REDACTED]; Secure"}},
		{"set-cookie in a json header map", `{"response_headers":{"Set-Cookie":["sid=canary1; Secure; SameSite=Strict"]}}`, []string{"canary1"}, []string{"sid=[REDACTED]; Secure; SameSite=Strict"}},
		{"cookie request header", "Cookie: a=1x; b=2y\n", []string{"1x", "2y"}, []string{"Cookie: a=[REDACTED]; b=[REDACTED]"}},
		{"signature value", `<ds:SignatureValue Id="s">QUJDREVGR0g=</ds:SignatureValue>`, []string{"QUJDREVGR0g"}, []string{`<ds:SignatureValue Id="s">[REDACTED]</ds:SignatureValue>`}},
		{"signature value json-escaped", `{"sent":"\u003cds:SignatureValue\u003eQUJDREVGR0g=\u003c/ds:SignatureValue\u003e"}`, []string{"QUJDREVGR0g"}, []string{"SignatureValue>[REDACTED]<"}},
		{"signature value entity-escaped", `&lt;ds:SignatureValue&gt;QUJDREVGR0g=&lt;/ds:SignatureValue&gt;`, []string{"QUJDREVGR0g"}, []string{"[REDACTED]"}},
		{"cipher value", `<xenc:CipherValue>c2VjcmV0</xenc:CipherValue>`, []string{"c2VjcmV0"}, []string{"<xenc:CipherValue>[REDACTED]"}},
		{"kerberos binary security token", `<wsse:BinarySecurityToken ValueType="http://docs.oasis-open.org/wss/oasis-wss-kerberos-token-profile-1.1#GSS_Kerberosv5_AP_REQ">a2VyYmVyb3M=</wsse:BinarySecurityToken>`, []string{"a2VyYmVyb3M"}, []string{"GSS_Kerberosv5_AP_REQ"}},
		{"x509 binary security token stays", `<wsse:BinarySecurityToken ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3">MIIBcert</wsse:BinarySecurityToken>`, nil, []string{"MIIBcert"}},
		{"jwe", "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.ZW5ja2V5.aXY.Y2lwaGVydGV4dA.dGFn", []string{"ZW5ja2V5", "Y2lwaGVydGV4dA"}, []string{"eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.[REDACTED]"}},
		{"jws json serialization", `{"payload":"eyJhIjoxfQ","protected":"eyJhbGciOiJFUzI1NiJ9","signature":"` + strings.Repeat("Ab9_", 16) + `"}`, []string{strings.Repeat("Ab9_", 16)}, []string{`"payload":"eyJhIjoxfQ"`}},
		{"tls signature names stay", `{"signature_algorithm":"rsa_pss_rsae_sha256","signature":"ecdsa_secp256r1_sha256"}`, nil, []string{"rsa_pss_rsae_sha256", "ecdsa_secp256r1_sha256"}},
		{"challenge params stay", `WWW-Authenticate: Bearer error="invalid_token", realm="api"`, nil, []string{`Bearer error="invalid_token", realm="api"`}},
		{"prose stays", "expected 401 with a Bearer challenge; status code=400; error code invalid_client", nil, []string{"Bearer challenge", "code=400"}},
		{"authorization code in a redirect", "Location: https://c.example/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz", []string{"SplxlOBeZQQYbYS6WxSbIA"}, []string{"state=xyz"}},
		{"code members stay", `{"code":"invalid_request","coding":[{"code":"110112"}]}`, nil, []string{"invalid_request", "110112"}},
		{"bearer in a go header map", "map[Authorization:[Bearer 2YotnFZFEjr1zCsicMWpAA]]", []string{"2YotnFZFEjr1zCsicMWpAA"}, []string{"Bearer [REDACTED]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := string(Redact([]byte(tc.in)))
			for _, g := range tc.gone {
				assert.NotContains(t, out, g)
			}
			for _, k := range tc.kept {
				assert.Contains(t, out, k)
			}
			assert.Equal(t, out, string(Redact([]byte(out))), "redaction is idempotent")
			if json.Valid([]byte(tc.in)) {
				assert.True(t, json.Valid([]byte(out)), "a JSON document stays JSON: %s", out)
			}
		})
	}
}

// A JSON document without secrets comes back byte for byte: the walker
// re-encodes only what it changed.
func TestRedactLeavesCleanJSONAlone(t *testing.T) {
	in := "{\n  \"b\": \"\\u003cok\\u003e\",\n  \"a\": [1, 2.50, true, null, \"x\"],\n  \"nested\": {\"k2\": \"v\"}\n}\n"
	require.Equal(t, in, string(Redact([]byte(in))))
}

// FuzzRedact: any input comes back without a panic, JSON stays JSON, and a
// second pass changes nothing.
func FuzzRedact(f *testing.F) {
	f.Add([]byte(`{"d":"x","Set-Cookie":["a=b"]}`))
	f.Add([]byte("Authorization: Bearer " + jwt + "\n\nclient_secret=a&b=c"))
	f.Add([]byte(`<ds:SignatureValue>QUJD</ds:SignatureValue>`))
	f.Add([]byte(`{"x":"\"d\":\"y\""}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := Redact(in)
		if json.Valid(in) && !json.Valid(out) {
			t.Fatalf("valid JSON became invalid: %q -> %q", in, out)
		}
	})
}

// A request with a body keeps its header lines in the transcript.
func TestHTTPExchangeKeepsHeadersOfARequestWithABody(t *testing.T) {
	body := []byte(`{"resourceType":"Patient"}`)
	req, err := http.NewRequest(http.MethodPost, "https://api.example/fhir/Patient", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("X-Probe", "canary")
	out := string(HTTPExchange(req, body, nil, nil, nil))
	for _, want := range []string{"POST /fhir/Patient HTTP/1.1", "X-Probe: canary", "Content-Type: application/fhir+json", `{"resourceType":"Patient"}`} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}

func TestContainsFoldMatchesOnlyTheWordInAnyCase(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"Authorization: BEARER abc", true}, {"x bEaReR", true}, {"bearer", true}, {"beare", false},
		{"b@arer", false}, {"{EARER", false}, {"", false}, {"0b0e0a0r", false},
	} {
		assert.Equal(t, c.want, containsFold(c.s, "bearer"), c.s)
	}
}

// BenchmarkRedactScanEvidence redacts a document shaped like a TLS scan's
// evidence (a hundred probes, each with its ClientHello in hex and prose):
// every run redacts one per endpoint. On a real 150 KB stock-nginx scan (2
// shared cores) the per-pattern guards took it from 4.3 ms to 1.4 ms.
func BenchmarkRedactScanEvidence(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"address": "127.0.0.1:443", "probes": [`)
	for i := range 100 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"id": %d, "purpose": "TLS 1.2 suites (%d left)", "client_hello": "%s", "offered": "TLS 1.2, 64 suites, 42 groups", "outcome": "server-hello", "answer": "ServerHello TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 group x25519", "duration_us": 812}`,
			i, 64-i%64, strings.Repeat("1603010200010001fc0303abcdef", 40))
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Redact(body)
	}
}

// unguardedRedactText is redactText with every pass run whatever its
// guard says: the reference the guards are checked against.
func unguardedRedactText(s string) string {
	if s == "" {
		return s
	}
	for _, p := range textPasses {
		s = p.apply(s)
	}
	return s
}

var guardCorpus = []string{
	"Authorization: Bearer " + jwt,
	"proxy-authorization:basic dXNlcjpwYXNzd29yZA==",
	"Cookie: session=abc; theme=dark",
	"Set-Cookie: sid=1; Path=/, other=2",
	"x-api-key:\tsecret-key-value",
	`{"client_secret": "s3cr3t", "note": "ok"}`,
	`"{\"password\":\"hunter2\"}"`,
	"client_secret=abc&grant_type=client_credentials&client_assertion=" + jwt,
	"GET /cb?code=xyz&state=1",
	"status code=400 in prose",
	"client_secret: plain-value",
	"PASSWORD : hunter2",
	"<ds:SignatureValue>QUJDRA==</ds:SignatureValue>",
	"&lt;xenc:CipherValue&gt;QUJD&lt;/xenc:CipherValue&gt;",
	`<wsse:BinarySecurityToken ValueType="...#X509v3">MIIB</wsse:BinarySecurityToken>`,
	`<wsse:BinarySecurityToken ValueType="...#SAMLv2">c2VjcmV0</wsse:BinarySecurityToken>`,
	"<wsse:Password>hunter2</wsse:Password>",
	"token " + jwt + " in prose",
	"a DPoP\tAbCdEfGhIjKlMnOp1234 proof",
	"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
	"-----BEGIN PRIVATE KEY-----\nMIIE",
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"1603010200010001fc0303abcdef",
	"a Bearer challenge, Bearer realm=\"x\", Bearer error=invalid_token",
}

// A guard may only skip a pass whose pattern cannot match: with and
// without the guards the redactor gives the same text.
func TestTextPassGuardsSkipOnlyWhatCannotMatch(t *testing.T) {
	for _, in := range guardCorpus {
		assert.Equal(t, unguardedRedactText(in), redactText(in), "%q", in)
	}
	// Each guard is needed by its pattern: a corpus line that its pattern
	// changes must pass its guard.
	for _, p := range textPasses {
		for _, in := range guardCorpus {
			if p.apply(in) != in {
				assert.True(t, p.mayMatch(in), "%s: its guard skips %q, which it changes", p.name, in)
			}
		}
	}
}

func FuzzTextPassGuards(f *testing.F) {
	for _, s := range guardCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, p := range textPasses {
			if !p.mayMatch(in) && p.apply(in) != in {
				t.Fatalf("%s: its guard skips %q, which it changes", p.name, in)
			}
		}
	})
}
