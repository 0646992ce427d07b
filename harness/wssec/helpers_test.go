package wssec

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/beevik/etree"
)

func testCred(t *testing.T, cn string) Credential {
	t.Helper()
	c, err := SelfSigned(cn, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func etreeDoc(el *etree.Element) []byte {
	d := etree.NewDocument()
	d.SetRoot(el)
	b, _ := d.WriteToBytes()
	return b
}

// testOp is GetPatient of the reference-like testdata WSDL, in SOAP v.
func testOp(t testing.TB, v Version) *Operation {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "patient11and12.wsdl"))
	if err != nil {
		t.Fatal(err)
	}
	binding := map[Version]string{SOAP11: "PatientSoap11", SOAP12: "PatientSoap12"}[v]
	op, err := ResolveOperation(OperationChoice{WSDL: raw, WSDLSource: "testdata", Binding: binding})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// testConfig is a run configuration with fresh credentials against endpoint.
func testConfig(t testing.TB, v Version, endpoint string) Config {
	t.Helper()
	c, err := SelfSigned("client", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	i, err := SelfSigned("issuer", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return Config{Endpoint: endpoint, Op: testOp(t, v), Client: c, SAMLIssuer: i, Issuer: "urn:i", Audience: endpoint, Subject: "s", Now: time.Now}
}
