package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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
	// OtherResource is an RFC 8707 resource value of another API the AS
	// issues tokens for; it enables rs/other-audience.
	OtherResource string
	// SecondKey is the signing key of the profile's oauth.second_client
	// (KID its key_id); it enables ca/foreign-client-key.
	SecondKey *jose.Key
}

// Result is what one probe observed and concluded. Err is nil for pass or
// a verdict Finding; anything else means the suite failed (error).
type Result struct {
	Probe     Probe       `json:"probe"`
	Err       error       `json:"-"`
	Exchanges []*Exchange `json:"exchanges,omitempty"`
	Notes     []string    `json:"notes,omitempty"`
	Applied   []string    `json:"mutations,omitempty"`
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
	fetchURL map[string]string // probe id → recorder URL to watch
	results  map[string]*Result
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
	r := &run{cfg: cfg, o: o, c: cfg.Client, now: cfg.Now, blocked: map[string]error{}, results: map[string]*Result{}, fetchURL: map[string]string{}, ctx: ctx, disc: &Discovery{}}
	var err error
	typ := ""
	if o.AudienceProfile == AudRFC7523bis {
		typ = jose.TypClientAuth
	}
	if r.base, err = jose.New(jose.Config{Issuer: o.ClientID, Audience: r.baseAud(), Key: cfg.Key, Typ: typ, Now: cfg.Now}); err != nil {
		return nil, err
	}
	if o.GrantSubject != "" {
		if r.grant, err = jose.New(jose.Config{Issuer: o.ClientID, Subject: o.GrantSubject, Audience: r.baseAud(), Key: cfg.Key, Now: cfg.Now}); err != nil {
			return nil, err
		}
	}
	kx, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	r.attacker = jose.Key{Signer: kx, KID: "apisec-attacker-" + jose.NewJTI()[:8], Alg: "ES256"}
	if r.rec, err = StartRecorder(cfg.RecorderAddr); err != nil {
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
	r.results[p.ID] = r.cur
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
	var err error
	switch {
	case p.exec != nil:
		err = p.exec(r, p)
	case p.mut != nil:
		err = r.mutationProbe(p)
	default:
		err = r.special(p)
	}
	r.cur.Err = err
	return r.cur
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

// grantForm is the JWT authorization grant request (RFC 7523 §2.1).
func (r *run) grantForm(assertion string, extra ...[2]string) [][2]string {
	pairs := [][2]string{{"grant_type", GrantJWTBearer}, {"assertion", assertion}}
	if r.o.Scope != "" {
		pairs = append(pairs, [2]string{"scope", r.o.Scope})
	}
	return append(pairs, extra...)
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
	if r.grant != nil {
		g := r.grant.Config()
		g.Audience = aud
		r.grant, err = jose.New(g)
	}
	return err
}

// fresh is a new valid client assertion.
func (r *run) fresh() (string, error) { return jose.Mutate(r.base).Compact() }

func (r *run) mutationProbe(p Probe) error {
	ms, err := p.mut.build(r)
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
		ex = r.postForm(r.grantForm(s), nil)
	} else {
		ex = r.postForm(r.ccForm(s), nil)
	}
	err = r.judge(p, ex)
	if strings.HasPrefix(p.ID, "ca/kid-") && err == nil {
		// A kid that reaches a shell or a database shows as a delay
		// (jwt_tool's "|sleep 10"); compare with the positive control.
		if ctl := r.results["ca/control-before"]; ctl != nil && len(ctl.Exchanges) > 0 {
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
	if p.Rule != RuleR001 && (p.exp == expClient || p.exp == expGrant) {
		// A JOSE-level probe: that the JWT is refused is what counts; which
		// error code says so is judged by the SC-R001 probes.
		codes := []string{"invalid_client"}
		if p.exp == expGrant {
			codes = []string{"invalid_grant"}
		}
		return Refused(p.Title, p.Clause, Refusal{Codes: codes, AnyCode: true}, ex)
	}
	switch p.exp {
	case expClient:
		return Refused(p.Title, p.Clause, Refusal{Codes: []string{"invalid_client"}, WarnOtherCodes: true}, ex)
	case expClientOrRequest:
		return Refused(p.Title, p.Clause, Refusal{Codes: []string{"invalid_client", "invalid_request"}}, ex)
	case expGrant:
		codes := []string{"invalid_grant"}
		if strings.HasSuffix(p.ID, "two-jwts") {
			codes = append(codes, "invalid_request")
		}
		return Refused(p.Title, p.Clause, Refusal{Codes: codes}, ex)
	case expRefusal:
		return Refused(p.Title, p.Clause, *p.ref, ex)
	case expToken:
		_, err := Accepted(p.Title, p.Clause, false, false, ex)
		return err
	case expTokenShould:
		_, err := Accepted(p.Title, p.Clause, false, false, ex)
		var f *verdict.Finding
		if errors.As(err, &f) && f.Status == verdict.Fail {
			return verdict.Warning(f.Probe, f.Expected, f.Clause, f.Got)
		}
		return err
	case expInfo:
		if err := cannotJudge(p.Title, ex); err != nil {
			return err
		}
		if ex.Status >= 500 {
			return verdict.Deviation(p.Title, "a token or an RFC 6749 §5.2 error, not a 5xx", "RFC 6749 §5.2", ex.Summary())
		}
		// Judged only for a 5xx; otherwise reported outside the verdict.
		return verdict.Noted(p.Title, "recorded: "+ex.Summary())
	}
	return fmt.Errorf("oauth: probe %s has no judgement", p.ID)
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
	if batch == BatchClientAuth {
		for id, u := range r.fetchURL {
			res := rep.byID[id]
			if n := r.rec.Hits(u); n > 0 && res != nil {
				res.Err = verdict.Deviation(res.Probe.Title, "the URL in the header is not fetched", res.Probe.Clause, fmt.Sprintf("the target fetched %s %d time(s)", u, n))
			}
		}
	}
	var after *Result
	for _, res := range rep.Results {
		if res.Probe.Batch == batch && strings.HasSuffix(res.Probe.ID, "control-after") {
			after = res
		}
	}
	if after == nil || r.blocked[batch] != nil || after.accepted() {
		return
	}
	for _, res := range rep.Results {
		if res.Probe.Batch != batch || res == after || strings.HasSuffix(res.Probe.ID, "control-before") || res.accepted() {
			// A token the target issued stays a finding whatever came later.
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

// special runs the probes that are not one mutated assertion.
func (r *run) special(p Probe) error {
	switch p.ID {
	case "ca/control-before", "ca/control-after":
		s, err := r.fresh()
		if err != nil {
			return err
		}
		ex := r.postForm(r.ccForm(s), nil)
		if p.ID == "ca/control-before" && r.o.AudienceProfile != AudRFC7523bis && refusedByError(ex) {
			// RFC 7523 §3 item 3 lets the AS identify itself by any value,
			// the token endpoint URL being one option: try the issuer.
			if err := r.useAudience(r.o.Issuer); err != nil {
				return err
			}
			if s, err = r.fresh(); err != nil {
				return err
			}
			ex = r.postForm(r.ccForm(s), nil)
			if ex.Status == 200 {
				r.cur.Notes = append(r.cur.Notes, "the token endpoint URL as aud was refused, the issuer accepted: the batch uses the issuer (RFC 7523 §3 item 3)")
			}
		}
		tok, err := Accepted(p.Title, p.Clause, true, true, ex)
		if p.ID == "ca/control-before" {
			if tok == nil {
				r.blocked[p.Batch] = fmt.Errorf("the valid client assertion was not accepted (%s)", r.cur.lastSummary())
			}
			r.token = tok
		}
		return err
	case "gr/control-before", "gr/control-after":
		s, err := jose.Mutate(r.grant).Compact()
		if err != nil {
			return err
		}
		tok, err := Accepted(p.Title, p.Clause, true, false, r.postForm(r.grantForm(s), nil))
		if tok == nil && p.ID == "gr/control-before" {
			r.blocked[p.Batch] = fmt.Errorf("the valid JWT grant was not accepted (%s)", r.cur.lastSummary())
		}
		return err
	case "gr/broken-client-assertion":
		g, err := jose.Mutate(r.grant).Compact()
		if err != nil {
			return err
		}
		broken, err := jose.Mutate(r.base, jose.WithFlippedSignature()).Compact()
		if err != nil {
			return err
		}
		ex := r.postForm(r.grantForm(g, [2]string{"client_assertion_type", AssertionTypeJWT}, [2]string{"client_assertion", broken}), nil)
		return Refused(p.Title, p.Clause, Refusal{Codes: []string{"invalid_client"}, WarnOtherCodes: true}, ex)
	case "ca/replay":
		s, err := r.fresh()
		if err != nil {
			return err
		}
		if _, err := Accepted(p.Title+" (first use)", p.Clause, false, true, r.postForm(r.ccForm(s), nil)); err != nil {
			return verdict.CouldNotTestf(p.Title, "the first use was not accepted: %s", r.cur.lastSummary())
		}
		return r.judge(p, r.postForm(r.ccForm(s), nil))
	case "ca/access-token-as-assertion":
		if r.token == nil {
			return verdict.CouldNotTestf(p.Title, "no access token was issued to replay")
		}
		return r.judge(p, r.postForm(r.ccForm(r.token.AccessToken), nil))
	case "ca/rsa-1024-bit-key":
		if r.weakRSA == nil {
			return verdict.Inapplicable("the RSA-1024 probe needs oauth.key_distribution jwks_uri, so the target can fetch the weak key from the suite")
		}
		s, err := jose.Mutate(r.base, jose.WithSigner(*r.weakRSA)).Compact()
		if err != nil {
			return err
		}
		return r.judge(p, r.postForm(r.ccForm(s), nil))
	case "ca/jku", "ca/x5u":
		var mu jose.Mutation
		var u string
		if p.ID == "ca/jku" {
			var err error
			if u, err = r.rec.JKU(r.attacker.KID, r.attacker.Signer.Public()); err != nil {
				return err
			}
			mu = jose.WithJKU(u, r.attacker)
		} else {
			der, err := jose.SelfSignedCert(r.attacker.Signer, r.now())
			if err != nil {
				return err
			}
			u = r.rec.X5U(der)
			mu = jose.WithX5U(u, r.attacker)
		}
		r.fetchURL[p.ID] = u
		a := jose.Mutate(r.base, mu)
		r.cur.Applied = a.Applied()
		s, err := a.Compact()
		if err != nil {
			return err
		}
		r.cur.Notes = append(r.cur.Notes, "watching "+u+" for a fetch (the target can only reach it when it runs on this host or the profile's jwks_listen is reachable)")
		return r.judge(p, r.postForm(r.ccForm(s), nil))
	case "ca/audience-profile":
		return r.audienceSummary(p)
	}
	if strings.HasPrefix(p.ID, "ca/") {
		return r.formProbe(p)
	}
	if strings.HasPrefix(p.ID, "rs/") {
		return r.resourceProbe(p)
	}
	return fmt.Errorf("oauth: no runner for probe %s", p.ID)
}

// formProbe runs the request-level probes: the assertion is valid, the
// request around it is not (RFC 7521 §4.2, RFC 6749 §3.2).
func (r *run) formProbe(p Probe) error {
	s, err := r.fresh()
	if err != nil {
		return err
	}
	var ex *Exchange
	switch p.ID {
	case "ca/assertion-type-unknown":
		ex = r.postForm([][2]string{{"grant_type", GrantCC}, {"client_assertion_type", "urn:apisec:unknown-assertion-type"}, {"client_assertion", s}}, nil)
	case "ca/assertion-missing":
		ex = r.postForm([][2]string{{"grant_type", GrantCC}, {"client_assertion_type", AssertionTypeJWT}}, nil)
	case "ca/client-id-mismatch":
		ex = r.postForm(r.ccForm(s, [2]string{"client_id", r.o.ClientID + "-apisec-other"}), nil)
	case "ca/client-secret-too":
		ex = r.postForm(r.ccForm(s, [2]string{"client_secret", "apisec-not-a-secret"}), nil)
	case "ca/basic-auth-too":
		cred := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(r.o.ClientID) + ":apisec-not-a-secret"))
		ex = r.postForm(r.ccForm(s), http.Header{"Authorization": {"Basic " + cred}})
	case "ca/no-client-authentication":
		ex = r.postForm([][2]string{{"grant_type", GrantCC}, {"client_id", r.o.ClientID}}, nil)
	case "ca/duplicate-parameter":
		s2, err := r.fresh()
		if err != nil {
			return err
		}
		ex = r.postForm(r.ccForm(s, [2]string{"client_assertion", s2}), nil)
	case "ca/unknown-parameter":
		ex = r.postForm(r.ccForm(s, [2]string{"apisec_unknown_parameter", "1"}), nil)
	case "ca/empty-client-id":
		ex = r.postForm(r.ccForm(s, [2]string{"client_id", ""}), nil)
	case "ca/unsupported-grant-type":
		ex = r.postForm([][2]string{{"grant_type", "urn:apisec:unknown-grant-type"}, {"client_assertion_type", AssertionTypeJWT}, {"client_assertion", s}}, nil)
	case "ca/invalid-scope":
		pairs := [][2]string{{"grant_type", GrantCC}, {"client_assertion_type", AssertionTypeJWT}, {"client_assertion", s}, {"scope", `apisec"invalid`}}
		ex = r.postForm(pairs, nil)
	case "ca/password-grant":
		ex = r.postForm([][2]string{{"grant_type", "password"}, {"username", "apisec-test"}, {"password", "apisec-not-a-password"}, {"client_assertion_type", AssertionTypeJWT}, {"client_assertion", s}}, nil)
	case "ca/get-method":
		u := r.o.TokenEndpoint + "?" + encodePairs(r.ccForm(s))
		if strings.Contains(r.o.TokenEndpoint, "?") {
			u = r.o.TokenEndpoint + "&" + encodePairs(r.ccForm(s))
		}
		ex = r.send(http.MethodGet, u, http.Header{"Accept": {"application/json"}}, "")
		if err := cannotJudge(p.Title, ex); err != nil {
			return err
		}
		if ex.Status == 200 && ex.str("access_token") != "" {
			return verdict.Warning(p.Title, "no access token for a GET request", p.Clause, ex.Summary())
		}
		r.cur.Notes = append(r.cur.Notes, "recorded: "+ex.Summary())
		return nil
	default:
		return fmt.Errorf("oauth: no runner for probe %s", p.ID)
	}
	return r.judge(p, ex)
}

// audienceSummary says which audience rules the target meets, from the
// aud probes already run (no request of its own).
func (r *run) audienceSummary(p Probe) error {
	get := func(id string) *Result { return r.results[id] }
	iss, tok, injI, injT := get("ca/aud-issuer"), get("ca/aud-token-endpoint"), get("ca/aud-injection-issuer"), get("ca/aud-injection-token-endpoint")
	for _, res := range []*Result{iss, tok, injI, injT} {
		if res == nil || !res.answered() {
			return verdict.CouldNotTestf(p.Title, "an audience probe got no usable answer")
		}
	}
	bis := iss.accepted() && !tok.accepted() && !injI.accepted() && !injT.accepted()
	legacy := (tok.accepted() || iss.accepted())
	desc := fmt.Sprintf("aud=issuer %s, aud=token endpoint %s, [issuer, other] %s, [token endpoint, other] %s",
		word(iss.accepted()), word(tok.accepted()), word(injI.accepted()), word(injT.accepted()))
	r.cur.Notes = append(r.cur.Notes, desc)
	switch {
	case bis:
		r.cur.Notes = append(r.cur.Notes, "the token endpoint meets rfc7523bis (issuer as sole audience)")
		return nil
	case r.o.AudienceProfile == AudRFC7523bis:
		return verdict.Deviation(p.Title, "the issuer as sole audience (rfc7523bis)", p.Clause, desc)
	case legacy:
		r.cur.Notes = append(r.cur.Notes, "the token endpoint meets RFC 7523 as published but not rfc7523bis")
		return verdict.Warning(p.Title, "the issuer as sole audience (rfc7523bis, the successor of RFC 7523)", "draft-ietf-oauth-rfc7523bis §3", desc)
	}
	return verdict.Deviation(p.Title, "the issuer or the token endpoint URL accepted as audience", "RFC 7523 §3 item 3", desc)
}

func word(accepted bool) string {
	if accepted {
		return "accepted"
	}
	return "refused"
}

// foreignKey runs ca/foreign-client-key: the second client authenticates
// as itself (its key must be known), then its key signs an assertion for
// the registered client under its own kid.
func (r *run) foreignKey(p Probe) error {
	k := r.cfg.SecondKey
	if k == nil || r.o.SecondClient == nil {
		return verdict.Inapplicable("needs a second client registered at the authorization server (profile oauth.second_client)")
	}
	c := r.base.Config()
	c.Issuer, c.Subject, c.Key = r.o.SecondClient.ClientID, "", *k
	own, err := jose.New(c)
	if err != nil {
		return err
	}
	s, err := jose.Mutate(own).Compact()
	if err != nil {
		return err
	}
	// The second client's own request carries no scope: the profile's scope
	// is granted to the first client, and this is only a key check.
	ex := r.postForm([][2]string{{"grant_type", GrantCC}, {"client_assertion_type", AssertionTypeJWT}, {"client_assertion", s}}, nil)
	if _, err := Accepted(p.Title+" (the second client as itself)", p.Clause, false, false, ex); err != nil {
		return verdict.CouldNotTestf(p.Title, "the second client %q was not accepted with its own key (%s), so a refusal would prove nothing", r.o.SecondClient.ClientID, ex.Summary())
	}
	a := jose.Mutate(r.base, jose.WithSigner(*k))
	r.cur.Applied = a.Applied()
	forged, err := a.Compact()
	if err != nil {
		return err
	}
	return r.judge(p, r.postForm(r.ccForm(forged), nil))
}
