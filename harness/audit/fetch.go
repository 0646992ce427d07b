package audit

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/conduct"
)

// BodyCap bounds one page of audit records.
const BodyCap = 4 << 20

// MaxPages bounds how many "next" links one search follows.
const MaxPages = 5

// Query is one AuditEvent search (ITI-81 style): the patient and a lower
// bound on the date, as FHIR R4 AuditEvent search parameters.
type Query struct {
	Patient string
	Since   time.Time
}

// URL is the search URL below source.
func (q Query) URL(source string) (string, error) {
	u, err := url.Parse(source)
	if err != nil {
		return "", err
	}
	v := u.Query()
	if q.Patient != "" {
		v.Set("patient", q.Patient)
	}
	if !q.Since.IsZero() {
		v.Set("date", "ge"+q.Since.UTC().Format(time.RFC3339))
	}
	v.Set("_count", "100")
	u.RawQuery = v.Encode()
	return u.String(), nil
}

// Page is one answer of the audit source, kept as evidence.
type Page struct {
	URL    string
	Status int
	Body   []byte
	Bundle *Bundle
}

// HTTPError is an audit source answer that is not a Bundle page: a refusal
// or an error status. The caller decides whether that is a finding.
type HTTPError struct {
	Status      int
	ContentType string
	Body        string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("audit source answered %d %s: %s", e.Status, e.ContentType, e.Body)
}

// Fetcher reads from the audit source through the caller's client (the
// guard's in production) with the auditor's bearer token.
type Fetcher struct {
	HTTP  *http.Client
	Token string
	// RequestID and TraceID tag the suite's reads of the log, so the
	// record of that read can be told apart (X-Request-ID, W3C traceparent).
	RequestID, TraceID string
}

func (f *Fetcher) tag(req *http.Request) {
	if f.RequestID != "" {
		req.Header.Set("X-Request-ID", f.RequestID)
	}
	if f.TraceID != "" {
		req.Header.Set("traceparent", "00-"+f.TraceID+"-"+randomHex(8)+"-01")
	}
}

// Get fetches one URL. Without a token it sends no Authorization header
// (the access-control probe). A non-2xx answer is an *HTTPError; a 2xx that
// is not a FHIR Bundle is ErrNotBundle (the caller: could not test).
func (f *Fetcher) Get(ctx context.Context, target string) (*Page, error) {
	p, mt, err := f.get(ctx, target, "application/fhir+json, application/json", BodyCap, false)
	if err != nil {
		return p, err
	}
	if mt != "application/fhir+json" && mt != "application/json" {
		return p, fmt.Errorf("%w: Content-Type %q", ErrNotBundle, mt)
	}
	if p.Bundle, err = ParseBundle(p.Body); err != nil {
		return p, err
	}
	return p, nil
}

// get is the one GET of the audit sources: bounded body, the suite's trace
// tag (always, or only with a token), and a non-2xx answer as *HTTPError.
func (f *Fetcher) get(ctx context.Context, target, accept string, limit int64, tagAlways bool) (*Page, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", accept)
	if f.Token != "" {
		req.Header.Set("Authorization", "Bearer "+f.Token)
	}
	if f.Token != "" || tagAlways {
		f.tag(req)
	}
	resp, err := f.HTTP.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := conduct.ReadBody(resp.Body, limit)
	p := &Page{URL: target, Status: resp.StatusCode, Body: b}
	if err != nil {
		return p, "", err
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return p, mt, &HTTPError{Status: resp.StatusCode, ContentType: mt, Body: clip(strings.TrimSpace(string(b)))}
	}
	return p, mt, nil
}

// Search runs q and follows at most MaxPages-1 next links.
func (f *Fetcher) Search(ctx context.Context, source string, q Query) ([]*Page, []*Event, error) {
	target, err := q.URL(source)
	if err != nil {
		return nil, nil, err
	}
	var pages []*Page
	var events []*Event
	for range MaxPages {
		p, err := f.Get(ctx, target)
		if p != nil {
			pages = append(pages, p)
		}
		if err != nil {
			return pages, events, err
		}
		events = append(events, p.Bundle.Events...)
		if p.Bundle.Next == "" || p.Bundle.Next == target {
			break
		}
		target = p.Bundle.Next
	}
	return pages, events, nil
}

// PollConfig bounds waiting for records: logging can lag behind the
// request, so a search is repeated until it finds what it needs, the
// deadline passes or the attempts run out.
type PollConfig struct {
	Deadline    time.Duration
	MaxAttempts int
	// Interval is the wait between attempts; it doubles up to 4 s.
	Interval time.Duration
}

func (c PollConfig) withDefaults() PollConfig {
	if c.Deadline <= 0 {
		c.Deadline = 15 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.Interval <= 0 {
		c.Interval = 250 * time.Millisecond
	}
	return c
}

// ErrPollExhausted says the poll ended without fn reporting done.
var ErrPollExhausted = errors.New("audit: records still incomplete when the poll ended")

// Poll calls fn until it reports done or fails, at most MaxAttempts times
// and never past Deadline. It waits on a timer with ctx, never sleeps.
// It returns the number of attempts made.
func Poll(ctx context.Context, cfg PollConfig, fn func(ctx context.Context) (done bool, err error)) (int, error) {
	cfg = cfg.withDefaults()
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, cfg.Deadline)
	defer cancel()
	wait := cfg.Interval
	for attempt := 1; ; attempt++ {
		done, err := fn(ctx)
		if err != nil && ctx.Err() != nil && parent.Err() == nil {
			// The poll's own deadline cut the attempt short.
			return attempt, ErrPollExhausted
		}
		if err != nil || done {
			return attempt, err
		}
		if attempt >= cfg.MaxAttempts {
			return attempt, ErrPollExhausted
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return attempt, ErrPollExhausted
		case <-t.C:
		}
		wait = min(2*wait, 4*time.Second)
	}
}
