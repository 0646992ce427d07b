package wssec

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// schemaSet indexes the global declarations of a WSDL's inline XML Schemas.
// Imports of schemas outside the WSDL are not fetched: the suite contacts
// only the hosts in the profile, so such a WSDL needs soap.request_body.
type schemaSet struct {
	elements, types, groups, attrGroups, attrs map[QName]*etree.Element
}

func newSchemaSet() *schemaSet {
	return &schemaSet{elements: map[QName]*etree.Element{}, types: map[QName]*etree.Element{}, groups: map[QName]*etree.Element{},
		attrGroups: map[QName]*etree.Element{}, attrs: map[QName]*etree.Element{}}
}

func (s *schemaSet) add(schema *etree.Element) {
	tns := schema.SelectAttrValue("targetNamespace", "")
	for _, c := range schema.ChildElements() {
		if c.NamespaceURI() != NSXSD {
			continue
		}
		q := QName{tns, c.SelectAttrValue("name", "")}
		switch c.Tag {
		case "element":
			s.elements[q] = c
		case "complexType", "simpleType":
			s.types[q] = c
		case "group":
			s.groups[q] = c
		case "attributeGroup":
			s.attrGroups[q] = c
		case "attribute":
			s.attrs[q] = c
		}
	}
}

// lookup finds a global declaration; a QName whose prefix was not declared
// (empty namespace) falls back to a unique match on the local name.
func lookup(m map[QName]*etree.Element, q QName) (*etree.Element, QName) {
	if d, ok := m[q]; ok {
		return d, q
	}
	if q.Space == "" {
		var found *etree.Element
		var fq QName
		for k, d := range m {
			if k.Local == q.Local {
				if found != nil {
					return nil, q
				}
				found, fq = d, k
			}
		}
		return found, fq
	}
	return nil, q
}

// maxSchemaDepth and maxSchemaNodes bound the generated request: a
// recursive or branching schema could otherwise grow it without end.
const (
	maxSchemaDepth = 24
	maxSchemaNodes = 2000
)

var errSchemaTooBig = errors.New("the schema is too deep, large or recursive to generate a request")

// generator writes an example instance of a schema element: every element
// (optional ones too: gSOAP, JAXB and .NET mark most fields minOccurs="0",
// and an empty request says little), required attributes, the first choice,
// enumerations' first value and a plausible value of each built-in type (XML
// Schema Part 2 §3). An optional element whose type or declaration is already
// being expanded is left out, so recursive schemas end.
type generator struct {
	s        *schemaSet
	prefixes map[string]string
	order    []string
	nodes    int
	open     map[*etree.Element]int
}

func newGenerator(s *schemaSet) *generator {
	return &generator{s: s, prefixes: map[string]string{}, open: map[*etree.Element]int{}}
}

// recursive says whether expanding the optional element decl would re-enter
// a declaration or named type that is already open.
func (g *generator) recursive(decl *etree.Element) bool {
	if ref := attrQName(decl, "ref"); ref.Local != "" {
		d, _ := lookup(g.s.elements, ref)
		return d == nil || g.open[d] > 0
	}
	if t := attrQName(decl, "type"); t.Local != "" && t.Space != NSXSD {
		d, _ := lookup(g.s.types, t)
		return d != nil && g.open[d] > 0
	}
	return false
}

func (g *generator) name(q QName) string {
	if q.Space == "" {
		return q.Local
	}
	p, ok := g.prefixes[q.Space]
	if !ok {
		p = "m"
		if n := len(g.order); n > 0 {
			p = "m" + strconv.Itoa(n)
		}
		g.prefixes[q.Space] = p
		g.order = append(g.order, q.Space)
	}
	return p + ":" + q.Local
}

func (g *generator) root(q QName) *etree.Element { return etree.NewElement(g.name(q)) }

func (g *generator) child(parent *etree.Element, q QName) *etree.Element {
	g.nodes++
	return parent.CreateElement(g.name(q))
}

// finish declares every namespace used on the root, so the payload stands
// alone when it is copied into a Body.
func (g *generator) finish(root *etree.Element) *etree.Element {
	own := root.Attr
	root.Attr = nil
	for _, ns := range g.order {
		root.CreateAttr("xmlns:"+g.prefixes[ns], ns)
	}
	root.Attr = append(root.Attr, own...)
	return root
}

// top is the example of the global element q.
func (g *generator) top(q QName) (*etree.Element, error) {
	decl, fq := lookup(g.s.elements, q)
	if decl == nil {
		return nil, fmt.Errorf("element %s is not declared in the WSDL's schema", q)
	}
	root := g.root(fq)
	if err := g.fill(root, decl, 0); err != nil {
		return nil, err
	}
	return g.finish(root), nil
}

// element adds the global element q under parent.
func (g *generator) element(parent *etree.Element, q QName, depth int) error {
	decl, fq := lookup(g.s.elements, q)
	if decl == nil {
		return fmt.Errorf("element %s is not declared in the WSDL's schema", q)
	}
	return g.fill(g.child(parent, fq), decl, depth+1)
}

// fill writes the content an element declaration allows into el.
func (g *generator) fill(el, decl *etree.Element, depth int) error {
	if depth > maxSchemaDepth || g.nodes > maxSchemaNodes {
		return errSchemaTooBig
	}
	if v := decl.SelectAttr("fixed"); v != nil {
		el.SetText(v.Value)
		return nil
	}
	g.open[decl]++
	defer func() { g.open[decl]-- }()
	if t := attrQName(decl, "type"); t.Local != "" {
		if err := g.typed(el, t, depth); err != nil {
			return err
		}
	} else if ct := ChildNS(decl, NSXSD, "complexType"); ct != nil {
		if err := g.complex(el, ct, depth); err != nil {
			return err
		}
	} else if st := ChildNS(decl, NSXSD, "simpleType"); st != nil {
		el.SetText(g.simple(st, depth))
	}
	if v := decl.SelectAttr("default"); v != nil && len(el.ChildElements()) == 0 {
		el.SetText(v.Value)
	}
	return nil
}

// typed writes the content of the named type t into el.
func (g *generator) typed(el *etree.Element, t QName, depth int) error {
	if depth > maxSchemaDepth {
		return errSchemaTooBig
	}
	if t.Space == NSXSD {
		if t.Local != "anyType" {
			el.SetText(builtin(t.Local))
		}
		return nil
	}
	def, _ := lookup(g.s.types, t)
	switch {
	case def == nil:
		return fmt.Errorf("type %s is not declared in the WSDL's schema", t)
	case def.Tag == "simpleType":
		el.SetText(g.simple(def, depth))
		return nil
	}
	g.open[def]++
	defer func() { g.open[def]-- }()
	return g.complex(el, def, depth+1)
}

func (g *generator) complex(el, ct *etree.Element, depth int) error {
	if cc := ChildNS(ct, NSXSD, "complexContent"); cc != nil {
		if ext := ChildNS(cc, NSXSD, "extension"); ext != nil {
			if err := g.typed(el, attrQName(ext, "base"), depth+1); err != nil {
				return err
			}
			return g.content(el, ext, depth)
		}
		return g.content(el, ChildNS(cc, NSXSD, "restriction"), depth)
	}
	if sc := ChildNS(ct, NSXSD, "simpleContent"); sc != nil {
		d := ChildNS(sc, NSXSD, "extension")
		if d == nil {
			d = ChildNS(sc, NSXSD, "restriction")
		}
		if d == nil {
			return nil
		}
		if base := attrQName(d, "base"); base.Local != "" {
			if err := g.typed(el, base, depth+1); err != nil {
				return err
			}
		}
		if d.Tag == "restriction" && hasFacets(d) {
			el.SetText(facets(d, el.Text()))
		}
		return g.attributes(el, d, depth)
	}
	return g.content(el, ct, depth)
}

// content writes the attributes and the model group (sequence, choice, all,
// group) that def holds.
func (g *generator) content(el, def *etree.Element, depth int) error {
	if def == nil {
		return nil
	}
	if err := g.attributes(el, def, depth); err != nil {
		return err
	}
	for _, c := range def.ChildElements() {
		if c.NamespaceURI() != NSXSD {
			continue
		}
		switch c.Tag {
		case "sequence", "choice", "all", "group":
			if err := g.particle(el, c, depth); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *generator) particle(el, p *etree.Element, depth int) error {
	if depth > maxSchemaDepth || g.nodes > maxSchemaNodes {
		return errSchemaTooBig
	}
	optional := p.SelectAttrValue("minOccurs", "1") == "0"
	if optional && (p.Tag != "element" || g.recursive(p)) {
		return nil // an optional group or choice, or a recursion
	}
	switch p.Tag {
	case "element":
		if ref := attrQName(p, "ref"); ref.Local != "" {
			return g.element(el, ref, depth)
		}
		q := QName{Local: p.SelectAttrValue("name", "")}
		if qualified(p, "elementFormDefault") {
			q.Space = targetNS(p)
		}
		return g.fill(g.child(el, q), p, depth+1)
	case "sequence", "all":
		for _, c := range p.ChildElements() {
			if err := g.particle(el, c, depth+1); err != nil {
				return err
			}
		}
	case "choice":
		for _, c := range p.ChildElements() {
			if c.NamespaceURI() == NSXSD && c.Tag != "annotation" {
				return g.particle(el, c, depth+1)
			}
		}
	case "group":
		def, _ := lookup(g.s.groups, attrQName(p, "ref"))
		if def == nil {
			return fmt.Errorf("group %s is not declared in the WSDL's schema", attrQName(p, "ref"))
		}
		return g.content(el, def, depth+1)
	}
	return nil // xsd:any, annotations: nothing required
}

func (g *generator) attributes(el, def *etree.Element, depth int) error {
	if depth > maxSchemaDepth {
		return errSchemaTooBig
	}
	for _, a := range def.ChildElements() {
		if a.NamespaceURI() != NSXSD {
			continue
		}
		switch a.Tag {
		case "attributeGroup":
			grp, _ := lookup(g.s.attrGroups, attrQName(a, "ref"))
			if grp == nil {
				return fmt.Errorf("attribute group %s is not declared in the WSDL's schema", attrQName(a, "ref"))
			}
			if err := g.attributes(el, grp, depth+1); err != nil {
				return err
			}
		case "attribute":
			if a.SelectAttrValue("use", "optional") != "required" {
				continue
			}
			decl, q := a, QName{Local: a.SelectAttrValue("name", "")}
			if ref := attrQName(a, "ref"); ref.Local != "" {
				if decl, q = lookup(g.s.attrs, ref); decl == nil {
					return fmt.Errorf("attribute %s is not declared in the WSDL's schema", ref)
				}
			} else if qualified(a, "attributeFormDefault") {
				q.Space = targetNS(a)
			}
			el.CreateAttr(g.name(q), g.attrValue(a, decl, depth))
		}
	}
	return nil
}

func (g *generator) attrValue(use, decl *etree.Element, depth int) string {
	for _, d := range []*etree.Element{use, decl} {
		if v := d.SelectAttr("fixed"); v != nil {
			return v.Value
		}
		if v := d.SelectAttr("default"); v != nil {
			return v.Value
		}
	}
	if st := ChildNS(decl, NSXSD, "simpleType"); st != nil {
		return g.simple(st, depth)
	}
	return g.simpleOf(attrQName(decl, "type"), depth)
}

// simple is an example value of a simple type definition.
func (g *generator) simple(st *etree.Element, depth int) string {
	if depth > maxSchemaDepth {
		return "example"
	}
	if r := ChildNS(st, NSXSD, "restriction"); r != nil {
		if e := ChildNS(r, NSXSD, "enumeration"); e != nil {
			return e.SelectAttrValue("value", "")
		}
		var v string
		if inner := ChildNS(r, NSXSD, "simpleType"); inner != nil {
			v = g.simple(inner, depth+1)
		} else {
			v = g.simpleOf(attrQName(r, "base"), depth+1)
		}
		return facets(r, v)
	}
	if l := ChildNS(st, NSXSD, "list"); l != nil {
		if inner := ChildNS(l, NSXSD, "simpleType"); inner != nil {
			return g.simple(inner, depth+1)
		}
		return g.simpleOf(attrQName(l, "itemType"), depth+1)
	}
	if u := ChildNS(st, NSXSD, "union"); u != nil {
		if inner := ChildNS(u, NSXSD, "simpleType"); inner != nil {
			return g.simple(inner, depth+1)
		}
		if m := strings.Fields(u.SelectAttrValue("memberTypes", "")); len(m) > 0 {
			return g.simpleOf(qnameIn(u, m[0]), depth+1)
		}
	}
	return "example"
}

func (g *generator) simpleOf(t QName, depth int) string {
	if t.Space == NSXSD || t.Local == "" {
		return builtin(t.Local)
	}
	if def, _ := lookup(g.s.types, t); def != nil && def.Tag == "simpleType" {
		return g.simple(def, depth+1)
	}
	return "example"
}

func hasFacets(r *etree.Element) bool {
	for _, f := range []string{"enumeration", "length", "minLength", "maxLength", "minInclusive", "minExclusive"} {
		if ChildNS(r, NSXSD, f) != nil {
			return true
		}
	}
	return false
}

// facets bends an example value to a restriction's length and lower-bound
// facets (XML Schema Part 2 §4.3); patterns are not solved.
func facets(r *etree.Element, v string) string {
	facet := func(name string) (int, bool) {
		f := ChildNS(r, NSXSD, name)
		if f == nil {
			return 0, false
		}
		n, err := strconv.Atoi(f.SelectAttrValue("value", ""))
		return n, err == nil
	}
	if e := ChildNS(r, NSXSD, "enumeration"); e != nil {
		return e.SelectAttrValue("value", "")
	}
	if n, ok := facet("minInclusive"); ok {
		return strconv.Itoa(n)
	}
	if n, ok := facet("minExclusive"); ok {
		return strconv.Itoa(n + 1)
	}
	if n, ok := facet("length"); ok {
		v = fit(v, n, n)
	}
	if n, ok := facet("minLength"); ok && len(v) < n {
		v = fit(v, n, n)
	}
	if n, ok := facet("maxLength"); ok && len(v) > n {
		v = fit(v, 0, n)
	}
	return v
}

func fit(v string, min, max int) string {
	for len(v) < min {
		v += "x"
	}
	if len(v) > max {
		v = v[:max]
	}
	return v
}

// builtin is an example of an XML Schema built-in datatype.
func builtin(local string) string {
	switch local {
	case "boolean":
		return "true"
	case "int", "integer", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
		"unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte":
		return "1"
	case "negativeInteger":
		return "-1"
	case "nonPositiveInteger":
		return "0"
	case "decimal", "float", "double":
		return "1.0"
	case "date":
		return "2025-01-01"
	case "dateTime":
		return "2025-01-01T00:00:00Z"
	case "time":
		return "00:00:00"
	case "duration":
		return "P1D"
	case "gYear":
		return "2025"
	case "base64Binary":
		return "ZXhhbXBsZQ=="
	case "hexBinary":
		return "00"
	case "anyURI":
		return "urn:example"
	case "language":
		return "nl"
	}
	return "example"
}

// qualified says whether a local declaration is namespace-qualified: its
// form attribute, else its schema's elementFormDefault/attributeFormDefault.
func qualified(decl *etree.Element, schemaDefault string) bool {
	if f := decl.SelectAttrValue("form", ""); f != "" {
		return f == "qualified"
	}
	if s := schemaOf(decl); s != nil {
		return s.SelectAttrValue(schemaDefault, "unqualified") == "qualified"
	}
	return false
}

func targetNS(decl *etree.Element) string {
	if s := schemaOf(decl); s != nil {
		return s.SelectAttrValue("targetNamespace", "")
	}
	return ""
}

func schemaOf(e *etree.Element) *etree.Element {
	for p := e.Parent(); p != nil; p = p.Parent() {
		if p.Tag == "schema" && p.NamespaceURI() == NSXSD {
			return p
		}
	}
	return nil
}
