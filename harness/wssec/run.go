package wssec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/verdict"
)

// DefaultBodyCap bounds one answer (a SOAP fault or a business answer).
const DefaultBodyCap = 256 << 10

// The two SOAP rules.
const (
	RuleWSS  = "SC-S001"
	RuleSAML = "SC-S002"
)

// Probe identifiers of each rule's positive controls, framing its batch.
const (
	WSSControlBefore  = "wss/control/before"
	WSSControlAfter   = "wss/control/after"
	SAMLControlBefore = "saml/control/before"
	SAMLControlAfter  = "saml/control/after"
)

// Config is one rule's run of the SOAP probes against a target.
type Config struct {
	Endpoint string
	// Op is the target's operation every message carries (ResolveOperation).
	Op *Operation
	// HTTP sends every request (production: the run's conduct.Guard client).
	HTTP    *http.Client
	BodyCap int64
	// Client signs the messages; its certificate must be trusted by the target.
	Client Credential
	// SAMLIssuer is the assertion issuer the target trusts, with the issuer
	// name, the audience the target expects and the subject (SC-S002). Without
	// an issuer key SC-S001 sends X.509 envelopes only and SC-S002 cannot run.
	SAMLIssuer Credential
	Issuer     string
	Audience   string
	Subject    string
	Now        func() time.Time
	// XXEListen is where the entity recorder listens ("" = 127.0.0.1:0).
	XXEListen string
}

func (c Config) hasSAML() bool { return c.SAMLIssuer.Key != nil && c.SAMLIssuer.Cert != nil }

// SuiteIssuer is the default name of the suite's SAML issuer.
const SuiteIssuer = "urn:apisec:suite:saml-issuer"

// Mutations are a rule's negative probes in plan order.
func Mutations(rule string) []Mutation {
	switch rule {
	case RuleWSS:
		return S001
	case RuleSAML:
		return S002
	}
	return nil
}

// Controls are a rule's positive controls (before, after).
func Controls(rule string) (before, after string) {
	if rule == RuleSAML {
		return SAMLControlBefore, SAMLControlAfter
	}
	return WSSControlBefore, WSSControlAfter
}

// RuleOf names the rule a probe decides ("" for an unknown probe).
func RuleOf(id string) string {
	for _, rule := range []string{RuleWSS, RuleSAML} {
		b, a := Controls(rule)
		if id == b || id == a || slices.ContainsFunc(Mutations(rule), func(m Mutation) bool { return m.Name == id }) {
			return rule
		}
	}
	return ""
}

// candidates are the valid envelopes a rule's control tries, in order:
// SC-S001 the X.509-only layouts, then (when the suite has a SAML issuer)
// the SAML ones, because a SAML-only service refuses a message without an
// assertion; SC-S002 the SAML layouts.
func candidates(rule string, withSAML bool) []Envelope {
	var out []Envelope
	if rule == RuleWSS {
		for _, l := range X509Layouts {
			out = append(out, Envelope{Layout: l})
		}
	}
	if withSAML {
		for _, l := range SAMLLayouts {
			out = append(out, Envelope{SAML: true, Layout: l})
		}
	}
	return out
}

// Result is one probe's exchange and verdict.
type Result struct {
	ID     string   `json:"probe"`
	Clause string   `json:"clause"`
	Expect []string `json:"expect,omitempty"`
	// Envelope is the valid envelope the probe started from.
	Envelope string `json:"envelope,omitempty"`
	// Request is the (last) envelope sent; Status, ContentType, Body the answer.
	Request     string    `json:"request,omitempty"`
	Status      int       `json:"status,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	Body        string    `json:"body,omitempty"`
	Response    *Response `json:"response,omitempty"`
	Notes       []string  `json:"notes,omitempty"`
	// Err is the verdict: nil pass, a verdict.Finding, or could-not-test.
	Err error `json:"-"`
}

// Evidence is the exchange as JSON for the report.
func (r *Result) Evidence() []byte {
	b, _ := json.MarshalIndent(r, "", "  ")
	return b
}

// Report holds one rule's probe results by ID.
type Report struct {
	Rule string
	// Envelope is the valid envelope the target accepted (when one was).
	Envelope *Envelope
	results  map[string]*Result
}

// Result returns a probe's result.
func (r *Report) Result(id string) (*Result, bool) { res, ok := r.results[id]; return res, ok }

// PlanEntry describes one probe for `apisec run --dry-run`.
type PlanEntry struct {
	ID, Rule, Clause string
	// Requests is the most the probe sends.
	Requests int
	Expect   []QName
}

// Plan lists what Run sends for a rule, in order, with the most requests
// each probe may take: the control tries every candidate layout (SC-S002
// then the X.509 layouts to tell "no SAML" from "refused").
func Plan(rule string) []PlanEntry {
	before, after := Controls(rule)
	n := len(candidates(rule, true))
	if rule == RuleSAML {
		n += len(X509Layouts)
	}
	out := []PlanEntry{{ID: before, Rule: rule, Clause: Baseline.Clause, Requests: n}}
	for _, m := range Mutations(rule) {
		r := 1
		if m.Replay {
			r = 2
		}
		out = append(out, PlanEntry{ID: m.Name, Rule: rule, Clause: m.Clause, Requests: r, Expect: m.Expect})
	}
	return append(out, PlanEntry{ID: after, Rule: rule, Clause: Baseline.Clause, Requests: 1})
}

// ProbeIDs are a rule's probes in plan order.
func ProbeIDs(rule string) []string {
	var ids []string
	for _, p := range Plan(rule) {
		ids = append(ids, p.ID)
	}
	return ids
}

// Run sends one rule's plan: the control (trying the standard layouts until
// the target accepts one), every mutation of the accepted envelope, the
// control again. When the control is refused no mutation is sent: a refusal
// would prove nothing.
func Run(ctx context.Context, cfg Config, rule string) (*Report, error) {
	if cfg.HTTP == nil || cfg.Now == nil || cfg.Endpoint == "" || cfg.Op == nil || cfg.Op.Payload == nil {
		return nil, errors.New("wssec: config needs HTTP, Now, Endpoint and Op")
	}
	if Mutations(rule) == nil {
		return nil, fmt.Errorf("wssec: no SOAP rule %q", rule)
	}
	if rule == RuleSAML && !cfg.hasSAML() {
		return nil, errors.New("wssec: SC-S002 needs the suite's SAML issuer credential")
	}
	if cfg.BodyCap <= 0 {
		cfg.BodyCap = DefaultBodyCap
	}
	var rec *entityRecorder
	if slices.ContainsFunc(Mutations(rule), func(m Mutation) bool { return m.XXE }) {
		var err error
		if rec, err = startEntityRecorder(cfg.XXEListen, Mutations(rule)); err != nil {
			return nil, err
		}
		defer rec.close()
	}
	rep := &Report{Rule: rule, results: map[string]*Result{}}
	beforeID, afterID := Controls(rule)
	before, env, skip := control(ctx, cfg, rule, beforeID)
	before.Notes = append([]string{"request: " + cfg.Op.Source}, before.Notes...)
	rep.results[beforeID] = before
	if env == nil {
		for _, m := range Mutations(rule) {
			rep.results[m.Name] = &Result{ID: m.Name, Clause: m.Clause, Expect: expectStrings(m), Err: skip(m.Name)}
		}
		rep.results[afterID] = &Result{ID: afterID, Clause: Baseline.Clause, Err: skip(afterID)}
		return rep, nil
	}
	rep.Envelope = env
	for _, m := range Mutations(rule) {
		rep.results[m.Name] = probe(ctx, cfg, rec, *env, m.Name, m)
	}
	if rule == RuleSAML && processed(rep.results[WithoutAssertion.Name]) {
		// A target that takes the message without any assertion may ignore
		// assertions altogether: say so beside each assertion it accepted.
		for _, m := range Mutations(rule) {
			if r := rep.results[m.Name]; m.Name != WithoutAssertion.Name && processed(r) {
				r.Notes = append(r.Notes, "the target also processes the message without any assertion ("+WithoutAssertion.Name+"): it may not use the SAML token at all")
			}
		}
	}
	after := probe(ctx, cfg, rec, *env, afterID, Baseline)
	rep.results[afterID] = after
	if after.Err != nil {
		// The target stopped accepting the valid envelope during the batch:
		// its refusals may be about that, not about the mutations. An
		// accepted mutation stays a finding.
		for _, m := range Mutations(rule) {
			if r := rep.results[m.Name]; r.Err == nil {
				r.Err = verdict.CouldNotTestf(m.Name, "refused, but the valid envelope was refused too after the batch (%s), so the refusal proves nothing", afterID)
			}
		}
	}
	return rep, nil
}

// BaseSpec is the valid envelope of a run, made fresh for each probe.
func BaseSpec(cfg Config, env Envelope) Spec {
	now := cfg.Now()
	s := Spec{Version: cfg.Op.Version, Op: cfg.Op, Signer: cfg.Client, Created: now, TTL: 5 * time.Minute, Layout: env.Layout}
	if env.SAML {
		s.SAML = &AssertionSpec{
			Issuer: cfg.Issuer, IssuerCred: cfg.SAMLIssuer, Subject: cfg.Subject, Audience: cfg.Audience,
			Confirm: cfg.Client.Cert, IssueInstant: now, NotBefore: now.Add(-time.Minute), NotOnOrAfter: now.Add(10 * time.Minute),
		}
	}
	return s
}

// control finds the envelope the target accepts. It returns the control's
// result, the envelope (nil when none was accepted) and, then, what each
// unsent probe is: not applicable when the target showed it does not use the
// rule's mechanism, could-not-test otherwise.
func control(ctx context.Context, cfg Config, rule, id string) (*Result, *Envelope, func(string) error) {
	res := &Result{ID: id, Clause: Baseline.Clause}
	var first *Result
	for _, env := range candidates(rule, cfg.hasSAML()) {
		a := attempt(ctx, cfg, id, env)
		res.Request, res.Status, res.ContentType, res.Body, res.Response, res.Envelope = a.Request, a.Status, a.ContentType, a.Body, a.Response, a.Envelope
		switch {
		case a.Err != nil: // could not test: no other layout will tell more
			res.Err = a.Err
			return res, nil, notSent(id)
		case mustUnderstand(a.Response):
			res.Err = verdict.WithSeverity(verdict.Warning(id, "the WS-Security header is processed",
				"SOAP 1.1 §4.2.3 / SOAP 1.2 Part 1 §5.4.8; "+rule, "MustUnderstand fault: the target does not implement WS-Security"), verdict.Medium)
			return res, nil, func(string) error {
				return verdict.Inapplicable("the target does not implement WS-Security (MustUnderstand fault to the valid envelope)")
			}
		case accepted(a):
			res.Notes = append(res.Notes, "accepted "+env.String()+": "+a.Response.Payload.String())
			return res, &env, nil
		}
		res.Notes = append(res.Notes, fmt.Sprintf("refused %s: %s", env, describe(a)))
		if first == nil {
			first = a
		}
	}
	if first == nil {
		res.Err = verdict.CouldNotTestf(id, "no envelope to try")
		return res, nil, notSent(id)
	}
	if rule == RuleSAML {
		// Tell "does not use SAML" from "refuses the suite": does it take
		// the same message without an assertion?
		for _, l := range X509Layouts {
			a := attempt(ctx, cfg, id, Envelope{Layout: l})
			if a.Err == nil && accepted(a) {
				res.Notes = append(res.Notes, "accepted without an assertion: "+a.Envelope)
				res.Err = verdict.WithSeverity(verdict.Warning(id, "a message carrying a SAML 2.0 token from the trusted issuer is processed",
					"SAML Token Profile 1.1.1 §3; SC-S002", "the target refuses the message with a SAML assertion in every standard layout and processes it without one: it does not use the SAML Token Profile"), verdict.Medium)
				return res, nil, func(string) error {
					return verdict.Inapplicable("the target does not use SAML tokens (the valid SAML envelope was refused, the same message without an assertion processed)")
				}
			}
			res.Notes = append(res.Notes, fmt.Sprintf("refused without an assertion too, %s: %s", l.Describe(false), describe(a)))
		}
	}
	res.Request, res.Status, res.ContentType, res.Body, res.Response, res.Envelope = first.Request, first.Status, first.ContentType, first.Body, first.Response, first.Envelope
	res.Err = verdict.CouldNotTestf(id, "the valid envelope was refused in every standard layout, first with %s; %s", describe(first), hint(first.Response))
	return res, nil, notSent(id)
}

func notSent(control string) func(string) error {
	return func(id string) error {
		return verdict.CouldNotTestf(id, "not sent: the valid envelope (%s) was not accepted, so a refusal would prove nothing", control)
	}
}

// attempt sends the unchanged envelope once.
func attempt(ctx context.Context, cfg Config, id string, env Envelope) *Result {
	res := &Result{ID: id, Clause: Baseline.Clause, Envelope: env.String()}
	m, err := Baseline.Apply(BaseSpec(cfg, env))
	if err != nil {
		res.Err = fmt.Errorf("wssec: build %s: %w", id, err)
		return res
	}
	raw, err := m.Bytes()
	if err != nil {
		res.Err = err
		return res
	}
	send(ctx, cfg, raw, res)
	return res
}

// processed says the target answered with a business response.
func processed(r *Result) bool {
	return r.Response != nil && r.Response.Fault == nil && r.Status/100 == 2
}

func accepted(r *Result) bool { return r.Err == nil && processed(r) }

func mustUnderstand(r *Response) bool {
	return r != nil && r.Fault != nil && slices.Contains(r.Fault.Codes(), QName{r.Version.NS(), "MustUnderstand"})
}

// hint says what a refused control most likely means, by its fault code.
func hint(r *Response) string {
	if r == nil || r.Fault == nil {
		return "the answer was not a SOAP fault (is soap.endpoint the SOAP service?)"
	}
	codes := r.Fault.Codes()
	has := func(qs ...QName) bool {
		return slices.ContainsFunc(codes, func(c QName) bool { return slices.Contains(qs, c) })
	}
	switch {
	case has(FailedCheck):
		return "the target could not verify the suite's signature: a canonicalization or signature interoperability problem (the suite's envelopes verify with xmlsec1; compare the evidence)"
	case has(SecurityTokenUnavailable, FailedAuthentication, InvalidSecurityToken):
		return "the target does not trust the suite's credentials: register the suite's client certificate (soap.client_certificate) and SAML issuer (soap.saml_issuer_certificate, soap.saml_issuer) with the target"
	case has(MessageExpired, MessageExpiredWSU):
		return "the target thinks the message expired: check the clocks of the suite and the target"
	case has(UnsupportedAlgorithm, UnsupportedSecurityToken):
		return "the target does not support the suite's algorithms or token type (rsa-sha256, exclusive c14n, X.509 v3 BinarySecurityToken)"
	case has(ClientS11, SenderS12, QName{NSS11, "Server"}, QName{NSS12, "Receiver"}):
		return "the target refused the request itself: check soap.operation and soap.request_body"
	}
	return "see the fault in the evidence"
}

func expectStrings(m Mutation) []string {
	var out []string
	for _, q := range m.Expect {
		out = append(out, q.String())
	}
	return out
}

// probe sends one mutation of the accepted envelope (or the control again) and judges it.
func probe(ctx context.Context, cfg Config, rec *entityRecorder, env Envelope, id string, mu Mutation) *Result {
	res := &Result{ID: id, Clause: mu.Clause, Expect: expectStrings(mu), Envelope: env.String()}
	m, err := mu.Apply(BaseSpec(cfg, env))
	if err != nil {
		res.Err = fmt.Errorf("wssec: build %s: %w", id, err)
		return res
	}
	raw, err := m.Bytes()
	if err != nil {
		res.Err = err
		return res
	}
	var xxeURL string
	if mu.XXE {
		xxeURL = rec.url(id)
		raw = bytes.Replace(raw, []byte(XXEPlaceholder), []byte(xxeURL), 1)
	}
	if mu.Replay {
		first := &Result{ID: id}
		send(ctx, cfg, raw, first)
		if !accepted(first) {
			res.Request = string(raw)
			res.Err = verdict.CouldNotTestf(id, "the first copy of the message was not accepted (%s), so the replay proves nothing", describe(first))
			return res
		}
		res.Notes = append(res.Notes, "first copy accepted: "+describe(first))
	}
	send(ctx, cfg, raw, res)
	switch {
	case mu.XXE:
		res.Err = judgeXXE(id, mu, res, rec, xxeURL)
	case res.Err != nil:
	case mu.Expect == nil:
		res.Err = judgeControl(id, res)
	default:
		res.Err = judgeRefusal(id, mu, res)
	}
	return res
}

// judgeXXE: a fetch of the external entity is a deviation whatever the
// answer was (the parser resolved it); otherwise the DTD must be refused.
func judgeXXE(id string, mu Mutation, res *Result, rec *entityRecorder, url string) error {
	if n := rec.hitsOf(id); n > 0 {
		return verdict.WithSeverity(verdict.Deviation(id, "the external entity is never fetched",
			"SOAP 1.1 §3, SOAP 1.2 Part 1 §5 (no DTD); OWASP XXE", fmt.Sprintf("the target fetched %s %d time(s)", url, n)), verdict.Critical)
	}
	if res.Err != nil {
		return res.Err
	}
	res.Notes = append(res.Notes, "entity URL "+url+" was not fetched (observable only for targets that can reach the suite's loopback)")
	return judgeRefusal(id, mu, res)
}

// send posts the envelope and reads the answer as SOAP.
func send(ctx context.Context, cfg Config, raw []byte, res *Result) {
	res.Request = string(raw)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.Endpoint, bytes.NewReader(raw))
	if err != nil {
		res.Err = err
		return
	}
	v := cfg.Op.Version
	req.Header.Set("Content-Type", v.ContentType(cfg.Op.Action))
	if v == SOAP11 {
		req.Header.Set("SOAPAction", `"`+cfg.Op.Action+`"`)
	}
	resp, err := cfg.HTTP.Do(req)
	if err != nil {
		res.Err = verdict.CouldNotTest(res.ID, err)
		return
	}
	defer resp.Body.Close()
	body, err := conduct.ReadBody(resp.Body, cfg.BodyCap)
	res.Status, res.ContentType, res.Body = resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
	if err != nil {
		res.Err = verdict.CouldNotTest(res.ID, err)
		return
	}
	mt, _, _ := mime.ParseMediaType(res.ContentType)
	r, err := ParseResponse(body)
	if err != nil {
		res.Err = verdict.CouldNotTestf(res.ID, "HTTP %d %s: %v", res.Status, mt, err)
		return
	}
	res.Response = r
	if r.Version != v {
		res.Notes = append(res.Notes, fmt.Sprintf("answered in SOAP %d to a SOAP %d request", r.Version, v))
	}
}

func judgeControl(id string, res *Result) error {
	r := res.Response
	switch {
	case r.Fault != nil:
		return verdict.CouldNotTestf(id, "the valid envelope was refused with %s; %s", r.Fault, hint(r))
	case res.Status/100 != 2:
		return verdict.CouldNotTestf(id, "HTTP %d without a fault", res.Status)
	}
	res.Notes = append(res.Notes, "accepted: "+r.Payload.String())
	return nil
}

// judgeRefusal grades a negative probe: a business answer is a deviation
// (with the mutation's severity); a fault with an expected WSS code passes;
// another WSS code passes with a note (the stack merges fault classes, WSS
// §12 allows it); any other fault does not show the message was refused for
// security reasons (a low-severity warning).
func judgeRefusal(id string, mu Mutation, res *Result) error {
	r := res.Response
	want := "a SOAP fault with " + strings.Join(res.Expect, " or ")
	if r.Fault == nil {
		return verdict.WithSeverity(verdict.Warning(id, want, mu.Clause, fmt.Sprintf("HTTP %d with %s (the message was processed)", res.Status, r.Payload)), mu.Severity)
	}
	codes := r.Fault.Codes()
	hygiene(res)
	for _, c := range codes {
		if slices.Contains(mu.Expect, c) {
			return nil
		}
	}
	for _, c := range codes {
		if IsSecurityFault(c) {
			res.Notes = append(res.Notes, fmt.Sprintf("non-strict: refused with %s, expected %s", c, strings.Join(res.Expect, " or ")))
			return nil
		}
	}
	return verdict.WithSeverity(verdict.Warning(id, want, mu.Clause, "fault "+r.Fault.String()), verdict.Low)
}

// hygiene notes a fault's HTTP status against BP 1.1 R1126 (500) and SOAP 1.2
// Part 2 §7.5.2 (400 for Sender).
func hygiene(res *Result) {
	r := res.Response
	want := http.StatusInternalServerError
	if r.Version == SOAP12 && r.Fault.Code == SenderS12 {
		want = http.StatusBadRequest
	}
	if res.Status != want {
		res.Notes = append(res.Notes, fmt.Sprintf("fault sent with HTTP %d, expected %d (WS-I BP R1126 / SOAP 1.2 Part 2 §7.5.2)", res.Status, want))
	}
}

func describe(r *Result) string {
	switch {
	case r.Err != nil:
		return r.Err.Error()
	case r.Response != nil && r.Response.Fault != nil:
		return fmt.Sprintf("HTTP %d fault %s", r.Status, r.Response.Fault)
	case r.Response != nil:
		return fmt.Sprintf("HTTP %d %s", r.Status, r.Response.Payload)
	}
	return fmt.Sprintf("HTTP %d", r.Status)
}

// entityRecorder is the suite's loopback HTTP listener an XXE probe's
// external entity points to: any fetch is counted against the probe.
type entityRecorder struct {
	srv  *http.Server
	base string
	hits map[string]*atomic.Int64
}

func startEntityRecorder(addr string, ms []Mutation) (*entityRecorder, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("wssec: entity recorder: %w", err)
	}
	r := &entityRecorder{base: "http://" + ln.Addr().String() + "/xxe/", hits: map[string]*atomic.Int64{}}
	for _, m := range ms {
		if m.XXE {
			r.hits[m.Name] = &atomic.Int64{}
		}
	}
	r.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if c, ok := r.hits[strings.TrimPrefix(req.URL.Path, "/xxe/")]; ok {
				c.Add(1)
			}
			http.NotFound(w, req)
		})}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *entityRecorder) url(id string) string { return r.base + id }

func (r *entityRecorder) hitsOf(id string) int64 {
	if c, ok := r.hits[id]; ok {
		return c.Load()
	}
	return 0
}

func (r *entityRecorder) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
}
