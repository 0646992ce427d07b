package steps

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/apisec/apisec/fixtures/reference"
	"github.com/apisec/apisec/fixtures/reference/auditlog"
	"github.com/apisec/apisec/harness/audit"
	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/syslog"
	"github.com/apisec/apisec/harness/syslog/rsyslogpeer"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// auditReference starts the whole reference target (resource server, audit
// log) with defects and returns an Env built from the profile it writes.
func auditReference(t *testing.T, defects ...string) *Env {
	t.Helper()
	set, err := pki.Init(t.TempDir())
	require.NoError(t, err)
	return auditReferenceWith(t, set, reference.Config{Defects: defects, AuditSyslog: "127.0.0.1:0"})
}

func auditReferenceWith(t *testing.T, set *pki.Set, cfg reference.Config) *Env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg.Addr, cfg.PKI = "127.0.0.1:0", set
	ref, err := reference.Start(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	path, err := ref.WriteProfile(t.TempDir())
	require.NoError(t, err)
	p, err := profile.Load(path)
	require.NoError(t, err)
	return &Env{Profile: p, Catalogue: catalogue.Default(),
		Guard: conduct.NewGuard(conduct.Config{Hosts: p.Hosts(), RatePerSecond: 100, Timeout: 5 * time.Second, RootCAs: set.Pool(), MaxRequests: 1000}),
		Now:   time.Now, Shared: NewMemo()}
}

// runAuditFeature runs the shipped SC005 feature with the audit steps.
func runAuditFeature(t *testing.T, env *Env) verdict.RuleResult {
	t.Helper()
	rules, _ := runShipped(t, env, "SC005")
	require.Len(t, rules["SC005"].Scenarios, 25, "the SC005 feature: control, 5 accesses, 4 source access and integrity, 14 fields, on-behalf-of")
	return rules["SC005"]
}

func scenarioStatus(rr verdict.RuleResult) map[string]verdict.Status {
	out := map[string]verdict.Status{}
	for _, s := range rr.Scenarios {
		out[s.Name] = s.Status
	}
	return out
}

func TestAuditStepsPassOnTheConformantReference(t *testing.T) {
	rr := runAuditFeature(t, auditReference(t))
	assert.Equal(t, verdict.Pass, rr.Status, "%v", failing(rr))
	st := scenarioStatus(rr)
	assert.Equal(t, verdict.Info, st["how the records name the responsible user (on behalf of)"])
	for _, s := range rr.Scenarios {
		if s.Status != verdict.Info {
			assert.Equal(t, verdict.Pass, s.Status, s.Name)
		}
	}
}

// Each defect fails the scenario of the field or access it breaks, and the
// finding names the field (or source) that is missing or wrong.
func TestAuditStepsNoticeEachDefect(t *testing.T) {
	cases := map[string]struct{ scenario, names string }{
		auditlog.DefectMissingPatient:  {"every record of an access to the test patient names the patient", "NEN 7513 field patient"},
		auditlog.DefectNoDeniedEvents:  {"an access without a token is logged", "denied-no-token"},
		auditlog.DefectSourceOpen:      {"the audit source refuses an unauthenticated reader", "without a token"},
		auditlog.DefectLocalTimeNoZone: {"every record carries the date and time of the access, with a zone, within audit.time_skew", "NEN 7513 field recorded"},
		auditlog.DefectMissingUser:     {"every record of an authenticated access names the user", "NEN 7513 field user"},
		auditlog.DefectWrongTime:       {"every record carries the date and time of the access, with a zone, within audit.time_skew", "outside the request window"},
		auditlog.DefectReadNotLogged:   {"reading the audit log is itself logged", "audit-read"},
		auditlog.DefectClinicalPayload: {"no record carries clinical content of the patient's record", "an embedded Patient resource"},
		auditlog.DefectSyslogNoDenied:  {"an access with a forged token is logged", "syslog receiver"},
		auditlog.DefectDeletable:       {"the audit source refuses to delete a record", "the suite's own record"},
		auditlog.DefectWritable:        {"the audit source refuses to change a record", "was overwritten through the API"},
	}
	for defect, c := range cases {
		t.Run(defect, func(t *testing.T) {
			t.Parallel()
			rr := runAuditFeature(t, auditReference(t, defect))
			assert.Equal(t, verdict.Fail, rr.Status, "%v", failing(rr))
			var found bool
			for _, s := range rr.Scenarios {
				if s.Name == c.scenario {
					found = true
					assert.Equal(t, verdict.Fail, s.Status, "%v", failing(rr))
					if assert.NotNil(t, s.Finding) {
						assert.Contains(t, s.Finding.Error(), c.names)
					}
				}
			}
			assert.True(t, found, "no scenario %q", c.scenario)
			assert.Equal(t, verdict.Pass, scenarioStatus(rr)["the suite's own authorized read of the test patient is served"])
		})
	}
}

// TestAuditThroughRsyslog: the reference target logs through a real
// rsyslog, which forwards over TLS with octet counting (RFC 5425) to the
// suite's receiver; SC005 passes on what arrives that way, and each
// record reaches the receiver under rsyslog's client certificate.
func TestAuditThroughRsyslog(t *testing.T) {
	set, err := pki.Init(t.TempDir())
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	receiver := ln.Addr().String()
	require.NoError(t, ln.Close())
	relay := rsyslogpeer.Start(t, set.CA, set.CAKey, receiver, syslog.OctetCounting)
	env := auditReferenceWith(t, set, reference.Config{AuditSyslog: receiver, AuditSyslogVia: relay.Input})
	env.Profile.Audit.Source = "" // judge the syslog channel alone
	rr := runAuditFeature(t, env)
	st := scenarioStatus(rr)
	for _, s := range rr.Scenarios {
		switch s.Name {
		case "the audit source refuses an unauthenticated reader", "reading the audit log is itself logged",
			"the audit source refuses an ordinary API client's token", "the audit source refuses to change a record", "the audit source refuses to delete a record":
			assert.Equal(t, verdict.NotApplicable, s.Status, "syslog only: no log read through the API")
		case "how the records name the responsible user (on behalf of)":
			assert.Equal(t, verdict.Info, s.Status)
		default:
			assert.Equal(t, verdict.Pass, s.Status, "%s: %v\n%s", s.Name, s.Finding, relay.Log())
		}
	}
	assert.Equal(t, verdict.Pass, st["a read of the test patient is logged"])
	assert.Equal(t, verdict.Pass, rr.Status)
	v, err := env.Shared.Do(auditMemoKey, func() (any, error) { return nil, errors.New("SC005 did not run") })
	require.NoError(t, err)
	rep := v.(*audit.Report)
	require.Len(t, rep.Sources, 1)
	read := rep.Results[audit.ProbeRead].Events()
	require.NotEmpty(t, read)
	assert.Contains(t, read[0].Origin, `certificate "`+rsyslogpeer.CommonName+`"`, "the record came through rsyslog")
	assert.Equal(t, audit.FormatDICOM, read[0].Format)
}

// A log the test user's ordinary token can read is a warning (medium), not
// a failure: the server may show the user only their own events. SC005 is
// a MUST rule; a warning in it rolls up to warn, which does not block a
// level (harness/verdict).
func TestAuditStepsWarnWhenTheTestUserReadsTheLog(t *testing.T) {
	rr := runAuditFeature(t, auditReference(t, auditlog.DefectReadableByUser))
	assert.Equal(t, verdict.Warn, rr.Status, "%v", failing(rr))
	for _, s := range rr.Scenarios {
		switch s.Name {
		case "the audit source refuses an ordinary API client's token":
			assert.Equal(t, verdict.Warn, s.Status)
			require.NotNil(t, s.Finding)
			assert.Equal(t, verdict.Medium, s.Finding.Severity)
			assert.Contains(t, s.Finding.Error(), "readable with an ordinary API client's token")
		case "how the records name the responsible user (on behalf of)":
			assert.Equal(t, verdict.Info, s.Status)
		default:
			assert.Equal(t, verdict.Pass, s.Status, "%s: %v", s.Name, s.Finding)
		}
	}
}

func TestAuditWithoutAuditSourceIsNotAssessed(t *testing.T) {
	env := auditReference(t)
	env.Profile.Audit = nil
	rr := runAuditFeature(t, env)
	assert.Equal(t, verdict.NotAssessed, rr.Status)
	for _, s := range rr.Scenarios {
		require.NotNil(t, s.Finding)
		assert.Contains(t, s.Finding.Reason, "the profile names no audit source")
	}
}
