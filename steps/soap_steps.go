package steps

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/harness/wssec"
	"github.com/cucumber/godog"
)

// soapState is the SOAP part of a scenario: the run's probe report (sent
// once per run, framed by the valid envelope before and after the negative
// batch) and the probe this scenario judges.
type soapState struct {
	report *wssec.Report
	res    *wssec.Result
}

const soapMemoKey = "soap/report"

func registerSOAPSteps(sc *godog.ScenarioContext, w *World) {
	s := &soapState{}
	given := func(ctx context.Context) error { return s.load(ctx, w) }
	sc.Given(`^the target's SOAP endpoint from the profile$`, given)
	sc.Given(`^a valid WS-Security envelope signed with the suite's client certificate$`, func() error { return s.loaded() })
	sc.Given(`^a valid envelope carrying a holder-of-key SAML assertion from the suite's issuer$`, func() error { return s.loaded() })

	sc.When(`^it is sent as probe "([^"]+)"$`, func(id string) error { return s.pick(w, id, true) })
	sc.When(`^it is changed by probe "([^"]+)" and sent$`, func(id string) error { return s.pick(w, id, false) })

	sc.Then(`^the endpoint processes it$`, func() error { return s.judge(nil) })
	sc.Then(`^the endpoint refuses it with (\S+(?: or \S+)*)$`, func(codes string) error {
		return s.judge(strings.Split(codes, " or "))
	})
}

// load checks the scenario applies and runs the plan the first time.
func (s *soapState) load(ctx context.Context, w *World) error {
	env := w.Env()
	p := env.Profile
	switch {
	case !p.HasInterface("soap"):
		return verdict.Inapplicable("the target has no SOAP interface (profile target.interfaces)")
	case p.SOAP == nil:
		return verdict.OutOfScope("the profile has no soap section: the target names no SOAP endpoint, so the rule is not assessed")
	}
	v, err := env.Shared.Do(soapMemoKey, func() (any, error) {
		client, issuer, err := soapCredentials(p)
		if err != nil {
			return nil, err
		}
		issuerName, audience := wssec.SuiteIssuer, p.SOAP.Endpoint
		if p.SOAP.SAMLIssuer != "" {
			issuerName = p.SOAP.SAMLIssuer
		}
		if p.SOAP.Audience != "" {
			audience = p.SOAP.Audience
		}
		patient, subject := "123", "apisec-suite"
		if p.Audit != nil && p.Audit.TestPatient != "" {
			patient = p.Audit.TestPatient
		}
		if p.Audit != nil && p.Audit.TestUser != "" {
			subject = p.Audit.TestUser
		}
		tlsConf := &tls.Config{RootCAs: env.Guard.RootCAs(), MinVersion: tls.VersionTLS12}
		return wssec.Run(ctx, wssec.Config{
			Endpoint: p.SOAP.Endpoint, WSDL: p.SOAP.WSDL, HTTP: env.Guard.HTTPClient(tlsConf),
			Client: client, SAMLIssuer: issuer, Issuer: issuerName, Audience: audience,
			Subject: subject, PatientID: patient, Now: env.Now,
		})
	})
	if err != nil {
		return verdict.CouldNotTest("SOAP probe batch", err)
	}
	s.report = v.(*wssec.Report)
	return nil
}

// soapCredentials loads the suite's WS-Security client and SAML issuer
// credentials: from the profile's soap section when it names them, else from
// the folder of the suite's client key (oauth.signing_key; else the
// profile's folder), where `apisec reference serve` creates them.
func soapCredentials(p *profile.Profile) (client, issuer wssec.Credential, err error) {
	dir := p.Dir
	if p.OAuth != nil && p.OAuth.SigningKey != "" {
		dir = filepath.Dir(p.Path(p.OAuth.SigningKey))
	}
	load := func(what, key, cert string) (wssec.Credential, error) {
		c, err := pki.LoadXMLCredential(key, cert)
		if err != nil {
			return wssec.Credential{}, fmt.Errorf("SOAP %s credential %s / %s: %w", what, key, cert, err)
		}
		return wssec.Credential{Key: c.Key, Cert: c.Cert}, nil
	}
	pick := func(what, key, cert, fallback string) (wssec.Credential, error) {
		if key != "" {
			return load(what, p.Path(key), p.Path(cert))
		}
		return load(what, filepath.Join(dir, fallback+".key"), filepath.Join(dir, fallback+".pem"))
	}
	if client, err = pick("client", p.SOAP.ClientKey, p.SOAP.ClientCertificate, pki.WSSClientName); err != nil {
		return
	}
	issuer, err = pick("SAML issuer", p.SOAP.SAMLIssuerKey, p.SOAP.SAMLIssuerCertificate, pki.SAMLIssuerName)
	return
}

func (s *soapState) loaded() error {
	if s.report == nil {
		return errors.New("soap: no probe report (the SOAP endpoint step is missing)")
	}
	return nil
}

// pick selects the scenario's probe and checks it belongs to the rule.
func (s *soapState) pick(w *World, id string, control bool) error {
	if err := s.loaded(); err != nil {
		return err
	}
	res, ok := s.report.Result(id)
	if !ok {
		return fmt.Errorf("soap: the feature names probe %q, which the plan does not know", id)
	}
	isControl := id == wssec.ControlBefore || id == wssec.ControlAfter
	if control != isControl {
		return fmt.Errorf("soap: probe %s is %s, not what the step says", id, map[bool]string{true: "a positive control", false: "a mutation"}[isControl])
	}
	if r := wssec.RuleOf(id); !isControl && r != w.Rule().ID {
		return fmt.Errorf("soap: probe %s decides %s, but the scenario belongs to %s", id, r, w.Rule().ID)
	}
	s.res = res
	w.Evidence("soap/"+id, "application/json", res.Evidence())
	for _, n := range res.Notes {
		w.Note(id + ": " + n)
	}
	return nil
}

// judge returns the probe's verdict after checking the sentence names the
// fault codes the plan expects.
func (s *soapState) judge(codes []string) error {
	if s.res == nil {
		return errors.New("soap: no probe selected (a When step is missing)")
	}
	if !slices.Equal(codes, s.res.Expect) {
		return fmt.Errorf("soap: the feature expects %v but the plan judges %s by %v", codes, s.res.ID, s.res.Expect)
	}
	return s.res.Err
}
