package evidence

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedact(t *testing.T) {
	const jwt = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJhIn0.c2lnbmF0dXJlLXRoYXQtbXVzdC1nbw"
	cases := []struct {
		name, in, gone, kept string
	}{
		{"authorization header", "GET / HTTP/1.1\r\nAuthorization: Bearer abc.def.ghi\r\n", "abc.def", "Authorization: [REDACTED]"},
		{"jwt signature", "client_assertion=" + jwt, "c2lnbmF0dXJl", "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJhIn0."},
		{"access token in json", `{"access_token":"s3cr3t","token_type":"Bearer"}`, "s3cr3t", `"token_type":"Bearer"`},
		{"client secret in form", "grant_type=x&client_secret=hunter2&scope=a", "hunter2", "scope=a"},
		{"private key pem", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----", "MHcCAQEE", "PRIVATE KEY"},
		{"wsse password", `<wsse:Password Type="x">pw123</wsse:Password>`, "pw123", "<wsse:Password"},
		{"jwk private member", `{"kty":"EC","d":"privatepart","x":"pub"}`, "privatepart", `"x":"pub"`},
		{"cookie", "Set-Cookie: session=abcdef; Secure", "abcdef", "Set-Cookie: [REDACTED]"},
	}
	for _, tc := range cases {
		out := string(Redact([]byte(tc.in)))
		assert.NotContains(t, out, tc.gone, tc.name)
		assert.True(t, strings.Contains(out, tc.kept), "%s: %q lacks %q", tc.name, out, tc.kept)
	}
}
