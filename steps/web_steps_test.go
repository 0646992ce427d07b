package steps

import (
	"context"
	"crypto/x509"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apisec/apisec/fixtures/reference"
	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/harness/webprobe"
	"github.com/stretchr/testify/require"
)

// declaredRules are the rules a declaration decides and black-box probes
// can contradict: the web guideline rules and the specifier's model rules.
var declaredRules = []string{"SC001", "SC002", "SC003", "SC006", "SC007", "SC009"}

var (
	refPKIOnce sync.Once
	refPKI     *pki.Set
	refPKIErr  error
	refPKIDir  string
)

// TestMain removes the throw-away PKI the reference tests made.
func TestMain(m *testing.M) {
	code := m.Run()
	if refPKIDir != "" {
		os.RemoveAll(refPKIDir)
	}
	os.Exit(code)
}

// referenceEnv starts the whole reference target with defects and returns
// the Env its written profile gives, as `apisec run` builds it.
func referenceEnv(t *testing.T, defects ...string) *Env {
	t.Helper()
	refPKIOnce.Do(func() {
		if refPKIDir, refPKIErr = os.MkdirTemp("", "apisec-steps-pki-"); refPKIErr == nil {
			refPKI, refPKIErr = pki.Init(refPKIDir)
		}
	})
	require.NoError(t, refPKIErr)
	ref, err := reference.Start(context.Background(), reference.Config{Addr: "127.0.0.1:0", Defects: defects, PKI: refPKI})
	require.NoError(t, err)
	t.Cleanup(func() { ref.Close() })
	path, err := ref.WriteProfile(t.TempDir())
	require.NoError(t, err)
	prof, err := profile.Load(path)
	require.NoError(t, err)
	raw, err := os.ReadFile(prof.Path(prof.CAFile))
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(raw))
	cat := catalogue.Default()
	decls, err := declare.Load(prof, cat, time.Now, declare.Options{AllowTest: true}) // the reference signs TEST declarations
	require.NoError(t, err)
	guard := conduct.NewGuard(conduct.Config{Hosts: prof.Hosts(), RatePerSecond: 2000, Burst: 200, Timeout: 5 * time.Second,
		MaxRequests: 5000, RootCAs: roots})
	return &Env{Profile: prof, Catalogue: cat, Guard: guard, Declarations: decls, Now: time.Now, Shared: NewMemo()}
}

func notAttested(rr verdict.RuleResult) string {
	var out []string
	for _, s := range rr.Scenarios {
		if s.Status == verdict.Fail || s.Status == verdict.Warn || s.Status == verdict.Error {
			out = append(out, s.Status.String()+" "+s.Name+": "+s.Finding.Error())
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestDeclaredRulesAgainstReference: the conformant reference leaves every
// declared rule attested (no probe contradicts a declaration), and every web
// probe of the catalogue is judged by exactly one shipped scenario.
func TestDeclaredRulesAgainstReference(t *testing.T) {
	env := referenceEnv(t)
	rules, out := runShipped(t, env, declaredRules...)
	for _, id := range declaredRules {
		if rr := rules[id]; rr.Status != verdict.Attested {
			t.Errorf("%s: %s\n%s", id, rr.Status, notAttested(rr))
		}
	}
	judged := map[string]int{}
	for _, rr := range out.Rules {
		for _, s := range rr.Scenarios {
			for _, p := range s.Evidence {
				if name := out.Evidence[p].Name; strings.HasPrefix(name, "web/") || strings.HasPrefix(name, "spec/") {
					judged[name]++
				}
			}
		}
	}
	for _, p := range webprobe.Catalogue() {
		if judged[p.ID] != 1 {
			t.Errorf("web probe %s is judged by %d scenarios", p.ID, judged[p.ID])
		}
	}
	t.Logf("%d requests for %v", env.Guard.Used(), declaredRules)
}

// TestDeclaredRulesFlipWithDefects: a web or model defect turns exactly its
// rule from attested to fail (or warn), the others stay attested. The CLI's
// defect sweep checks every defect on a whole run; this is the quick check
// of one defect per probe family.
func TestDeclaredRulesFlipWithDefects(t *testing.T) {
	for _, d := range []string{reference.DefectHTTPNoRedirect, reference.DefectReflectedInput, reference.DefectPerClientTokenEndpoint,
		reference.DefectNonstandardMetadata, reference.DefectDIDWebNotPublished, reference.DefectSpecPlainHTTPServer, "server-version-banner"} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			var breaks []string
			for _, def := range reference.Defects() {
				if def.Name == d {
					breaks = def.Breaks
				}
			}
			require.NotEmpty(t, breaks)
			rules, _ := runShipped(t, referenceEnv(t, d), declaredRules...)
			for _, id := range declaredRules {
				got := rules[id].Status
				switch {
				case slices.Contains(breaks, id) && got != verdict.Fail && got != verdict.Warn:
					t.Errorf("%s: %s, want fail or warn", id, got)
				case !slices.Contains(breaks, id) && got != verdict.Attested:
					t.Errorf("%s: %s, want attested\n%s", id, got, notAttested(rules[id]))
				}
			}
		})
	}
}
