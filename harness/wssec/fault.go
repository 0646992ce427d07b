package wssec

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Response is a target's answer read as SOAP.
type Response struct {
	Version Version `json:"soap_version"`
	// Fault is set when the Body holds a SOAP Fault.
	Fault *Fault `json:"fault,omitempty"`
	// Payload is the first Body child of a non-fault answer.
	Payload QName `json:"payload"`
}

// Fault is a SOAP 1.1 or 1.2 fault with its codes resolved to QNames.
type Fault struct {
	// Code is faultcode (1.1) or Code/Value (1.2); Subcode is the first
	// Code/Subcode/Value (1.2), where SOAP 1.2 carries the WSS code.
	Code    QName  `json:"code"`
	Subcode QName  `json:"subcode,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Codes are the fault's codes, most specific first.
func (f *Fault) Codes() []QName {
	if f.Subcode != (QName{}) {
		return []QName{f.Subcode, f.Code}
	}
	return []QName{f.Code}
}

func (f *Fault) String() string {
	s := f.Code.String()
	if f.Subcode != (QName{}) {
		s += "/" + f.Subcode.String()
	}
	return s + " (" + f.Reason + ")"
}

// ErrNotSOAP says the answer is not a SOAP envelope (an HTML error page, an
// empty body): the probe could not be judged.
var ErrNotSOAP = errors.New("not a SOAP envelope")

// readSettings bound what a hostile answer can make the parser do; etree
// resolves no entities, and a DTD is refused below.
var readSettings = etree.ReadSettings{MaxDepth: maxDepth}

// ParseResponse reads an answer body as a SOAP envelope. It never panics on
// target data (fuzzed in FuzzParseResponse).
func ParseResponse(raw []byte) (*Response, error) {
	doc := etree.NewDocument()
	doc.ReadSettings = readSettings
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSOAP, err)
	}
	for _, t := range doc.Child {
		if d, ok := t.(*etree.Directive); ok && strings.HasPrefix(strings.TrimSpace(d.Data), "DOCTYPE") {
			return nil, fmt.Errorf("%w: the answer carries a DTD", ErrNotSOAP)
		}
	}
	env := doc.Root()
	if env == nil || env.Tag != "Envelope" {
		return nil, fmt.Errorf("%w: no Envelope element", ErrNotSOAP)
	}
	r := &Response{}
	switch env.NamespaceURI() {
	case NSS11:
		r.Version = SOAP11
	case NSS12:
		r.Version = SOAP12
	default:
		return nil, fmt.Errorf("%w: Envelope in namespace %q", ErrNotSOAP, env.NamespaceURI())
	}
	body := ChildNS(env, env.NamespaceURI(), "Body")
	if body == nil {
		return nil, fmt.Errorf("%w: no Body", ErrNotSOAP)
	}
	kids := body.ChildElements()
	if len(kids) == 0 {
		return r, nil
	}
	first := kids[0]
	if first.Tag != "Fault" || first.NamespaceURI() != env.NamespaceURI() {
		r.Payload = QName{first.NamespaceURI(), first.Tag}
		return r, nil
	}
	f, err := parseFault(first, r.Version)
	if err != nil {
		return nil, err
	}
	r.Fault = f
	return r, nil
}

func parseFault(el *etree.Element, v Version) (*Fault, error) {
	f := &Fault{}
	var err error
	if v == SOAP11 {
		code := ChildNS(el, "", "faultcode")
		if code == nil {
			return nil, fmt.Errorf("%w: SOAP 1.1 Fault without faultcode", ErrNotSOAP)
		}
		if f.Code, err = resolveQName(code); err != nil {
			return nil, err
		}
		if s := ChildNS(el, "", "faultstring"); s != nil {
			f.Reason = s.Text()
		}
		return f, nil
	}
	code := ChildNS(el, NSS12, "Code")
	value := ChildNS(code, NSS12, "Value")
	if value == nil {
		return nil, fmt.Errorf("%w: SOAP 1.2 Fault without Code/Value", ErrNotSOAP)
	}
	if f.Code, err = resolveQName(value); err != nil {
		return nil, err
	}
	if sub := ChildNS(ChildNS(code, NSS12, "Subcode"), NSS12, "Value"); sub != nil {
		if f.Subcode, err = resolveQName(sub); err != nil {
			return nil, err
		}
	}
	if t := ChildNS(ChildNS(el, NSS12, "Reason"), NSS12, "Text"); t != nil {
		f.Reason = t.Text()
	}
	return f, nil
}

// resolveQName resolves an element's QName text against the namespaces in
// scope at that element (the prefix is the sender's choice, the URI is not).
func resolveQName(el *etree.Element) (QName, error) {
	text := strings.TrimSpace(el.Text())
	prefix, local, ok := strings.Cut(text, ":")
	if !ok {
		prefix, local = "", text
	}
	if local == "" || strings.ContainsAny(local, ": \t\n") {
		return QName{}, fmt.Errorf("%w: fault code %q is not a QName", ErrNotSOAP, text)
	}
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err == nil {
		ctx, err = ctx.SubContext(el)
	}
	if err != nil {
		return QName{}, fmt.Errorf("%w: %v", ErrNotSOAP, err)
	}
	ns, err := ctx.LookupPrefix(prefix)
	if err != nil && prefix != "" {
		return QName{}, fmt.Errorf("%w: fault code %q uses an undeclared prefix", ErrNotSOAP, text)
	}
	return QName{Space: ns, Local: local}, nil
}

// FaultEnvelope writes a SOAP fault of the given version for a receiver (the
// reference target). SOAP 1.2 carries a WSS code as Subcode under Sender.
func FaultEnvelope(v Version, code QName, reason string) []byte {
	doc := etree.NewDocument()
	env := doc.CreateElement("soap:Envelope")
	env.CreateAttr("xmlns:soap", v.NS())
	body := env.CreateElement("soap:Body")
	f := body.CreateElement("soap:Fault")
	prefix := "c"
	if v == SOAP11 {
		fc := f.CreateElement("faultcode")
		fc.CreateAttr("xmlns:"+prefix, code.Space)
		fc.SetText(prefix + ":" + code.Local)
		f.CreateElement("faultstring").SetText(reason)
	} else {
		c := f.CreateElement("soap:Code")
		top := code
		if code.Space != NSS12 {
			top = SenderS12
		}
		c.CreateElement("soap:Value").SetText("soap:" + top.Local)
		if top != code {
			sv := c.CreateElement("soap:Subcode").CreateElement("soap:Value")
			sv.CreateAttr("xmlns:"+prefix, code.Space)
			sv.SetText(prefix + ":" + code.Local)
		}
		t := f.CreateElement("soap:Reason").CreateElement("soap:Text")
		t.CreateAttr("xml:lang", "en")
		t.SetText(reason)
	}
	var buf bytes.Buffer
	_, _ = doc.WriteTo(&buf)
	return buf.Bytes()
}
