package steps

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testEnv(t *testing.T, interfaces []string, decls []declare.Checked) *Env {
	t.Helper()
	p := &profile.Profile{Version: 1, Target: profile.Target{Name: "t", BaseURL: "https://127.0.0.1:1/", Interfaces: interfaces}}
	return &Env{Profile: p, Catalogue: catalogue.Default(), Guard: conduct.NewGuard(conduct.Config{Hosts: p.Hosts()}),
		Declarations: decls, Now: time.Now, Shared: NewMemo()}
}

const declaredFeature = `@SC001 @must @level:OA @level:TSA @level:FSA @role:specifier
Feature: SC001
  Scenario: declared
    Given the declarations in the profile that name "SC001"
    Then one of them is validly signed by the specifier and covers "SC001"
  Scenario: a step nobody wrote
    Given a step that does not exist
`

func TestRunClassifiesScenarios(t *testing.T) {
	sc001, _ := catalogue.Default().Lookup("SC001")
	valid := declare.Checked{File: "spec.jws", Statement: declare.Statement{Role: catalogue.Specifier, Rules: []string{"SC001"}}}
	fsys := fstest.MapFS{"SC001_x.feature": {Data: []byte(declaredFeature)}}
	out, err := Run(context.Background(), testEnv(t, []string{"rest"}, []declare.Checked{valid}),
		RunOptions{Rules: []catalogue.Rule{sc001}, Features: fsys, Concurrency: 2})
	require.NoError(t, err)
	require.Len(t, out.Rules, 1)
	byName := map[string]verdict.ScenarioResult{}
	for _, s := range out.Rules[0].Scenarios {
		byName[s.Name] = s
	}
	assert.Equal(t, verdict.Attested, byName["declared"].Status)
	assert.Equal(t, "spec.jws", byName["declared"].Attestation)
	assert.Equal(t, verdict.Error, byName["a step nobody wrote"].Status, "an unimplemented step is could-not-test, never pass")
	assert.Equal(t, verdict.Error, out.Rules[0].Status)
	assert.NotEmpty(t, out.Cucumber)
}

func TestRunFailsWithoutAValidDeclaration(t *testing.T) {
	sc001, _ := catalogue.Default().Lookup("SC001")
	rejected := declare.Checked{File: "spec.jws", Rejected: "declaration expired on 2026-01-01",
		Statement: declare.Statement{Role: catalogue.Specifier, Rules: []string{"SC001"}}}
	fsys := fstest.MapFS{"SC001_x.feature": {Data: []byte(declaredFeature[:len(declaredFeature)-len("  Scenario: a step nobody wrote\n    Given a step that does not exist\n")])}}
	out, err := Run(context.Background(), testEnv(t, []string{"rest"}, []declare.Checked{rejected}),
		RunOptions{Rules: []catalogue.Rule{sc001}, Features: fsys})
	require.NoError(t, err)
	require.Len(t, out.Rules[0].Scenarios, 1)
	s := out.Rules[0].Scenarios[0]
	assert.Equal(t, verdict.Fail, s.Status)
	assert.Contains(t, s.Finding.Got, "declaration expired")
}

func TestSOAPRulesAreNotApplicableToARESTTarget(t *testing.T) {
	s001, _ := catalogue.Default().Lookup("SC-S001")
	r001, _ := catalogue.Default().Lookup("SC-R001")
	out, err := Run(context.Background(), testEnv(t, []string{"rest"}, nil),
		RunOptions{Rules: []catalogue.Rule{s001}, Features: fstest.MapFS{}})
	require.NoError(t, err)
	assert.Equal(t, verdict.NotApplicable, out.Rules[0].Status)
	out, err = Run(context.Background(), testEnv(t, []string{"soap"}, nil),
		RunOptions{Rules: []catalogue.Rule{r001}, Features: fstest.MapFS{}})
	require.NoError(t, err)
	assert.Equal(t, verdict.NotApplicable, out.Rules[0].Status)
}

func TestMemoComputesOnce(t *testing.T) {
	m := NewMemo()
	calls := 0
	for range 3 {
		v, err := m.Do("k", func() (any, error) { calls++; return 42, nil })
		require.NoError(t, err)
		assert.Equal(t, 42, v)
	}
	assert.Equal(t, 1, calls)
}
