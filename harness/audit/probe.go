package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/verdict"
)

// Probe ids: the requests the suite makes on the test patient and whose
// records it then looks for, and the access check on the audit source.
const (
	ProbeRead       = "read"
	ProbeSearch     = "search"
	ProbeNoToken    = "denied-no-token"
	ProbeBadToken   = "denied-forged-token"
	ProbeSourceOpen = "audit-source-unauthenticated"
)

// Targets are the URLs the probes use.
type Targets struct {
	// Read is the test patient's resource (GET, expects 200).
	Read string
	// Search finds the test patient (GET, expects 200).
	Search string
	// Source is the AuditEvent search endpoint.
	Source string
}

// DeriveTargets finds the read and search URLs: from the OAuth resource URL
// when it is a Patient resource, else from the FHIR base the audit source
// lives under (…/fhir/AuditEvent → …/fhir/Patient/{id}).
func DeriveTargets(source, resourceURL, patient string) (Targets, error) {
	t := Targets{Source: source}
	base := ""
	if i := strings.LastIndex(resourceURL, "/Patient/"); i >= 0 {
		base = resourceURL[:i]
	} else if s, ok := strings.CutSuffix(strings.TrimSuffix(source, "/"), "/AuditEvent"); ok {
		base = s
	}
	if base == "" {
		return t, errors.New("cannot tell the FHIR base: oauth.resource_url is no Patient resource and audit.source does not end in /AuditEvent")
	}
	if _, err := url.Parse(base); err != nil {
		return t, err
	}
	t.Read = base + "/Patient/" + url.PathEscape(patient)
	t.Search = base + "/Patient?_id=" + url.QueryEscape(patient)
	return t, nil
}

// Config is one SC005 run.
type Config struct {
	Targets Targets
	// HTTP sends everything (the guard's client in production).
	HTTP *http.Client
	// UserToken is an access token of the test user allowed to read the
	// test patient; AuditToken one allowed to read the audit source.
	UserToken, AuditToken string
	User, Patient         string
	Now                   func() time.Time
	Poll                  PollConfig
	// Tolerance widens each request's time window for the recorded check
	// (NEN 7510 A.12.4.4 clock synchronisation; default 2 s).
	Tolerance time.Duration
}

// Exchange is one request of the suite and its answer, for evidence.
type Exchange struct {
	Probe     string    `json:"probe"`
	Method    string    `json:"method"`
	URL       string    `json:"url"`
	RequestID string    `json:"x_request_id,omitempty"`
	TraceID   string    `json:"trace_id,omitempty"`
	Token     string    `json:"authorization,omitempty"`
	Status    int       `json:"status,omitempty"`
	Date      string    `json:"date_header,omitempty"`
	Sent      time.Time `json:"sent"`
	Received  time.Time `json:"received"`
	Error     string    `json:"error,omitempty"`
}

// Result is what one probe concluded and the records it matched.
type Result struct {
	Probe    string
	Err      error
	Exchange *Exchange
	Events   []*Event
	// Correlated says the record was found by the request id the suite
	// sent (X-Request-ID / traceparent), not by time window alone.
	Correlated bool
	Notes      []string
}

// Evidence is the exchange and the matched records as JSON.
func (r *Result) Evidence() []byte {
	out := map[string]any{"exchange": r.Exchange, "correlated_by_request_id": r.Correlated}
	var evs []json.RawMessage
	for _, e := range r.Events {
		evs = append(evs, e.Raw)
	}
	out["audit_events"] = evs
	b, _ := json.MarshalIndent(out, "", "  ")
	return b
}

// Report is the outcome of one run.
type Report struct {
	// Control is the positive control: the suite's own authorized read.
	Control error
	Results map[string]*Result
	// Pages are the audit source's answers (evidence).
	Pages    []*Page
	Attempts int
	Records  int
	Elapsed  time.Duration
}

// Result returns the result of a probe.
func (rep *Report) Result(id string) (*Result, bool) {
	r, ok := rep.Results[id]
	return r, ok
}

type probeSpec struct {
	id    string
	kind  Kind
	url   func(Targets) string
	token func(*Config) string
	want  func(status int) bool
	what  string
}

var probes = []probeSpec{
	{ProbeRead, KindRead, func(t Targets) string { return t.Read }, func(c *Config) string { return c.UserToken },
		func(s int) bool { return s == http.StatusOK }, "200"},
	{ProbeSearch, KindSearch, func(t Targets) string { return t.Search }, func(c *Config) string { return c.UserToken },
		func(s int) bool { return s == http.StatusOK }, "200"},
	{ProbeNoToken, KindDenied, func(t Targets) string { return t.Read }, func(c *Config) string { return "" },
		func(s int) bool { return s == http.StatusUnauthorized || s == http.StatusForbidden }, "401 or 403"},
	{ProbeBadToken, KindDenied, func(t Targets) string { return t.Read }, func(c *Config) string { return Forge(c.UserToken) },
		func(s int) bool { return s == http.StatusUnauthorized || s == http.StatusForbidden }, "401 or 403"},
}

// Run makes the suite's requests on the test patient, checks the audit
// source refuses an unauthenticated reader, polls the audit source until
// every request's record is there (or the poll ends), and judges each.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.HTTP == nil {
		return nil, errors.New("audit: no HTTP client")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = 2 * time.Second
	}
	start := time.Now()
	rep := &Report{Results: map[string]*Result{}}
	runID := randomHex(8)
	for _, p := range probes {
		ex := send(ctx, cfg, p, runID)
		res := &Result{Probe: p.id, Exchange: ex}
		rep.Results[p.id] = res
		if ex.Error != "" {
			res.Err = verdict.CouldNotTestf(p.id, "request failed: %s", ex.Error)
		} else if !p.want(ex.Status) {
			res.Err = verdict.CouldNotTestf(p.id, "%s %s answered %d, not %s, so there is no such access to look for in the log", ex.Method, ex.URL, ex.Status, p.what)
		}
		if p.id == ProbeRead {
			rep.Control = res.Err
			if res.Err != nil {
				// Without an authorized read nothing the log says about
				// the others means anything.
				for _, q := range probes[1:] {
					rep.Results[q.id] = &Result{Probe: q.id, Err: verdict.CouldNotTestf(q.id, "not sent: the positive control (the suite's authorized read) failed")}
				}
				rep.Results[ProbeSourceOpen] = &Result{Probe: ProbeSourceOpen, Err: verdict.CouldNotTestf(ProbeSourceOpen, "not sent: the positive control failed")}
				rep.Elapsed = time.Since(start)
				return rep, nil
			}
		}
	}
	since := rep.Results[ProbeRead].Exchange.Sent.Add(-cfg.Tolerance - time.Second)
	rep.Results[ProbeSourceOpen] = sourceOpen(ctx, cfg, since)
	collect(ctx, cfg, rep, since)
	rep.Elapsed = time.Since(start)
	return rep, nil
}

func send(ctx context.Context, cfg Config, p probeSpec, runID string) *Exchange {
	ex := &Exchange{Probe: p.id, Method: http.MethodGet, URL: p.url(cfg.Targets), RequestID: "apisec-" + runID + "-" + p.id}
	tok := p.token(&cfg)
	if tok != "" {
		ex.Token = "Bearer [redacted]"
	}
	ex.Sent = cfg.Now()
	defer func() { ex.Received = cfg.Now() }()
	req, err := http.NewRequestWithContext(ctx, ex.Method, ex.URL, nil)
	if err != nil {
		ex.Error = err.Error()
		return ex
	}
	req.Header.Set("Accept", "application/fhir+json, application/json")
	req.Header.Set("X-Request-ID", ex.RequestID)
	// W3C Trace Context: the trace id is the correlation id too.
	ex.TraceID = runID + randomHex(8)
	req.Header.Set("traceparent", "00-"+ex.TraceID+"-"+randomHex(8)+"-01")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := cfg.HTTP.Do(req)
	if err != nil {
		ex.Error = verdict.Cause(err)
		return ex
	}
	defer resp.Body.Close()
	_, _ = conduct.ReadBody(resp.Body, 256<<10)
	ex.Status = resp.StatusCode
	ex.Date = resp.Header.Get("Date")
	return ex
}

// sourceOpen asks the audit source without credentials: NEN 7513 ch. 8
// demands an access regime on the log, and RFC 6750 §3.1 says a request
// without a token is answered 401.
func sourceOpen(ctx context.Context, cfg Config, since time.Time) *Result {
	res := &Result{Probe: ProbeSourceOpen}
	target, err := Query{Patient: cfg.Patient, Since: since}.URL(cfg.Targets.Source)
	if err != nil {
		res.Err = err
		return res
	}
	ex := &Exchange{Probe: ProbeSourceOpen, Method: http.MethodGet, URL: target, Sent: cfg.Now()}
	res.Exchange = ex
	p, err := (&Fetcher{HTTP: cfg.HTTP}).Get(ctx, target)
	ex.Received = cfg.Now()
	probe := "audit source read without a token"
	want, clause := "401 (no records for an unauthenticated reader)", "NEN 7513:2018 ch. 8 (access regime); RFC 6750 §3.1"
	var he *HTTPError
	switch {
	case p == nil:
		ex.Error = verdict.Cause(err)
		res.Err = verdict.CouldNotTest(probe, err)
	case p.Status >= 200 && p.Status < 300:
		ex.Status = p.Status
		got := fmt.Sprintf("%d", p.Status)
		if p.Bundle != nil {
			got += fmt.Sprintf(" with a Bundle of %d AuditEvents", len(p.Bundle.Events))
		}
		res.Err = verdict.Deviation(probe, want, clause, got)
	case errors.As(err, &he) && he.Status == http.StatusUnauthorized:
		ex.Status = he.Status
	case errors.As(err, &he) && he.Status == http.StatusForbidden:
		ex.Status = he.Status
		res.Notes = append(res.Notes, "refused with 403 rather than 401")
	default:
		ex.Status = p.Status
		res.Err = verdict.CouldNotTestf(probe, "answered %d, neither a refusal (401/403) nor records: %v", p.Status, err)
	}
	return res
}

// collect polls the audit source until every probe that was sent has a
// record, then judges the records.
func collect(ctx context.Context, cfg Config, rep *Report, since time.Time) {
	f := &Fetcher{HTTP: cfg.HTTP, Token: cfg.AuditToken}
	var pending []*Result
	for _, p := range probes {
		if r := rep.Results[p.id]; r.Err == nil {
			pending = append(pending, r)
		}
	}
	var events []*Event
	var fetchErr error
	attempts, err := Poll(ctx, cfg.Poll, func(ctx context.Context) (bool, error) {
		pages, evs, err := f.Search(ctx, cfg.Targets.Source, Query{Patient: cfg.Patient, Since: since})
		rep.Pages = append(rep.Pages, pages...)
		if err != nil {
			return false, err
		}
		events = evs
		return len(match(cfg, pending, events, false)) == 0, nil
	})
	rep.Attempts = attempts
	rep.Records = len(events)
	if err != nil && !errors.Is(err, ErrPollExhausted) {
		fetchErr = err
	}
	for _, r := range pending {
		switch {
		case fetchErr != nil:
			r.Err = couldNotRead(r.Probe, fetchErr)
		default:
			// Judged below.
		}
	}
	if fetchErr != nil {
		return
	}
	match(cfg, pending, events, true)
	for _, r := range pending {
		spec := specOf(r.Probe)
		x := expectFor(cfg, spec, r.Exchange)
		probe := fmt.Sprintf("record of the suite's %s (%s %s, X-Request-ID %s)", spec.id, r.Exchange.Method, r.Exchange.URL, r.Exchange.RequestID)
		if len(r.Events) == 0 {
			r.Err = verdict.Deviation(probe, "an AuditEvent for this access in the audit source", "NEN 7513:2018 ch. 6 (events to log)",
				fmt.Sprintf("none among %d records for patient %s after %d searches", len(events), cfg.Patient, attempts))
			continue
		}
		ev := r.Events[0]
		if !x.ServerFrom.IsZero() {
			if skew := x.ServerFrom.Add(cfg.Tolerance).Sub(r.Exchange.Sent); skew > cfg.Tolerance+time.Second || skew < -cfg.Tolerance-time.Second {
				r.Notes = append(r.Notes, fmt.Sprintf("the API's Date header is %s off the suite's clock (NEN 7510 A.12.4.4 clock synchronisation)", skew.Round(time.Second)))
			}
		}
		if !r.Correlated {
			r.Notes = append(r.Notes, "matched by patient, outcome and time window: the record carries neither the X-Request-ID nor the trace id the suite sent")
		}
		if x.User != "" {
			r.Notes = append(r.Notes, "on behalf of (NEN 7513 ch. 5 item 5): "+OnBehalfOf(ev, x.User))
		}
		r.Err = Verdict(probe, ev, CheckEvent(ev, x))
	}
}

func couldNotRead(probe string, err error) error {
	var he *HTTPError
	if errors.As(err, &he) {
		return verdict.CouldNotTestf(probe, "the audit source refused the suite's audit credential or failed: %v", err)
	}
	return verdict.CouldNotTest(probe+": reading the audit source", err)
}

func specOf(id string) probeSpec {
	for _, p := range probes {
		if p.id == id {
			return p
		}
	}
	return probeSpec{}
}

// expectFor is what a probe's record must say.
func expectFor(cfg Config, p probeSpec, ex *Exchange) Expect {
	x := Expect{Kind: p.kind, Patient: cfg.Patient, From: ex.Sent.Add(-cfg.Tolerance), To: ex.Received.Add(cfg.Tolerance)}
	if d, err := http.ParseTime(ex.Date); err == nil {
		// Date has whole seconds: the event lies in [Date, Date+1s).
		x.ServerFrom, x.ServerTo = d.Add(-cfg.Tolerance), d.Add(time.Second+cfg.Tolerance)
	}
	if p.kind != KindDenied {
		x.User = cfg.User
	}
	return x
}

// match assigns records to probes: first by the request id the suite sent,
// else by patient, kind and time window (earliest unused record). With
// assign it stores the match; it returns the probes still without one.
func match(cfg Config, pending []*Result, events []*Event, assign bool) []*Result {
	used := map[*Event]bool{}
	var missing []*Result
	found := map[*Result][]*Event{}
	correlated := map[*Result]bool{}
	for _, r := range pending {
		for _, ev := range events {
			if bytes.Contains(ev.Raw, []byte(r.Exchange.RequestID)) || bytes.Contains(ev.Raw, []byte(r.Exchange.TraceID)) {
				found[r] = append(found[r], ev)
				used[ev] = true
				correlated[r] = true
			}
		}
	}
	for _, r := range pending {
		if len(found[r]) > 0 {
			continue
		}
		spec := specOf(r.Probe)
		x := expectFor(cfg, spec, r.Exchange)
		for _, ev := range events {
			if used[ev] || !fallbackFits(ev, x) {
				continue
			}
			found[r] = []*Event{ev}
			used[ev] = true
			break
		}
		if len(found[r]) == 0 {
			missing = append(missing, r)
		}
	}
	if assign {
		for _, r := range pending {
			r.Events, r.Correlated = found[r], correlated[r]
		}
	}
	return missing
}

// fallbackFits is the loose match used when a record has no request id:
// it must concern the patient, fall in the window (a minute either way, so
// a wrong clock is judged by the recorded field rather than hidden) and
// have the outcome class of the access.
func fallbackFits(ev *Event, x Expect) bool {
	if patientEntity(ev, x.Patient) == nil {
		return false
	}
	if t, err := time.Parse(time.RFC3339Nano, ev.Recorded); err != nil || t.Before(x.From.Add(-time.Minute)) || t.After(x.To.Add(time.Minute)) {
		return false
	}
	denied := ev.Outcome != "0"
	if denied != (x.Kind == KindDenied) {
		return false
	}
	if x.Kind == KindDenied {
		return true
	}
	search := false
	for _, e := range ev.Entity {
		search = search || e.Query != ""
	}
	for _, c := range ev.Subtype {
		search = search || strings.HasPrefix(c.Code, "search")
	}
	return search == (x.Kind == KindSearch)
}

// Forge spoils a token's signature so the API must refuse it (a JWT keeps
// its claims, so the API can still see who it claims to be).
func Forge(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) == 3 {
		if sig, err := base64.RawURLEncoding.DecodeString(parts[2]); err == nil && len(sig) > 0 {
			for i := range sig {
				sig[i] ^= 0x5a
			}
			return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
		}
	}
	return "apisec-forged-" + randomHex(16)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// DefaultScope is the scope the suite asks for to read the audit source
// (SMART system scope; the profile has no field for another one yet).
const DefaultScope = "system/AuditEvent.read"
