package cli

import (
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/report"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileListener accepts connections and hands each to behave until the
// test ends.
func hostileListener(t *testing.T, behave func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				behave(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func hostileProfile(t *testing.T, addr, caPEM string) string {
	t.Helper()
	dir := t.TempDir()
	ca := ""
	if caPEM != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), []byte(caPEM), 0o644))
		ca = "ca_file: ca.pem\n"
	}
	body := fmt.Sprintf("version: 1\ntarget:\n  name: hostile\n  base_url: https://%s/\n  interfaces: [rest]\n%slimits:\n  timeout: 1s\n", addr, ca)
	p := filepath.Join(dir, "profile.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

// A hostile target makes the probes "could not test" within their deadline:
// never a pass, never a fail, never a hang or panic. The profile has no
// declaration, which is a proven deviation of SC003: the rule fails and the
// untested probes beside it do not hide that (docs/design.md: fail > error).
func TestHostileTargetsYieldError(t *testing.T) {
	flood := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		buf := make([]byte, 64<<10)
		for i := 0; i < 1024; i++ { // 64 MiB at most, far past the suite's cap
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}))
	flood.Config.ErrorLog = log.New(io.Discard, "", 0)
	flood.StartTLS()
	t.Cleanup(flood.Close)
	floodCA := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: flood.Certificate().Raw}))

	cases := []struct {
		name, addr, ca, reason string
	}{
		{"garbage bytes", hostileListener(t, func(c net.Conn) {
			b := make([]byte, 4096)
			_, _ = rand.Read(b)
			_, _ = c.Write(b)
		}), "", "tls"},
		{"stalls after accept", hostileListener(t, func(c net.Conn) {
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			_, _ = c.Read(make([]byte, 1<<16))
			time.Sleep(3 * time.Second) // a slow server, not the suite
		}), "", "timeout"},
		{"plain HTTP on the TLS port", hostileListener(t, func(c net.Conn) {
			_, _ = c.Read(make([]byte, 4096))
			_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
		}), "", "http response to https"},
		{"closes mid-handshake", hostileListener(t, func(c net.Conn) {
			_, _ = c.Read(make([]byte, 10))
		}), "", "eof|reset"},
		{"floods the body", strings.TrimPrefix(flood.URL, "https://"), floodCA, "body exceeds the cap"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, stderr, dir := runArgs(t, "--profile", hostileProfile(t, tc.addr, tc.ca), "--rules", "SC003")
			require.Empty(t, stderr)
			assert.Equal(t, verdict.ExitNotAchieved, code, out)
			assert.Contains(t, out, "failed MUST rules: SC003")
			res, err := report.Read(dir)
			require.NoError(t, err)
			require.Len(t, res.Rules, 1)
			assert.Equal(t, verdict.Fail, res.Rules[0].Status)
			assert.Equal(t, report.ScopePartial, res.Scope.Kind)
			probes := 0
			for _, s := range res.Rules[0].Scenarios {
				if strings.Contains(s.Name, "declared") {
					assert.Equal(t, verdict.Fail, s.Status, "no declaration in the profile")
					continue
				}
				if strings.Contains(s.Name, "plain HTTP") {
					// It asks port 80 of the host, not the hostile port:
					// refused there is the best outcome (pass).
					assert.Contains(t, []verdict.Status{verdict.Pass, verdict.Error}, s.Status, s.Name)
					continue
				}
				probes++
				assert.Equal(t, verdict.Error, s.Status, s.Name)
				require.NotNil(t, s.Finding)
				assert.Regexp(t, tc.reason, strings.ToLower(s.Finding.Reason), s.Name)
			}
			assert.GreaterOrEqual(t, probes, 3)
			// The errors are named too, after the failure.
			assert.Contains(t, out, fmt.Sprintf("could not test: SC003 (%d scenario(s))", probes))
			_, err = report.Verify(dir)
			assert.NoError(t, err)
		})
	}
}
