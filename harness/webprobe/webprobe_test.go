package webprobe

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckHSTS(t *testing.T) {
	cases := map[string]string{
		"max-age=31536000; includeSubDomains": "",
		"max-age=63072000":                    "",
		"max-age=15552000":                    "max-age=15552000",
		"":                                    "no Strict-Transport-Security",
		"includeSubDomains":                   "has no max-age",
		"max-age=abc":                         "not a number",
	}
	for v, want := range cases {
		h := http.Header{}
		if v != "" {
			h.Set("Strict-Transport-Security", v)
		}
		got := CheckHSTS(h)
		if want == "" {
			assert.Empty(t, got, v)
		} else {
			assert.Contains(t, got, want, v)
		}
	}
}

func TestDisclosedVersions(t *testing.T) {
	h := http.Header{}
	h.Set("Server", "nginx")
	assert.Empty(t, DisclosedVersions(h), "a product name without version is not disclosure")
	h.Set("Server", "nginx/1.22.1")
	h.Set("X-Powered-By", "PHP")
	assert.Equal(t, []string{"Server: nginx/1.22.1", "X-Powered-By: PHP"}, DisclosedVersions(h))
}

func TestLeakedInternals(t *testing.T) {
	assert.Equal(t, "panic:", LeakedInternals([]byte("panic: runtime error\ngoroutine 1 [running]")))
	assert.NotEmpty(t, LeakedInternals([]byte(`at com.acme.Foo(Foo.java:42)`)))
	assert.NotEmpty(t, LeakedInternals([]byte(`ERROR: syntax error at or near "'"`)))
	assert.Empty(t, LeakedInternals([]byte(`{"error":"invalid_request"}`)))
}
