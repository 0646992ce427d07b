package steps

import (
	"bytes"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
	env, _ := soapTargetCounting(t, defects...)
	return env
}

// soapTargetCounting is soapTarget with a record of every POSTed envelope.
func soapTargetCounting(t *testing.T, defects ...string) (*Env, func() []string) {
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
	ref := soapserver.New(soapserver.Config{Roots: set.Pool(), SAMLIssuer: issuer.Cert, Issuer: wssec.SuiteIssuer, Audience: endpoint, Defects: on})
	var mu sync.Mutex
	var posted []string
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			posted = append(posted, string(b))
			mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		ref.ServeHTTP(w, r)
	})
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	p := &profile.Profile{Version: 1, Dir: dir,
		Target: profile.Target{Name: "reference", BaseURL: srv.URL, Interfaces: []string{"soap"}},
		SOAP:   &profile.SOAP{Endpoint: endpoint, WSDL: endpoint + "?wsdl"}}
	return &Env{Profile: p, Catalogue: catalogue.Default(),
			Guard: conduct.NewGuard(conduct.Config{Hosts: p.Hosts(), RatePerSecond: 200, Timeout: 5 * time.Second, RootCAs: pool}),
			Now:   time.Now, Shared: NewMemo()}, func() []string {
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(posted)
		}
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
		soapserver.DefectXSW:                   {"SC-S001": verdict.Warn, "SC-S002": verdict.Pass},
		soapserver.DefectSAMLXSW:               {"SC-S001": verdict.Pass, "SC-S002": verdict.Warn},
		soapserver.DefectSAMLNotRequired:       {"SC-S001": verdict.Pass, "SC-S002": verdict.Warn},
		soapserver.DefectSAMLIgnoreHolderOfKey: {"SC-S001": verdict.Pass, "SC-S002": verdict.Warn},
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

// SC-S001 alone sends no SC-S002 probe: no assertion mutation reaches the
// target, and the number of messages stays within SC-S001's plan.
func TestSOAPRuleScopeSendsOnlyItsProbes(t *testing.T) {
	env, posted := soapTargetCounting(t)
	rules, _ := runShipped(t, env, wssec.RuleWSS)
	if rr := rules[wssec.RuleWSS]; rr.Status != verdict.Pass {
		t.Fatalf("SC-S001: %s %v", rr.Status, failing(rr))
	}
	budget := 0
	for _, p := range wssec.Plan(wssec.RuleWSS) {
		budget += p.Requests
	}
	msgs := posted()
	if len(msgs) == 0 || len(msgs) > budget {
		t.Errorf("%d messages, want 1..%d", len(msgs), budget)
	}
	for _, m := range msgs {
		for _, marker := range []string{"not-the-trusted-issuer", wssec.CMSenderVouches, "_evil", "some-other-service"} {
			if strings.Contains(m, marker) {
				t.Errorf("an SC-S002 probe (%s) was sent in an SC-S001 run", marker)
			}
		}
	}
}

// A service described by a WSDL file, with the request body from a file:
// the profile's files are read from its folder and the request carries the
// body's values.
func TestSOAPRequestFromWSDLFileAndBody(t *testing.T) {
	env, posted := soapTargetCounting(t)
	dir := env.Profile.Dir
	wsdl := soapserver.WSDL(env.Profile.SOAP.Endpoint)
	if err := os.WriteFile(filepath.Join(dir, "patient.wsdl"), []byte(wsdl), 0o600); err != nil {
		t.Fatal(err)
	}
	body := `<p:GetPatient xmlns:p="urn:apisec:reference:patient"><p:patientId>4711</p:patientId></p:GetPatient>`
	if err := os.WriteFile(filepath.Join(dir, "request.xml"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env.Profile.SOAP.WSDL, env.Profile.SOAP.RequestBody, env.Profile.SOAP.Port = "patient.wsdl", "request.xml", "PatientSoap12Port"
	rules, _ := runShipped(t, env, wssec.RuleWSS)
	if rr := rules[wssec.RuleWSS]; rr.Status != verdict.Pass {
		t.Fatalf("SC-S001: %s %v", rr.Status, failing(rr))
	}
	msgs := posted()
	if !strings.Contains(msgs[0], ">4711<") || !strings.Contains(msgs[0], wssec.NSS12) {
		t.Errorf("the request does not carry the body file's values in SOAP 1.2:\n%s", msgs[0])
	}
	env.Profile.SOAP.RequestBody = "missing.xml"
	env.Shared = NewMemo()
	rules, _ = runShipped(t, env, wssec.RuleWSS)
	for _, s := range rules[wssec.RuleWSS].Scenarios {
		if s.Status != verdict.Error || !strings.Contains(s.Finding.Reason, "soap.request_body") {
			t.Errorf("missing body file: %s %v, want error naming soap.request_body", s.Status, s.Finding)
		}
	}
}
