package webprobe

import (
	"net/http"
	"testing"
)

// FuzzHeaderChecks feeds what a target could send in its headers and body to
// the checks that read them: they must never panic.
func FuzzHeaderChecks(f *testing.F) {
	f.Add("max-age=31536000; includeSubDomains", "nginx/1.2", []byte(`{"error":"x"}`))
	f.Add("max-age=\"", "", []byte("panic: x\ngoroutine 1 [running]"))
	f.Add(";;;=;", "\x00", []byte{0xff, 0xfe})
	f.Fuzz(func(t *testing.T, hsts, server string, body []byte) {
		h := http.Header{}
		h.Set("Strict-Transport-Security", hsts)
		h.Set("Server", server)
		_ = CheckHSTS(h)
		_ = DisclosedVersions(h)
		_ = LeakedInternals(body)
	})
}
