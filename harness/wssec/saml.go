package wssec

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// AssertionSpec decides one SAML 2.0 assertion, by default holder-of-key (the AORTA
// transactietoken pattern): the suite's SAML issuer vouches for Subject, and
// the message must be signed with the key in the confirmation certificate.
type AssertionSpec struct {
	Issuer     string
	IssuerCred Credential
	Subject    string
	Audience   string
	// Confirm is the holder-of-key certificate (the message signer's).
	Confirm      *x509.Certificate
	IssueInstant time.Time
	NotBefore    time.Time
	NotOnOrAfter time.Time
	// Unsigned leaves the assertion without ds:Signature.
	Unsigned bool
	// Method is the SubjectConfirmation method (default holder-of-key);
	// sender-vouches carries no confirmation key.
	Method string
}

// BuildAssertion makes the assertion and signs it enveloped (exclusive c14n,
// rsa-sha256) with goxmldsig; the Signature is then moved after Issuer, where
// the SAML schema wants it (the enveloped transform ignores its position).
func BuildAssertion(s AssertionSpec) (*etree.Element, error) {
	if s.Method == "" {
		s.Method = CMHolderOfKey
	}
	if s.IssuerCred.Key == nil || (s.Confirm == nil && s.Method == CMHolderOfKey) {
		return nil, errors.New("wssec: assertion needs an issuer key and a confirmation certificate")
	}
	a := etree.NewElement("saml2:Assertion")
	a.CreateAttr("xmlns:saml2", NSSAML2)
	a.CreateAttr("ID", "_"+randomID()+randomID())
	a.CreateAttr("IssueInstant", s.IssueInstant.UTC().Format(time.RFC3339))
	a.CreateAttr("Version", "2.0")
	iss := a.CreateElement("saml2:Issuer")
	iss.CreateAttr("Format", "urn:oasis:names:tc:SAML:2.0:nameid-format:entity")
	iss.SetText(s.Issuer)
	subj := a.CreateElement("saml2:Subject")
	subj.CreateElement("saml2:NameID").SetText(s.Subject)
	sc := subj.CreateElement("saml2:SubjectConfirmation")
	sc.CreateAttr("Method", s.Method)
	if s.Method == CMHolderOfKey {
		scd := sc.CreateElement("saml2:SubjectConfirmationData")
		scd.CreateAttr("xmlns:xsi", NSXSI)
		scd.CreateAttr("xsi:type", "saml2:KeyInfoConfirmationDataType")
		ki := scd.CreateElement("ds:KeyInfo")
		ki.CreateAttr("xmlns:ds", NSDS)
		ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(s.Confirm.Raw))
	}
	cond := a.CreateElement("saml2:Conditions")
	cond.CreateAttr("NotBefore", s.NotBefore.UTC().Format(time.RFC3339))
	cond.CreateAttr("NotOnOrAfter", s.NotOnOrAfter.UTC().Format(time.RFC3339))
	cond.CreateElement("saml2:AudienceRestriction").CreateElement("saml2:Audience").SetText(s.Audience)
	authn := a.CreateElement("saml2:AuthnStatement")
	authn.CreateAttr("AuthnInstant", s.IssueInstant.UTC().Format(time.RFC3339))
	authn.CreateElement("saml2:AuthnContext").CreateElement("saml2:AuthnContextClassRef").
		SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:X509")
	if s.Unsigned {
		return a, nil
	}
	ctx, err := dsig.NewSigningContext(s.IssuerCred.Key, [][]byte{s.IssuerCred.Cert.Raw})
	if err != nil {
		return nil, err
	}
	ctx.IdAttribute = "ID"
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, err
	}
	signed, err := ctx.SignEnveloped(a)
	if err != nil {
		return nil, err
	}
	// SignEnveloped appends the Signature as the last token without
	// setting its parent, so it is moved by index.
	last := len(signed.Child) - 1
	sig, ok := signed.Child[last].(*etree.Element)
	if !ok || sig.Tag != "Signature" {
		return nil, errors.New("wssec: goxmldsig did not append the Signature")
	}
	signed.RemoveChildAt(last)
	signed.InsertChildAt(signed.SelectElement("Issuer").Index()+1, sig)
	return signed, nil
}
