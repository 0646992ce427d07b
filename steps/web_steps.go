package steps

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/harness/webprobe"
)

// webState is the NCSC web-guideline part of a scenario: the run's web
// probe report for the scenario's rule (sent once per rule, the shared
// answers once per run) and the probe this scenario judges.
type webState struct {
	rep *webprobe.Report
	res *webprobe.Result
}

const webSessionKey = "web/session"

func registerWebSteps(sc stepDefs, w *World) {
	s := &webState{}
	sc.Given(`^the deployment's web answers$`, func(ctx context.Context) error { return s.load(ctx, w) })
	sc.When(`^they are checked by web probe "([^"]+)"$`, func(id string) error { return s.pick(w, id) })
	sc.Then(`^the web probe finds no contradiction$`, func() error { return s.judge(webprobe.FailOrWarn, webprobe.WarnOnly) })
	sc.Then(`^the observation is recorded outside the verdict$`, func() error { return s.judge(webprobe.InfoOnly) })
}

// load runs the web probes of the scenario's rule the first time one of
// its scenarios asks.
func (s *webState) load(ctx context.Context, w *World) error {
	env := w.Env()
	v, err := env.Shared.Do(webSessionKey, func() (any, error) { return newWebSession(env) })
	if err != nil {
		return verdict.CouldNotTest("web probes", err)
	}
	session := v.(*webprobe.Session)
	rule := w.Rule().ID
	rep, _ := env.Shared.Do("web/report/"+rule, func() (any, error) { return session.Run(ctx, rule), nil })
	s.rep = rep.(*webprobe.Report)
	return nil
}

// newWebSession is the run's one web probe session (shared answers, one
// access token).
func newWebSession(env *Env) (*webprobe.Session, error) {
	cfg := webprobe.Config{Profile: env.Profile, Client: env.Guard.HTTPClient(nil)}
	if o := env.Profile.OAuth; o != nil && o.ResourceURL != "" && env.Profile.HasInterface("rest") {
		cfg.Token = func(ctx context.Context) (string, error) { return webToken(ctx, env) }
	}
	return webprobe.NewSession(cfg)
}

// webToken gets an access token for the resource: as the test user with a
// JWT authorization grant when the profile names one (an answer with a
// patient's data), else for the client itself.
func webToken(ctx context.Context, env *Env) (string, error) {
	o := env.Profile.OAuth
	key, err := oauth.LoadSigningKey(env.Profile.Path(o.SigningKey))
	if err != nil {
		return "", err
	}
	client := &oauth.Client{HTTP: env.Guard.HTTPClient(&tls.Config{RootCAs: env.Guard.RootCAs(), MinVersion: tls.VersionTLS12}), BodyCap: oauth.DefaultBodyCap}
	jk := jose.Key{Signer: key, KID: o.KeyID}
	if o.GrantSubject != "" {
		return oauth.GrantToken(ctx, client, o, jk, o.GrantSubject, o.Scope, env.Now)
	}
	return oauth.ClientCredentialsToken(ctx, client, o, jk, o.Scope, env.Now)
}

func (s *webState) pick(w *World, id string) error {
	if s.rep == nil {
		return errors.New("web: no probe report (a Given step is missing)")
	}
	p, known := webprobe.Lookup(id)
	if !known {
		return fmt.Errorf("web: the feature names probe %q, which the catalogue does not know", id)
	}
	if p.Rule != w.Rule().ID {
		return fmt.Errorf("web: probe %s evidences %s, but the scenario belongs to %s", id, p.Rule, w.Rule().ID)
	}
	res, ok := s.rep.Result(id)
	if !ok {
		return fmt.Errorf("web: probe %s has no result", id)
	}
	s.res = res
	if len(res.Exchanges) > 0 {
		w.Evidence(id, "text/plain", res.Evidence())
	}
	w.Note(fmt.Sprintf("%s: NCSC %s (confidence %s), ASVS %s, %s; internet.nl: %s", id, orDash(p.NCSC), p.Confidence, orDash(p.ASVS), orDash(p.Top10), p.InternetNL))
	for _, n := range res.Notes {
		w.Note(id + ": " + n)
	}
	return nil
}

// judge returns the probe's verdict after checking the sentence says what
// the catalogue judges it by.
func (s *webState) judge(outcomes ...webprobe.Outcome) error {
	if s.res == nil {
		return errors.New("web: no probe selected (a When step is missing)")
	}
	for _, o := range outcomes {
		if s.res.Probe.Outcome == o {
			return s.res.Err
		}
	}
	return fmt.Errorf("web: the feature judges %s as %v, the catalogue as %s", s.res.Probe.ID, outcomes, s.res.Probe.Outcome)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
