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
	f.Add("default-src 'self' https://*.; frame-ancestors", "text/html; charset", []byte("<title>Index of /"))
	f.Add("a=b; Secure; SameSite=None, ;;", "no-referrer,,", []byte("ref: refs/heads/main"))
	f.Fuzz(func(t *testing.T, hsts, server string, body []byte) {
		h := http.Header{}
		h.Set("Strict-Transport-Security", hsts)
		h.Set("Server", server)
		h.Set("Content-Security-Policy", hsts)
		h.Set("Referrer-Policy", server)
		h.Set("Content-Type", server)
		h.Set("Set-Cookie", hsts)
		h.Set("X-Frame-Options", server)
		_ = CheckHSTS(h)
		_ = DisclosedVersions(h)
		_ = LeakedInternals(body)
		_ = VersionInBody(body)
		_, _ = ParseCSP(h.Values("Content-Security-Policy")).Problems(server)
		_ = ReferrerPolicy(h)
		_ = FrameOptions(h)
		_, _ = ContentTypeProblem(h, body)
		_, _ = CookieProblems(h)
		for _, d := range defaultPaths {
			_ = d.sig.Match(body)
		}
	})
}
