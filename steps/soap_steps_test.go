package steps

import (
	"crypto/x509"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apisec/apisec/fixtures/reference/soapserver"
	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/harness/wssec"
)

var soapRules = []string{"SC-S001", "SC-S002"}

// soapTarget starts the reference SOAP endpoint on loopback TLS, with the
// suite's XML credentials in the profile's folder (no oauth section).
func soapTarget(t *testing.T, defects ...string) *Env {
	t.Helper()
	dir := t.TempDir()
	set, err := pki.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.XMLCredential(pki.WSSClientName, "suite", time.Now()); err != nil {
		t.Fatal(err)
	}
	issuer, err := set.XMLCredential(pki.SAMLIssuerName, "issuer", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	on := map[string]bool{}
	for _, d := range defects {
		on[d] = true
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	endpoint := srv.URL + soapserver.Path
	srv.Config.Handler = soapserver.New(soapserver.Config{Roots: set.Pool(), SAMLIssuer: issuer.Cert, Issuer: wssec.SuiteIssuer, Audience: endpoint, Defects: on})
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	p := &profile.Profile{Version: 1, Dir: dir,
		Target: profile.Target{Name: "reference", BaseURL: srv.URL, Interfaces: []string{"soap"}},
		SOAP:   &profile.SOAP{Endpoint: endpoint, WSDL: endpoint + "?wsdl"}}
	return &Env{Profile: p, Catalogue: catalogue.Default(),
		Guard: conduct.NewGuard(conduct.Config{Hosts: p.Hosts(), RatePerSecond: 50, Timeout: 5 * time.Second, RootCAs: pool}),
		Now:   time.Now, Shared: NewMemo()}
}

// runSOAPFeatures runs the shipped SC-S001/SC-S002 features with the SOAP
// steps, concurrently as Run does, and rolls each rule up.
func runSOAPFeatures(t *testing.T, env *Env) map[string]verdict.RuleResult {
	t.Helper()
	rules, _ := runShipped(t, env, soapRules...)
	return rules
}

func TestSOAPFeaturesAgainstReference(t *testing.T) {
	got := runSOAPFeatures(t, soapTarget(t))
	for _, id := range soapRules {
		if rr := got[id]; rr.Status != verdict.Pass || len(rr.Scenarios) == 0 {
			t.Errorf("%s: %s, not passing: %v", id, rr.Status, failing(rr))
		}
	}
}

// A defect of one rule warns that rule (SHOULD) and leaves the other passing.
func TestSOAPFeaturesFlipWithDefects(t *testing.T) {
	for defect, want := range map[string]map[string]verdict.Status{
		soapserver.DefectXSW:     {"SC-S001": verdict.Warn, "SC-S002": verdict.Pass},
		soapserver.DefectSAMLXSW: {"SC-S001": verdict.Pass, "SC-S002": verdict.Warn},
	} {
		got := runSOAPFeatures(t, soapTarget(t, defect))
		for id, st := range want {
			if got[id].Status != st {
				t.Errorf("%s: %s is %s, want %s: %v", defect, id, got[id].Status, st, failing(got[id]))
			}
		}
	}
}

// Without a soap section or interface, every scenario is not_applicable;
// without the suite's credentials, every scenario is could-not-test.
func TestSOAPFeaturesInapplicableOrUntestable(t *testing.T) {
	env := soapTarget(t)
	env.Profile.SOAP = nil
	env.Profile.Target.Interfaces = []string{"rest"}
	for id, rr := range runSOAPFeatures(t, env) {
		if rr.Status != verdict.NotApplicable {
			t.Errorf("no soap: %s is %s", id, rr.Status)
		}
	}
	env = soapTarget(t)
	if err := os.Remove(filepath.Join(env.Profile.Dir, pki.SAMLIssuerName+".key")); err != nil {
		t.Fatal(err)
	}
	for id, rr := range runSOAPFeatures(t, env) {
		for _, s := range rr.Scenarios {
			if s.Status != verdict.Error {
				t.Errorf("no credentials: %s %q is %s, want error", id, s.Name, s.Status)
			}
		}
	}
}
