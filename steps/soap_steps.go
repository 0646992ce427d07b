package steps

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/harness/wssec"
)

// soapState is the SOAP part of a scenario: its rule's probe report (sent
// once per run and rule, framed by the valid envelope before and after the
// negative batch) and the probe this scenario judges.
//
// Sentences:
//
//	Given the target's SOAP endpoint from the profile
//	And a valid WS-Security envelope signed with the suite's client certificate        (SC-S001)
//	And a valid envelope carrying a holder-of-key SAML assertion from the suite's issuer (SC-S002)
//	When it is sent as probe "wss/control/before"
//	When it is changed by probe "WithoutTimestamp" and sent
//	Then the endpoint processes it
//	Then the endpoint refuses it with wsse:InvalidSecurity or wsse:FailedCheck
type soapState struct {
	report *wssec.Report
	res    *wssec.Result
}

func registerSOAPSteps(sc stepDefs, w *World) {
	s := &soapState{}
	sc.Given(`^the target's SOAP endpoint from the profile$`, func(ctx context.Context) error { return s.load(ctx, w) })
	sc.Given(`^a valid WS-Security envelope signed with the suite's client certificate$`, func() error { return s.loaded(w, wssec.RuleWSS) })
	sc.Given(`^a valid envelope carrying a holder-of-key SAML assertion from the suite's issuer$`, func() error { return s.loaded(w, wssec.RuleSAML) })

	sc.When(`^it is sent as probe "([^"]+)"$`, func(id string) error { return s.pick(w, id, true) })
	sc.When(`^it is changed by probe "([^"]+)" and sent$`, func(id string) error { return s.pick(w, id, false) })

	sc.Then(`^the endpoint processes it$`, func() error { return s.judge(nil) })
	sc.Then(`^the endpoint refuses it with (\S+(?: or \S+)*)$`, func(codes string) error {
		return s.judge(strings.Split(codes, " or "))
	})
}

// load checks the scenario applies and runs its rule's plan the first time.
func (s *soapState) load(ctx context.Context, w *World) error {
	env := w.Env()
	p := env.Profile
	switch {
	case !p.HasInterface("soap"):
		return verdict.Inapplicable("the target has no SOAP interface (profile target.interfaces)")
	case p.SOAP == nil:
		return verdict.OutOfScope("the profile has no soap section: the target names no SOAP endpoint, so the rule is not assessed")
	}
	rule := w.Rule().ID
	if wssec.Mutations(rule) == nil {
		return fmt.Errorf("soap: rule %s has no SOAP probes", rule)
	}
	tlsConf := &tls.Config{RootCAs: env.Guard.RootCAs(), MinVersion: tls.VersionTLS12}
	hc := env.Guard.HTTPClient(tlsConf)
	v, err := env.Shared.Do("soap/"+rule, func() (any, error) {
		op, err := env.Shared.Do("soap/operation", func() (any, error) { return soapOperation(ctx, p, hc) })
		if err != nil {
			return nil, err
		}
		client, err := soapCredential(p, "client", p.SOAP.ClientKey, p.SOAP.ClientCertificate, pki.WSSClientName)
		if err != nil {
			return nil, err
		}
		// SC-S001 can do without the SAML issuer (X.509 envelopes only);
		// SC-S002 cannot.
		issuer, ierr := soapCredential(p, "SAML issuer", p.SOAP.SAMLIssuerKey, p.SOAP.SAMLIssuerCertificate, pki.SAMLIssuerName)
		if ierr != nil && rule == wssec.RuleSAML {
			return nil, ierr
		}
		issuerName, audience := wssec.SuiteIssuer, p.SOAP.Endpoint
		if p.SOAP.SAMLIssuer != "" {
			issuerName = p.SOAP.SAMLIssuer
		}
		if p.SOAP.Audience != "" {
			audience = p.SOAP.Audience
		}
		subject := "apisec-suite"
		if p.Audit != nil && p.Audit.TestUser != "" {
			subject = p.Audit.TestUser
		}
		return wssec.Run(ctx, wssec.Config{
			Endpoint: p.SOAP.Endpoint, Op: op.(*wssec.Operation), HTTP: hc,
			Client: client, SAMLIssuer: issuer, Issuer: issuerName, Audience: audience, Subject: subject, Now: env.Now,
		}, rule)
	})
	if err != nil {
		return verdict.CouldNotTest("SOAP probe batch", err)
	}
	s.report = v.(*wssec.Report)
	return nil
}

// soapOperation builds the request from the profile: the WSDL (a file, or
// fetched from the target once per run), the named operation and port or
// binding, and the request body file when there is one.
func soapOperation(ctx context.Context, p *profile.Profile, hc *http.Client) (*wssec.Operation, error) {
	c := wssec.OperationChoice{Operation: p.SOAP.Operation, Port: p.SOAP.Port, Binding: p.SOAP.Binding, WSDLSource: p.SOAP.WSDL}
	var err error
	switch {
	case p.SOAP.WSDL == "":
	case p.SOAP.WSDLIsURL():
		if c.WSDL, err = wssec.FetchWSDL(ctx, hc, p.SOAP.WSDL, maxWSDL); err != nil {
			return nil, fmt.Errorf("soap.wsdl: %w", err)
		}
	default:
		if c.WSDL, err = os.ReadFile(p.Path(p.SOAP.WSDL)); err != nil {
			return nil, fmt.Errorf("soap.wsdl: %w", err)
		}
	}
	if p.SOAP.RequestBody != "" {
		if c.Body, err = os.ReadFile(p.Path(p.SOAP.RequestBody)); err != nil {
			return nil, fmt.Errorf("soap.request_body: %w", err)
		}
	}
	return wssec.ResolveOperation(c)
}

// maxWSDL bounds a fetched WSDL (with its inline schemas).
const maxWSDL = 4 << 20

// soapCredential loads one of the suite's XML signing credentials: from the
// profile's soap section when it names it, else from the folder of the
// suite's client key (oauth.signing_key; else the profile's folder), where
// `apisec reference serve` creates them.
func soapCredential(p *profile.Profile, what, key, cert, fallback string) (wssec.Credential, error) {
	if key == "" {
		dir := p.Dir
		if p.OAuth != nil && p.OAuth.SigningKey != "" {
			dir = filepath.Dir(p.Path(p.OAuth.SigningKey))
		}
		key, cert = filepath.Join(dir, fallback+".key"), filepath.Join(dir, fallback+".pem")
	} else {
		key, cert = p.Path(key), p.Path(cert)
	}
	c, err := pki.LoadXMLCredential(key, cert)
	if err != nil {
		return wssec.Credential{}, fmt.Errorf("SOAP %s credential %s / %s: %w", what, key, cert, err)
	}
	return wssec.Credential{Key: c.Key, Cert: c.Cert}, nil
}

func (s *soapState) loaded(w *World, rule string) error {
	if s.report == nil {
		return errors.New("soap: no probe report (the SOAP endpoint step is missing)")
	}
	if rule != w.Rule().ID {
		return fmt.Errorf("soap: the envelope of %s is used in a scenario of %s", rule, w.Rule().ID)
	}
	if e := s.report.Envelope; e != nil {
		w.Note("valid envelope the target accepted: " + e.String())
	}
	return nil
}

// pick selects the scenario's probe and checks it belongs to the rule.
func (s *soapState) pick(w *World, id string, control bool) error {
	if s.report == nil {
		return errors.New("soap: no probe report (the SOAP endpoint step is missing)")
	}
	res, ok := s.report.Result(id)
	if !ok {
		return fmt.Errorf("soap: the feature names probe %q, which the %s plan does not know", id, s.report.Rule)
	}
	before, after := wssec.Controls(s.report.Rule)
	isControl := id == before || id == after
	if control != isControl {
		return fmt.Errorf("soap: probe %s is %s, not what the step says", id, map[bool]string{true: "a positive control", false: "a mutation"}[isControl])
	}
	if r := wssec.RuleOf(id); r != w.Rule().ID {
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
