package steps

import (
	"context"
	"testing"
	"time"

	"github.com/apisec/apisec/fixtures/reference"
	"github.com/apisec/apisec/fixtures/reference/auditlog"
	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/profile"
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
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ref, err := reference.Start(ctx, reference.Config{Addr: "127.0.0.1:0", Defects: defects, PKI: set, AuditSyslog: "127.0.0.1:0"})
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
	require.Len(t, rules["SC005"].Scenarios, 22, "the SC005 feature: control, 5 accesses, source access, 14 fields, on-behalf-of")
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
