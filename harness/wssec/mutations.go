package wssec

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/verdict"
	"github.com/beevik/etree"
)

// Mutation is one named change to the valid envelope, with the clause it
// tests, the fault codes a conforming receiver answers with, and how bad it
// is when the target accepts the changed message (docs/severity.md, SOAP).
type Mutation struct {
	Name   string
	Clause string
	// Expect are the fault codes that show the receiver refused the message
	// for the right reason.
	Expect []QName
	// Severity of accepting the message.
	Severity verdict.Severity
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
	expectUnbound          = []QName{FailedAuthentication, InvalidSecurity, InvalidSecurityToken}
)

// Baseline is the valid envelope (positive control): no change.
var Baseline = Mutation{Name: "Baseline", Clause: "docs/reference/soap-wss.md §2 (positive control)"}

// WithoutSecurityHeader removes wsse:Security after signing.
var WithoutSecurityHeader = Mutation{
	Name: "WithoutSecurityHeader", Clause: "WSS 1.1 §5, §12 (message without its security header)", Expect: expectRefusedStructure,
	Severity: verdict.Critical,
	Post:     func(m *Message) error { return removeOne(m, NSWSSE, "Security") },
}

// WithoutTimestamp signs a message that has no wsu:Timestamp.
var WithoutTimestamp = Mutation{
	Name: "WithoutTimestamp", Clause: "WSS 1.1 §10; BSP 1.1 R3203; Digikoppeling WB004 (Timestamp present and signed)", Expect: expectRefusedStructure,
	Severity: verdict.Medium,
	Pre:      func(s *Spec) error { s.WithoutTimestamp = true; return nil },
}

// WithExpiredTimestamp signs a message whose Timestamp expired 10 minutes ago.
var WithExpiredTimestamp = Mutation{
	Name: "WithExpiredTimestamp", Clause: "WSS 1.1 §10, §12 (MessageExpired)", Expect: expectExpired,
	Severity: verdict.Medium,
	Pre:      func(s *Spec) error { s.Created = s.Created.Add(-15 * time.Minute); s.TTL = 5 * time.Minute; return nil },
}

// WithBodyModifiedAfterSigning changes the Body's content after signing.
var WithBodyModifiedAfterSigning = Mutation{
	Name: "WithBodyModifiedAfterSigning", Clause: "XML-DSig 1.1 §3.2.1 reference validation; WSS 1.1 §12 (FailedCheck)", Expect: expectTampered,
	Severity: verdict.Critical,
	Post: func(m *Message) error {
		body := ChildNS(m.Doc.Root(), m.Spec.Version.NS(), "Body")
		if body == nil || len(body.ChildElements()) == 0 {
			return errors.New("wssec: no Body payload to tamper with")
		}
		Tamper(body.ChildElements()[0])
		return nil
	},
}

// WithSignatureByUntrustedCert signs with a fresh self-signed certificate.
var WithSignatureByUntrustedCert = Mutation{
	Name: "WithSignatureByUntrustedCert", Clause: "X.509 Token Profile 1.1 §3; WSS 1.1 §12 (FailedAuthentication)", Expect: expectUntrusted,
	Severity: verdict.Critical,
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

// WithSHA1Signature signs with rsa-sha1 and sha1 digests. XML-DSig 1.1 still
// requires verifiers to support SHA-1, so it is not what forbids it: the
// policies that apply to these APIs are.
var WithSHA1Signature = Mutation{
	Name: "WithSHA1Signature", Clause: "AORTA digitaal tekenen (SHA-256 or stronger, SHA-1 no longer used); NIST SP 800-131A Rev. 2 §9 (SHA-1 disallowed for signature generation)", Expect: expectAlgorithm,
	Severity: verdict.Medium,
	Pre:      func(s *Spec) error { s.SignatureMethod, s.DigestMethod = AlgRSASHA1, AlgSHA1; return nil },
}

// WithReplayedMessage sends one valid message twice (same wsu:Ids, same SignatureValue).
var WithReplayedMessage = Mutation{
	Name: "WithReplayedMessage", Clause: "WSS 1.1 §13.2 (replay: Timestamp with a receiver cache)", Expect: expectReplay, Replay: true,
	Severity: verdict.Medium,
}

// WithSignatureWrapping moves the signed Body into an unknown header and
// puts an unsigned, changed copy of the Body in its place (XSW F1).
var WithSignatureWrapping = Mutation{
	Name: "WithSignatureWrapping", Clause: "WSS 1.1 §13 (process only what is signed); McIntosh & Austel 2005 (XSW)", Expect: expectWrapped,
	Severity: verdict.Critical,
	Post: func(m *Message) error {
		env := m.Doc.Root()
		body := ChildNS(env, m.Spec.Version.NS(), "Body")
		header := ChildNS(env, m.Spec.Version.NS(), "Header")
		if body == nil || header == nil || len(body.ChildElements()) == 0 {
			return errors.New("wssec: no Header or Body to wrap")
		}
		evil := body.Copy()
		evil.RemoveAttr("wsu:Id")
		Tamper(evil.ChildElements()[0])
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
	Severity: verdict.Medium,
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

func needAssertion(s *Spec) error {
	if s.SAML == nil {
		return errors.New("wssec: no assertion")
	}
	return nil
}

// WithoutAssertion leaves the SAML token out: a target that processes it
// does not require the SAML Token Profile.
var WithoutAssertion = Mutation{
	Name: "WithoutAssertion", Clause: "SAML Token Profile 1.1.1 §3 (the message carries a SAML token); SC-S002", Expect: expectNoToken,
	Severity: verdict.Medium,
	Pre:      func(s *Spec) error { s.SAML = nil; return nil },
}

// WithExpiredAssertion sets Conditions/@NotOnOrAfter 10 minutes in the past.
var WithExpiredAssertion = Mutation{
	Name: "WithExpiredAssertion", Clause: "SAML Core 2.0 §2.5.1.2 (invalid at or after NotOnOrAfter)", Expect: expectBadToken,
	Severity: verdict.Critical,
	Pre: func(s *Spec) error {
		if err := needAssertion(s); err != nil {
			return err
		}
		s.SAML.NotBefore, s.SAML.NotOnOrAfter = s.Created.Add(-time.Hour), s.Created.Add(-10*time.Minute)
		return nil
	},
}

// WithWrongAudience restricts the assertion to another relying party.
var WithWrongAudience = Mutation{
	Name: "WithWrongAudience", Clause: "SAML Core 2.0 §2.5.1.4 (AudienceRestriction)", Expect: expectBadToken,
	Severity: verdict.High,
	Pre: func(s *Spec) error {
		if err := needAssertion(s); err != nil {
			return err
		}
		s.SAML.Audience = "urn:apisec:some-other-service"
		return nil
	},
}

// WithUnsignedAssertion carries the assertion without its issuer signature.
var WithUnsignedAssertion = Mutation{
	Name: "WithUnsignedAssertion", Clause: "SAML Token Profile 1.1.1 §3.5.1 (holder-of-key: the assertion is signed by a trusted issuer); WSS 1.1 §12", Expect: expectBadToken,
	Severity: verdict.Critical,
	Pre: func(s *Spec) error {
		if err := needAssertion(s); err != nil {
			return err
		}
		s.SAML.Unsigned = true
		return nil
	},
}

// WithAssertionSignedByClientKey has the assertion signed by the suite's
// WS-Security client key: a certificate the target trusts for message
// signatures (it chains to the trusted CA) but that is not the SAML issuer.
var WithAssertionSignedByClientKey = Mutation{
	Name: "WithAssertionSignedByClientKey", Clause: "SAML Core 2.0 §2.3.3 (the Issuer is the SAML authority making the claims; a certificate of the message-signing CA is not that authority)", Expect: expectBadToken,
	Severity: verdict.Critical,
	Pre: func(s *Spec) error {
		if err := needAssertion(s); err != nil {
			return err
		}
		s.SAML.IssuerCred = s.Signer
		return nil
	},
}

// WithWrongIssuerName keeps the trusted issuer's valid signature but names
// another issuer.
var WithWrongIssuerName = Mutation{
	Name: "WithWrongIssuerName", Clause: "SAML Core 2.0 §2.3.3 (Issuer); SAML Token Profile 1.1.1 §3.5 (the relying party trusts a named issuer)", Expect: expectBadToken,
	Severity: verdict.High,
	Pre: func(s *Spec) error {
		if err := needAssertion(s); err != nil {
			return err
		}
		s.SAML.Issuer = "urn:apisec:not-the-trusted-issuer"
		return nil
	},
}

// WithHolderOfKeyMismatch confirms a certificate other than the one that
// signs the message: the sender does not hold the assertion's key.
var WithHolderOfKeyMismatch = Mutation{
	Name: "WithHolderOfKeyMismatch", Clause: "SAML Token Profile 1.1.1 §3.5.1 (holder-of-key: the message is signed with the confirmation key)", Expect: []QName{FailedAuthentication, InvalidSecurityToken},
	Severity: verdict.High,
	Pre: func(s *Spec) error {
		if err := needAssertion(s); err != nil {
			return err
		}
		other, err := SelfSigned("apisec other holder (TEST)", s.Created)
		if err != nil {
			return err
		}
		s.SAML.Confirm = other.Cert
		return nil
	},
}

// WithUnboundSenderVouches carries a sender-vouches assertion that the
// message signature does not cover: nothing binds the attesting entity to
// the assertion.
var WithUnboundSenderVouches = Mutation{
	Name: "WithUnboundSenderVouches", Clause: "SAML Token Profile 1.1.1 §3.5.2 (sender-vouches: the attesting entity's signature covers the assertion and the message)", Expect: expectUnbound,
	Severity: verdict.High,
	Pre: func(s *Spec) error {
		if err := needAssertion(s); err != nil {
			return err
		}
		s.SAML.Method = CMSenderVouches
		return nil
	},
}

// WithAssertionWrapping inserts an unsigned copy of the assertion with a new
// ID and another subject before the signed one (SAML XSW3, CVE-2022-41912).
var WithAssertionWrapping = Mutation{
	Name: "WithAssertionWrapping", Clause: "SAML Token Profile 1.1.1 §3; Somorovsky et al. 2012 (XSW3); CVE-2022-41912", Expect: expectTwoTokens,
	Severity: verdict.Critical,
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
	S002 = []Mutation{WithoutAssertion, WithExpiredAssertion, WithWrongAudience, WithUnsignedAssertion,
		WithAssertionSignedByClientKey, WithWrongIssuerName, WithHolderOfKeyMismatch, WithUnboundSenderVouches, WithAssertionWrapping}
)

// Tamper changes the content of a payload after signing, keeping it
// plausible: the first text value gets another last digit (or "x" appended),
// a payload without text gets a foreign attribute. Exclusive c14n drops
// neither, so the digest breaks.
func Tamper(payload *etree.Element) {
	if el := firstText(payload, 0); el != nil {
		el.SetText(tamperText(strings.TrimSpace(el.Text())))
		return
	}
	payload.CreateAttr("xmlns:apisec", "urn:apisec:probe")
	payload.CreateAttr("apisec:tampered", "1")
}

func firstText(e *etree.Element, depth int) *etree.Element {
	if depth > maxDepth {
		return nil
	}
	if len(e.ChildElements()) == 0 && strings.TrimSpace(e.Text()) != "" {
		return e
	}
	for _, c := range e.ChildElements() {
		if t := firstText(c, depth+1); t != nil {
			return t
		}
	}
	return nil
}

func tamperText(s string) string {
	switch last := s[len(s)-1]; {
	case s == "true":
		return "false"
	case s == "false":
		return "true"
	case last >= '0' && last <= '9':
		return s[:len(s)-1] + string('0'+(last-'0'+1)%10)
	}
	return s + "x"
}

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
