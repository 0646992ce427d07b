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

// DefaultBodyCap bounds one answer (a SOAP fault or a patient record).
const DefaultBodyCap = 256 << 10

// Config is one run of the SOAP probes against a target.
type Config struct {
	Endpoint string
	// Version is the SOAP version; 0 takes it from the WSDL, else SOAP 1.1.
	Version Version
	// WSDL is the target's WSDL URL (optional).
	WSDL string
	// HTTP sends every request (production: the run's conduct.Guard client).
	HTTP    *http.Client
	BodyCap int64
	// Client signs the messages; its certificate must be trusted by the target.
	Client Credential
	// SAML issuer the target trusts, the issuer name and the audience the
	// target expects (SC-S002).
	SAMLIssuer Credential
	Issuer     string
	Audience   string
	Subject    string
	PatientID  string
	Now        func() time.Time
	// XXEListen is where the entity recorder listens ("" = 127.0.0.1:0).
	XXEListen string
}

// SuiteIssuer is the default name of the suite's SAML issuer.
const SuiteIssuer = "urn:apisec:suite:saml-issuer"

// RuleOf names the rule a probe decides ("" for the shared controls and
// unknown probes).
func RuleOf(id string) string {
	switch {
	case slices.ContainsFunc(S001, func(m Mutation) bool { return m.Name == id }):
		return "SC-S001"
	case slices.ContainsFunc(S002, func(m Mutation) bool { return m.Name == id }):
		return "SC-S002"
	}
	return ""
}

// Probe identifiers of the positive controls framing the negative batch.
const (
	ControlBefore = "control/before"
	ControlAfter  = "control/after"
)

// Result is one probe's exchange and verdict.
type Result struct {
	ID     string   `json:"probe"`
	Clause string   `json:"clause"`
	Expect []string `json:"expect,omitempty"`
	// Request is the (last) envelope sent; Status, ContentType, Body the answer.
	Request     string    `json:"request"`
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

// Report holds every probe's result by ID.
type Report struct{ results map[string]*Result }

// Result returns a probe's result.
func (r *Report) Result(id string) (*Result, bool) { res, ok := r.results[id]; return res, ok }

// PlanEntry describes one probe for `apisec run --dry-run`.
type PlanEntry struct {
	ID, Rule, Clause string
	Requests         int
	Expect           []QName
}

// Plan lists what Run sends, in order: 17 requests in all.
func Plan() []PlanEntry {
	out := []PlanEntry{{ID: ControlBefore, Rule: "SC-S001,SC-S002", Clause: Baseline.Clause, Requests: 1}}
	for _, m := range append(slices.Clone(S001), S002...) {
		n := 1
		if m.Replay {
			n = 2
		}
		out = append(out, PlanEntry{ID: m.Name, Rule: RuleOf(m.Name), Clause: m.Clause, Requests: n, Expect: m.Expect})
	}
	return append(out, PlanEntry{ID: ControlAfter, Rule: "SC-S001,SC-S002", Clause: Baseline.Clause, Requests: 1})
}

// ProbeIDs is the plan: controls framing both rules' negative probes.
func ProbeIDs() []string {
	ids := []string{ControlBefore}
	for _, m := range append(slices.Clone(S001), S002...) {
		ids = append(ids, m.Name)
	}
	return append(ids, ControlAfter)
}

// Run sends the plan once: the valid envelope, each mutation, the valid
// envelope again. A target that refuses the first control leaves every
// negative probe inconclusive.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.HTTP == nil || cfg.Now == nil || cfg.Endpoint == "" {
		return nil, errors.New("wssec: config needs HTTP, Now and Endpoint")
	}
	if cfg.BodyCap <= 0 {
		cfg.BodyCap = DefaultBodyCap
	}
	rec, err := startEntityRecorder(cfg.XXEListen)
	if err != nil {
		return nil, err
	}
	defer rec.close()
	rep := &Report{results: map[string]*Result{}}
	var notes []string
	if cfg.Version == 0 {
		cfg.Version = SOAP11
		switch {
		case cfg.WSDL == "":
			notes = append(notes, "no WSDL in the profile: SOAP 1.1")
		default:
			v, _, err := FetchWSDL(ctx, cfg.HTTP, cfg.WSDL, cfg.BodyCap)
			if err != nil {
				notes = append(notes, fmt.Sprintf("WSDL %s not usable (%v): SOAP 1.1", cfg.WSDL, err))
			} else {
				cfg.Version = v
				notes = append(notes, fmt.Sprintf("WSDL %s binds SOAP %d", cfg.WSDL, v))
			}
		}
	}
	before := runOne(ctx, cfg, rec, ControlBefore, Baseline)
	before.Notes = append(notes, before.Notes...)
	rep.results[ControlBefore] = before
	for _, m := range append(slices.Clone(S001), S002...) {
		res := runOne(ctx, cfg, rec, m.Name, m)
		if before.Err != nil {
			res.Err = verdict.CouldNotTestf(m.Name, "the valid envelope (%s) was not accepted, so a refusal proves nothing", ControlBefore)
		}
		rep.results[m.Name] = res
	}
	rep.results[ControlAfter] = runOne(ctx, cfg, rec, ControlAfter, Baseline)
	return rep, nil
}

// BaseSpec is the valid envelope of a run, made fresh for each probe.
func BaseSpec(cfg Config) Spec {
	now := cfg.Now()
	return Spec{
		Version: cfg.Version, PatientID: cfg.PatientID, Signer: cfg.Client, Created: now, TTL: 5 * time.Minute,
		SAML: &AssertionSpec{
			Issuer: cfg.Issuer, IssuerCred: cfg.SAMLIssuer, Subject: cfg.Subject, Audience: cfg.Audience,
			Confirm: cfg.Client.Cert, IssueInstant: now, NotBefore: now.Add(-time.Minute), NotOnOrAfter: now.Add(10 * time.Minute),
		},
	}
}

func runOne(ctx context.Context, cfg Config, rec *entityRecorder, id string, mu Mutation) *Result {
	res := &Result{ID: id, Clause: mu.Clause}
	for _, q := range mu.Expect {
		res.Expect = append(res.Expect, q.String())
	}
	m, err := mu.Apply(BaseSpec(cfg))
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
		if first.Err != nil || first.Response == nil || first.Response.Fault != nil {
			res.Request = string(raw)
			res.Err = verdict.CouldNotTestf(id, "the first copy of the message was not accepted (%s), so the replay proves nothing", describe(first))
			return res
		}
		res.Notes = append(res.Notes, "first copy accepted: "+describe(first))
	}
	send(ctx, cfg, raw, res)
	if res.Err != nil {
		return res
	}
	if mu.Expect == nil {
		res.Err = judgeControl(id, res)
		return res
	}
	res.Err = judgeRefusal(id, mu, res)
	if mu.XXE && res.Err == nil {
		if n := rec.hitsOf(id); n > 0 {
			res.Err = verdict.Warning(id, "the external entity is never fetched", mu.Clause, fmt.Sprintf("the target fetched %s %d time(s)", xxeURL, n))
		} else {
			res.Notes = append(res.Notes, "entity URL "+xxeURL+" was not fetched (only observable for targets that can reach the suite's loopback)")
		}
	}
	return res
}

// send posts the envelope and reads the answer as SOAP.
func send(ctx context.Context, cfg Config, raw []byte, res *Result) {
	res.Request = string(raw)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.Endpoint, bytes.NewReader(raw))
	if err != nil {
		res.Err = err
		return
	}
	req.Header.Set("Content-Type", cfg.Version.ContentType(ActionGetPatient))
	if cfg.Version == SOAP11 {
		req.Header.Set("SOAPAction", `"`+ActionGetPatient+`"`)
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
	if r.Version != cfg.Version {
		res.Notes = append(res.Notes, fmt.Sprintf("answered in SOAP %d to a SOAP %d request", r.Version, cfg.Version))
	}
}

func judgeControl(id string, res *Result) error {
	r := res.Response
	switch {
	case r.Fault != nil && slices.Contains(r.Fault.Codes(), QName{r.Version.NS(), "MustUnderstand"}):
		return verdict.Warning(id, "the WS-Security header is processed", "SOAP 1.1 §4.2.3 / SOAP 1.2 Part 1 §5.4.8; SC-S001",
			"MustUnderstand fault: the target does not implement WS-Security")
	case r.Fault != nil:
		return verdict.CouldNotTestf(id, "the valid envelope was refused with %s (is the suite's client certificate and SAML issuer trusted by the target?)", r.Fault)
	case res.Status/100 != 2:
		return verdict.CouldNotTestf(id, "HTTP %d without a fault", res.Status)
	}
	res.Notes = append(res.Notes, "accepted: "+r.Payload.String())
	return nil
}

// judgeRefusal grades a negative probe: a business answer is a deviation; a
// fault with an expected WSS code passes; another WSS code passes with a
// note (the stack merges fault classes, WSS §12 allows it); any other fault
// does not show the message was refused for security reasons.
func judgeRefusal(id string, mu Mutation, res *Result) error {
	r := res.Response
	want := "a SOAP fault with " + strings.Join(res.Expect, " or ")
	if r.Fault == nil {
		return verdict.Warning(id, want, mu.Clause, fmt.Sprintf("HTTP %d with %s (the message was processed)", res.Status, r.Payload))
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
	return verdict.Warning(id, want, mu.Clause, "fault "+r.Fault.String())
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

func startEntityRecorder(addr string) (*entityRecorder, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("wssec: entity recorder: %w", err)
	}
	r := &entityRecorder{base: "http://" + ln.Addr().String() + "/xxe/", hits: map[string]*atomic.Int64{}}
	for _, m := range S001 {
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
