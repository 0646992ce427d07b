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
// records it then looks for, its own read of the audit log (which must be
// logged too, NEN 7513 ch. 6), and the access check on the audit source.
const (
	ProbeRead       = "read"
	ProbeSearch     = "search"
	ProbeNoToken    = "denied-no-token"
	ProbeBadToken   = "denied-forged-token"
	ProbeAuditRead  = "audit-read"
	ProbeSourceOpen = "audit-source-unauthenticated"
)

// RecordProbes are the accesses whose records the suite looks for, in the
// order it makes them.
var RecordProbes = []string{ProbeRead, ProbeSearch, ProbeNoToken, ProbeBadToken, ProbeAuditRead}

// Targets are the URLs the probes use.
type Targets struct {
	// Read is the test patient's resource (GET, expects 200).
	Read string
	// Search finds the test patient (GET, expects 200).
	Search string
}

// DeriveTargets finds the read and search URLs: from the OAuth resource URL
// when it is a Patient resource, else from the FHIR base the audit source
// lives under (…/fhir/AuditEvent → …/fhir/Patient/{id}).
func DeriveTargets(source, resourceURL, patient string) (Targets, error) {
	t := Targets{}
	base := ""
	if i := strings.LastIndex(resourceURL, "/Patient/"); i >= 0 {
		base = resourceURL[:i]
	} else if s, ok := strings.CutSuffix(strings.TrimSuffix(source, "/"), "/AuditEvent"); ok {
		base = s
	}
	if base == "" {
		return t, errors.New("cannot tell the FHIR base: oauth.resource_url is no Patient resource and no FHIR audit source ends in /AuditEvent")
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
	// Sources are where the deployment logs; each must hold a complete
	// record of every access.
	Sources []Source
	// HTTP sends everything (the guard's client in production).
	HTTP *http.Client
	// UserToken is an access token of the test user allowed to read the
	// test patient; AuditToken one allowed to read the audit sources.
	UserToken, AuditToken string
	User, Patient         string
	// AuditReader is who the audit token acts as (the suite's client id):
	// the user its own read of the log must be recorded under.
	AuditReader string
	Now         func() time.Time
	Poll        PollConfig
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
	// Reason is what the answer's body says about it: the code of the
	// first FHIR OperationOutcome issue, or an RFC 6750 error.
	Reason string `json:"reason,omitempty"`
	// Body is the answer (bounded); only the read's is kept, to know what
	// clinical content must not show up in the log.
	Body []byte `json:"-"`
}

// Found is what one source holds for one probe.
type Found struct {
	Source     string
	Events     []*Event
	Correlated bool
	// Err is the presence verdict for this source: nil when a record was
	// found, a deviation when none was, could-not-test when the source
	// failed.
	Err error
}

// Result is one probe: the request and the records each source holds.
type Result struct {
	Probe string
	Kind  Kind
	// Err says the request gave nothing to look for (not sent, refused
	// control): could not test, or not applicable.
	Err      error
	Exchange *Exchange
	Found    []*Found
	Notes    []string
}

// Events are the matched records of every source.
func (r *Result) Events() []*Event {
	var out []*Event
	for _, f := range r.Found {
		out = append(out, f.Events...)
	}
	return out
}

// Evidence is the exchange and the matched records as JSON.
func (r *Result) Evidence() []byte {
	type rec struct {
		Source     string `json:"source"`
		Origin     string `json:"origin,omitempty"`
		Correlated bool   `json:"correlated_by_request_id"`
		Format     string `json:"format"`
		Record     any    `json:"record"`
	}
	out := map[string]any{"exchange": r.Exchange}
	var recs []rec
	for _, f := range r.Found {
		for _, e := range f.Events {
			recs = append(recs, rec{Source: f.Source, Origin: e.Origin, Correlated: f.Correlated, Format: e.Format, Record: rawRecord(e)})
		}
	}
	out["audit_records"] = recs
	b, _ := json.MarshalIndent(out, "", "  ")
	return b
}

func rawRecord(e *Event) any {
	if json.Valid(e.Raw) {
		return json.RawMessage(e.Raw)
	}
	return string(e.Raw)
}

// SourceReport is what one source gave during the run.
type SourceReport struct {
	Name     string
	Readable bool
	// Err is why the source could not be read (then every probe is
	// could-not-test for it).
	Err      error
	Records  int
	Problems []string
	// Pages are the first HTTP answers read (evidence).
	Pages []*Page
	src   Source
}

// maxPagesKept bounds the evidence pages per source.
const maxPagesKept = 10

// Report is the outcome of one run.
type Report struct {
	// Control is the positive control: the suite's own authorized read.
	Control  error
	Results  map[string]*Result
	Sources  []*SourceReport
	Attempts int
	Elapsed  time.Duration
	cfg      Config
	clinical []string
}

// Result returns the result of a probe.
func (rep *Report) Result(id string) (*Result, bool) {
	r, ok := rep.Results[id]
	return r, ok
}

// Records is how many records the sources gave in all.
func (rep *Report) Records() int {
	n := 0
	for _, s := range rep.Sources {
		n += s.Records
	}
	return n
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
// source refuses an unauthenticated reader, polls every source until every
// request's record is there (or audit.wait ends), and keeps what it found
// for the judgments (Presence, Field).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.HTTP == nil {
		return nil, errors.New("audit: no HTTP client")
	}
	if len(cfg.Sources) == 0 {
		return nil, errNoSource
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = 2 * time.Second
	}
	start := time.Now()
	rep := &Report{Results: map[string]*Result{}, cfg: cfg}
	for _, s := range cfg.Sources {
		rep.Sources = append(rep.Sources, &SourceReport{Name: s.Name(), Readable: s.Readable(), src: s})
	}
	runID := randomHex(8)
	for _, p := range probes {
		ex := send(ctx, cfg, p, runID)
		res := &Result{Probe: p.id, Kind: p.kind, Exchange: ex}
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
				for _, id := range append(append(RecordProbes[1:], ProbeSourceOpen), IntegrityProbes...) {
					rep.Results[id] = &Result{Probe: id, Err: verdict.CouldNotTestf(id, "not sent: the positive control (the suite's authorized read) failed")}
				}
				rep.Elapsed = time.Since(start)
				return rep, nil
			}
			rep.clinical = ClinicalValues(ex.Body)
		}
	}
	since := rep.Results[ProbeRead].Exchange.Sent.Add(-cfg.Tolerance - time.Second)
	rep.Results[ProbeSourceOpen] = sourceOpen(ctx, cfg, since)
	rep.Results[ProbeAuditRead] = auditReadProbe(cfg, runID)
	collect(ctx, cfg, rep, since)
	// After the records are in: the probes need the suite's own record,
	// and their own requests must not be among what collect looks at.
	integrity(ctx, cfg, rep, runID)
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// auditReadProbe is the suite's own reading of the log: the first search
// on a readable source, tagged with its request id.
func auditReadProbe(cfg Config, runID string) *Result {
	res := &Result{Probe: ProbeAuditRead, Kind: KindAuditRead}
	for _, s := range cfg.Sources {
		if !s.Readable() {
			continue
		}
		ex := &Exchange{Probe: ProbeAuditRead, Method: http.MethodGet, URL: s.Name(), RequestID: "apisec-" + runID + "-" + ProbeAuditRead,
			TraceID: runID + randomHex(8), Token: "Bearer [redacted]"}
		res.Exchange = ex
		for _, s := range cfg.Sources {
			switch s := s.(type) {
			case *FHIRSource:
				s.Fetcher.RequestID, s.Fetcher.TraceID = ex.RequestID, ex.TraceID
			case *JSONLSource:
				if s.Fetcher != nil {
					s.Fetcher.RequestID, s.Fetcher.TraceID = ex.RequestID, ex.TraceID
				}
			}
		}
		return res
	}
	res.Err = verdict.Inapplicable("the profile names no audit source the suite reads through the API (syslog only), so there is no read of the log to look for")
	return res
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
	body, _ := conduct.ReadBody(resp.Body, 256<<10)
	if p.id == ProbeRead {
		ex.Body = body
	}
	ex.Status = resp.StatusCode
	ex.Date = resp.Header.Get("Date")
	return ex
}

// sourceOpen asks the first FHIR audit source without credentials: NEN
// 7513 ch. 8 demands an access regime on the log, and RFC 6750 §3.1 says a
// request without a token is answered 401.
func sourceOpen(ctx context.Context, cfg Config, since time.Time) *Result {
	res := &Result{Probe: ProbeSourceOpen}
	var src *FHIRSource
	for _, s := range cfg.Sources {
		if f, ok := s.(*FHIRSource); ok {
			src = f
			break
		}
	}
	if src == nil {
		res.Err = verdict.Inapplicable("the profile names no FHIR audit source the API serves, so there is no log to read without a token; the access regime on the log (NEN 7513 ch. 8) is a declaration item")
		return res
	}
	target, err := Query{Patient: cfg.Patient, Since: since}.URL(src.URL)
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
		// Anyone can read who looked at which patient's record.
		res.Err = verdict.WithSeverity(verdict.Deviation(probe, want, clause, got), verdict.Critical)
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

// collect polls every source until each holds a record of every probe that
// was made, then records per source what was found.
func collect(ctx context.Context, cfg Config, rep *Report, since time.Time) {
	var pending []*Result
	for _, id := range RecordProbes {
		if r := rep.Results[id]; r.Err == nil {
			pending = append(pending, r)
		}
	}
	q := Query{Patient: cfg.Patient, Since: since}
	events := make([][]*Event, len(rep.Sources))
	auditRead := rep.Results[ProbeAuditRead]
	attempts, err := Poll(ctx, cfg.Poll, func(ctx context.Context) (bool, error) {
		done := true
		for i, sr := range rep.Sources {
			if sr.Err != nil {
				continue
			}
			if auditRead.Err == nil && auditRead.Exchange.Sent.IsZero() && sr.Readable {
				auditRead.Exchange.Sent = cfg.Now()
			}
			b, err := sr.src.Collect(ctx, q)
			if auditRead.Err == nil && auditRead.Exchange.Received.IsZero() && sr.Readable {
				auditRead.Exchange.Received = cfg.Now()
			}
			if b != nil {
				for _, p := range b.Pages {
					if len(sr.Pages) < maxPagesKept {
						sr.Pages = append(sr.Pages, p)
					}
				}
				sr.Problems = b.Problems
			}
			if err != nil {
				if ctx.Err() != nil {
					// The poll's own deadline cut this attempt short: keep
					// what the earlier attempts found.
					return false, err
				}
				sr.Err = err
				continue
			}
			events[i] = b.Events
			sr.Records = len(b.Events)
			if len(match(cfg, pending, b.Events, nil)) > 0 {
				done = false
			}
		}
		return done, nil
	})
	rep.Attempts = attempts
	_ = err // exhaustion or a cut attempt: judged per probe below
	for i, sr := range rep.Sources {
		found := map[*Result]*Found{}
		for _, r := range pending {
			f := &Found{Source: sr.Name}
			found[r] = f
			r.Found = append(r.Found, f)
		}
		if sr.Err != nil {
			for _, r := range pending {
				found[r].Err = couldNotRead(r.Probe, sr.Name, sr.Err)
			}
			continue
		}
		match(cfg, pending, events[i], found)
		for _, r := range pending {
			f := found[r]
			if len(f.Events) > 0 {
				if !f.Correlated {
					r.Notes = append(r.Notes, sr.Name+": matched by patient, outcome and time window: the record carries neither the X-Request-ID nor the trace id the suite sent")
				}
				continue
			}
			probe := fmt.Sprintf("record of the suite's %s (%s %s, X-Request-ID %s)", r.Probe, r.Exchange.Method, r.Exchange.URL, r.Exchange.RequestID)
			f.Err = verdict.Deviation(probe, "a record of this access in "+sr.Name+" within audit.wait", "NEN 7513:2018 ch. 6 (events to log)",
				fmt.Sprintf("none among %d records after %d reads in %s", len(events[i]), attempts, cfg.Poll.withDefaults().Deadline))
			if r.Kind == KindAuditRead {
				// Reading the log unlogged hides who looked, but needs
				// access to the log first.
				f.Err = verdict.WithSeverity(f.Err, verdict.Medium)
			}
		}
	}
	for _, r := range pending {
		if ev := firstEvent(r); ev != nil {
			if x := expectFor(cfg, rep.clinical, r); x.User != "" {
				r.Notes = append(r.Notes, "on behalf of (NEN 7513 ch. 5 item 5): "+OnBehalfOf(ev, x.User))
			}
		}
		if d, err := http.ParseTime(r.Exchange.Date); err == nil {
			if skew := d.Sub(r.Exchange.Sent); skew > cfg.Tolerance+time.Second || skew < -cfg.Tolerance-time.Second {
				r.Notes = append(r.Notes, fmt.Sprintf("the API's Date header is %s off the suite's clock (NEN 7510 A.12.4.4 clock synchronisation)", skew.Round(time.Second)))
			}
		}
	}
}

func firstEvent(r *Result) *Event {
	for _, f := range r.Found {
		if len(f.Events) > 0 {
			return f.Events[0]
		}
	}
	return nil
}

func couldNotRead(probe, source string, err error) error {
	var he *HTTPError
	if errors.As(err, &he) {
		return verdict.CouldNotTestf(probe, "%s refused the suite's audit credential or failed: %v", source, err)
	}
	return verdict.CouldNotTest(probe+": reading "+source, err)
}

// expectFor is what a probe's record must say.
func expectFor(cfg Config, clinical []string, r *Result) Expect {
	ex := r.Exchange
	x := Expect{Kind: r.Kind, Patient: cfg.Patient, From: ex.Sent.Add(-cfg.Tolerance), To: ex.Received.Add(cfg.Tolerance), Clinical: clinical}
	if d, err := http.ParseTime(ex.Date); err == nil {
		// Date has whole seconds: the event lies in [Date, Date+1s).
		x.ServerFrom, x.ServerTo = d.Add(-cfg.Tolerance), d.Add(time.Second+cfg.Tolerance)
	}
	switch r.Kind {
	case KindRead, KindSearch:
		x.User = cfg.User
	case KindAuditRead:
		x.User = cfg.AuditReader
	}
	return x
}

// match assigns records to probes: first by the request id the suite sent,
// else by patient, kind and time window (earliest unused record). With a
// found map it stores the match; it returns the probes still without one.
func match(cfg Config, pending []*Result, events []*Event, found map[*Result]*Found) []*Result {
	used := map[*Event]bool{}
	var missing []*Result
	got := map[*Result][]*Event{}
	correlated := map[*Result]bool{}
	for _, r := range pending {
		for _, ev := range events {
			if bytes.Contains(ev.Raw, []byte(r.Exchange.RequestID)) || bytes.Contains(ev.Raw, []byte(r.Exchange.TraceID)) {
				got[r] = append(got[r], ev)
				used[ev] = true
				correlated[r] = true
			}
		}
	}
	for _, r := range pending {
		if len(got[r]) > 0 {
			continue
		}
		x := expectFor(cfg, nil, r)
		for _, ev := range events {
			if used[ev] || !fallbackFits(ev, x) {
				continue
			}
			got[r] = []*Event{ev}
			used[ev] = true
			break
		}
		if len(got[r]) == 0 {
			missing = append(missing, r)
		}
	}
	for r, f := range found {
		f.Events, f.Correlated = got[r], correlated[r]
	}
	return missing
}

// fallbackFits is the loose match used when a record has no request id:
// it must fall in the window (a minute either way, so a wrong clock is
// judged by the recorded field rather than hidden), have the outcome class
// of the access and concern the patient (or, for the suite's read of the
// log, the log).
func fallbackFits(ev *Event, x Expect) bool {
	if t, err := time.Parse(time.RFC3339Nano, ev.Recorded); err != nil || t.Before(x.From.Add(-time.Minute)) || t.After(x.To.Add(time.Minute)) {
		return false
	}
	denied := ev.Outcome != "0"
	if denied != (x.Kind == KindDenied) {
		return false
	}
	if x.Kind == KindAuditRead {
		return concernsAuditLog(ev)
	}
	if patientEntity(ev, x.Patient) == nil || concernsAuditLog(ev) {
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

// concernsAuditLog: the record is of a read of the audit log itself (DICOM
// 110101 "Audit Log Used", or an entity that is an AuditEvent or a query
// on AuditEvent).
func concernsAuditLog(ev *Event) bool {
	if ev.Type != nil && ev.Type.Code == "110101" {
		return true
	}
	for _, e := range ev.Entity {
		if e.What != nil && strings.HasPrefix(e.What.Reference, "AuditEvent") {
			return true
		}
		if q, err := base64.StdEncoding.DecodeString(e.Query); err == nil && bytes.Contains(q, []byte("AuditEvent")) {
			return true
		}
		if strings.Contains(e.Description, "AuditEvent") || strings.Contains(e.Name, "AuditEvent") {
			return true
		}
	}
	return false
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
