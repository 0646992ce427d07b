package steps

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

// runTLSFeatures runs the shipped SC004 and SC004.001 features with the TLS
// steps and rolls each rule up.
func runTLSFeatures(t *testing.T, env *Env) map[string]verdict.RuleResult {
	t.Helper()
	rules, _ := runShipped(t, env, "SC004", "SC004.001")
	for id, rr := range rules {
		require.NotEmpty(t, rr.Scenarios, "%s ran no scenario", id)
	}
	return rules
}

func TestTLSFeaturesAgainstBench(t *testing.T) {
	pk, openssl := sharedBenchPKI(t)
	cases := []struct {
		name    string
		edition string
		rows    []string
		want    map[string]verdict.Status
		dos     bool // limits.dos_probes
	}{
		{"baseline passes both rules", "2025-05", []string{"baseline-openssl"},
			map[string]verdict.Status{"SC004": verdict.Pass, "SC004.001": verdict.Pass}, false},
		{"TLS 1.1 fails SC004 under 2025-05", "2025-05", []string{"baseline-openssl", "tls11-enabled"},
			map[string]verdict.Status{"SC004": verdict.Fail, "SC004.001": verdict.Warn}, false},
		{"TLS 1.1 is only Phase out under v2.1", "v2.1", []string{"tls11-enabled"},
			map[string]verdict.Status{"SC004": verdict.Pass, "SC004.001": verdict.Warn}, false},
		{"RSA-2048 warns under 2025-05", "2025-05", []string{"rsa2048"},
			map[string]verdict.Status{"SC004": verdict.Pass, "SC004.001": verdict.Warn}, false},
		{"RSA-2048 is Sufficient under v2.1", "v2.1", []string{"rsa2048"},
			map[string]verdict.Status{"SC004": verdict.Pass, "SC004.001": verdict.Pass}, false},
		{"a certificate for another name fails both editions", "v2.1", []string{"cert-wrong-name"},
			map[string]verdict.Status{"SC004": verdict.Fail, "SC004.001": verdict.Warn}, false},
		// One renegotiation shows it is allowed; whether it is limited
		// (2025: Sufficient) or not (Phase out) needs limits.dos_probes.
		{"renegotiation limit not tested without dos_probes", "2025-05", []string{"client-reneg-unlimited"},
			map[string]verdict.Status{"SC004": verdict.Pass, "SC004.001": verdict.Error}, false},
		{"unlimited renegotiation warns with dos_probes", "2025-05", []string{"client-reneg-unlimited"},
			map[string]verdict.Status{"SC004": verdict.Pass, "SC004.001": verdict.Warn}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var eps []profile.TLSEndpoint
			for _, id := range c.rows {
				eps = append(eps, rowEndpoint(pk, startRow(t, pk, openssl, id)))
			}
			env := endpointEnv(t, pk, c.edition, nil, eps...)
			env.Profile.Limits.DoSProbes = c.dos
			got := runTLSFeatures(t, env)
			for rule, want := range c.want {
				assert.Equal(t, want, got[rule].Status, "%s: %v", rule, failing(got[rule]))
				if want == verdict.Error {
					assert.Contains(t, strings.Join(failing(got[rule]), "\n"), "limits.dos_probes", "%s says what would test it", rule)
				}
			}
		})
	}
}

// TestTLSFeaturesUnreachable: nothing listening is "could not test" (error),
// never a failure, and the reason names the kind once.
func TestTLSFeaturesUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	p := &profile.Profile{Version: 1, Target: profile.Target{Name: "gone", BaseURL: "https://127.0.0.1:1/", Interfaces: []string{"rest"}},
		TLS: profile.TLS{Guideline: "2025-05", Endpoints: []profile.TLSEndpoint{{Address: addr}}}}
	env := &Env{Profile: p, Catalogue: catalogue.Default(),
		Guard: conduct.NewGuard(conduct.Config{Hosts: p.Hosts(), Timeout: 2 * time.Second}), Now: time.Now, Shared: NewMemo()}
	got := runTLSFeatures(t, env)
	for _, rule := range []string{"SC004", "SC004.001"} {
		assert.Equal(t, verdict.Error, got[rule].Status, "%s against a closed port: %v", rule, failing(got[rule]))
		for _, s := range got[rule].Scenarios {
			require.NotNil(t, s.Finding, s.Name)
			assert.Contains(t, s.Finding.Reason, addr, "%s names the endpoint", s.Name)
			assert.NotContains(t, s.Finding.Reason, "refused: refused", s.Name)
			assert.Equal(t, 1, countSubstr(s.Finding.Error(), "refused:"), "%s: %s", s.Name, s.Finding.Error())
		}
	}
}

func countSubstr(s, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			n++
		}
	}
	return n
}
