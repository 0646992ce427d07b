package wssec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/apisec/apisec/harness/conduct"
	"github.com/beevik/etree"
)

// WSDL 1.1 binding namespaces.
const (
	NSWSDLSOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
	NSWSDLSOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
)

// VersionFromWSDL picks the SOAP version the target's WSDL binds: SOAP 1.1
// when it has a SOAP 1.1 binding (the suite's default), SOAP 1.2 when that
// is the only one. It never panics on target data (FuzzVersionFromWSDL).
func VersionFromWSDL(raw []byte) (Version, error) {
	doc := etree.NewDocument()
	doc.ReadSettings = readSettings
	if err := doc.ReadFromBytes(raw); err != nil {
		return 0, fmt.Errorf("WSDL: %w", err)
	}
	for _, t := range doc.Child {
		if d, ok := t.(*etree.Directive); ok && strings.HasPrefix(strings.TrimSpace(d.Data), "DOCTYPE") {
			return 0, errors.New("WSDL: carries a DTD")
		}
	}
	if doc.Root() == nil || doc.Root().Tag != "definitions" {
		return 0, errors.New("WSDL: no wsdl:definitions element")
	}
	has := map[string]bool{}
	for _, b := range doc.Root().FindElements("./binding/binding") {
		has[b.NamespaceURI()] = true
	}
	switch {
	case has[NSWSDLSOAP11]:
		return SOAP11, nil
	case has[NSWSDLSOAP12]:
		return SOAP12, nil
	}
	return 0, errors.New("WSDL: no SOAP 1.1 or 1.2 binding")
}

// FetchWSDL gets the WSDL (capped) and returns its SOAP version.
func FetchWSDL(ctx context.Context, hc *http.Client, url string, bodyCap int64) (Version, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := conduct.ReadBody(resp.Body, bodyCap)
	if err != nil {
		return 0, raw, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, raw, fmt.Errorf("WSDL: HTTP %d", resp.StatusCode)
	}
	v, err := VersionFromWSDL(raw)
	return v, raw, err
}
