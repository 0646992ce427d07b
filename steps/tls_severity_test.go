package steps

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/apisec/apisec/harness/ncsc"
	"github.com/apisec/apisec/harness/verdict"
)

// TestTLSSeverity pins docs/severity.md (TLS): the severity follows what an
// item costs, not only its level.
func TestTLSSeverity(t *testing.T) {
	cases := []struct {
		item ncsc.Item
		want verdict.Severity
	}{
		{ncsc.Item{Kind: ncsc.KindVersion, ID: 0x0002}, verdict.Critical},
		{ncsc.Item{Kind: ncsc.KindVersion, ID: 0x0300}, verdict.High},
		{ncsc.Item{Kind: ncsc.KindVersion, ID: 0x0301}, verdict.High},
		{ncsc.Item{Kind: ncsc.KindCipherSuite, ID: 0x003B, Version: 0x0303}, verdict.Critical}, // NULL-SHA256
		{ncsc.Item{Kind: ncsc.KindCipherSuite, ID: 0x00A6, Version: 0x0303}, verdict.Critical}, // DH_anon
		{ncsc.Item{Kind: ncsc.KindCipherSuite, ID: 0x0005, Version: 0x0303}, verdict.High},     // RC4
		{ncsc.Item{Kind: ncsc.KindCipherSuite, ID: 0x009C, Version: 0x0303}, verdict.Medium},   // static RSA
		{ncsc.Item{Kind: ncsc.KindCipherSuite, ID: 0xC013, Version: 0x0303}, verdict.Medium},   // HMAC-SHA1
		{ncsc.Item{Kind: ncsc.KindCertSignature, Name: "sha1"}, verdict.High},
		{ncsc.Item{Kind: ncsc.KindCertTrust, State: ncsc.StateUntrusted}, verdict.High},
		{ncsc.Item{Kind: ncsc.KindKexSignature, ID: 0x0201}, verdict.Medium},
		{ncsc.Item{Kind: ncsc.KindCompression, State: ncsc.StateOn}, verdict.High},
		{ncsc.Item{Kind: ncsc.KindZeroRTT, State: ncsc.StateOn}, verdict.Medium},
		{ncsc.Item{Kind: ncsc.KindGroup, ID: 0x0100, Version: 0x0304}, verdict.Medium},
		{ncsc.Item{Kind: ncsc.KindCipherOrder, State: ncsc.StateClientOrder}, verdict.Low},
		// Phase out in 2025-05: low whatever the item.
		{ncsc.Item{Kind: ncsc.KindCipherSuite, ID: 0xC027, Version: 0x0303}, verdict.Low},
		{ncsc.Item{Kind: ncsc.KindClientRenegotiation, State: ncsc.StateUnlimited}, verdict.Low},
	}
	for _, c := range cases {
		f := ncsc.Finding{Item: c.item, Grading: ncsc.Grade(ncsc.Edition2025, c.item)}
		assert.Equal(t, c.want, tlsSeverity(f), "%s %+v graded %s", c.item.Kind, c.item, f.Level)
	}
}
