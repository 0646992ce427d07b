package webprobe

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

// Config is what a web probe session needs.
type Config struct {
	Profile *profile.Profile
	// Client sends every request (the conduct guard's client: allow-list,
	// deadline, rate, budget; it never follows redirects).
	Client *http.Client
	// Token, when set, gets an access token for the profile's resource URL,
	// so headers can be judged on an answer that carries personal data.
	Token func(ctx context.Context) (string, error)
	// Canary marks the reflection probes' input (random when empty).
	Canary string
}

// Result is what one probe observed and concluded. Err is nil for pass, a
// verdict Finding, or anything else for "could not test".
type Result struct {
	Probe     Probe
	Err       error
	Exchanges []*Exchange
	Notes     []string
}

// Evidence is the transcripts of the probe's exchanges.
func (r *Result) Evidence() []byte {
	var b bytes.Buffer
	for i, ex := range r.Exchanges {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "=== %s\n", ex.Name)
		b.Write(ex.Transcript)
	}
	return b.Bytes()
}

// Report is the outcome of the probes of one rule.
type Report struct {
	Rule    string
	Results []*Result
}

// Result returns the probe's result.
func (rep *Report) Result(id string) (*Result, bool) {
	for _, r := range rep.Results {
		if r.Probe.ID == id {
			return r, true
		}
	}
	return nil, false
}

// Session runs the probes of a run, rule by rule, and shares the
// exchanges several probes judge (GET of the root, the API answers) so
// each is sent once per run.
type Session struct {
	cfg   Config
	base  *url.URL
	mu    sync.Mutex
	cells map[string]*exCell
	token struct {
		once sync.Once
		tok  string
		err  error
	}
}

type exCell struct {
	once sync.Once
	ex   *Exchange
	err  error
}

// NewSession checks the profile's URLs and prepares a session.
func NewSession(cfg Config) (*Session, error) {
	if cfg.Profile == nil || cfg.Client == nil {
		return nil, errors.New("webprobe: no profile or client")
	}
	u, err := url.Parse(cfg.Profile.Target.BaseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("webprobe: base URL %q is not a URL", cfg.Profile.Target.BaseURL)
	}
	if cfg.Canary == "" {
		b := make([]byte, 5)
		_, _ = rand.Read(b)
		cfg.Canary = "apsc" + hex.EncodeToString(b)
	}
	return &Session{cfg: cfg, base: u, cells: map[string]*exCell{}}, nil
}

// Run executes the probes that evidence rule, in catalogue order.
func (s *Session) Run(ctx context.Context, rule string) *Report {
	rep := &Report{Rule: rule}
	for _, p := range Catalogue() {
		if p.Rule != rule {
			continue
		}
		r := &run{s: s, ctx: ctx, res: &Result{Probe: p}}
		r.res.Err = p.exec(r, p)
		rep.Results = append(rep.Results, r.res)
	}
	return rep
}

// run is one probe's execution.
type run struct {
	s   *Session
	ctx context.Context
	res *Result
}

func (r *run) note(format string, args ...any) {
	r.res.Notes = append(r.res.Notes, fmt.Sprintf(format, args...))
}

// request is one exchange a probe may share with others by its key.
type request struct {
	key, name, method, url string
	body                   []byte
	header                 http.Header
	// bearer adds the access token (Config.Token).
	bearer bool
}

// do sends req once per session (by key), retrying once on a transient
// error, and keeps the exchange as the probe's evidence. The error is the
// transport error of the last attempt.
func (r *run) do(req request) (*Exchange, error) {
	s := r.s
	s.mu.Lock()
	c, ok := s.cells[req.key]
	if !ok {
		c = &exCell{}
		s.cells[req.key] = c
	}
	s.mu.Unlock()
	c.once.Do(func() { c.ex, c.err = s.send(r.ctx, req) })
	if c.ex != nil && !containsEx(r.res.Exchanges, c.ex) {
		r.res.Exchanges = append(r.res.Exchanges, c.ex)
	}
	return c.ex, c.err
}

func containsEx(list []*Exchange, ex *Exchange) bool {
	for _, e := range list {
		if e == ex {
			return true
		}
	}
	return false
}

func (s *Session) send(ctx context.Context, req request) (*Exchange, error) {
	hdr := req.header.Clone()
	if hdr == nil {
		hdr = http.Header{}
	}
	if hdr.Get("User-Agent") == "" {
		hdr.Set("User-Agent", "apisec conformance suite (NCSC web-guideline probes)")
	}
	if req.bearer {
		tok, err := s.accessToken(ctx)
		if err != nil {
			return nil, err
		}
		hdr.Set("Authorization", "Bearer "+tok)
	}
	var ex *Exchange
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		ex, err = Do(ctx, s.cfg.Client, req.method, req.url, req.body, hdr)
		if !transient(err) {
			break
		}
	}
	if ex != nil {
		ex.Name = req.name
	}
	return ex, err
}

func (s *Session) accessToken(ctx context.Context) (string, error) {
	s.token.once.Do(func() {
		if s.cfg.Token == nil {
			s.token.err = errors.New("webprobe: no way to get an access token")
			return
		}
		s.token.tok, s.token.err = s.cfg.Token(ctx)
	})
	return s.token.tok, s.token.err
}

// origin is scheme://host[:port] of the base URL.
func (s *Session) origin() string { return s.base.Scheme + "://" + s.base.Host }

// rootURL is the host's "/", what internet.nl reads its headers from.
func (s *Session) rootURL() string { return s.origin() + "/" }

// at resolves path against the host's root.
func (s *Session) at(path string) string { return s.origin() + path }

// underBase resolves a relative path below the base URL.
func (s *Session) underBase(rel string) string {
	b := s.cfg.Profile.Target.BaseURL
	if !strings.HasSuffix(b, "/") {
		b += "/"
	}
	return b + rel
}

func (s *Session) resourceURL() string {
	if o := s.cfg.Profile.OAuth; o != nil {
		return o.ResourceURL
	}
	return ""
}

// could is "could not test" for a probe whose exchange got no answer.
func could(p Probe, ex *Exchange, err error) error {
	what := p.Title
	if ex != nil {
		what = ex.Summary()
	}
	return verdict.CouldNotTest(what, err)
}

// Data returns the protected resource read with an access token (the
// answer with personal data the header probes judge), sent at most once
// per session.
func (s *Session) Data(ctx context.Context) (*Exchange, error) {
	r := &run{s: s, ctx: ctx, res: &Result{}}
	ex, err := r.data()
	if ex == nil && err == nil {
		return nil, errors.New("webprobe: the profile names no resource URL with a way to get a token")
	}
	return ex, err
}
