package wssec

import (
	"bytes"
	"testing"
	"time"
)

// Every negative probe has a unique name, a clause and expected codes, and
// really changes the envelope it is applied to.
func TestMutationsAreNamedAndChangeTheEnvelope(t *testing.T) {
	client, issuer := testCred(t, "client"), testCred(t, "issuer")
	cfg := Config{Version: SOAP11, Client: client, SAMLIssuer: issuer, Issuer: "urn:i", Audience: "https://x/soap", Subject: "s", PatientID: "123",
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	base, err := Baseline.Apply(BaseSpec(cfg))
	if err != nil {
		t.Fatal(err)
	}
	baseRaw, _ := base.Bytes()
	seen := map[string]bool{}
	for _, m := range append(append([]Mutation{}, S001...), S002...) {
		if seen[m.Name] || m.Clause == "" || len(m.Expect) == 0 || RuleOf(m.Name) == "" {
			t.Errorf("%s: duplicate, or no clause/expectation/rule", m.Name)
		}
		seen[m.Name] = true
		if m.Replay {
			continue // the same message, sent twice
		}
		msg, err := m.Apply(BaseSpec(cfg))
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		raw, _ := msg.Bytes()
		// IDs are random per message, so compare shape: a mutation must
		// differ from a fresh baseline by more than the IDs and values.
		if len(raw) == len(baseRaw) && bytes.Count(raw, []byte("<")) == bytes.Count(baseRaw, []byte("<")) &&
			m.Name != WithBodyModifiedAfterSigning.Name && m.Name != WithWrongAudience.Name && m.Name != WithExpiredAssertion.Name &&
			m.Name != WithExpiredTimestamp.Name && m.Name != WithSignatureByUntrustedCert.Name {
			t.Errorf("%s: envelope looks unchanged", m.Name)
		}
	}
	if got := RuleOf(ControlBefore); got != "" {
		t.Errorf("controls belong to both rules, got %q", got)
	}
}

func TestPlanCountsRequests(t *testing.T) {
	n := 0
	for _, p := range Plan() {
		n += p.Requests
	}
	if got := len(Plan()); got != len(ProbeIDs()) || n != 17 {
		t.Errorf("plan: %d probes (ids %d), %d requests; want 17 requests", got, len(ProbeIDs()), n)
	}
}
