package wssec

import (
	"strings"

	"github.com/beevik/etree"
)

// Layout is the order of the wsse:Security children. WSS 1.1 §5 fixes no
// order beyond "a token before the STR that uses it" (BSP 1.1 R5205, a
// SHOULD in practice), and stacks differ: stock gSOAP verifies the message
// signature against the first SignedInfo in the document, so it refuses a
// valid message whose SAML assertion (with its own signature) comes first.
// The suite tries the standard layouts in order until the target accepts the
// positive control, records the one it accepted and sends every probe in it.
type Layout struct {
	// TokenAfterSignature puts the BinarySecurityToken after ds:Signature.
	TokenAfterSignature bool
	// AssertionAfterSignature puts the SAML assertion after ds:Signature.
	AssertionAfterSignature bool
}

// String names the order of the header's children, e.g.
// "Timestamp BinarySecurityToken Assertion Signature".
func (l Layout) String() string { return l.order(true) }

func (l Layout) order(withAssertion bool) string {
	before, after := []string{"Timestamp"}, []string{}
	place := func(name string, isAfter bool) {
		if isAfter {
			after = append(after, name)
		} else {
			before = append(before, name)
		}
	}
	place("BinarySecurityToken", l.TokenAfterSignature)
	if withAssertion {
		place("Assertion", l.AssertionAfterSignature)
	}
	return strings.Join(append(append(before, "Signature"), after...), " ")
}

// Describe names the layout of an envelope with or without an assertion.
func (l Layout) Describe(saml bool) string { return l.order(saml) }

// Layouts with an X.509 token only (SC-S001), the BSP order first.
var X509Layouts = []Layout{{}, {TokenAfterSignature: true}}

// SAMLLayouts with a SAML assertion (SC-S002): assertion before the message
// signature first, then after it (stock gSOAP), each with the token before
// and after the signature.
var SAMLLayouts = []Layout{{}, {AssertionAfterSignature: true}, {TokenAfterSignature: true},
	{TokenAfterSignature: true, AssertionAfterSignature: true}}

// Envelope is the kind of valid message a rule's probes start from: with or
// without a SAML assertion, in one layout.
type Envelope struct {
	SAML   bool
	Layout Layout
}

func (e Envelope) String() string {
	kind := "X.509 token"
	if e.SAML {
		kind = "X.509 token + SAML 2.0 holder-of-key assertion"
	}
	return kind + ", header order: " + e.Layout.Describe(e.SAML)
}

// arrange puts the Security header's children in the layout's order; the
// signature covers Body and Timestamp only, so the order never changes a digest.
func arrange(sec, token, assertion, sig *etree.Element, l Layout) {
	if l.TokenAfterSignature && token != nil {
		sec.RemoveChild(token)
		sec.InsertChildAt(sig.Index()+1, token)
	}
	if l.AssertionAfterSignature && assertion != nil {
		sec.RemoveChild(assertion)
		sec.AddChild(assertion)
	}
}
