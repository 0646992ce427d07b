package wssec

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Recorded and hand-made answers (testdata/) parse to resolved fault codes;
// what is not a SOAP envelope is ErrNotSOAP (could not test), never a verdict.
func TestParseResponse(t *testing.T) {
	cases := []struct {
		file    string
		codes   []QName
		payload QName
		notSOAP bool
	}{
		{file: "gsoap11_failedcheck.xml", codes: []QName{FailedCheck}},
		{file: "gsoap11_wsu_expired.xml", codes: []QName{MessageExpiredWSU}},
		{file: "cxf11_securityerror.xml", codes: []QName{{"http://ws.apache.org/wss4j", "SecurityError"}}},
		{file: "soap12_sender_invalidsecurity.xml", codes: []QName{InvalidSecurity, SenderS12}},
		{file: "soap11_mustunderstand.xml", codes: []QName{{NSS11, "MustUnderstand"}}},
		{file: "business11.xml", payload: QName{"urn:apisec:reference:patient", "GetPatientResponse"}},
		{file: "html_502.xml", notSOAP: true},
		{file: "undeclared_prefix.xml", notSOAP: true},
		{file: "doctype.xml", notSOAP: true},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseResponse(raw)
			if c.notSOAP {
				if !errors.Is(err, ErrNotSOAP) {
					t.Fatalf("want ErrNotSOAP, got %v (%+v)", err, r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.codes == nil {
				if r.Fault != nil || r.Payload != c.payload {
					t.Fatalf("want payload %v, got %+v", c.payload, r)
				}
				return
			}
			if r.Fault == nil {
				t.Fatalf("want fault %v, got %+v", c.codes, r)
			}
			got := r.Fault.Codes()
			if len(got) != len(c.codes) {
				t.Fatalf("codes %v, want %v", got, c.codes)
			}
			for i := range got {
				if got[i] != c.codes[i] {
					t.Fatalf("codes %v, want %v", got, c.codes)
				}
			}
		})
	}
}

// The receiver-side fault writer round-trips through the parser in both versions.
func TestFaultEnvelopeRoundTrip(t *testing.T) {
	for _, v := range []Version{SOAP11, SOAP12} {
		for _, code := range []QName{FailedCheck, MessageExpiredWSU, ClientS11, SenderS12} {
			if (code == ClientS11 && v == SOAP12) || (code == SenderS12 && v == SOAP11) {
				continue
			}
			r, err := ParseResponse(FaultEnvelope(v, code, "why"))
			if err != nil || r.Fault == nil || r.Fault.Codes()[0] != code || r.Version != v {
				t.Errorf("SOAP %d %s: got %+v, %v", v, code, r, err)
			}
		}
	}
}

func FuzzParseResponse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add(FaultEnvelope(SOAP12, FailedCheck, "x"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := ParseResponse(raw)
		if err == nil && r == nil {
			t.Fatal("nil response without error")
		}
		if err != nil && !errors.Is(err, ErrNotSOAP) {
			t.Fatalf("error outside ErrNotSOAP: %v", err)
		}
	})
}
