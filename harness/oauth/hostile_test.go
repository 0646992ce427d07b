package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

// hostile answers every request the same bad way.
func hostile(mode string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		switch mode {
		case "html":
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><body>Please log in</body></html>")
		case "redirect":
			http.Redirect(w, r, "https://login.apisec.invalid/", http.StatusFound)
		case "stall":
			<-r.Context().Done()
		case "huge":
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat(" ", 1<<20))
			for i := 0; i < 50; i++ { // 50 MB
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "500":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "<h1>Internal Server Error</h1>")
		}
	})
}

// TestHostileTarget: a token endpoint that answers HTML, redirects, stalls
// or floods yields "could not test" with the reason, never pass or fail; a
// 5xx to the valid request is a failure of that control and leaves the rest
// untested. The run never sends more than planned.
func TestHostileTarget(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode, reason string
	}{
		{"html", "html:"},
		{"redirect", "redirect:"},
		{"stall", "timeout"},
		{"huge", "body exceeds the cap"},
		{"500", ""},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			srv := httptest.NewServer(hostile(tc.mode))
			defer srv.Close()
			o := &profile.OAuth{Issuer: srv.URL, TokenEndpoint: srv.URL + "/token", ClientID: "c", AudienceProfile: AudRFC7523bis,
				GrantSubject: "u", ResourceURL: srv.URL + "/fhir/Patient/1"}
			g := conduct.NewGuard(conduct.Config{Hosts: []string{"127.0.0.1"}, RatePerSecond: 1000, Burst: 100, Timeout: 300 * time.Millisecond})
			start := time.Now()
			rep, err := Run(context.Background(), Config{OAuth: o, Key: jose.Key{Signer: key, KID: "k"}, Client: &Client{HTTP: g.HTTPClient(nil), BodyCap: DefaultBodyCap}})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Sent > rep.Planned || int64(rep.Sent) != g.Used() {
				t.Errorf("sent %d (guard %d), planned %d", rep.Sent, g.Used(), rep.Planned)
			}
			t.Logf("took %v (a figure; the per-request deadline is what bounds it)", time.Since(start))
			for _, res := range rep.Results {
				st, f := verdict.Classify(res.Err)
				switch {
				case tc.mode == "500" && res.Probe.ID == "ca/control-before":
					if st != verdict.Fail || !strings.Contains(f.Error(), "500") {
						t.Errorf("a 500 to the valid assertion: got %s %v", st, f)
					}
				case tc.mode == "500" && res.Probe.ID == "gr/control-before":
					if st != verdict.Fail {
						t.Errorf("a 500 to the valid grant: got %s", st)
					}
				case st == verdict.Pass || st == verdict.Fail || st == verdict.Warn:
					t.Errorf("%s: %s (%v); a hostile answer must be could-not-test", res.Probe.ID, st, f)
				case st == verdict.Error && tc.reason != "" && res.Probe.ID == "md/metadata-published" && !strings.Contains(f.Reason, tc.reason):
					t.Errorf("%s: reason %q lacks %q", res.Probe.ID, f.Reason, tc.reason)
				}
			}
		})
	}
}
