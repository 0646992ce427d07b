package steps

import (
	"strings"

	"github.com/apisec/apisec/harness/ncsc"
	"github.com/apisec/apisec/harness/verdict"
)

// tlsSeverity ranks one NCSC finding by what it costs the endpoint's users
// (docs/severity.md, TLS): anything only Phase out is low; an Insufficient
// item is critical when it removes encryption or authentication outright,
// high when it is practically attackable (old protocols, broken ciphers,
// weak or untrusted certificates, compression, insecure renegotiation),
// medium when it weakens a property without a practical attack today
// (0-RTT replay, missing forward secrecy, weak groups, no EMS), and low for
// the cipher order.
func tlsSeverity(f ncsc.Finding) verdict.Severity {
	if f.Level < ncsc.Insufficient {
		return verdict.Low
	}
	it := f.Item
	switch it.Kind {
	case ncsc.KindVersion:
		if it.ID == 0x0002 || it.ID == 0x0200 {
			return verdict.Critical // SSL 2.0: DROWN, no handshake integrity
		}
		return verdict.High // SSL 3.0 (POODLE), TLS 1.0/1.1 (BEAST, SHA-1 PRF)
	case ncsc.KindCipherSuite:
		name := ncsc.SuiteName(it.ID)
		switch {
		case strings.Contains(name, "_NULL_") || strings.HasSuffix(name, "_NULL") || strings.Contains(name, "_anon_") || strings.Contains(name, "EXPORT"):
			return verdict.Critical // no encryption, no authentication, or export-grade keys
		case strings.Contains(name, "RC4") || strings.Contains(name, "_DES_") || strings.Contains(name, "DES40") ||
			strings.Contains(name, "RC2") || strings.Contains(name, "IDEA"):
			return verdict.High
		}
		return verdict.Medium // static RSA, 3DES, HMAC-SHA1, CCM_8, unlisted
	case ncsc.KindCertKey, ncsc.KindCertSignature, ncsc.KindCertTrust, ncsc.KindCertName:
		return verdict.High
	case ncsc.KindKexSignature:
		if strings.Contains(ncsc.SignatureSchemeName(it.ID), "md5") {
			return verdict.High
		}
		return verdict.Medium
	case ncsc.KindCompression, ncsc.KindSecureRenegotiation:
		return verdict.High // CRIME; renegotiation injection (RFC 5746)
	case ncsc.KindCipherOrder:
		return verdict.Low // the weaker suites are graded on their own
	}
	return verdict.Medium // groups, DHE primes, 0-RTT, EMS, client renegotiation
}
