package wssec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/conduct"
	"github.com/beevik/etree"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// WSDL 1.1 namespaces.
const (
	NSWSDL       = "http://schemas.xmlsoap.org/wsdl/"
	NSWSDLSOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
	NSWSDLSOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
	NSXSD        = "http://www.w3.org/2001/XMLSchema"
)

// Operation is the request every probe secures: one operation of the
// target's own WSDL (or a request body the profile gives), never a made-up
// one, so a refusal can only be about security.
type Operation struct {
	Version Version
	// Action is the SOAPAction (SOAP 1.1 header, SOAP 1.2 action parameter).
	Action string
	// Payload is the Body's child element; Build copies it into each message.
	Payload *etree.Element
	// Source says where the request came from, for the report.
	Source string
}

// Name is the payload element's QName.
func (o *Operation) Name() QName {
	return QName{o.Payload.NamespaceURI(), o.Payload.Tag}
}

// OperationChoice is what the profile says about the request.
type OperationChoice struct {
	// WSDL is the target's WSDL document (read from a file or fetched);
	// WSDLSource names where it came from.
	WSDL       []byte
	WSDLSource string
	// Operation, Port and Binding pick the operation when the WSDL has several.
	Operation, Port, Binding string
	// Body is a request payload (an XML document whose root is the Body's
	// child); without it the payload is generated from the WSDL's schema.
	Body []byte
}

// ResolveOperation builds the request from the target's WSDL: the binding's
// SOAP version, the operation's soapAction, and the payload (the profile's
// body, or an example generated from the schema). Without a WSDL a body is
// required and SOAP 1.1 with an empty SOAPAction is used. It never panics on
// target data (FuzzResolveOperation).
func ResolveOperation(c OperationChoice) (*Operation, error) {
	var body *etree.Element
	if len(c.Body) > 0 {
		doc, err := parseXML(c.Body)
		if err != nil {
			return nil, fmt.Errorf("request body: %w", err)
		}
		body = doc.Root().Copy()
	}
	if len(c.WSDL) == 0 {
		if body == nil {
			return nil, errors.New("neither a WSDL nor a request body: the suite cannot build the target's request (profile soap.wsdl or soap.request_body)")
		}
		return &Operation{Version: SOAP11, Payload: body, Source: "request body from the profile; no WSDL: SOAP 1.1, empty SOAPAction"}, nil
	}
	w, err := parseWSDL(c.WSDL)
	if err != nil {
		return nil, err
	}
	b, op, err := w.pick(c.Operation, c.Port, c.Binding)
	if err != nil {
		return nil, err
	}
	src := fmt.Sprintf("WSDL %s: binding %s (SOAP %s), operation %s, %s style", c.WSDLSource, b.name, b.version.label(), op.name, op.style)
	if body == nil {
		if body, err = w.payload(b, op); err != nil {
			return nil, fmt.Errorf("WSDL %s operation %s: %w (give the request in soap.request_body)", c.WSDLSource, op.name, err)
		}
		src += ", request generated from the schema with example values"
	} else {
		src += ", request body from the profile"
	}
	return &Operation{Version: b.version, Action: op.action, Payload: body, Source: src}, nil
}

func (v Version) label() string {
	if v == SOAP12 {
		return "1.2"
	}
	return "1.1"
}

// parseXML reads a target's XML document with the bounds used for answers
// and refuses a DTD.
func parseXML(raw []byte) (*etree.Document, error) {
	doc := etree.NewDocument()
	doc.ReadSettings = readSettings
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, err
	}
	for _, t := range doc.Child {
		if d, ok := t.(*etree.Directive); ok && strings.HasPrefix(strings.TrimSpace(d.Data), "DOCTYPE") {
			return nil, errors.New("carries a DTD")
		}
	}
	if doc.Root() == nil {
		return nil, errors.New("no root element")
	}
	return doc, nil
}

// wsdl is the part of a WSDL 1.1 document the suite uses.
type wsdl struct {
	tns      string
	messages map[QName]*etree.Element
	bindings []*binding
	ports    []port
	schema   *schemaSet
}

type binding struct {
	name     QName
	portType QName
	version  Version
	style    string
	ops      []*bindingOp
}

type bindingOp struct {
	name, action, style string
	// bodyNS is soap:body/@namespace (rpc style wrapper namespace).
	bodyNS string
	input  QName // the portType operation's input message
}

type port struct {
	name    string
	binding QName
}

func parseWSDL(raw []byte) (*wsdl, error) {
	doc, err := parseXML(raw)
	if err != nil {
		return nil, fmt.Errorf("WSDL: %w", err)
	}
	root := doc.Root()
	if root.Tag != "definitions" || root.NamespaceURI() != NSWSDL {
		return nil, errors.New("WSDL: no WSDL 1.1 definitions element")
	}
	w := &wsdl{tns: root.SelectAttrValue("targetNamespace", ""), messages: map[QName]*etree.Element{}, schema: newSchemaSet()}
	for _, t := range childrenNS(root, NSWSDL, "types") {
		for _, s := range childrenNS(t, NSXSD, "schema") {
			w.schema.add(s)
		}
	}
	for _, m := range childrenNS(root, NSWSDL, "message") {
		w.messages[QName{w.tns, m.SelectAttrValue("name", "")}] = m
	}
	inputs := map[QName]map[string]QName{} // portType -> operation -> input message
	for _, pt := range childrenNS(root, NSWSDL, "portType") {
		ops := map[string]QName{}
		for _, o := range childrenNS(pt, NSWSDL, "operation") {
			if in := ChildNS(o, NSWSDL, "input"); in != nil {
				ops[o.SelectAttrValue("name", "")] = attrQName(in, "message")
			}
		}
		inputs[QName{w.tns, pt.SelectAttrValue("name", "")}] = ops
	}
	for _, b := range childrenNS(root, NSWSDL, "binding") {
		var v Version
		var sb *etree.Element
		if sb = ChildNS(b, NSWSDLSOAP11, "binding"); sb != nil {
			v = SOAP11
		} else if sb = ChildNS(b, NSWSDLSOAP12, "binding"); sb != nil {
			v = SOAP12
		} else {
			continue // an HTTP or other non-SOAP binding
		}
		soapNS := map[Version]string{SOAP11: NSWSDLSOAP11, SOAP12: NSWSDLSOAP12}[v]
		nb := &binding{name: QName{w.tns, b.SelectAttrValue("name", "")}, portType: attrQName(b, "type"), version: v,
			style: sb.SelectAttrValue("style", "document")}
		for _, o := range childrenNS(b, NSWSDL, "operation") {
			name := o.SelectAttrValue("name", "")
			bo := &bindingOp{name: name, style: nb.style, input: inputs[nb.portType][name]}
			if so := ChildNS(o, soapNS, "operation"); so != nil {
				bo.action = so.SelectAttrValue("soapAction", "")
				bo.style = so.SelectAttrValue("style", nb.style)
			}
			if sbody := ChildNS(ChildNS(o, NSWSDL, "input"), soapNS, "body"); sbody != nil {
				bo.bodyNS = sbody.SelectAttrValue("namespace", "")
			}
			nb.ops = append(nb.ops, bo)
		}
		w.bindings = append(w.bindings, nb)
	}
	for _, s := range childrenNS(root, NSWSDL, "service") {
		for _, p := range childrenNS(s, NSWSDL, "port") {
			w.ports = append(w.ports, port{name: p.SelectAttrValue("name", ""), binding: attrQName(p, "binding")})
		}
	}
	if len(w.bindings) == 0 {
		return nil, errors.New("WSDL: no SOAP 1.1 or 1.2 binding")
	}
	return w, nil
}

// pick chooses the binding and operation the profile names. Without a name,
// a single candidate is taken; bindings of one portType that differ only by
// SOAP version resolve to SOAP 1.1 (the most widely implemented).
func (w *wsdl) pick(opName, portName, bindingName string) (*binding, *bindingOp, error) {
	cands := w.bindings
	switch {
	case portName != "":
		i := slices.IndexFunc(w.ports, func(p port) bool { return p.name == portName })
		if i < 0 {
			return nil, nil, fmt.Errorf("WSDL: no port %q (ports: %s)", portName, strings.Join(w.portNames(), ", "))
		}
		cands = filter(cands, func(b *binding) bool { return b.name.Local == w.ports[i].binding.Local })
		if len(cands) == 0 {
			return nil, nil, fmt.Errorf("WSDL: port %q uses binding %s, which is not a SOAP binding", portName, w.ports[i].binding.Local)
		}
	case bindingName != "":
		cands = filter(cands, func(b *binding) bool { return b.name.Local == bindingName })
		if len(cands) == 0 {
			return nil, nil, fmt.Errorf("WSDL: no SOAP binding %q (bindings: %s)", bindingName, strings.Join(w.bindingNames(), ", "))
		}
	}
	if opName != "" {
		cands = filter(cands, func(b *binding) bool { return b.op(opName) != nil })
		if len(cands) == 0 {
			return nil, nil, fmt.Errorf("WSDL: no SOAP binding has operation %q (operations: %s)", opName, strings.Join(w.opNames(), ", "))
		}
	}
	if len(cands) > 1 {
		same := !slices.ContainsFunc(cands, func(b *binding) bool { return b.portType != cands[0].portType })
		if i := slices.IndexFunc(cands, func(b *binding) bool { return b.version == SOAP11 }); same && i >= 0 {
			cands = cands[i : i+1]
		} else {
			return nil, nil, fmt.Errorf("WSDL: several SOAP bindings (%s): name soap.port or soap.binding", strings.Join(names(cands), ", "))
		}
	}
	b := cands[0]
	if opName != "" {
		return b, b.op(opName), nil
	}
	if len(b.ops) != 1 {
		var ops []string
		for _, o := range b.ops {
			ops = append(ops, o.name)
		}
		return nil, nil, fmt.Errorf("WSDL: binding %s has %d operations (%s): name one in soap.operation", b.name.Local, len(b.ops), strings.Join(ops, ", "))
	}
	return b, b.ops[0], nil
}

func (b *binding) op(name string) *bindingOp {
	for _, o := range b.ops {
		if o.name == name {
			return o
		}
	}
	return nil
}

// payload builds the Body child of the operation's input from the schema:
// document style, the message part's element; rpc style, a wrapper named
// after the operation holding one accessor per part (WSDL 1.1 §3.5; WS-I BP
// 1.1 R2717, R2729).
func (w *wsdl) payload(b *binding, op *bindingOp) (*etree.Element, error) {
	msg := w.messages[QName{w.tns, op.input.Local}]
	if msg == nil {
		return nil, fmt.Errorf("the input message %s is not in the WSDL", op.input.Local)
	}
	parts := childrenNS(msg, NSWSDL, "part")
	g := newGenerator(w.schema)
	if op.style == "rpc" {
		root := g.root(QName{op.bodyNS, op.name})
		for _, p := range parts {
			acc := g.child(root, QName{"", p.SelectAttrValue("name", "")})
			if el := attrQName(p, "element"); el.Local != "" {
				if err := g.element(acc, el, 0); err != nil {
					return nil, err
				}
				continue
			}
			if err := g.typed(acc, attrQName(p, "type"), 0); err != nil {
				return nil, err
			}
		}
		return g.finish(root), nil
	}
	if len(parts) != 1 {
		return nil, fmt.Errorf("document style input with %d parts (WS-I BP 1.1 R2201 wants one)", len(parts))
	}
	el := attrQName(parts[0], "element")
	if el.Local == "" {
		return nil, errors.New("document style part without an element")
	}
	return g.top(el)
}

func (w *wsdl) portNames() []string {
	var out []string
	for _, p := range w.ports {
		out = append(out, p.name)
	}
	return out
}

func (w *wsdl) bindingNames() []string { return names(w.bindings) }

func (w *wsdl) opNames() []string {
	var out []string
	for _, b := range w.bindings {
		for _, o := range b.ops {
			if !slices.Contains(out, o.name) {
				out = append(out, o.name)
			}
		}
	}
	return out
}

func names(bs []*binding) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.name.Local)
	}
	return out
}

func filter[T any](in []T, keep func(T) bool) []T {
	var out []T
	for _, x := range in {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func childrenNS(e *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	if e == nil {
		return nil
	}
	for _, c := range e.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

// attrQName resolves a QName-valued attribute (type="tns:Foo") against the
// namespaces in scope at its element; a prefix that is not declared leaves
// the namespace empty (matching then goes by local name).
func attrQName(e *etree.Element, attr string) QName {
	if e == nil {
		return QName{}
	}
	return qnameIn(e, e.SelectAttrValue(attr, ""))
}

// qnameIn resolves a QName value against the namespaces in scope at e.
func qnameIn(e *etree.Element, v string) QName {
	v = strings.TrimSpace(v)
	prefix, local, ok := strings.Cut(v, ":")
	if !ok {
		prefix, local = "", v
	}
	ctx, err := etreeutils.NSBuildParentContext(e)
	if err == nil {
		ctx, err = ctx.SubContext(e)
	}
	if err != nil {
		return QName{Local: local}
	}
	ns, err := ctx.LookupPrefix(prefix)
	if err != nil {
		return QName{Local: local}
	}
	return QName{ns, local}
}

// FetchWSDL gets the WSDL (capped) from the target.
func FetchWSDL(ctx context.Context, hc *http.Client, url string, bodyCap int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := conduct.ReadBody(resp.Body, bodyCap)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("WSDL %s: HTTP %d", url, resp.StatusCode)
	}
	return raw, nil
}
