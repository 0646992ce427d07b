package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/verdict"
)

// Probe ids of the integrity and access-regime checks on a FHIR audit
// source (docs/reference/nen7513-ncsc-web.md §1.5 and §2.4): the log cannot
// be changed or deleted through the API, and an ordinary API client's token
// does not open it.
const (
	ProbeRecordDelete = "audit-record-delete"
	ProbeRecordUpdate = "audit-record-update"
	ProbeReadByClient = "audit-read-by-client"
)

// IntegrityProbes run after the records are collected, in this order: the
// read first (it changes nothing), then the write of an unchanged record,
// then the delete (so a deletable log does not hide a writable one).
var IntegrityProbes = []string{ProbeReadByClient, ProbeRecordUpdate, ProbeRecordDelete}

// RefusalProbes are the probes whose scenario expects the audit source to
// refuse the request (the feature's "the audit source refuses it").
var RefusalProbes = append([]string{ProbeSourceOpen}, IntegrityProbes...)

// clauseProtected is where the log is required to be unmodifiable.
const clauseProtected = "NEN 7513:2018 ch. 8; NEN 7510 A.12.4.2 (protection of log information); OWASP ASVS 5.0 16.4.2 (logs protected and unmodifiable)"

// clauseAccessRegime is where only authorised readers may read the log.
const clauseAccessRegime = "NEN 7513:2018 ch. 8 (access regime: only authorised readers)"

// fhirID is the FHIR R4 id datatype: the only ids the suite puts in a URL.
var fhirID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// ownRecord is a record the suite's own read of the test patient caused, in
// a FHIR audit source: the record must carry the X-Request-ID or trace id
// the suite sent, so no other record is ever written to or deleted. A
// record matched only by patient and time window might be someone else's.
type ownRecord struct {
	src *FHIRSource
	ev  *Event
	url string
	// requestID is the X-Request-ID of the suite's read.
	requestID string
	// absent: the record does not exist (absentRecord).
	absent bool
}

func findOwnRecord(cfg Config, rep *Report) (*ownRecord, error) {
	read := rep.Results[ProbeRead]
	if read == nil || read.Err != nil || read.Exchange == nil {
		return nil, errors.New("the suite's read of the test patient was not made")
	}
	srcs := map[string]*FHIRSource{}
	for _, s := range cfg.Sources {
		if f, ok := s.(*FHIRSource); ok {
			srcs[f.Name()] = f
		}
	}
	uncorrelated := false
	for _, f := range read.Found {
		src := srcs[f.Source]
		if src == nil || len(f.Events) == 0 {
			continue
		}
		if !f.Correlated {
			uncorrelated = true
			continue
		}
		for _, ev := range f.Events {
			own := bytes.Contains(ev.Raw, []byte(read.Exchange.RequestID)) || bytes.Contains(ev.Raw, []byte(read.Exchange.TraceID))
			if !own || ev.Format != FormatFHIR || !fhirID.MatchString(ev.ID) {
				continue
			}
			target, err := recordURL(src.URL, ev.ID)
			if err != nil {
				return nil, err
			}
			return &ownRecord{src: src, ev: ev, url: target, requestID: read.Exchange.RequestID}, nil
		}
	}
	if uncorrelated {
		return nil, errUncorrelated
	}
	return nil, errors.New("the FHIR audit source holds no record of the suite's read of the test patient with a FHIR id (see the scenario \"a read of the test patient is logged\")")
}

// errUncorrelated: the source holds records of the suite's read, but none
// carries the suite's X-Request-ID or trace id. The probes then go to an id
// that does not exist (absentRecord) instead.
var errUncorrelated = errors.New("the FHIR audit source's record of the suite's read carries neither the X-Request-ID nor the trace id the suite sent, so the suite cannot tell its own record from another's and touches none")

// absentRecord is an AuditEvent id no record has: when the suite cannot
// tell its own record from another's it asks to change or delete this one.
// A source that does not allow the interaction refuses it for the type
// (FHIR R4 http.html: 405 for an interaction the server does not support);
// one that allows it answers 2xx (a delete of an absent resource may
// answer 200/204) — or 404, which tells nothing. A write accepted here may
// leave an AuditEvent with this id in the log; its id names the suite.
func absentRecord(src *FHIRSource, runID string) (*ownRecord, error) {
	id := "apisec-absent-" + randomHex(8)
	target, err := recordURL(src.URL, id)
	if err != nil {
		return nil, err
	}
	body := []byte(`{"resourceType":"AuditEvent","id":"` + id + `"}`)
	return &ownRecord{src: src, ev: &Event{ID: id, Raw: body, Format: FormatFHIR}, url: target, absent: true}, nil
}

// recordURL is {source}/{id}: the AuditEvent instance below the search URL.
func recordURL(source, id string) (string, error) {
	u, err := url.Parse(source)
	if err != nil {
		return "", err
	}
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + url.PathEscape(id)
	return u.String(), nil
}

// answer is what the audit source said to one probe request.
type answer struct {
	status int
	// reason is the first OperationOutcome issue code or the RFC 6750
	// error of the body ("OperationOutcome not-supported").
	reason string
	body   []byte
}

// auditToken is the credential the profile gives for reading src.
func auditToken(cfg Config, src *FHIRSource) string {
	if src.Fetcher != nil && src.Fetcher.Token != "" {
		return src.Fetcher.Token
	}
	return cfg.AuditToken
}

// do sends one probe request through the run's client (the conduct guard's
// in production), tagged with the probe's request id, and records it.
func do(ctx context.Context, cfg Config, ex *Exchange, token string, body []byte) (*answer, error) {
	ex.Sent = cfg.Now()
	defer func() { ex.Received = cfg.Now() }()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, ex.Method, ex.URL, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/fhir+json, application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	(&Fetcher{RequestID: ex.RequestID, TraceID: ex.TraceID}).tag(req)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		ex.Token = "Bearer [redacted]"
	}
	resp, err := cfg.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := conduct.ReadBody(resp.Body, 64<<10)
	ex.Status, ex.Date = resp.StatusCode, resp.Header.Get("Date")
	a := &answer{status: resp.StatusCode, body: b}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); strings.HasSuffix(mt, "json") {
		a.reason = reasonCode(b)
	}
	ex.Reason = a.reason
	return a, nil
}

// reasonCode is what a JSON body says about the answer: the code of the
// first issue of a FHIR OperationOutcome, or an RFC 6750 §3.1 error code.
func reasonCode(body []byte) string {
	var doc struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Code string `json:"code"`
		} `json:"issue"`
		Error string `json:"error"`
	}
	switch {
	case json.Unmarshal(body, &doc) != nil:
		return ""
	case doc.ResourceType == "OperationOutcome" && len(doc.Issue) > 0 && doc.Issue[0].Code != "":
		return "OperationOutcome " + clip(doc.Issue[0].Code)
	case doc.Error != "":
		return "error " + clip(doc.Error)
	}
	return ""
}

// withReason is "405" or "405 (OperationOutcome not-supported)".
func withReason(status int, reason string) string {
	if reason != "" {
		return fmt.Sprintf("%d (%s)", status, reason)
	}
	return fmt.Sprint(status)
}

func (a *answer) statusText() string { return withReason(a.status, a.reason) }

// refused: 403 or 405, and 401 (the credential not accepted for this
// method) counts as a refusal too.
func refused(status int) bool {
	return status == http.StatusForbidden || status == http.StatusMethodNotAllowed || status == http.StatusUnauthorized
}

// recordMutation is one change to the suite's own record that the audit
// source must refuse: the named mutation of the valid read.
type recordMutation struct {
	id, method, probe, did string
	// body is what is sent: nil for a delete, the record as read for a write.
	body func(ev *Event) []byte
}

var (
	// deleteOwnRecord: DELETE {source}/{id}.
	deleteOwnRecord = recordMutation{id: ProbeRecordDelete, method: http.MethodDelete, probe: "delete of an audit record with the auditor credential",
		did: "was deleted through the API", body: func(*Event) []byte { return nil }}
	// rewriteOwnRecord: PUT {source}/{id} with the exact body read, so a
	// server that wrongly accepts it changes nothing of substance.
	rewriteOwnRecord = recordMutation{id: ProbeRecordUpdate, method: http.MethodPut, probe: "update of an audit record with the auditor credential",
		did: "was overwritten through the API (with the body the suite had read, so its content is unchanged)", body: func(ev *Event) []byte { return ev.Raw }}
)

// integrity runs the access-regime and integrity probes on the first FHIR
// audit source. The positive control is the auditor's authorised read of
// that source: without it a refusal means nothing.
func integrity(ctx context.Context, cfg Config, rep *Report, runID string) {
	var src *FHIRSource
	var sr *SourceReport
	for i, s := range cfg.Sources {
		if f, ok := s.(*FHIRSource); ok {
			src, sr = f, rep.Sources[i]
			break
		}
	}
	if src == nil {
		for _, id := range IntegrityProbes {
			rep.Results[id] = &Result{Probe: id, Err: verdict.Inapplicable("the profile names no FHIR audit source the API serves (syslog and JSON-lines sources cannot be written or searched through the API), so the log's protection and access regime (NEN 7513 ch. 8) are declaration items")}
		}
		return
	}
	if sr.Err != nil {
		for _, id := range IntegrityProbes {
			rep.Results[id] = &Result{Probe: id, Err: verdict.CouldNotTestf(id, "not sent: the positive control (the auditor's read of %s) failed: %v", src.URL, sr.Err)}
		}
		return
	}
	rep.Results[ProbeReadByClient] = readByClient(ctx, cfg, rep, src, runID)
	own, err := findOwnRecord(cfg, rep)
	if errors.Is(err, errUncorrelated) {
		own, err = absentRecord(src, runID)
	}
	for _, m := range []recordMutation{rewriteOwnRecord, deleteOwnRecord} {
		if err != nil {
			rep.Results[m.id] = &Result{Probe: m.id, Err: verdict.CouldNotTestf(m.probe, "could not test: no own record found: %v", err)}
			continue
		}
		rep.Results[m.id] = m.run(ctx, cfg, own, runID)
	}
}

// run sends the mutation and judges the answer: a refusal passes, an
// acceptance fails (high), anything else could not be judged (as
// sourceOpen treats an answer that is neither).
func (m recordMutation) run(ctx context.Context, cfg Config, own *ownRecord, runID string) *Result {
	ex := &Exchange{Probe: m.id, Method: m.method, URL: own.url, RequestID: "apisec-" + runID + "-" + m.id, TraceID: runID + randomHex(8)}
	res := &Result{Probe: m.id, Exchange: ex}
	if own.absent {
		res.Notes = append(res.Notes, fmt.Sprintf("no record carries the suite's request id, so no existing record is touched: the request names AuditEvent id %s, which does not exist (%v)", own.ev.ID, errUncorrelated))
	} else {
		res.Found = []*Found{{Source: own.src.Name(), Events: []*Event{own.ev}, Correlated: true}}
		res.Notes = append(res.Notes, fmt.Sprintf("the record touched is %s, the record of the suite's own read (X-Request-ID %s)", own.ev.ID, own.requestID))
	}
	a, err := do(ctx, cfg, ex, auditToken(cfg, own.src), m.body(own.ev))
	want := "a refusal: 403 or 405 (401 counts as refused)"
	switch {
	case err != nil:
		ex.Error = verdict.Cause(err)
		res.Err = verdict.CouldNotTest(m.probe, err)
	case a.status >= 200 && a.status < 300:
		// NEN 7510 A.12.4.2 / ASVS 16.4.2: the log is protected and
		// unmodifiable; whoever may read it must not be able to rewrite it.
		got := fmt.Sprintf("%s: the suite's own record %s (of its read of the test patient) %s", a.statusText(), own.ev.ID, m.did)
		if own.absent {
			got = fmt.Sprintf("%s: the source accepted a %s of AuditEvent %s, an id that did not exist: it lets a client %s audit records", a.statusText(), m.method, own.ev.ID, map[string]string{http.MethodDelete: "delete", http.MethodPut: "write"}[m.method])
		}
		res.Err = verdict.WithSeverity(verdict.Deviation(m.probe, want, clauseProtected, got), verdict.High)
	case refused(a.status):
		res.Notes = append(res.Notes, "refused with "+a.statusText())
	default:
		res.Err = verdict.CouldNotTestf(m.probe, "%s %s answered %s, neither a refusal (401/403/405) nor an acceptance (2xx), so whether the log can be changed is not known", m.method, own.url, a.statusText())
	}
	return res
}

// readByClient searches the audit source as the existing read does, but
// with the test user's ordinary API token instead of the auditor's.
func readByClient(ctx context.Context, cfg Config, rep *Report, src *FHIRSource, runID string) *Result {
	const probe = "audit source read with the test user's API token"
	res := &Result{Probe: ProbeReadByClient}
	switch {
	case cfg.UserToken == "":
		res.Err = verdict.CouldNotTestf(probe, "the run has no test-user API token to try on the audit source")
		return res
	case cfg.UserToken == auditToken(cfg, src):
		// The profile made the test user the log's reader: reading it with
		// that token says nothing about an ordinary client.
		res.Err = verdict.Inapplicable("the profile reads the audit log with the test user's own API token, so no ordinary client's token is left to try")
		return res
	}
	since := rep.Results[ProbeRead].Exchange.Sent.Add(-cfg.Tolerance - time.Second)
	target, err := Query{Patient: cfg.Patient, Since: since}.URL(src.URL)
	if err != nil {
		res.Err = verdict.CouldNotTest(probe, err)
		return res
	}
	ex := &Exchange{Probe: ProbeReadByClient, Method: http.MethodGet, URL: target, RequestID: "apisec-" + runID + "-" + ProbeReadByClient, TraceID: runID + randomHex(8)}
	if cfg.UserToken != "" {
		ex.Token = "Bearer [redacted]"
	}
	res.Exchange = ex
	ex.Sent = cfg.Now()
	p, err := (&Fetcher{HTTP: cfg.HTTP, Token: cfg.UserToken, RequestID: ex.RequestID, TraceID: ex.TraceID}).Get(ctx, target)
	ex.Received = cfg.Now()
	want := "401 or 403: only authorised readers"
	var he *HTTPError
	switch {
	case p == nil:
		ex.Error = verdict.Cause(err)
		res.Err = verdict.CouldNotTest(probe, err)
	case err == nil:
		ex.Status = p.Status
		if n := len(p.Bundle.Events); n > 0 {
			// A warning, not a failure: a server may show a user only
			// their own events, which the suite cannot tell from outside.
			got := fmt.Sprintf("%d with a Bundle of %d AuditEvents: the log is readable with an ordinary API client's token", p.Status, n)
			res.Err = verdict.WithSeverity(verdict.Warning(probe, want, clauseAccessRegime, got), verdict.Medium)
			return res
		}
		res.Notes = append(res.Notes, fmt.Sprintf("answered %d with an empty Bundle: no records shown to the test user", p.Status))
	case errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden):
		ex.Status = he.Status
		if strings.HasSuffix(he.ContentType, "json") {
			ex.Reason = reasonCode(p.Body)
		}
		res.Notes = append(res.Notes, "refused with "+withReason(he.Status, ex.Reason))
	default:
		ex.Status = p.Status
		res.Err = verdict.CouldNotTestf(probe, "answered %d, neither a refusal (401/403) nor a Bundle: %v", p.Status, err)
	}
	return res
}
