package wssec

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Credential is a signing key with the certificate that names it.
type Credential struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// Spec is everything that decides one envelope. A probe is Baseline() with
// one Mutation applied; mutations change the Spec before signing (Pre) or the
// signed tree after it (Post), never the rest of the message.
type Spec struct {
	Version Version
	// Op is the target's operation: its payload goes into the Body.
	Op      *Operation
	Signer  Credential
	Created time.Time
	TTL     time.Duration
	// SignatureMethod and DigestMethod are algorithm URIs (§1.3).
	SignatureMethod, DigestMethod string
	// WithoutTimestamp leaves wsu:Timestamp out (and so out of the signature).
	WithoutTimestamp bool
	// SAML, when set, is the assertion carried in wsse:Security (SC-S002).
	SAML *AssertionSpec
	// Layout orders the Security header's children.
	Layout Layout
}

// Message is a built envelope: its tree (mutable by Post mutations) and the
// wsu:Id values it uses.
type Message struct {
	Spec    Spec
	Doc     *etree.Document
	BodyID  string
	TSID    string
	TokenID string
	// AssertionID is the saml2:Assertion/@ID when one is carried.
	AssertionID string
	// raw, when set by a raw mutation, replaces the serialized tree.
	raw []byte
}

// Bytes serializes the envelope once, without indentation: re-indenting a
// signed document would break its digests.
func (m *Message) Bytes() ([]byte, error) {
	if m.raw != nil {
		return m.raw, nil
	}
	return m.Doc.WriteToBytes()
}

// Build makes the signed envelope for spec.
func Build(spec Spec) (*Message, error) {
	if spec.Signer.Key == nil || spec.Signer.Cert == nil {
		return nil, errors.New("wssec: no signing credential")
	}
	if spec.Op == nil || spec.Op.Payload == nil {
		return nil, errors.New("wssec: no operation to send")
	}
	if spec.SignatureMethod == "" {
		spec.SignatureMethod = AlgRSASHA256
	}
	if spec.DigestMethod == "" {
		spec.DigestMethod = AlgSHA256
	}
	sfx := randomID()
	m := &Message{Spec: spec, Doc: etree.NewDocument(), BodyID: "Body-" + sfx, TSID: "TS-" + sfx, TokenID: "X509-" + sfx}
	env := m.Doc.CreateElement("soap:Envelope")
	env.CreateAttr("xmlns:soap", spec.Version.NS())
	env.CreateAttr("xmlns:wsu", NSWSU)
	header := env.CreateElement("soap:Header")
	sec := header.CreateElement("wsse:Security")
	sec.CreateAttr("xmlns:wsse", NSWSSE)
	sec.CreateAttr("soap:mustUnderstand", "1")
	var refs []string
	if !spec.WithoutTimestamp {
		ts := sec.CreateElement("wsu:Timestamp")
		ts.CreateAttr("wsu:Id", m.TSID)
		ts.CreateElement("wsu:Created").SetText(wsuTime(spec.Created))
		ts.CreateElement("wsu:Expires").SetText(wsuTime(spec.Created.Add(spec.TTL)))
		refs = append(refs, m.TSID)
	}
	bst := sec.CreateElement("wsse:BinarySecurityToken")
	bst.CreateAttr("EncodingType", EncodingBase64)
	bst.CreateAttr("ValueType", ValueX509v3)
	bst.CreateAttr("wsu:Id", m.TokenID)
	bst.SetText(base64.StdEncoding.EncodeToString(spec.Signer.Cert.Raw))
	var assertion *etree.Element
	if spec.SAML != nil {
		a, err := BuildAssertion(*spec.SAML)
		if err != nil {
			return nil, err
		}
		m.AssertionID = a.SelectAttrValue("ID", "")
		sec.AddChild(a)
		assertion = a
	}
	body := env.CreateElement("soap:Body")
	body.CreateAttr("wsu:Id", m.BodyID)
	body.AddChild(spec.Op.Payload.Copy())
	refs = append(refs, m.BodyID)
	sig, err := sign(m.Doc, sec, spec, refs, m.TokenID)
	if err != nil {
		return nil, err
	}
	arrange(sec, bst, assertion, sig, spec.Layout)
	return m, nil
}

// sign appends ds:Signature to the Security header: one Reference per wsu:Id
// (exclusive c14n, then the digest), SignedInfo signed with the key, and
// KeyInfo as an STR to the BinarySecurityToken (BSP R5417). Hand-written:
// goxmldsig signs one element per signature and writes X509Data as KeyInfo.
func sign(doc *etree.Document, sec *etree.Element, spec Spec, ids []string, tokenID string) (*etree.Element, error) {
	digestHash, err := hashOf(spec.DigestMethod)
	if err != nil {
		return nil, err
	}
	sigHash, err := hashOf(spec.SignatureMethod)
	if err != nil {
		return nil, err
	}
	sig := sec.CreateElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", NSDS)
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", AlgExcC14N)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", spec.SignatureMethod)
	for _, id := range ids {
		el := FindByWSUID(doc.Root(), id)
		if len(el) != 1 {
			return nil, fmt.Errorf("wssec: %d elements carry wsu:Id %q", len(el), id)
		}
		d, err := digestOf(el[0], digestHash)
		if err != nil {
			return nil, err
		}
		ref := si.CreateElement("ds:Reference")
		ref.CreateAttr("URI", "#"+id)
		ref.CreateElement("ds:Transforms").CreateElement("ds:Transform").CreateAttr("Algorithm", AlgExcC14N)
		ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", spec.DigestMethod)
		ref.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(d))
	}
	c, err := Canonical(si)
	if err != nil {
		return nil, err
	}
	h := sigHash.New()
	h.Write(c)
	sv, err := rsa.SignPKCS1v15(rand.Reader, spec.Signer.Key, sigHash, h.Sum(nil))
	if err != nil {
		return nil, err
	}
	sig.CreateElement("ds:SignatureValue").SetText(base64.StdEncoding.EncodeToString(sv))
	str := sig.CreateElement("ds:KeyInfo").CreateElement("wsse:SecurityTokenReference")
	r := str.CreateElement("wsse:Reference")
	r.CreateAttr("URI", "#"+tokenID)
	r.CreateAttr("ValueType", ValueX509v3)
	return sig, nil
}

// Canonical is the exclusive c14n (without comments) of el as it sits in its
// document: the namespaces declared on its ancestors are carried onto a
// detached copy first, or the bytes would differ from other implementations.
func Canonical(el *etree.Element) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, err
	}
	d, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(d)
}

func digestOf(el *etree.Element, h crypto.Hash) ([]byte, error) {
	c, err := Canonical(el)
	if err != nil {
		return nil, err
	}
	d := h.New()
	d.Write(c)
	return d.Sum(nil), nil
}

// hashOf maps a digest or signature algorithm URI to its hash; anything else
// is unsupported.
func hashOf(alg string) (crypto.Hash, error) {
	switch alg {
	case AlgSHA256, AlgRSASHA256:
		return crypto.SHA256, nil
	case AlgSHA1, AlgRSASHA1:
		return crypto.SHA1, nil
	}
	return 0, fmt.Errorf("wssec: unsupported algorithm %s", alg)
}

// FindByWSUID returns every element under root whose wsu:Id is id (more than
// one is the ID-confusion a verifier must refuse).
func FindByWSUID(root *etree.Element, id string) []*etree.Element {
	var out []*etree.Element
	var walk func(e *etree.Element, depth int)
	walk = func(e *etree.Element, depth int) {
		if depth > maxDepth {
			return
		}
		for _, a := range e.Attr {
			if a.Key == "Id" && a.NamespaceURI() == NSWSU && a.Value == id {
				out = append(out, e)
			}
		}
		for _, c := range e.ChildElements() {
			walk(c, depth+1)
		}
	}
	if root != nil {
		walk(root, 0)
	}
	return out
}

const maxDepth = 64

// wsuTime is the xsd:dateTime form WSS uses: UTC, millisecond precision (BSP R3217, R3220).
func wsuTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
