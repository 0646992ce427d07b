package wssec

import (
	"os"
	"path/filepath"
	"testing"
)

func TestVersionFromWSDL(t *testing.T) {
	for file, want := range map[string]Version{"patient11and12.wsdl": SOAP11, "patient12only.wsdl": SOAP12, "html_502.xml": 0, "doctype.xml": 0, "business11.xml": 0} {
		raw, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := VersionFromWSDL(raw)
		if got != want || (want == 0) != (err != nil) {
			t.Errorf("%s: %v, %v; want %v", file, got, err, want)
		}
	}
}

func FuzzVersionFromWSDL(f *testing.F) {
	for _, n := range []string{"patient11and12.wsdl", "patient12only.wsdl", "doctype.xml"} {
		if b, err := os.ReadFile(filepath.Join("testdata", n)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := VersionFromWSDL(raw)
		if (err == nil) != (v == SOAP11 || v == SOAP12) {
			t.Fatalf("version %v with error %v", v, err)
		}
	})
}
