package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

// Config is what a run needs besides the plan.
type Config struct {
	OAuth *profile.OAuth
	// Key is the client's registered signing key (profile signing_key).
	Key jose.Key
	// Client sends every request (guard.HTTPClient in production).
	Client *Client
	// Now is the clock for assertion times (default time.Now).
	Now func() time.Time
	// RecorderAddr is where the suite's JWKS/jku/x5u server listens
	// (profile jwks_listen; default 127.0.0.1:0).
	RecorderAddr string
	// SecondKey is the signing key of the profile's oauth.second_client
	// (KID its key_id); it enables ca/foreign-client-key.
	SecondKey *jose.Key
	// GrantKey signs JWT authorization grants (profile
	// oauth.grant.signing_key); nil means Key.
	GrantKey *jose.Key
}

// Result is what one probe observed and concluded. Err is nil for pass or
// a verdict Finding; anything else means the suite failed (error).
type Result struct {
	Probe     Probe       `json:"probe"`
	Err       error       `json:"-"`
	Exchanges []*Exchange `json:"exchanges,omitempty"`
	Notes     []string    `json:"notes,omitempty"`
	Applied   []string    `json:"mutations,omitempty"`
	// fetched: the target fetched the URL this probe pointed it at.
	fetched bool
}

// Report is the outcome of a run, in plan order.
type Report struct {
	Results   []*Result
	byID      map[string]*Result
	Sent      int
	Planned   int
	Elapsed   time.Duration
	Discovery *Discovery
}

// Result returns the result of the probe with id.
func (rep *Report) Result(id string) (*Result, bool) {
	r, ok := rep.byID[id]
	return r, ok
}

type run struct {
	cfg      Config
	o        *profile.OAuth
	c        *Client
	now      func() time.Time
	base     *jose.Assertion
	grant    *jose.Assertion
	attacker jose.Key
	weakRSA  *jose.Key
	rec      *Recorder
	disc     *Discovery
	token    *Token
	cur      *Result
	curSent  int
	sent     int
	blocked  map[string]error
	fetchURL map[*Result]string // recorder URL each fetch probe watches
	audSeen  map[audRole]*Result
	controls map[string]*Result // each batch's control before
	ctx      context.Context
	// aud is the audience the AS accepted in the positive control.
	aud string
}

// Run executes the plan for cfg.OAuth in order and judges every probe.
// It never sends more requests than the plan lists.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	o := cfg.OAuth
	if o == nil {
		return nil, errors.New("oauth: profile has no oauth section")
	}
	if cfg.Client == nil || cfg.Client.HTTP == nil {
		return nil, errors.New("oauth: no HTTP client")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Key.KID == "" {
		cfg.Key.KID = o.KeyID
	}
	start := time.Now()
	r := &run{cfg: cfg, o: o, c: cfg.Client, now: cfg.Now, blocked: map[string]error{}, fetchURL: map[*Result]string{},
		audSeen: map[audRole]*Result{}, controls: map[string]*Result{}, ctx: ctx, disc: &Discovery{}}
	var err error
	typ := ""
	if o.AudienceProfile == AudRFC7523bis {
		typ = jose.TypClientAuth
	}
	if r.base, err = jose.New(jose.Config{Issuer: o.ClientID, Audience: r.baseAud(), Key: cfg.Key, Typ: typ, Now: cfg.Now}); err != nil {
		return nil, err
	}
	if o.GrantSub() != "" {
		// RFC 7523 §3 item 1: the grant's issuer is whoever the server
		// trusts for the subject, the client itself by default.
		gc := jose.Config{Issuer: o.ClientID, Subject: o.GrantSub(), Audience: r.baseAud(), Key: cfg.Key, Now: cfg.Now}
		if g := o.Grant; g != nil {
			if g.Issuer != "" {
				gc.Issuer = g.Issuer
			}
			if g.Audience != "" {
				gc.Audience = g.Audience
			}
		}
		if cfg.GrantKey != nil {
			gc.Key = *cfg.GrantKey
		}
		if r.grant, err = jose.New(gc); err != nil {
			return nil, err
		}
	}
	kx, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	r.attacker = jose.Key{Signer: kx, KID: "apisec-attacker-" + jose.NewJTI()[:8], Alg: "ES256"}
	if r.rec, err = StartRecorder(cfg.RecorderAddr, o.CallbackURL); err != nil {
		return nil, err
	}
	defer r.rec.Close()
	published := []jose.Key{cfg.Key}
	if o.KeyDistribution == "jwks_uri" {
		// Only a key the target can fetch makes the RSA-1024 probe mean
		// something: the client publishes it, the AS must still refuse it.
		weak, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			return nil, err
		}
		r.weakRSA = &jose.Key{Signer: weak, KID: "apisec-weak-rsa-1024", Alg: "RS256"}
		published = append(published, *r.weakRSA)
	}
	if err := r.rec.SetClientJWKS(published...); err != nil {
		return nil, err
	}

	plan := Plan(o)
	rep := &Report{byID: map[string]*Result{}, Planned: Total(plan), Discovery: r.disc}
	for i, p := range plan {
		res := r.exec(p)
		rep.Results = append(rep.Results, res)
		rep.byID[p.ID] = res
		if i+1 == len(plan) || plan[i+1].Batch != p.Batch {
			r.closeBatch(p.Batch, rep)
		}
	}
	rep.Sent = r.sent
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// baseAud is the valid assertion's audience under the profile: the issuer
// (rfc7523bis) or the token endpoint URL (RFC 7523 as published).
func (r *run) baseAud() string {
	if r.aud != "" {
		return r.aud
	}
	if r.o.AudienceProfile == AudRFC7523bis {
		return r.o.Issuer
	}
	return r.o.TokenEndpoint
}

func (r *run) exec(p Probe) *Result {
	r.cur = &Result{Probe: p}
	r.curSent = 0
	if p.frame == frameBefore {
		r.controls[p.Batch] = r.cur
	}
	// A probe the profile gives too little for reports the reason declared
	// on it, and sends nothing.
	if p.skip != nil {
		r.cur.Err = own(p.skip)
		return r.cur
	}
	// When the positive control before a batch failed, a refusal proves
	// nothing: the rest of the batch is not sent.
	if err := r.blocked[p.Batch]; err != nil {
		r.cur.Err = verdict.CouldNotTestf(p.Title, "not sent: %v", err)
		return r.cur
	}
	if err := r.ctx.Err(); err != nil {
		r.cur.Err = verdict.CouldNotTest(p.Title, err)
		return r.cur
	}
	r.cur.Err = own(p.body(r, p))
	return r.cur
}

// own gives the result a Finding of its own: one reason may serve several
// probes (a document that could not be read, a profile gap), and each
// scenario's step classifies its finding concurrently.
func own(err error) error {
	var f *verdict.Finding
	if errors.As(err, &f) {
		c := *f
		return &c
	}
	return err
}

// send is the only way a probe reaches the target: it enforces the plan's
// request count for the probe.
func (r *run) send(method, target string, header http.Header, body string) *Exchange {
	if r.curSent >= r.cur.Probe.Requests {
		ex := &Exchange{Method: method, URL: target, Err: fmt.Errorf("oauth: probe %s would exceed its %d planned requests", r.cur.Probe.ID, r.cur.Probe.Requests)}
		ex.ErrText = ex.Err.Error()
		r.cur.Exchanges = append(r.cur.Exchanges, ex)
		return ex
	}
	r.curSent++
	r.sent++
	ex := r.c.Do(r.ctx, method, target, header, body)
	r.cur.Exchanges = append(r.cur.Exchanges, ex)
	return ex
}

func (r *run) postForm(pairs [][2]string, header http.Header) *Exchange {
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("Accept", "application/json")
	return r.send(http.MethodPost, r.o.TokenEndpoint, h, encodePairs(pairs))
}

// ccForm is the client_credentials request with a client assertion
// (RFC 7523 §2.2, RFC 6749 §4.4.2).
func (r *run) ccForm(assertion string, extra ...[2]string) [][2]string {
	pairs := [][2]string{{"grant_type", GrantCC}, {"client_assertion_type", AssertionTypeJWT}, {"client_assertion", assertion}}
	if r.o.Scope != "" {
		pairs = append(pairs, [2]string{"scope", r.o.Scope})
	}
	return append(pairs, extra...)
}

// grantForm is the JWT authorization grant request (RFC 7523 §2.1), with
// client authentication when the profile asks for it (RFC 7523 §3.1
// allows the server to require it): a fresh valid client assertion, or
// clientAssertion when not empty.
func (r *run) grantForm(grant, clientAssertion string) ([][2]string, error) {
	pairs := [][2]string{{"grant_type", GrantJWTBearer}, {"assertion", grant}}
	if clientAssertion == "" && r.grantClientAuth() {
		var err error
		if clientAssertion, err = r.fresh(); err != nil {
			return nil, err
		}
	}
	if clientAssertion != "" {
		pairs = append(pairs, [2]string{"client_assertion_type", AssertionTypeJWT}, [2]string{"client_assertion", clientAssertion})
	}
	if r.o.Scope != "" {
		pairs = append(pairs, [2]string{"scope", r.o.Scope})
	}
	return pairs, nil
}

// grantClientAuth reports whether grants carry client authentication.
func (r *run) grantClientAuth() bool {
	return r.o.Grant != nil && r.o.Grant.ClientAuth == profile.GrantAuthPrivateKey
}

// refusedByError reports an RFC 6749 §5.2 error answer.
func refusedByError(ex *Exchange) bool {
	return cannotJudge("", ex) == nil && ex.Status >= 400 && ex.Status < 500 && ex.str("error") != ""
}

// useAudience rebuilds the valid assertions with another audience.
func (r *run) useAudience(aud string) error {
	r.aud = aud
	c := r.base.Config()
	c.Audience = aud
	var err error
	if r.base, err = jose.New(c); err != nil {
		return err
	}
	if r.grant != nil && (r.o.Grant == nil || r.o.Grant.Audience == "") {
		g := r.grant.Config()
		g.Audience = aud
		r.grant, err = jose.New(g)
	}
	return err
}

// fresh is a new valid client assertion.
func (r *run) fresh() (string, error) { return jose.Mutate(r.base).Compact() }

// run is the body of a mutation probe.
func (m mutation) run(r *run, p Probe) error {
	err := m.send(r, p)
	if m.after != nil {
		m.after(r)
	}
	return err
}

func (m mutation) send(r *run, p Probe) error {
	ms, err := m.build(r)
	if errors.Is(err, jose.ErrNotApplicable) {
		return verdict.Inapplicable(p.Title + ": does not apply to the registered " + r.base.Header.String("alg") + " key")
	}
	if err != nil {
		return err
	}
	base := r.base
	if p.Batch == BatchGrant {
		base = r.grant
	}
	a := jose.Mutate(base, ms...)
	r.cur.Applied = a.Applied()
	s, err := a.Compact()
	if errors.Is(err, jose.ErrNotApplicable) {
		return verdict.Inapplicable(p.Title + ": does not apply to the registered " + r.base.Header.String("alg") + " key")
	}
	if err != nil {
		return err
	}
	var ex *Exchange
	if p.Batch == BatchGrant {
		form, err := r.grantForm(s, "")
		if err != nil {
			return err
		}
		ex = r.postForm(form, nil)
	} else {
		ex = r.postForm(r.ccForm(s), nil)
	}
	err = r.judge(p, ex)
	if m.timed && err == nil {
		// A kid that reaches a shell or a database shows as a delay
		// (jwt_tool's "|sleep 10"); compare with the positive control.
		if ctl := r.controls[p.Batch]; ctl != nil && len(ctl.Exchanges) > 0 {
			base := ctl.Exchanges[len(ctl.Exchanges)-1].Elapsed
			if limit := max(3*time.Second, 10*base); ex.Elapsed > limit {
				return verdict.Warning(p.Title, fmt.Sprintf("an answer as fast as the valid request (%v)", base.Round(time.Millisecond)), "RFC 8725 §3.10", fmt.Sprintf("answered after %v", ex.Elapsed.Round(time.Millisecond)))
			}
		}
	}
	return err
}

// judge applies the probe's expectation to one answer.
func (r *run) judge(p Probe, ex *Exchange) error {
	err := r.judgeAnswer(p, ex)
	if err == nil && ex.Err == nil && ex.Status >= 400 && ex.Status < 500 && !hasDirective(ex.Header.Values("Cache-Control"), "no-store") {
		// RFC 6749 §5.2 shows no-store on errors only in its example: INFO.
		r.cur.Notes = append(r.cur.Notes, "error response without Cache-Control: no-store (RFC 6749 §5.2 example; recorded, not judged)")
	}
	return err
}

func (r *run) judgeAnswer(p Probe, ex *Exchange) error {
	switch p.judge {
	case judgeToken:
		_, err := Accepted(p.Title, p.Clause, false, false, ex)
		return err
	case judgeTokenShould:
		// A refusal of what the target SHOULD accept warns; a 5xx is a
		// crash and fails whatever the clause's strength (RFC 6749 §5.2).
		_, err := Accepted(p.Title, p.Clause, false, false, ex)
		var f *verdict.Finding
		if errors.As(err, &f) && f.Status == verdict.Fail && ex.Status < 500 {
			return verdict.WithSeverity(verdict.Warning(f.Probe, f.Expected, f.Clause, f.Got), SevFormat)
		}
		return err
	case judgeRecord:
		if err := cannotJudge(p.Title, ex); err != nil {
			return err
		}
		if ex.Status >= 500 {
			return verdict.WithSeverity(verdict.Deviation(p.Title, "a token or an RFC 6749 §5.2 error, not a 5xx", "RFC 6749 §5.2", ex.Summary()), SevCrash)
		}
		// The clause lets the target choose (MAY refuse): the answer is
		// recorded outside the verdict.
		return verdict.Noted(p.Title, "recorded: "+ex.Summary())
	case judgeClient, judgeClientEither, judgeClientOrRequest, judgeGrant, judgeRefusal, judgeRefuseShould:
		return Refused(p.Title, p.Clause, refusalFor(p, r.o.ErrorCodes), ex)
	}
	return fmt.Errorf("oauth: probe %s has no judgement", p.ID)
}

// proven reports a finding no later event can undo: the target issued a
// token, crashed (5xx) or fetched a URL it was told not to.
func (res *Result) proven() bool {
	if res.fetched || res.accepted() {
		return true
	}
	if len(res.Exchanges) == 0 {
		return false
	}
	ex := res.Exchanges[len(res.Exchanges)-1]
	return ex.Err == nil && ex.Status >= 500
}

// accepted reports whether a probe's (last) answer issued a token.
func (res *Result) accepted() bool {
	if res == nil || len(res.Exchanges) == 0 {
		return false
	}
	ex := res.Exchanges[len(res.Exchanges)-1]
	return ex.Err == nil && ex.Status == 200 && ex.str("access_token") != ""
}

func (res *Result) answered() bool {
	if res == nil || len(res.Exchanges) == 0 {
		return false
	}
	ex := res.Exchanges[len(res.Exchanges)-1]
	return cannotJudge("", ex) == nil && ex.Status < 500
}

// closeBatch runs the checks that need the whole batch: the recorder's
// fetch log, and the framing — when the control after the batch failed
// though the one before passed, refusals in between may be a lockout, not
// a verdict, so they become "could not test".
func (r *run) closeBatch(batch string, rep *Report) {
	for res, u := range r.fetchURL {
		if n := r.rec.Hits(u); n > 0 && res.Probe.Batch == batch {
			res.fetched = true
			res.Err = verdict.WithSeverity(verdict.Deviation(res.Probe.Title, "the URL in the header is not fetched", res.Probe.Clause, fmt.Sprintf("the target fetched %s %d time(s)", u, n)), SevForged)
		}
	}
	var after *Result
	for _, res := range rep.Results {
		if res.Probe.Batch == batch && res.Probe.frame == frameAfter {
			after = res
		}
	}
	if after == nil || after.Probe.skip != nil || r.blocked[batch] != nil || after.accepted() {
		return
	}
	for _, res := range rep.Results {
		if res.Probe.Batch != batch || res == after || res.Probe.frame == frameBefore || res.proven() {
			// A token the target issued, a crash or a fetch stays a finding
			// whatever came later (docs/design.md: a proven deviation is never
			// hidden by an untested one).
			continue
		}
		if st, _ := verdict.Classify(res.Err); st == verdict.Pass || st == verdict.Warn || st == verdict.Fail {
			res.Err = verdict.CouldNotTestf(res.Probe.Title, "the valid request failed after the batch (%s), so this refusal may be a lockout", after.lastSummary())
		}
	}
}

func (res *Result) lastSummary() string {
	if len(res.Exchanges) == 0 {
		return "not sent"
	}
	return res.Exchanges[len(res.Exchanges)-1].Summary()
}
