package steps

import (
	"github.com/apisec/apisec/internal/testpeer"

	"context"
	"crypto/x509"
	"net"
	"os"
	"testing"
	"time"

	"github.com/apisec/apisec/fixtures/tlsbench"
	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

// tlsBenchEnv starts bench rows and returns an Env whose profile lists them
// as TLS endpoints, graded by edition.
func tlsBenchEnv(t *testing.T, pki *tlsbench.PKI, openssl, edition string, rowIDs ...string) *Env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	p := &profile.Profile{Version: 1, Dir: t.TempDir(),
		Target: profile.Target{Name: "tls bench", BaseURL: "https://127.0.0.1:1/", Interfaces: []string{"rest"}},
		TLS:    profile.TLS{Guideline: edition}}
	for _, id := range rowIDs {
		row, ok := tlsbench.RowByID(id)
		if !ok {
			t.Fatalf("no bench row %s", id)
		}
		s, err := tlsbench.Start(ctx, pki, tlsbench.Binaries{OpenSSL: openssl}, row, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Stop() })
		p.TLS.Endpoints = append(p.TLS.Endpoints, profile.TLSEndpoint{Address: s.Addr, ServerName: "localhost"})
	}
	ca, err := os.ReadFile(pki.Path("ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return &Env{Profile: p, Catalogue: catalogue.Default(),
		Guard: conduct.NewGuard(conduct.Config{Hosts: p.Hosts(), RatePerSecond: 200, MaxRequests: 5000, Timeout: 5 * time.Second, RootCAs: pool}),
		Now:   time.Now, Shared: NewMemo()}
}

// runTLSFeatures runs the shipped SC004 and SC004.001 features with the TLS
// steps and rolls each rule up.
func runTLSFeatures(t *testing.T, env *Env) map[string]verdict.RuleResult {
	t.Helper()
	rules, _ := runShipped(t, env, "SC004", "SC004.001")
	for id, rr := range rules {
		if len(rr.Scenarios) == 0 {
			t.Fatalf("%s ran no scenario", id)
		}
	}
	return rules
}

// benchPKI finds openssl and generates the bench PKI in the test's temp dir.
func benchPKI(t *testing.T) (*tlsbench.PKI, string) {
	t.Helper()
	openssl := testpeer.Require(t, "openssl", "openssl")
	pki, err := tlsbench.NewPKI(context.Background(), openssl, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return pki, openssl
}

func TestTLSFeaturesAgainstBench(t *testing.T) {
	pki, openssl := benchPKI(t)
	cases := []struct {
		name    string
		edition string
		rows    []string
		want    map[string]verdict.Status
	}{
		{"baseline passes both rules", "2025-05", []string{"baseline-openssl"},
			map[string]verdict.Status{"SC004": verdict.Pass, "SC004.001": verdict.Pass}},
		{"TLS 1.1 fails SC004 under 2025-05", "2025-05", []string{"baseline-openssl", "tls11-enabled"},
			map[string]verdict.Status{"SC004": verdict.Fail, "SC004.001": verdict.Warn}},
		{"TLS 1.1 is only Phase out under v2.1", "v2.1", []string{"tls11-enabled"},
			map[string]verdict.Status{"SC004": verdict.Pass, "SC004.001": verdict.Warn}},
		{"RSA-2048 warns under 2025-05", "2025-05", []string{"rsa2048"},
			map[string]verdict.Status{"SC004": verdict.Pass, "SC004.001": verdict.Warn}},
		{"RSA-2048 is Sufficient under v2.1", "v2.1", []string{"rsa2048"},
			map[string]verdict.Status{"SC004": verdict.Pass, "SC004.001": verdict.Pass}},
		{"a certificate for another name fails both editions", "v2.1", []string{"cert-wrong-name"},
			map[string]verdict.Status{"SC004": verdict.Fail, "SC004.001": verdict.Warn}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runTLSFeatures(t, tlsBenchEnv(t, pki, openssl, c.edition, c.rows...))
			for _, rule := range []string{"SC004", "SC004.001"} {
				for _, line := range failing(got[rule]) {
					t.Log(line)
				}
			}
			for rule, want := range c.want {
				if got[rule].Status != want {
					t.Errorf("%s: %s, want %s; scenarios: %v", rule, got[rule].Status, want, failing(got[rule]))
				}
			}
		})
	}
}

// TestTLSFeaturesUnreachable: nothing listening is "could not test" (error),
// never a failure.
func TestTLSFeaturesUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &profile.Profile{Version: 1, Target: profile.Target{Name: "gone", BaseURL: "https://127.0.0.1:1/", Interfaces: []string{"rest"}},
		TLS: profile.TLS{Guideline: "2025-05", Endpoints: []profile.TLSEndpoint{{Address: addr}}}}
	env := &Env{Profile: p, Catalogue: catalogue.Default(),
		Guard: conduct.NewGuard(conduct.Config{Hosts: p.Hosts(), Timeout: 2 * time.Second}), Now: time.Now, Shared: NewMemo()}
	got := runTLSFeatures(t, env)
	for _, rule := range []string{"SC004", "SC004.001"} {
		if got[rule].Status != verdict.Error {
			t.Errorf("%s against a closed port: %s, want error; %v", rule, got[rule].Status, failing(got[rule]))
		}
	}
}
