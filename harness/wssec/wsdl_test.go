package wssec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func payloadString(t *testing.T, op *Operation) string {
	t.Helper()
	return string(etreeDoc(op.Payload.Copy()))
}

// The request comes from the target's WSDL: SOAP version of the chosen
// binding, its soapAction, and a payload generated from the schema.
func TestResolveOperationFromWSDL(t *testing.T) {
	cases := []struct {
		name                     string
		file, op, port, binding  string
		version                  Version
		action, payload, comment string
	}{
		{name: "reference, both bindings: SOAP 1.1", file: "patient11and12.wsdl", version: SOAP11, action: "urn:apisec:reference:patient:GetPatient",
			payload: `<m:GetPatient xmlns:m="urn:apisec:reference:patient"><m:patientId>example</m:patientId></m:GetPatient>`},
		{name: "reference, SOAP 1.2 only", file: "patient12only.wsdl", version: SOAP12, action: "urn:apisec:reference:patient:GetPatient",
			payload: `<m:GetPatient xmlns:m="urn:apisec:reference:patient"><m:patientId>example</m:patientId></m:GetPatient>`},
		{name: "document style, named types", file: "orders.wsdl", op: "FindOrders", version: SOAP12, action: "urn:example:orders:find",
			payload: `<m:FindOrders xmlns:m="urn:example:orders:types"><m:reference>exam</m:reference>` +
				`<m:customer kind="org"><m:name>example</m:name><m:email>example</m:email><m:since>2025-01-01</m:since></m:customer>` +
				`<m:status>OPEN</m:status><limit>1</limit></m:FindOrders>`},
		{name: "empty request element", file: "orders.wsdl", op: "Ping", version: SOAP12, payload: `<m:Ping xmlns:m="urn:example:orders:types"/>`},
		{name: "rpc style by port", file: "orders.wsdl", port: "CountPort11", version: SOAP11, action: "urn:example:orders:count",
			payload: `<m:Count xmlns:m="urn:example:orders:rpc"><year>2025</year><status>OPEN</status></m:Count>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op, err := ResolveOperation(OperationChoice{WSDL: readTestdata(t, c.file), WSDLSource: c.file, Operation: c.op, Port: c.port, Binding: c.binding})
			if err != nil {
				t.Fatal(err)
			}
			if op.Version != c.version || op.Action != c.action || payloadString(t, op) != c.payload {
				t.Errorf("got SOAP %d %q\n%s\nwant SOAP %d %q\n%s", op.Version, op.Action, payloadString(t, op), c.version, c.action, c.payload)
			}
			if !strings.Contains(op.Source, c.file) {
				t.Errorf("source %q does not name the WSDL", op.Source)
			}
		})
	}
}

// What the WSDL leaves open or gets wrong is a one-line reason, never a guess.
func TestResolveOperationRefusals(t *testing.T) {
	cases := []struct {
		name, file, op, port, binding, want string
	}{
		{"several operations", "orders.wsdl", "", "OrdersPort12", "", "name one in soap.operation"},
		{"several bindings", "orders.wsdl", "", "", "", "name soap.port or soap.binding"},
		{"unknown operation", "orders.wsdl", "Delete", "", "", `no SOAP binding has operation "Delete"`},
		{"unknown port", "orders.wsdl", "", "Nope", "", `no port "Nope"`},
		{"unknown binding", "orders.wsdl", "", "", "Nope", `no SOAP binding "Nope"`},
		{"html", "html_502.xml", "", "", "", "WSDL"}, {"not a WSDL", "business11.xml", "", "", "", "no WSDL 1.1 definitions"},
		{"dtd", "doctype.xml", "", "", "", "DTD"},
	}
	for _, c := range cases {
		_, err := ResolveOperation(OperationChoice{WSDL: readTestdata(t, c.file), WSDLSource: c.file, Operation: c.op, Port: c.port, Binding: c.binding})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// A request body from the profile replaces the generated one; without a
// WSDL it is sent as SOAP 1.1 with an empty SOAPAction; with neither there
// is nothing to send.
func TestResolveOperationWithBody(t *testing.T) {
	body := []byte(`<?xml version="1.0"?><p:GetPatient xmlns:p="urn:apisec:reference:patient"><p:patientId>123</p:patientId></p:GetPatient>`)
	op, err := ResolveOperation(OperationChoice{WSDL: readTestdata(t, "patient12only.wsdl"), WSDLSource: "x", Body: body})
	if err != nil || op.Version != SOAP12 || !strings.Contains(payloadString(t, op), ">123<") {
		t.Fatalf("%v %+v", err, op)
	}
	op, err = ResolveOperation(OperationChoice{Body: body})
	if err != nil || op.Version != SOAP11 || op.Action != "" {
		t.Fatalf("%v %+v", err, op)
	}
	if _, err := ResolveOperation(OperationChoice{}); err == nil || !strings.Contains(err.Error(), "soap.request_body") {
		t.Fatalf("no WSDL, no body: %v", err)
	}
	if _, err := ResolveOperation(OperationChoice{Body: []byte("<a>")}); err == nil {
		t.Fatal("malformed body accepted")
	}
}

func FuzzResolveOperation(f *testing.F) {
	for _, n := range []string{"patient11and12.wsdl", "patient12only.wsdl", "orders.wsdl", "doctype.xml"} {
		f.Add(readTestdata(f, n), "")
	}
	f.Add(readTestdata(f, "orders.wsdl"), "FindOrders")
	f.Fuzz(func(t *testing.T, raw []byte, opName string) {
		op, err := ResolveOperation(OperationChoice{WSDL: raw, Operation: opName})
		if (err == nil) != (op != nil && op.Payload != nil && (op.Version == SOAP11 || op.Version == SOAP12)) {
			t.Fatalf("operation %+v with error %v", op, err)
		}
	})
}

// A schema that recurses or branches without end is refused quickly with a
// reason, never generated forever.
func TestGeneratorBoundsRecursiveSchemas(t *testing.T) {
	wsdl := `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">
<types><xs:schema targetNamespace="urn:t">
<xs:complexType name="N"><xs:sequence><xs:element name="a" type="t:N"/><xs:element name="b" type="t:N"/></xs:sequence></xs:complexType>
<xs:complexType name="L"><xs:sequence><xs:element name="v" type="xs:int"/><xs:element name="next" type="t:L" minOccurs="0"/><xs:element ref="t:List" minOccurs="0"/></xs:sequence></xs:complexType>
<xs:element name="List" type="t:L"/>
<xs:attributeGroup name="G"><xs:attributeGroup ref="t:G"/></xs:attributeGroup>
<xs:element name="Tree" type="t:N"/>
<xs:element name="Attrs"><xs:complexType><xs:attributeGroup ref="t:G"/></xs:complexType></xs:element>
</xs:schema></types>
<message name="m1"><part name="p" element="t:Tree"/></message><message name="m3"><part name="p" element="t:List"/></message><message name="m2"><part name="p" element="t:Attrs"/></message>
<portType name="P"><operation name="Tree"><input message="t:m1"/></operation><operation name="Attrs"><input message="t:m2"/></operation><operation name="List"><input message="t:m3"/></operation></portType>
<binding name="B" type="t:P"><soap:binding style="document"/><operation name="Tree"/><operation name="Attrs"/><operation name="List"/></binding>
</definitions>`
	for _, op := range []string{"Tree", "Attrs"} {
		if _, err := ResolveOperation(OperationChoice{WSDL: []byte(wsdl), Operation: op}); err == nil || !strings.Contains(err.Error(), "too deep") {
			t.Errorf("%s: %v, want the too-deep refusal", op, err)
		}
	}
	// An optional recursion (a linked list) stops at the first repeat.
	op, err := ResolveOperation(OperationChoice{WSDL: []byte(wsdl), Operation: "List"})
	if err != nil || string(etreeDoc(op.Payload)) != `<m:List xmlns:m="urn:t"><v>1</v></m:List>` {
		t.Errorf("List: %v %s", err, etreeDoc(op.Payload))
	}
}
