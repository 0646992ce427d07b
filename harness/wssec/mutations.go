package wssec

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"time"

	"github.com/beevik/etree"
)

// Mutation is one named change to the valid envelope, with the clause it
// tests and the fault codes a conforming receiver answers with.
type Mutation struct {
	Name   string
	Clause string
	// Expect are the fault codes that show the receiver refused the message
	// for the right reason.
	Expect []QName
	// Pre changes the spec before signing; Post the signed tree; Raw the
	// serialized bytes (for what etree cannot express, like a DTD).
	Pre  func(*Spec) error
	Post func(*Message) error
	Raw  func([]byte) ([]byte, error)
	// Replay sends the message twice: the first must be accepted, the
	// second is the probe.
	Replay bool
	// XXE names the loopback URL the message's external entity points to;
	// the runner fills it in and checks nothing fetched it.
	XXE bool
}

// Apply builds the envelope for spec with the mutation applied.
func (mu Mutation) Apply(spec Spec) (*Message, error) {
	if mu.Pre != nil {
		if err := mu.Pre(&spec); err != nil {
			return nil, err
		}
	}
	m, err := Build(spec)
	if err != nil {
		return nil, err
	}
	if mu.Post != nil {
		if err := mu.Post(m); err != nil {
			return nil, err
		}
	}
	if mu.Raw != nil {
		b, err := m.Bytes()
		if err != nil {
			return nil, err
		}
		if m.raw, err = mu.Raw(b); err != nil {
			return nil, err
		}
	}
	return m, nil
}

var (
	expectRefusedStructure = []QName{InvalidSecurity}
	expectExpired          = []QName{MessageExpired, MessageExpiredWSU}
	expectReplay           = []QName{MessageExpired, MessageExpiredWSU, InvalidSecurity}
	expectTampered         = []QName{FailedCheck}
	expectUntrusted        = []QName{FailedAuthentication, InvalidSecurityToken, SecurityTokenUnavailable}
	expectAlgorithm        = []QName{UnsupportedAlgorithm, InvalidSecurity}
	expectWrapped          = []QName{InvalidSecurity, FailedCheck}
	expectDTD              = []QName{ClientS11, SenderS12}
	expectBadToken         = []QName{InvalidSecurityToken, FailedAuthentication}
	expectNoToken          = []QName{InvalidSecurity, FailedAuthentication}
	expectTwoTokens        = []QName{InvalidSecurity, InvalidSecurityToken, FailedAuthentication}
)

// Baseline is the valid envelope (positive control): no change.
var Baseline = Mutation{Name: "Baseline", Clause: "soap-wss.md §2 (positive control)"}

// WithoutSecurityHeader removes wsse:Security after signing.
var WithoutSecurityHeader = Mutation{
	Name: "WithoutSecurityHeader", Clause: "WSS 1.1 §5, §12 (message without its security header)", Expect: expectRefusedStructure,
	Post: func(m *Message) error { return removeOne(m, NSWSSE, "Security") },
}

// WithoutTimestamp signs a message that has no wsu:Timestamp.
var WithoutTimestamp = Mutation{
	Name: "WithoutTimestamp", Clause: "WSS 1.1 §10; BSP 1.1 R3203; Digikoppeling WB004 (Timestamp present and signed)", Expect: expectRefusedStructure,
	Pre: func(s *Spec) error { s.WithoutTimestamp = true; return nil },
}

// WithExpiredTimestamp signs a message whose Timestamp expired 10 minutes ago.
var WithExpiredTimestamp = Mutation{
	Name: "WithExpiredTimestamp", Clause: "WSS 1.1 §10, §12 (MessageExpired)", Expect: expectExpired,
	Pre: func(s *Spec) error { s.Created = s.Created.Add(-15 * time.Minute); s.TTL = 5 * time.Minute; return nil },
}

// WithBodyModifiedAfterSigning changes the Body's text after signing.
var WithBodyModifiedAfterSigning = Mutation{
	Name: "WithBodyModifiedAfterSigning", Clause: "XML-DSig 1.1 §3.2.1 reference validation; WSS 1.1 §12 (FailedCheck)", Expect: expectTampered,
	Post: func(m *Message) error {
		id := m.Doc.FindElement("//patientId")
		if id == nil {
			return errors.New("wssec: no patientId to tamper with")
		}
		id.SetText(id.Text() + "0")
		return nil
	},
}

// WithSignatureByUntrustedCert signs with a fresh self-signed certificate.
var WithSignatureByUntrustedCert = Mutation{
	Name: "WithSignatureByUntrustedCert", Clause: "X.509 Token Profile 1.1 §3; WSS 1.1 §12 (FailedAuthentication)", Expect: expectUntrusted,
	Pre: func(s *Spec) error {
		c, err := SelfSigned("apisec untrusted signer (TEST)", s.Created)
		if err != nil {
			return err
		}
		s.Signer = c
		if s.SAML != nil {
			s.SAML.Confirm = c.Cert
		}
		return nil
	},
}

// WithSHA1Signature signs with rsa-sha1 and sha1 digests.
var WithSHA1Signature = Mutation{
	Name: "WithSHA1Signature", Clause: "XML-DSig 1.1 §6.1, RFC 9231 §2.3 (SHA-1 discouraged); AORTA digitaal tekenen (SHA-256 or stronger)", Expect: expectAlgorithm,
	Pre: func(s *Spec) error { s.SignatureMethod, s.DigestMethod = AlgRSASHA1, AlgSHA1; return nil },
}

// WithReplayedMessage sends one valid message twice (same wsu:Ids, same SignatureValue).
var WithReplayedMessage = Mutation{
	Name: "WithReplayedMessage", Clause: "WSS 1.1 §13.2 (replay: Timestamp with a receiver cache)", Expect: expectReplay, Replay: true,
}

// WithSignatureWrapping moves the signed Body into an unknown header and
// puts an unsigned Body asking for another patient in its place (XSW F1).
var WithSignatureWrapping = Mutation{
	Name: "WithSignatureWrapping", Clause: "WSS 1.1 §13 (process only what is signed); McIntosh & Austel 2005 (XSW)", Expect: expectWrapped,
	Post: func(m *Message) error {
		env := m.Doc.Root()
		body := ChildNS(env, m.Spec.Version.NS(), "Body")
		header := ChildNS(env, m.Spec.Version.NS(), "Header")
		if body == nil || header == nil {
			return errors.New("wssec: no Header or Body to wrap")
		}
		evil := body.Copy()
		evil.RemoveAttr("wsu:Id")
		if id := evil.FindElement("//patientId"); id != nil {
			id.SetText("999999999")
		}
		env.RemoveChild(body)
		w := header.CreateElement("x:Wrapper")
		w.CreateAttr("xmlns:x", "urn:apisec:probe")
		w.AddChild(body)
		env.AddChild(evil)
		return nil
	},
}

// XXEPlaceholder in a WithXXE message is replaced by the recorder's URL.
const XXEPlaceholder = "http://xxe.invalid/"

// WithXXE prepends a DTD declaring an external entity and references it from
// an unsigned header block. The header (not the Body) keeps the signature
// intact, so only the DTD refusal decides the answer.
var WithXXE = Mutation{
	Name: "WithXXE", Clause: "SOAP 1.1 §3, SOAP 1.2 Part 1 §5 (no DTD in a SOAP message); WS-I BP 1.1 R1008", Expect: expectDTD, XXE: true,
	Raw: func(b []byte) ([]byte, error) {
		i := bytes.Index(b, []byte("<wsse:Security"))
		if i < 0 {
			return nil, errors.New("wssec: no Security header to put the entity before")
		}
		out := []byte(`<!DOCTYPE Envelope [<!ENTITY xxe SYSTEM "` + XXEPlaceholder + `">]>`)
		out = append(out, b[:i]...)
		out = append(out, `<x:Probe xmlns:x="urn:apisec:probe">&xxe;</x:Probe>`...)
		return append(out, b[i:]...), nil
	},
}

// SC-S002 mutations of the SAML assertion.

// WithoutAssertion leaves the SAML token out.
var WithoutAssertion = Mutation{
	Name: "WithoutAssertion", Clause: "SAML Token Profile 1.1.1 §3 (the message carries a SAML token); SC-S002", Expect: expectNoToken,
	Pre: func(s *Spec) error { s.SAML = nil; return nil },
}

// WithExpiredAssertion sets Conditions/@NotOnOrAfter 10 minutes in the past.
var WithExpiredAssertion = Mutation{
	Name: "WithExpiredAssertion", Clause: "SAML Core 2.0 §2.5.1.2 (invalid at or after NotOnOrAfter)", Expect: expectBadToken,
	Pre: func(s *Spec) error {
		if s.SAML == nil {
			return errors.New("wssec: no assertion")
		}
		s.SAML.NotBefore, s.SAML.NotOnOrAfter = s.Created.Add(-time.Hour), s.Created.Add(-10*time.Minute)
		return nil
	},
}

// WithWrongAudience restricts the assertion to another relying party.
var WithWrongAudience = Mutation{
	Name: "WithWrongAudience", Clause: "SAML Core 2.0 §2.5.1.4 (AudienceRestriction)", Expect: expectBadToken,
	Pre: func(s *Spec) error {
		if s.SAML == nil {
			return errors.New("wssec: no assertion")
		}
		s.SAML.Audience = "urn:apisec:some-other-service"
		return nil
	},
}

// WithUnsignedAssertion carries the assertion without its issuer signature.
var WithUnsignedAssertion = Mutation{
	Name: "WithUnsignedAssertion", Clause: "SAML Token Profile 1.1.1 §3.4.3 (holder-of-key: assertion signed by a trusted issuer); WSS 1.1 §12", Expect: expectBadToken,
	Pre: func(s *Spec) error {
		if s.SAML == nil {
			return errors.New("wssec: no assertion")
		}
		s.SAML.Unsigned = true
		return nil
	},
}

// WithAssertionWrapping inserts an unsigned copy of the assertion with a new
// ID and another subject before the signed one (SAML XSW3, CVE-2022-41912).
var WithAssertionWrapping = Mutation{
	Name: "WithAssertionWrapping", Clause: "SAML Token Profile 1.1.1 §3; Somorovsky et al. 2012 (XSW3); CVE-2022-41912", Expect: expectTwoTokens,
	Post: func(m *Message) error {
		sec := m.Doc.FindElement("//Security")
		a := ChildNS(sec, NSSAML2, "Assertion")
		if a == nil {
			return errors.New("wssec: no assertion to wrap")
		}
		evil := a.Copy()
		if s := ChildNS(evil, NSDS, "Signature"); s != nil {
			evil.RemoveChild(s)
		}
		evil.CreateAttr("ID", "_evil"+randomID())
		if n := evil.FindElement("//NameID"); n != nil {
			n.SetText("evil-admin")
		}
		sec.InsertChildAt(a.Index(), evil)
		return nil
	},
}

// S001 and S002 are the negative probes of each rule, in plan order.
var (
	S001 = []Mutation{WithoutSecurityHeader, WithoutTimestamp, WithExpiredTimestamp, WithBodyModifiedAfterSigning,
		WithSignatureByUntrustedCert, WithSHA1Signature, WithReplayedMessage, WithSignatureWrapping, WithXXE}
	S002 = []Mutation{WithoutAssertion, WithExpiredAssertion, WithWrongAudience, WithUnsignedAssertion, WithAssertionWrapping}
)

func removeOne(m *Message, ns, local string) error {
	for _, e := range m.Doc.FindElements("//" + local) {
		if e.NamespaceURI() == ns {
			e.Parent().RemoveChild(e)
			return nil
		}
	}
	return errors.New("wssec: no " + local + " to remove")
}

// ChildNS is the first child element of e with that namespace and local name.
func ChildNS(e *etree.Element, ns, local string) *etree.Element {
	if e == nil {
		return nil
	}
	for _, c := range e.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

// SelfSigned makes a throw-away RSA credential no one trusts.
func SelfSigned(cn string, now time.Time) (Credential, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Credential{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return Credential{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return Credential{Key: key, Cert: cert}, err
}
