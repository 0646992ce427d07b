package wssec

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/verdict"
)

// Every negative probe has a unique name, a clause, expected codes, a
// severity and one rule, and really changes the envelope it is applied to.
func TestMutationsAreNamedAndChangeTheEnvelope(t *testing.T) {
	cfg := testConfig(t, SOAP11, "https://x/soap")
	cfg.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	env := Envelope{SAML: true}
	base, err := Baseline.Apply(BaseSpec(cfg, env))
	if err != nil {
		t.Fatal(err)
	}
	baseRaw, _ := base.Bytes()
	seen := map[string]bool{}
	for _, rule := range []string{RuleWSS, RuleSAML} {
		for _, m := range Mutations(rule) {
			if seen[m.Name] || m.Clause == "" || len(m.Expect) == 0 || RuleOf(m.Name) != rule || m.Severity == "" {
				t.Errorf("%s: duplicate, or no clause/expectation/severity/rule", m.Name)
			}
			if _, err := verdict.ParseSeverity(string(m.Severity)); err != nil {
				t.Errorf("%s: %v", m.Name, err)
			}
			seen[m.Name] = true
			if m.Replay {
				continue // the same message, sent twice
			}
			msg, err := m.Apply(BaseSpec(cfg, env))
			if err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
			raw, _ := msg.Bytes()
			// IDs and signature values are random per message, so compare
			// the text with them blanked out.
			if norm(raw) == norm(baseRaw) {
				t.Errorf("%s: envelope unchanged:\n%s", m.Name, raw)
			}
		}
	}
}

// norm blanks what differs between two builds of the same envelope.
func norm(raw []byte) string {
	doc, err := parseXML(raw)
	if err != nil {
		return string(raw)
	}
	for _, e := range doc.FindElements("//*") {
		switch e.Tag {
		case "SignatureValue", "DigestValue":
			e.SetText("")
		}
		for i, a := range e.Attr {
			if a.Key == "Id" || a.Key == "ID" || a.Key == "URI" {
				e.Attr[i].Value = ""
			}
		}
	}
	b, _ := doc.WriteToBytes()
	return string(b)
}

// Tamper changes every kind of payload so that its canonical form differs.
func TestTamperChangesThePayload(t *testing.T) {
	for _, in := range []string{`<a:x xmlns:a="urn:a"><a:id>123</a:id></a:x>`, `<a:x xmlns:a="urn:a"><a:b>true</a:b></a:x>`,
		`<a:x xmlns:a="urn:a"><a:s>name</a:s></a:x>`, `<a:x xmlns:a="urn:a"/>`} {
		doc, err := parseXML([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		before, _ := Canonical(doc.Root())
		Tamper(doc.Root())
		after, _ := Canonical(doc.Root())
		if bytes.Equal(before, after) {
			t.Errorf("%s: unchanged after Tamper", in)
		}
	}
}

// Plans: each rule's own probes only, controls first and last, and the
// control's request budget covers every layout it may try.
func TestPlanPerRule(t *testing.T) {
	for rule, wantControl := range map[string]int{RuleWSS: len(X509Layouts) + len(SAMLLayouts), RuleSAML: len(SAMLLayouts) + len(X509Layouts)} {
		plan := Plan(rule)
		before, after := Controls(rule)
		if plan[0].ID != before || plan[len(plan)-1].ID != after || plan[0].Requests != wantControl {
			t.Errorf("%s: plan starts %+v, ends %+v; want %s with %d requests ... %s", rule, plan[0], plan[len(plan)-1], before, wantControl, after)
		}
		for _, p := range plan {
			if p.Rule != rule || RuleOf(p.ID) != rule {
				t.Errorf("%s plan has %s of %s", rule, p.ID, p.Rule)
			}
		}
		if len(plan) != len(Mutations(rule))+2 || strings.Join(ProbeIDs(rule), ",") == "" {
			t.Errorf("%s: %d entries", rule, len(plan))
		}
	}
}
