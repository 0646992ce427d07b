// Package wssec builds, mutates, sends and verifies SOAP envelopes secured
// with WS-Security (X.509 token profile) and SAML 2.0 tokens, and reads the
// SOAP faults a target answers with (SC-S001, SC-S002).
//
// XML is built with beevik/etree; canonicalization (exclusive c14n) and the
// enveloped SAML assertion signature come from russellhaering/goxmldsig.
// goxmldsig cannot make or check a WS-Security message signature (detached,
// several references, KeyInfo as a wsse:SecurityTokenReference), so that
// wiring — SignedInfo with one Reference per wsu:Id, the STR to the
// BinarySecurityToken — and the named mutations are written here by hand.
// Every positive envelope is cross-checked against xmlsec1 in the tests.
package wssec

// Namespaces (docs/reference/soap-wss.md §1.1).
const (
	NSS11   = "http://schemas.xmlsoap.org/soap/envelope/"
	NSS12   = "http://www.w3.org/2003/05/soap-envelope"
	NSWSSE  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	NSWSSE1 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
	NSWSU   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	NSDS    = "http://www.w3.org/2000/09/xmldsig#"
	NSEC    = "http://www.w3.org/2001/10/xml-exc-c14n#"
	NSSAML2 = "urn:oasis:names:tc:SAML:2.0:assertion"
	NSXSI   = "http://www.w3.org/2001/XMLSchema-instance"
)

// Token and algorithm URIs (docs/reference/soap-wss.md §1.2, §1.3).
const (
	EncodingBase64  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
	ValueX509v3     = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
	TokenSAMLV20    = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0"
	ValueSAMLID     = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID"
	CMHolderOfKey   = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
	CMSenderVouches = "urn:oasis:names:tc:SAML:2.0:cm:sender-vouches"

	AlgExcC14N   = "http://www.w3.org/2001/10/xml-exc-c14n#"
	AlgEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	AlgRSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	AlgRSASHA1   = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	AlgSHA256    = "http://www.w3.org/2001/04/xmlenc#sha256"
	AlgSHA1      = "http://www.w3.org/2000/09/xmldsig#sha1"
)

// Version is the SOAP version of an envelope.
type Version int

// SOAP versions.
const (
	SOAP11 Version = 11
	SOAP12 Version = 12
)

// NS is the envelope namespace of the version.
func (v Version) NS() string {
	if v == SOAP12 {
		return NSS12
	}
	return NSS11
}

// ContentType is the HTTP media type of the version (BP 1.1 R1109; SOAP 1.2 Part 2 §7.1.4).
func (v Version) ContentType(action string) string {
	if v == SOAP12 {
		return `application/soap+xml; charset=utf-8; action="` + action + `"`
	}
	return "text/xml; charset=utf-8"
}

// QName is a resolved XML name: namespace URI and local name, never the
// prefix the sender chose (docs/reference/soap-wss.md §0.2).
type QName struct {
	Space string `json:"ns"`
	Local string `json:"local"`
}

func (q QName) String() string {
	if p, ok := prefixes[q.Space]; ok {
		return p + ":" + q.Local
	}
	if q.Space == "" {
		return q.Local
	}
	return "{" + q.Space + "}" + q.Local
}

var prefixes = map[string]string{NSS11: "soap11", NSS12: "soap12", NSWSSE: "wsse", NSWSU: "wsu", NSSAML2: "saml2", NSDS: "ds"}

// WS-Security fault codes (WSS SOAP Message Security 1.1 §12). MessageExpired
// is typed in the utility schema (wsu) but sent as wsse by WSS4J: both count.
var (
	InvalidSecurity          = QName{NSWSSE, "InvalidSecurity"}
	InvalidSecurityToken     = QName{NSWSSE, "InvalidSecurityToken"}
	FailedAuthentication     = QName{NSWSSE, "FailedAuthentication"}
	FailedCheck              = QName{NSWSSE, "FailedCheck"}
	SecurityTokenUnavailable = QName{NSWSSE, "SecurityTokenUnavailable"}
	UnsupportedAlgorithm     = QName{NSWSSE, "UnsupportedAlgorithm"}
	UnsupportedSecurityToken = QName{NSWSSE, "UnsupportedSecurityToken"}
	MessageExpired           = QName{NSWSSE, "MessageExpired"}
	MessageExpiredWSU        = QName{NSWSU, "MessageExpired"}
	// Generic sender-side codes: a DTD or malformed message (SOAP 1.1 §3, SOAP 1.2 Part 1 §5).
	ClientS11 = QName{NSS11, "Client"}
	SenderS12 = QName{NSS12, "Sender"}
)

// IsSecurityFault says whether a code is one of the WSS §12 fault codes.
func IsSecurityFault(q QName) bool {
	return q.Space == NSWSSE || q == MessageExpiredWSU
}
