package steps

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/audit"
	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/syslog"
	"github.com/apisec/apisec/harness/verdict"
)

// auditState is the SC005 part of a scenario. The requests on the test
// patient and the reading of every audit source run once per run
// (Shared.Do); each scenario judges one access's record, or one NEN 7513
// field over all records.
type auditState struct {
	report *audit.Report
	res    *audit.Result
}

const auditMemoKey = "audit/report"

func registerAuditSteps(sc stepDefs, w *World) {
	s := &auditState{}
	sc.Given(`^the audit records of the suite's accesses to the test patient$`, func(ctx context.Context) error { return s.load(ctx, w) })
	sc.When(`^the suite reads the test patient as the test user$`, func() error { return s.pick(w, audit.ProbeRead) })
	sc.When(`^the suite searches for the test patient as the test user$`, func() error { return s.pick(w, audit.ProbeSearch) })
	sc.When(`^the suite reads the test patient without an access token$`, func() error { return s.pick(w, audit.ProbeNoToken) })
	sc.When(`^the suite reads the test patient with a forged access token$`, func() error { return s.pick(w, audit.ProbeBadToken) })
	sc.When(`^the suite reads the audit log as the auditor$`, func() error { return s.pick(w, audit.ProbeAuditRead) })
	sc.When(`^the suite searches the audit source without an access token$`, func() error { return s.pick(w, audit.ProbeSourceOpen) })
	sc.When(`^the suite deletes the record of its own read as the auditor$`, func() error { return s.pick(w, audit.ProbeRecordDelete) })
	sc.When(`^the suite writes the record of its own read back unchanged as the auditor$`, func() error { return s.pick(w, audit.ProbeRecordUpdate) })
	sc.When(`^the suite searches the audit source with the test user's access token$`, func() error { return s.pick(w, audit.ProbeReadByClient) })
	sc.Then(`^the API serves the read$`, func() error {
		if err := s.picked(audit.ProbeRead); err != nil {
			return err
		}
		return s.report.Control
	})
	sc.Then(`^every audit source holds a record of it within audit\.wait$`, func() error {
		if s.res == nil {
			return errors.New("audit: no access selected (a When step is missing)")
		}
		return s.report.Presence(s.res.Probe)
	})
	sc.Then(`^the audit source refuses it$`, func() error {
		if err := s.picked(audit.RefusalProbes...); err != nil {
			return err
		}
		return s.res.Err
	})
	sc.Then(`^every record carries the NEN 7513 field "([^"]+)"$`, func(id string) error {
		if s.report == nil {
			return errors.New("audit: no report (a Given step is missing)")
		}
		if _, ok := audit.FieldByID(id); !ok {
			return fmt.Errorf("audit: the feature names field %q, which the field table does not have", id)
		}
		return s.report.Field(id)
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
		return verdict.OutOfScope("the profile names no audit source (audit.source or audit.sources), so SC005 is not assessed")
	case o == nil:
		return verdict.CouldNotTestf(probe, "the profile has no oauth section, so the suite cannot act as the test user")
	case a.TestUser == "":
		return verdict.CouldNotTestf(probe, "the profile names no audit.test_user")
	case a.TestPatient == "":
		return verdict.CouldNotTestf(probe, "the profile names no audit.test_patient")
	}
	ran := false
	v, err := env.Shared.Do(auditMemoKey, func() (any, error) {
		ran = true
		return runAudit(ctx, env, a, o)
	})
	if err != nil {
		var f *verdict.Finding
		if errors.As(err, &f) {
			return verdict.CouldNotTestf(probe, "%s", err.Error())
		}
		return verdict.CouldNotTest(probe, err)
	}
	s.report = v.(*audit.Report)
	if ran {
		// The scenario that made the requests attaches the sources' evidence.
		w.Evidence("audit-sources", "application/json", s.report.SourcesEvidence())
		for _, p := range s.report.Problems() {
			w.Note("unreadable record: " + p)
		}
	}
	return nil
}

func runAudit(ctx context.Context, env *Env, a *profile.Audit, o *profile.OAuth) (*audit.Report, error) {
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
	needsAuditor := false
	fhirURL := ""
	for _, src := range a.AllSources() {
		needsAuditor = needsAuditor || src.URL != ""
		if src.Type == profile.AuditFHIR && fhirURL == "" {
			fhirURL = src.URL
		}
	}
	auditTok := ""
	if needsAuditor {
		if auditTok, err = oauth.ClientCredentialsToken(ctx, client, o, jk, audit.DefaultScope, env.Now); err != nil {
			return nil, fmt.Errorf("no access token with scope %s for the audit source: %w", audit.DefaultScope, err)
		}
	}
	targets, err := audit.DeriveTargets(fhirURL, o.ResourceURL, a.TestPatient)
	if err != nil {
		return nil, err
	}
	var sources []audit.Source
	for i, src := range a.AllSources() {
		switch src.Type {
		case profile.AuditFHIR:
			sources = append(sources, &audit.FHIRSource{URL: src.URL, Fetcher: &audit.Fetcher{HTTP: hc, Token: auditTok}})
		case profile.AuditJSONL:
			sources = append(sources, &audit.JSONLSource{URL: src.URL, File: env.Profile.Path(src.File), Fetcher: &audit.Fetcher{HTTP: hc, Token: auditTok}})
		case profile.AuditSyslog:
			r, err := startReceiver(env.Profile, src)
			if err != nil {
				return nil, fmt.Errorf("audit.sources[%d]: %w", i, err)
			}
			// The receiver runs for this run's requests and reading only.
			defer r.Close()
			sources = append(sources, &audit.SyslogSource{Receiver: r})
		default:
			return nil, fmt.Errorf("audit.sources[%d]: unknown type %q", i, src.Type)
		}
	}
	return audit.Run(ctx, audit.Config{
		Targets: targets, Sources: sources, HTTP: hc, UserToken: userTok, AuditToken: auditTok,
		User: a.TestUser, Patient: a.TestPatient, AuditReader: o.ClientID, Now: env.Now,
		Poll: audit.PollConfig{Deadline: time.Duration(a.Wait)}, Tolerance: time.Duration(a.TimeSkew),
	})
}

// startReceiver binds the suite's syslog receiver where the profile says,
// with the receiver certificate the deployment's sender trusts and the CA
// that issued the sender's client certificate (RFC 5425 §5.1).
func startReceiver(p *profile.Profile, src profile.AuditSource) (*syslog.Receiver, error) {
	cert, err := tls.LoadX509KeyPair(p.Path(src.Certificate), p.Path(src.Key))
	if err != nil {
		return nil, fmt.Errorf("syslog receiver certificate: %w", err)
	}
	raw, err := os.ReadFile(p.Path(src.ClientCA))
	if err != nil {
		return nil, fmt.Errorf("syslog client_ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(raw) {
		return nil, fmt.Errorf("syslog client_ca %s holds no PEM certificate", src.ClientCA)
	}
	framing, err := syslog.ParseFraming(src.Framing)
	if err != nil {
		return nil, err
	}
	return syslog.Listen(syslog.Config{Addr: src.Listen, Framing: framing, MaxMessage: src.MaxMessage,
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, MinVersion: tls.VersionTLS12}})
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
	if res.Exchange != nil || len(res.Events()) > 0 {
		w.Evidence(id, "application/json", res.Evidence())
	}
	for _, n := range res.Notes {
		w.Note(id + ": " + n)
	}
	if !slices.Contains(audit.RefusalProbes, id) {
		w.Note(fmt.Sprintf("audit sources: %d records read in %d rounds", s.report.Records(), s.report.Attempts))
	}
	return nil
}

// picked checks the Then step judges the request the When step made (one
// of ids).
func (s *auditState) picked(ids ...string) error {
	if s.res == nil {
		return errors.New("audit: no request selected (a When step is missing)")
	}
	if !slices.Contains(ids, s.res.Probe) {
		return fmt.Errorf("audit: the feature judges %q but the scenario made %q", strings.Join(ids, " or "), s.res.Probe)
	}
	return nil
}
