package steps

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/fixtures/reference/authserver"
	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
	gojose "github.com/go-jose/go-jose/v4"
)

var oauthRules = []string{"SC-R001", "SC-R002", "SC-R003", "SC008"}

// oauthTarget starts the reference authorization server on loopback TLS and
// returns an Env whose profile points the suite at it.
func oauthTarget(t *testing.T, defects ...string) *Env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "https://" + ln.Addr().String()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// A second registered client whose key the suite holds (checklist B9d).
	key2, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, k := range map[string]*ecdsa.PrivateKey{"client.key": key, "client2.key": key2} {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	on := map[string]bool{}
	for _, d := range defects {
		on[d] = true
	}
	as, err := authserver.New(authserver.Config{Issuer: issuer, AudienceMode: authserver.AudienceRFC7523bis, Defects: on,
		Clients: []authserver.Client{
			{ID: "apisec-client", Keys: gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}}},
			{ID: "apisec-client-2", Keys: gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{{Key: &key2.PublicKey, KeyID: "k2", Algorithm: "ES256", Use: "sig"}}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(as.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	p := &profile.Profile{Version: 1, Dir: dir,
		Target: profile.Target{Name: "reference", BaseURL: issuer, Interfaces: []string{"rest"}},
		OAuth: &profile.OAuth{Issuer: as.Issuer(), TokenEndpoint: as.TokenEndpoint(), ResourceURL: as.PatientURL("p1"),
			ClientID: "apisec-client", SigningKey: "client.key", KeyID: "k1", KeyDistribution: "registered",
			AudienceProfile: "rfc7523bis", GrantSubject: "test-user", Scope: "system/Patient.read",
			SecondClient: &profile.SecondClient{ClientID: "apisec-client-2", SigningKey: "client2.key", KeyID: "k2"}}}
	return &Env{Profile: p, Catalogue: catalogue.Default(),
		Guard: conduct.NewGuard(conduct.Config{Hosts: p.Hosts(), RatePerSecond: 20, Timeout: 5 * time.Second, RootCAs: pool}),
		Now:   time.Now, Shared: NewMemo()}
}

type oauthOutcome struct {
	rules  map[string]verdict.RuleResult
	probes map[string]verdict.Status // probe id → scenario status
}

// runOAuthFeatures runs the shipped feature files of the four rules with
// the OAuth steps, the way Run does (concurrent scenarios), and rolls up.
func runOAuthFeatures(t *testing.T, env *Env) oauthOutcome {
	t.Helper()
	rules, run := runShipped(t, env, oauthRules...)
	out := oauthOutcome{rules: rules, probes: map[string]verdict.Status{}}
	for _, rr := range run.Rules {
		for _, s := range rr.Scenarios {
			for _, path := range s.Evidence {
				out.probes[run.Evidence[path].Name] = s.Status
			}
		}
	}
	return out
}

func failing(rr verdict.RuleResult) []string {
	var out []string
	for _, s := range rr.Scenarios {
		if s.Status != verdict.Pass && s.Status != verdict.NotApplicable {
			msg := s.Status.String() + " " + s.Name
			if s.Finding != nil {
				msg += ": " + s.Finding.Error()
			}
			out = append(out, msg)
		}
	}
	sort.Strings(out)
	return out
}

// TestOAuthFeaturesAgainstReference: the shipped features pass against the
// conformant reference target, every planned probe is judged by exactly one
// scenario, and the run sends no more than the plan lists. (Its duration
// at 20 req/s is a benchmark's business, not a test's.)
func TestOAuthFeaturesAgainstReference(t *testing.T) {
	env := oauthTarget(t)
	env.Guard = fastGuard(env)
	got := runOAuthFeatures(t, env)
	for _, id := range oauthRules {
		if rr := got.rules[id]; rr.Status != verdict.Pass {
			t.Errorf("%s: %s\n%s", id, rr.Status, strings.Join(failing(rr), "\n"))
		}
	}
	plan := oauth.Plan(env.Profile.OAuth)
	var planned, judged []string
	for _, p := range plan {
		planned = append(planned, p.ID)
	}
	for id := range got.probes {
		judged = append(judged, id)
	}
	slices.Sort(planned)
	slices.Sort(judged)
	if !slices.Equal(planned, judged) {
		t.Errorf("feature rows and plan differ:\nplan     %v\nfeatures %v", planned, judged)
	}
	if used, total := env.Guard.Used(), oauth.Total(plan); used > int64(total) {
		t.Errorf("sent %d requests, the plan lists %d", used, total)
	}
	t.Logf("%d probes, %d requests", len(plan), env.Guard.Used())
}

// fastGuard lifts the rate limit for tests against the loopback reference.
func fastGuard(env *Env) *conduct.Guard {
	return conduct.NewGuard(conduct.Config{Hosts: env.Profile.Hosts(), RatePerSecond: 2000, Burst: 200, Timeout: 5 * time.Second, RootCAs: env.Guard.RootCAs()})
}

// TestOAuthFeaturesFlipWithDefects: a defect turns exactly its rules.
func TestOAuthFeaturesFlipWithDefects(t *testing.T) {
	for _, d := range []string{authserver.DefectAcceptAlgNone, authserver.DefectAdvertiseClientSecretJWT, authserver.DefectNoPKCE, authserver.DefectAcceptExpiredAssertion, authserver.DefectAcceptForeignKey, authserver.Defect500OnFutureIat} {
		t.Run(d, func(t *testing.T) {
			var breaks []string
			for _, def := range authserver.Defects() {
				if def.Name == d {
					breaks = def.Breaks
				}
			}
			env := oauthTarget(t, d)
			env.Guard = fastGuard(env)
			got := runOAuthFeatures(t, env)
			for _, id := range oauthRules {
				want := verdict.Pass
				if slices.Contains(breaks, id) {
					want = verdict.Fail
					if id == "SC-R002" {
						want = verdict.Warn // a SHOULD rule's fail is a warning
					}
				}
				if got.rules[id].Status != want {
					t.Errorf("%s: got %s, want %s\n%s", id, got.rules[id].Status, want, strings.Join(failing(got.rules[id]), "\n"))
				}
			}
		})
	}
}

// TestOAuthFeaturesWithoutOAuthSection: a REST target whose profile has no
// oauth section leaves every OAuth scenario not assessed (docs/design.md: a
// profile without the section a rule needs), never not_applicable (which
// would let a level be achieved) and never pass.
func TestOAuthFeaturesWithoutOAuthSection(t *testing.T) {
	env := oauthTarget(t)
	env.Profile.OAuth = nil
	got := runOAuthFeatures(t, env)
	for _, id := range oauthRules {
		rr := got.rules[id]
		if rr.Status != verdict.NotAssessed || len(rr.Scenarios) == 0 {
			t.Errorf("%s: %s with %d scenarios", id, rr.Status, len(rr.Scenarios))
		}
		for _, s := range rr.Scenarios {
			if s.Status != verdict.NotAssessed {
				t.Errorf("%s %q: %s", id, s.Name, s.Status)
			}
		}
	}
}
