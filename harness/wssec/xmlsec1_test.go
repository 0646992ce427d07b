package wssec

import (
	"github.com/apisec/apisec/internal/testpeer"

	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// xmlsec1 is the independent peer (libxmlsec1, docs/reference/soap-wss.md §4.1): CI must
// have it; a developer machine without it skips visibly.
func xmlsec1(t *testing.T) string {
	t.Helper()
	return testpeer.Require(t, "xmlsec1", "xmlsec1")
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// xmlsec1Verify runs the §4.1 verify invocation on the message signature.
func xmlsec1Verify(t *testing.T, bin, certFile string, v Version, doc []byte) (string, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "signed.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--verify", "--pubkey-cert-pem", certFile,
		"--id-attr:Id", v.NS()+":Body", "--id-attr:Id", NSWSU+":Timestamp",
		"--enabled-reference-uris", "same-doc",
		"--node-xpath", "/*[local-name()='Envelope']/*[local-name()='Header']/*[local-name()='Security']/*[local-name()='Signature']",
		f)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestXmlsec1VerifiesBuiltEnvelopes(t *testing.T) {
	bin := xmlsec1(t)
	for _, v := range []Version{SOAP11, SOAP12} {
		cfg := testConfig(t, v, "https://x/soap")
		certFile := writePEM(t, t.TempDir(), "client.pem", "CERTIFICATE", cfg.Client.Cert.Raw)
		for _, env := range candidates(RuleWSS, true) {
			for _, mu := range []Mutation{Baseline, WithSHA1Signature, WithBodyModifiedAfterSigning, WithSignatureWrapping} {
				m, err := mu.Apply(BaseSpec(cfg, env))
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := m.Bytes()
				out, err := xmlsec1Verify(t, bin, certFile, v, raw)
				ok := err == nil && strings.Contains(out, "OK")
				// Tampering must break the digest; wrapping keeps it valid
				// (xmlsec1 checks crypto, not what the receiver processes).
				want := mu.Name != WithBodyModifiedAfterSigning.Name
				if ok != want {
					t.Errorf("SOAP %d %s %s: xmlsec1 verify ok=%v, want %v:\n%s\n%s", v, env, mu.Name, ok, want, out, raw)
				}
			}
		}
	}
}

// A payload generated from another WSDL (several namespaces, an unqualified
// child, attributes) canonicalizes as libxml2 does.
func TestXmlsec1VerifiesGeneratedPayloads(t *testing.T) {
	bin := xmlsec1(t)
	cfg := testConfig(t, SOAP12, "https://x/soap")
	certFile := writePEM(t, t.TempDir(), "client.pem", "CERTIFICATE", cfg.Client.Cert.Raw)
	for _, c := range []OperationChoice{{WSDL: readTestdata(t, "orders.wsdl"), Operation: "FindOrders"}, {WSDL: readTestdata(t, "orders.wsdl"), Port: "CountPort11"}} {
		op, err := ResolveOperation(c)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Op = op
		m, err := Build(BaseSpec(cfg, Envelope{SAML: true}))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := m.Bytes()
		if out, err := xmlsec1Verify(t, bin, certFile, op.Version, raw); err != nil || !strings.Contains(out, "OK") {
			t.Errorf("%s: xmlsec1 refused: %v\n%s\n%s", op.Source, err, out, raw)
		}
	}
}

// The SAML assertion's enveloped signature checks out in xmlsec1 too.
func TestXmlsec1VerifiesAssertion(t *testing.T) {
	bin := xmlsec1(t)
	now := time.Now()
	client, issuer := testCred(t, "client"), testCred(t, "issuer")
	a, err := BuildAssertion(AssertionSpec{Issuer: "urn:test:issuer", IssuerCred: issuer, Subject: "s", Audience: "a", Confirm: client.Cert,
		IssueInstant: now, NotBefore: now, NotOnOrAfter: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile := writePEM(t, dir, "issuer.pem", "CERTIFICATE", issuer.Cert.Raw)
	doc := etreeDoc(a)
	f := filepath.Join(dir, "a.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--verify", "--pubkey-cert-pem", certFile, "--id-attr:ID", NSSAML2+":Assertion",
		"--enabled-reference-uris", "same-doc", f).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("xmlsec1 refused the assertion: %v\n%s\n%s", err, out, doc)
	}
}
