package report

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/trust"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func operatorKey(t *testing.T) (*Signer, string) {
	t.Helper()
	dir := t.TempDir()
	thumb, err := GenerateOperatorKey(dir)
	require.NoError(t, err)
	s, err := LoadSigner(filepath.Join(dir, OperatorKeyFile))
	require.NoError(t, err)
	require.Equal(t, thumb, s.Thumbprint)
	require.Equal(t, KeyOperator, s.Origin)
	_, err = GenerateOperatorKey(dir)
	require.ErrorContains(t, err, "never overwritten", "an operator key is never replaced in place")
	return s, filepath.Join(dir, OperatorPubFile)
}

// The forgery of issue 10: copy a failing result, set every status to pass,
// roll the verdicts up again so they agree, and re-sign with a fresh key.
// Integrity alone still "verifies"; the operator's pinned key does not.
func TestForgeryIsRefusedByThePinnedKey(t *testing.T) {
	op, pubPath := operatorKey(t)
	pub, err := LoadPublicKey(pubPath)
	require.NoError(t, err)
	res, items := sampleResults(t)
	require.Equal(t, verdict.ExitNotAchieved, res.ExitCode)
	dir := t.TempDir()
	require.NoError(t, WriteSigned(dir, res, items, nil, op))
	v, err := VerifyFolder(dir, Pin{Key: pub})
	require.NoError(t, err, "the genuine folder verifies against the operator key")
	assert.True(t, v.Pinned)
	_, err = VerifyFolder(dir, Pin{Thumbprint: op.Thumbprint})
	require.NoError(t, err)
	raw, _ := base64.RawURLEncoding.DecodeString(op.Thumbprint)
	_, err = VerifyFolder(dir, Pin{Thumbprint: hex.EncodeToString(raw)})
	require.NoError(t, err, "a thumbprint may be written in hex")

	forged, err := Read(dir)
	require.NoError(t, err)
	var rules []verdict.RuleResult
	for _, r := range forged.Rules {
		for i := range r.Scenarios {
			r.Scenarios[i].Status, r.Scenarios[i].Finding = verdict.Pass, nil
		}
		rules = append(rules, verdict.RollUpRule(r.Rule, r.Scenarios))
	}
	f := Build(forged.Run, forged.Target, forged.Scope, forged.ClaimedLevel, rules, nil)
	forgedDir := t.TempDir()
	forgerThumb, err := Write(forgedDir, f, items, nil)
	require.NoError(t, err)

	v, err = VerifyFolder(forgedDir, Pin{})
	require.NoError(t, err, "integrity alone cannot tell a re-signed forgery")
	assert.False(t, v.Pinned)
	assert.Equal(t, forgerThumb, v.Thumbprint)
	assert.NotEqual(t, op.Thumbprint, v.Thumbprint, "but its thumbprint is not the operator's")
	_, err = VerifyFolder(forgedDir, Pin{Key: pub})
	assert.ErrorContains(t, err, "not by the pinned key "+op.Thumbprint)
	_, err = VerifyFolder(forgedDir, Pin{Thumbprint: op.Thumbprint})
	assert.ErrorContains(t, err, "not by the pinned thumbprint")
}

// Each case edits one stated verdict of a consistent results.json; the
// recomputation names it.
func TestRecomputeRefusesEditedVerdicts(t *testing.T) {
	fresh := func() *Results {
		res, _ := sampleResults(t)
		b, err := json.Marshal(res)
		require.NoError(t, err)
		var back Results
		require.NoError(t, json.Unmarshal(b, &back))
		return &back
	}
	require.NoError(t, Recompute(fresh()), "a results.json as the run wrote it recomputes to itself")
	cases := []struct {
		name, want string
		edit       func(r *Results)
	}{
		{"rule status", "SC003 is stated pass, but its scenarios make it fail", func(r *Results) { r.Rules[1].Status = verdict.Pass }},
		{"level outcome (the FSA banner beside a not_achieved table)", "level OA is stated achieved", func(r *Results) { r.Levels[0].Outcome = verdict.Achieved }},
		{"achieved level", "achieved level is stated FSA", func(r *Results) { r.AchievedLevel = "FSA" }},
		{"outcome", "claimed level FSA is stated achieved", func(r *Results) { r.Outcome = verdict.Achieved }},
		{"exit code", "exit code is stated 0", func(r *Results) { r.ExitCode = 0 }},
		{"role", "role deployer is stated pass", func(r *Results) {
			for i := range r.Roles {
				if r.Roles[i].Role == catalogue.Deployer {
					r.Roles[i].Status, r.Roles[i].Failing = verdict.Pass, nil
				}
			}
		}},
		{"blocking list", "names other deciding rules", func(r *Results) { r.Levels[0].Blocking = nil }},
		{"normative word", "normative SHOULD", func(r *Results) { r.Rules[1].Rule.Normative = catalogue.Should }},
		{"scenario against its finding", "stated pass but its finding says fail", func(r *Results) { r.Rules[1].Scenarios[0].Status = verdict.Pass }},
		{"unknown rule", "not in this suite's catalogue", func(r *Results) { r.Rules[0].Rule.ID = "SC999" }},
		{"rule twice", "appears twice", func(r *Results) { r.Rules[2] = r.Rules[1] }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := fresh()
			tc.edit(r)
			assert.ErrorContains(t, Recompute(r), tc.want)
		})
	}
}

// An edited results.json fails verify even when the editor re-signed the
// folder: the verdicts are recomputed, not read.
func TestVerifyRecomputesVerdicts(t *testing.T) {
	res, items := sampleResults(t)
	dir := t.TempDir()
	_, err := Write(dir, res, items, nil)
	require.NoError(t, err)
	p := filepath.Join(dir, ResultsFile)
	var raw map[string]any
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &raw))
	raw["achieved_level"] = "FSA"
	b, err = json.MarshalIndent(raw, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	_, err = SignManifest(dir, res.Run.ID)
	require.NoError(t, err)
	_, err = VerifyManifest(dir, Pin{})
	require.NoError(t, err, "the re-signed manifest itself is intact")
	_, err = VerifyFolder(dir, Pin{})
	assert.ErrorContains(t, err, "results.json: achieved level is stated FSA, but the levels make it none")
}

// A manifest whose payload names another key than the one that signed it,
// or that is not of the manifest type, is refused.
func TestVerifyRefusesMismatchedManifests(t *testing.T) {
	res, items := sampleResults(t)
	dir := t.TempDir()
	_, err := Write(dir, res, items, nil)
	require.NoError(t, err)
	files, err := hashFolder(dir)
	require.NoError(t, err)
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	sign := func(m Manifest, typ string) {
		payload, err := json.Marshal(m)
		require.NoError(t, err)
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, (&jose.SignerOptions{EmbedJWK: true}).WithType(jose.ContentType(typ)))
		require.NoError(t, err)
		obj, err := s.Sign(payload)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, ManifestFile), []byte(obj.FullSerialize()), 0o644))
	}
	sign(Manifest{Schema: ManifestSchema, RunID: "r1", Signer: ManifestSigner{Thumbprint: "someone-else", Origin: KeyOperator}, Files: files}, ManifestType)
	_, err = VerifyManifest(dir, Pin{})
	assert.ErrorContains(t, err, "names key someone-else but is signed by key")
	thumb, err := Thumbprint(k.Public())
	require.NoError(t, err)
	sign(Manifest{Schema: ManifestSchema, RunID: "r1", Signer: ManifestSigner{Thumbprint: thumb}, Files: files}, "JWT")
	_, err = VerifyManifest(dir, Pin{})
	assert.ErrorContains(t, err, `has type "JWT"`)
	sign(Manifest{Schema: ManifestSchema, RunID: "r1", Signer: ManifestSigner{Thumbprint: thumb}, Files: files}, ManifestType)
	_, err = VerifyManifest(dir, Pin{})
	require.NoError(t, err, "control: the same manifest naming its own key verifies")
}

// The renderings name the signing key, where each anchor came from, mark a
// TLS decision resting on a vendor-supplied CA, and show a rejected
// declaration only by why.
func TestRenderingsShowProvenance(t *testing.T) {
	op, _ := operatorKey(t)
	res, items := sampleResults(t)
	res.Trust = &trust.Report{Anchors: []trust.Anchor{
		{Use: trust.UseTLS, Source: trust.Profile, File: "ca.pem", Subject: "CN=Vendor Private CA", Fingerprint: "ab12", Decided: []string{"api.example:443"}},
		{Use: trust.UseRolePrefix + "deployer", Source: trust.OperatorPinned, File: "trust/roles/deployer.pem", Fingerprint: "cd34"},
	}, Notes: []string{"profile declarations.trusted_keys ignored: the operator pins the role keys"}}
	res.Declarations = append(res.Declarations, declare.Checked{File: "forged.jws", Rejected: "signature does not verify with the key the operator trusts for the deployer role"})
	dir := t.TempDir()
	require.NoError(t, WriteSigned(dir, res, items, nil, op))
	for _, f := range []string{HTMLFile, SummaryFile} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		page := string(b)
		assert.Contains(t, page, "Manifest signed by the operator key "+op.Thumbprint, f)
		assert.Contains(t, page, "from profile (vendor-supplied) (ca.pem); decided TLS trust of api.example:443 — TRUST RESTED ON A VENDOR-SUPPLIED PRIVATE CA", f)
		assert.Contains(t, page, "deployer role key (thumbprint cd34) — from operator", f)
		assert.Contains(t, page, "trusted_keys ignored", f)
	}
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	require.NoError(t, err)
	assert.Contains(t, string(page), "forged.jws</code> — <strong>rejected</strong>: signature does not verify")
	md, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	require.NoError(t, err)
	assert.Contains(t, string(md), "forged.jws — REJECTED: signature does not verify")
}
