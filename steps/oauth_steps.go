package steps

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/verdict"
)

// oauthState is the OAuth part of a scenario: the run's probe report (sent
// once per run, in plan order, framed by positive controls) and the probe
// this scenario judges. godog runs a rule's scenarios concurrently, so the
// batch cannot be framed scenario by scenario: it runs once, the first time
// a scenario asks, and every scenario judges its own probe's exchange.
type oauthState struct {
	report *oauth.Report
	res    *oauth.Result
	probe  oauth.Probe
}

const oauthMemoKey = "oauth/report"

func registerOAuthSteps(sc stepDefs, w *World) {
	s := &oauthState{}
	given := func(ctx context.Context) error { return s.load(ctx, w) }
	sc.Given(`^the target's authorization server from the profile$`, given)
	sc.Given(`^a valid client assertion for the registered client$`, given)
	sc.Given(`^a valid JWT authorization grant for the configured subject$`, given)
	sc.Given(`^the authorization server's metadata$`, given)
	sc.Given(`^an access token issued to the registered client$`, given)

	sc.When(`^it is posted to the token endpoint as probe "([^"]+)"$`, func(id string) error { return s.pick(w, id, oauth.BatchClientAuth, oauth.BatchGrant) })
	sc.When(`^it is changed by probe "([^"]+)" and posted to the token endpoint$`, func(id string) error { return s.pick(w, id, oauth.BatchClientAuth, oauth.BatchGrant) })
	sc.When(`^the request around it is changed by probe "([^"]+)"$`, func(id string) error { return s.pick(w, id, oauth.BatchClientAuth) })
	sc.When(`^it is checked by probe "([^"]+)"$`, func(id string) error { return s.pick(w, id, oauth.BatchMetadata, oauth.BatchClientAuth) })
	sc.When(`^the resource is requested as probe "([^"]+)"$`, func(id string) error { return s.pick(w, id, oauth.BatchResource) })

	sc.Then(`^the token endpoint issues a token$`, func() error { return s.judge(oauth.KindControl, oauth.KindToken) })
	sc.Then(`^the token endpoint should issue a token$`, func() error { return s.judge(oauth.KindTokenShould) })
	sc.Then(`^the token endpoint refuses it with invalid_client$`, func() error { return s.judge(oauth.KindRefuseClient) })
	sc.Then(`^the token endpoint refuses it with invalid_client under either error-code policy$`, func() error { return s.judge(oauth.KindRefuseEither) })
	sc.Then(`^the token endpoint should refuse it$`, func() error { return s.judge(oauth.KindRefuseShould) })
	sc.Then(`^the token endpoint refuses it with invalid_client or invalid_request$`, func() error { return s.judge(oauth.KindRefuseClientOr) })
	sc.Then(`^the token endpoint refuses the grant with invalid_grant$`, func() error { return s.judge(oauth.KindRefuseGrant) })
	sc.Then(`^the token endpoint refuses it$`, func() error { return s.judge(oauth.KindRefuseAny) })
	sc.Then(`^the token endpoint refuses it with "([a-z_]+)"$`, func(code string) error {
		if !slices.Contains(s.probe.RefusalCodes(), code) {
			return fmt.Errorf("feature expects %q but the plan judges %s by %v", code, s.probe.ID, s.probe.RefusalCodes())
		}
		return s.judge(oauth.KindRefuseCode)
	})
	// The target may choose (MAY refuse): the answer is info, outside the
	// verdict; a 5xx still fails (RFC 6749 §5.2).
	sc.Then(`^the answer is recorded outside the verdict, and a 5xx fails$`, func() error { return s.judge(oauth.KindRecord) })
	sc.Then(`^the answer meets the audience profile$`, func() error {
		return s.judge(oauth.KindToken, oauth.KindRefuseClient, oauth.KindRecord, oauth.KindCheck)
	})
	sc.Then(`^the check holds$`, func() error { return s.judge(oauth.KindCheck) })
	sc.Then(`^the resource serves it$`, func() error { return s.judge(oauth.KindCheck) })
	sc.Then(`^the resource refuses it$`, func() error { return s.judge(oauth.KindCheck) })
	sc.Then(`^its published standard metadata is recorded as evidence for the declaration$`, func() error { return s.recordStandardModel(w) })
}

// standardModelProbe is the metadata probe whose outcome is the observable
// side of SC007 ("fully standardized models for identification and
// authentication"): a target that publishes no RFC 8414 / OpenID Connect
// discovery metadata contradicts the specifier's declaration.
const standardModelProbe = oauth.StandardModelProbe

// recordStandardModel cites the metadata probe (run once for SC-R001) as
// evidence for a declared rule, and turns its failure into a deviation of
// that rule.
func (s *oauthState) recordStandardModel(w *World) error {
	if s.report == nil {
		return errors.New("oauth: no probe report (a Given step is missing)")
	}
	res, ok := s.report.Result(standardModelProbe)
	if !ok {
		return verdict.CouldNotTestf(standardModelProbe, "the metadata probe has no result")
	}
	w.Evidence(standardModelProbe, "application/json", res.Evidence())
	status, f := verdict.Classify(res.Err)
	switch status {
	case verdict.Pass:
		w.Note("standard model observed: RFC 8414 / OpenID Connect discovery metadata is published (" + standardModelProbe + ")")
		return nil
	case verdict.Fail, verdict.Warn:
		return verdict.Deviation("authorization server metadata", "standard OAuth 2.0 authorization server metadata (RFC 8414 §3) or OpenID Connect discovery",
			w.Rule().ID+": fully standardized identification and authentication", f.Got)
	default:
		return res.Err
	}
}

// load checks the scenario applies and gets the run's report, running the
// whole plan the first time.
func (s *oauthState) load(ctx context.Context, w *World) error {
	env := w.Env()
	o := env.Profile.OAuth
	switch {
	case !env.Profile.HasInterface("rest"):
		return verdict.Inapplicable("the target has no REST interface (profile target.interfaces)")
	case o == nil:
		return verdict.OutOfScope("the profile has no oauth section: the target names no authorization server, so the rule is not assessed")
	}
	v, err := env.Shared.Do(oauthMemoKey, func() (any, error) {
		key, err := oauth.LoadSigningKey(env.Profile.Path(o.SigningKey))
		if err != nil {
			return nil, err
		}
		var second *jose.Key
		if sc := o.SecondClient; sc != nil {
			k, err := oauth.LoadSigningKey(env.Profile.Path(sc.SigningKey))
			if err != nil {
				return nil, fmt.Errorf("oauth.second_client: %w", err)
			}
			second = &jose.Key{Signer: k, KID: sc.KeyID}
		}
		var grantKey *jose.Key
		if g := o.Grant; g != nil && g.SigningKey != "" {
			k, err := oauth.LoadSigningKey(env.Profile.Path(g.SigningKey))
			if err != nil {
				return nil, fmt.Errorf("oauth.grant: %w", err)
			}
			grantKey = &jose.Key{Signer: k, KID: g.KeyID}
		}
		tlsConf := &tls.Config{RootCAs: env.Guard.RootCAs(), MinVersion: tls.VersionTLS12}
		return oauth.Run(ctx, oauth.Config{
			OAuth:        o,
			Key:          jose.Key{Signer: key, KID: o.KeyID},
			Client:       &oauth.Client{HTTP: env.Guard.HTTPClient(tlsConf), BodyCap: oauth.DefaultBodyCap},
			Now:          env.Now,
			RecorderAddr: o.JWKSListen,
			SecondKey:    second,
			GrantKey:     grantKey,
		})
	})
	if err != nil {
		return verdict.CouldNotTest("OAuth probe batch", err)
	}
	s.report = v.(*oauth.Report)
	return nil
}

// pick selects the scenario's probe. Every probe is in the report, those
// the profile gives too little for with the reason declared on the probe,
// so an id without a result is a feature row no runner defines.
func (s *oauthState) pick(w *World, id string, batches ...string) error {
	if s.report == nil {
		return errors.New("oauth: no probe report (a Given step is missing)")
	}
	res, ok := s.report.Result(id)
	if !ok {
		return fmt.Errorf("oauth: the feature names probe %q, which no runner in harness/oauth defines (see apisec run --dry-run for the ids)", id)
	}
	if !slices.Contains(batches, res.Probe.Batch) {
		return fmt.Errorf("oauth: probe %s belongs to the %s batch, not to what the step says", id, res.Probe.Batch)
	}
	if res.Probe.Rule != w.Rule().ID {
		return fmt.Errorf("oauth: probe %s decides %s, but the scenario belongs to %s", id, res.Probe.Rule, w.Rule().ID)
	}
	s.res, s.probe = res, res.Probe
	w.Evidence(id, "application/json", res.Evidence())
	for _, n := range res.Notes {
		w.Note(id + ": " + n)
	}
	return nil
}

// judge returns the probe's verdict after checking the sentence says what
// the plan judges.
func (s *oauthState) judge(kinds ...string) error {
	if s.res == nil {
		return errors.New("oauth: no probe selected (a When step is missing)")
	}
	if !slices.Contains(kinds, s.probe.Kind()) {
		return fmt.Errorf("oauth: the feature expects %v but the plan judges %s as %s (%s)", kinds, s.probe.ID, s.probe.Kind(), s.probe.Expect)
	}
	return s.res.Err
}
