package steps

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/apisec/apisec/harness/audit"
	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/cucumber/godog"
)

// auditState is the SC005 part of a scenario. The requests on the test
// patient and the audit search run once per run (Shared.Do); each scenario
// judges the record of its own request.
type auditState struct {
	report *audit.Report
	res    *audit.Result
}

const auditMemoKey = "audit/report"

func registerAuditSteps(sc *godog.ScenarioContext, w *World) {
	s := &auditState{}
	sc.Given(`^the audit source and test identities from the profile$`, func(ctx context.Context) error { return s.load(ctx, w) })
	sc.When(`^the suite reads the test patient as the test user$`, func() error { return s.pick(w, audit.ProbeRead) })
	sc.When(`^the suite searches for the test patient as the test user$`, func() error { return s.pick(w, audit.ProbeSearch) })
	sc.When(`^the suite reads the test patient without an access token$`, func() error { return s.pick(w, audit.ProbeNoToken) })
	sc.When(`^the suite reads the test patient with a forged access token$`, func() error { return s.pick(w, audit.ProbeBadToken) })
	sc.When(`^the suite searches the audit source without an access token$`, func() error { return s.pick(w, audit.ProbeSourceOpen) })
	sc.Then(`^the API serves the read$`, func() error {
		if err := s.picked(audit.ProbeRead); err != nil {
			return err
		}
		return s.report.Control
	})
	sc.Then(`^the audit source holds a record of "([^"]+)" that meets the NEN 7513 field table$`, func(id string) error {
		if err := s.picked(id); err != nil {
			return err
		}
		return s.res.Err
	})
	sc.Then(`^the audit source refuses it$`, func() error {
		if err := s.picked(audit.ProbeSourceOpen); err != nil {
			return err
		}
		return s.res.Err
	})
}

// load checks the profile gives the suite a way to test SC005 and gets the
// run's report, making the requests the first time a scenario asks. A MUST
// rule the suite has no way to test is "could not test", never a pass.
func (s *auditState) load(ctx context.Context, w *World) error {
	const probe = "NEN 7513 audit records"
	env := w.Env()
	a, o := env.Profile.Audit, env.Profile.OAuth
	switch {
	case a == nil:
		return verdict.OutOfScope("the profile names no audit source (audit.source), so SC005 is not assessed")
	case o == nil:
		return verdict.CouldNotTestf(probe, "the profile has no oauth section, so the suite cannot act as the test user")
	case a.TestUser == "":
		return verdict.CouldNotTestf(probe, "the profile names no audit.test_user")
	case a.TestPatient == "":
		return verdict.CouldNotTestf(probe, "the profile names no audit.test_patient")
	}
	v, err := env.Shared.Do(auditMemoKey, func() (any, error) {
		key, err := oauth.LoadSigningKey(env.Profile.Path(o.SigningKey))
		if err != nil {
			return nil, err
		}
		hc := env.Guard.HTTPClient(&tls.Config{RootCAs: env.Guard.RootCAs(), MinVersion: tls.VersionTLS12})
		client := &oauth.Client{HTTP: hc, BodyCap: oauth.DefaultBodyCap}
		jk := jose.Key{Signer: key, KID: o.KeyID}
		userTok, err := oauth.GrantToken(ctx, client, o, jk, a.TestUser, o.Scope, env.Now)
		if err != nil {
			return nil, fmt.Errorf("no access token for the test user %q: %w", a.TestUser, err)
		}
		auditTok, err := oauth.ClientCredentialsToken(ctx, client, o, jk, audit.DefaultScope, env.Now)
		if err != nil {
			return nil, fmt.Errorf("no access token with scope %s for the audit source: %w", audit.DefaultScope, err)
		}
		targets, err := audit.DeriveTargets(a.Source, o.ResourceURL, a.TestPatient)
		if err != nil {
			return nil, err
		}
		return audit.Run(ctx, audit.Config{
			Targets: targets, HTTP: hc, UserToken: userTok, AuditToken: auditTok,
			User: a.TestUser, Patient: a.TestPatient, Now: env.Now,
			Poll: audit.PollConfig{Deadline: time.Duration(a.Wait)},
		})
	})
	if err != nil {
		var f *verdict.Finding
		if errors.As(err, &f) {
			return verdict.CouldNotTestf(probe, "%s", err.Error())
		}
		return verdict.CouldNotTest(probe, err)
	}
	s.report = v.(*audit.Report)
	return nil
}

func (s *auditState) pick(w *World, id string) error {
	if s.report == nil {
		return errors.New("audit: no report (a Given step is missing)")
	}
	res, ok := s.report.Result(id)
	if !ok {
		return fmt.Errorf("audit: the feature names probe %q, which the run does not know", id)
	}
	s.res = res
	if res.Exchange != nil || len(res.Events) > 0 {
		w.Evidence(id, "application/json", res.Evidence())
	}
	for _, n := range res.Notes {
		w.Note(id + ": " + n)
	}
	if id != audit.ProbeSourceOpen {
		w.Note(fmt.Sprintf("audit source: %d records read in %d searches", s.report.Records, s.report.Attempts))
	}
	return nil
}

// picked checks the Then step judges the request the When step made.
func (s *auditState) picked(id string) error {
	if s.res == nil {
		return errors.New("audit: no request selected (a When step is missing)")
	}
	if s.res.Probe != id {
		return fmt.Errorf("audit: the feature judges %q but the scenario made %q", id, s.res.Probe)
	}
	return nil
}
