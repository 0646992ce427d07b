package wssec

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apisec/apisec/harness/verdict"
)

func runAgainst(t *testing.T, rule string, h http.HandlerFunc) *Report {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := testConfig(t, SOAP11, srv.URL)
	cfg.HTTP = srv.Client()
	rep, err := Run(context.Background(), cfg, rule)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func status(rep *Report, id string) verdict.Status {
	res, _ := rep.Result(id)
	st, _ := verdict.Classify(res.Err)
	return st
}

const business = `<s:Envelope xmlns:s="` + NSS11 + `"><s:Body><p:GetPatientResponse xmlns:p="urn:apisec:reference:patient"/></s:Body></s:Envelope>`

func fault(w http.ResponseWriter, code QName, reason string) {
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(FaultEnvelope(SOAP11, code, reason))
}

// An endpoint that does not implement WS-Security answers MustUnderstand to
// the valid envelope: that is the finding (a warning), the negative probes
// are not sent and not applicable, so the rule is a warning, not an error.
func TestMustUnderstandMeansNoWSSecurity(t *testing.T) {
	var n atomic.Int64
	rep := runAgainst(t, RuleWSS, func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		fault(w, QName{NSS11, "MustUnderstand"}, "wsse:Security not understood")
	})
	if st := status(rep, WSSControlBefore); st != verdict.Warn {
		t.Errorf("control: %s, want warn", st)
	}
	for _, m := range S001 {
		if st := status(rep, m.Name); st != verdict.NotApplicable {
			t.Errorf("%s: %s, want not_applicable", m.Name, st)
		}
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1 (nothing after the MustUnderstand fault)", n.Load())
	}
}

// An endpoint that processes everything: the controls pass and every
// negative probe is a warning that names its clause and its severity.
func TestAcceptingEverythingWarnsEveryProbe(t *testing.T) {
	for _, rule := range []string{RuleWSS, RuleSAML} {
		rep := runAgainst(t, rule, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(business)) })
		before, after := Controls(rule)
		if status(rep, before) != verdict.Pass || status(rep, after) != verdict.Pass {
			t.Fatalf("%s: controls should pass", rule)
		}
		for _, m := range Mutations(rule) {
			res, _ := rep.Result(m.Name)
			st, f := verdict.Classify(res.Err)
			if st != verdict.Warn || !strings.Contains(res.Err.Error(), m.Clause) || f.Severity != m.Severity {
				t.Errorf("%s: %s (%v), want a %s warning citing %q", m.Name, st, res.Err, m.Severity, m.Clause)
			}
		}
	}
}

// After an accepted control, a fault with a generic code (soap:Server) is
// not a security refusal: a low warning, never a pass.
func TestGenericFaultIsNotASecurityRefusal(t *testing.T) {
	var n atomic.Int64
	rep := runAgainst(t, RuleSAML, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 1 {
			_, _ = w.Write([]byte(business))
			return
		}
		fault(w, QName{NSS11, "Server"}, "NullPointerException")
	})
	for _, m := range S002 {
		if st, f := verdict.Classify(mustResult(t, rep, m.Name).Err); st != verdict.Warn || f.Severity != verdict.Low {
			t.Errorf("%s: %s, want a low warning", m.Name, st)
		}
	}
	// The control after the batch was refused too: it is could-not-test.
	if st := status(rep, SAMLControlAfter); st != verdict.Error {
		t.Errorf("control after: %s, want error", st)
	}
}

func mustResult(t *testing.T, rep *Report, id string) *Result {
	t.Helper()
	res, ok := rep.Result(id)
	if !ok {
		t.Fatalf("no result for %s", id)
	}
	return res
}

// A target that refuses the control in every layout gets no mutation: the
// probes are could-not-test with the reason, and the control's reason carries
// the hint its fault code points to.
func TestRefusedControlSendsNoMutation(t *testing.T) {
	for code, hintWord := range map[QName]string{FailedCheck: "canonicalization", SecurityTokenUnavailable: "trust", MessageExpiredWSU: "clocks"} {
		var n atomic.Int64
		rep := runAgainst(t, RuleWSS, func(w http.ResponseWriter, _ *http.Request) { n.Add(1); fault(w, code, "no") })
		res := mustResult(t, rep, WSSControlBefore)
		if st, f := verdict.Classify(res.Err); st != verdict.Error || !strings.Contains(f.Reason, hintWord) {
			t.Errorf("%s: control %s %v, want error with a hint about %s", code, st, res.Err, hintWord)
		}
		if got, want := n.Load(), int64(len(X509Layouts)+len(SAMLLayouts)); got != want {
			t.Errorf("%s: %d requests, want %d (one per layout, no mutation)", code, got, want)
		}
		for _, m := range S001 {
			if st := status(rep, m.Name); st != verdict.Error {
				t.Errorf("%s %s: %s, want error (not sent)", code, m.Name, st)
			}
		}
	}
}

// The layout search: a target that, like stock gSOAP, verifies the first
// ds:SignedInfo in the document refuses the SAML envelope whose assertion
// precedes the message signature; the suite finds the layout it accepts,
// records it, and sends every probe in it.
func TestLayoutSearchFindsWhatTheTargetAccepts(t *testing.T) {
	var mu sync.Mutex
	var layouts []string
	rep := runAgainst(t, RuleSAML, func(w http.ResponseWriter, r *http.Request) {
		doc, err := parseXML(readAll(r))
		if err != nil {
			fault(w, ClientS11, "xml")
			return
		}
		sec := doc.FindElement("//Security")
		var order []string
		for _, c := range sec.ChildElements() {
			order = append(order, c.Tag)
		}
		mu.Lock()
		layouts = append(layouts, strings.Join(order, " "))
		mu.Unlock()
		if i := strings.Index(strings.Join(order, " "), "Assertion"); i >= 0 && i < strings.Index(strings.Join(order, " "), "Signature") {
			fault(w, FailedCheck, "SignedInfo of the assertion does not cover the Body")
			return
		}
		_, _ = w.Write([]byte(business))
	})
	if status(rep, SAMLControlBefore) != verdict.Pass || rep.Envelope == nil || !rep.Envelope.Layout.AssertionAfterSignature {
		t.Fatalf("control: %v, envelope %v; want the assertion-after-signature layout", mustResult(t, rep, SAMLControlBefore).Err, rep.Envelope)
	}
	if res := mustResult(t, rep, WithExpiredAssertion.Name); !strings.Contains(res.Envelope, "Signature Assertion") {
		t.Errorf("probe sent in %q, want the accepted layout", res.Envelope)
	}
	if layouts[0] != "Timestamp BinarySecurityToken Assertion Signature" || layouts[1] != "Timestamp BinarySecurityToken Signature Assertion" {
		t.Errorf("layouts tried: %v", layouts[:2])
	}
}

// SC-S002 against a WS-Security-only service: it refuses every SAML layout
// and accepts the same message without an assertion. That is "does not use
// SAML": a warning, and the assertion probes are not applicable.
func TestWSSOnlyServiceDoesNotUseSAML(t *testing.T) {
	rep := runAgainst(t, RuleSAML, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(string(readAll(r)), "Assertion") {
			fault(w, UnsupportedSecurityToken, "SAML not supported")
			return
		}
		_, _ = w.Write([]byte(business))
	})
	if st := status(rep, SAMLControlBefore); st != verdict.Warn {
		t.Errorf("control: %s (%v), want warn", st, mustResult(t, rep, SAMLControlBefore).Err)
	}
	for _, m := range S002 {
		if st := status(rep, m.Name); st != verdict.NotApplicable {
			t.Errorf("%s: %s, want not_applicable", m.Name, st)
		}
	}
}

// SC-S001 against a SAML-only service: the X.509-only envelope is refused,
// the SAML one accepted, and SC-S001's probes run in it.
func TestSAMLOnlyServiceTestsWSSInTheSAMLEnvelope(t *testing.T) {
	rep := runAgainst(t, RuleWSS, func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(string(readAll(r)), "Assertion") {
			fault(w, InvalidSecurity, "SAML token required")
			return
		}
		_, _ = w.Write([]byte(business))
	})
	if status(rep, WSSControlBefore) != verdict.Pass || rep.Envelope == nil || !rep.Envelope.SAML {
		t.Fatalf("control: %v, envelope %v", mustResult(t, rep, WSSControlBefore).Err, rep.Envelope)
	}
}

func readAll(r *http.Request) []byte {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return []byte(b.String())
		}
	}
}
