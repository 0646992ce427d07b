package cli

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apisec/apisec/features"
	"github.com/apisec/apisec/fixtures/reference"
	"github.com/apisec/apisec/harness/atomicfile"
	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/report"
	"github.com/apisec/apisec/harness/trust"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/steps"
	"golang.org/x/term"
)

type runFlags struct {
	profile, rules, level, out, certs string
	tlsGuideline                      string
	defects                           multiFlag
	concurrency                       int
	progress                          string
	check, dryRun                     bool
	// Provenance (keys.go, trust.go): the operator's signing key and trust.
	signKey, trust     string
	testDeclarations   bool
	declarationMaxDays int
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	var f runFlags
	fs := newFlags("run", "run [--profile FILE] [--rules IDS] [--level OA|TSA|FSA] [--out DIR]", stdout)
	fs.StringVar(&f.profile, "profile", "", "target profile (YAML); empty tests the embedded reference target")
	fs.StringVar(&f.rules, "rules", "", "comma-separated rule ids to run (default: all)")
	fs.StringVar(&f.level, "level", "", "claimed level OA, TSA or FSA; also narrows the run to rules that count up to it (default: the profile's, else FSA)")
	fs.StringVar(&f.out, "out", "", "result folder (default results/<run-id>)")
	fs.StringVar(&f.certs, "certs", "", "folder of the throw-away test PKI (default $APISEC_CERTS or ./certs)")
	fs.Var(&f.defects, "defect", "with no profile: start the reference target with this defect (repeatable; see apisec reference defects)")
	fs.IntVar(&f.concurrency, "concurrency", 4, "scenarios of one rule that run at once")
	fs.StringVar(&f.progress, "progress", "auto", "progress lines per rule: auto (on a terminal), always, never")
	fs.StringVar(&f.tlsGuideline, "tls-guideline", "", "NCSC TLS edition to grade by: 2025-05 or v2.1 (default: the profile's, else 2025-05); the report shows both")
	fs.BoolVar(&f.dryRun, "dry-run", false, "list the probes the run would send, with their request counts, and contact nothing")
	fs.BoolVar(&f.check, "check", false, "only check the profile, its declarations and that the target answers; write nothing (exit 0 or 2)")
	provenanceFlags(fs, &f)
	if err := parse(fs, args); err != nil {
		return verdict.ExitUsage, err
	}
	return run(ctx, f, stdout, stderr)
}

func run(ctx context.Context, f runFlags, stdout, stderr io.Writer) (int, error) {
	started := time.Now().UTC()
	cat := catalogue.Default()
	var selected []catalogue.Rule
	if f.rules != "" {
		var ids multiFlag
		_ = ids.Set(f.rules)
		var err error
		if selected, err = cat.Select(ids); err != nil {
			return verdict.ExitUsage, usagef("--rules: %v", err)
		}
		if len(selected) == 0 {
			return verdict.ExitUsage, usagef("--rules %q names no rule", f.rules)
		}
	}
	var claimed *catalogue.Level
	if f.level != "" {
		l, err := catalogue.ParseLevel(f.level)
		if err != nil {
			return verdict.ExitUsage, usagef("--level: %v", err)
		}
		claimed = &l
	}
	if f.progress != "auto" && f.progress != "always" && f.progress != "never" {
		return verdict.ExitUsage, usagef("--progress must be auto, always or never, not %q", f.progress)
	}
	if f.concurrency < 1 || f.concurrency > 64 {
		return verdict.ExitUsage, usagef("--concurrency must be between 1 and 64")
	}
	profilePath := f.profile
	target := report.Target{}
	prov, err := provenanceFor(f)
	if err != nil {
		return verdict.ExitUsage, err
	}
	if profilePath == "" {
		// Only the embedded reference target needs the suite's own PKI; a
		// profile names the keys it uses.
		set, err := pki.Init(certsDir(f.certs))
		if err != nil {
			return verdict.ExitUsage, usagef("%v", err)
		}
		// A first run has just made the throw-away role keys: what they
		// sign is a TEST declaration.
		prov.throwAway = suiteRoleKeys(set.Dir)
		ref, path, cleanup, err := startReference(ctx, set, f.defects)
		if err != nil {
			return verdict.ExitUsage, err
		}
		defer cleanup()
		profilePath = path
		target.Reference, target.Defects = true, slices.Clone([]string(f.defects))
		_ = ref
	} else if len(f.defects) > 0 {
		return verdict.ExitUsage, usagef("--defect applies only to the embedded reference target (no --profile)")
	}
	prof, err := profile.Load(profilePath)
	if err != nil {
		return verdict.ExitUsage, usagef("%v", err)
	}
	if claimed == nil {
		claimed = &prof.ClaimedLevel
	}
	if f.tlsGuideline != "" {
		prof.TLS.Guideline = f.tlsGuideline
		if err := prof.Validate(); err != nil {
			return verdict.ExitUsage, usagef("--tls-guideline: %v", err)
		}
	}
	if selected == nil {
		selected = cat.Rules()
	}
	if f.level != "" {
		selected = slices.DeleteFunc(selected, func(r catalogue.Rule) bool { return !appliesUpTo(r, *claimed) })
	}
	if len(selected) == 0 {
		return verdict.ExitUsage, usagef("no rule left to run: --rules and --level exclude each other")
	}

	if f.dryRun {
		return verdict.ExitAchieved, printPlan(stdout, prof, selected)
	}
	signer, err := signerFor(f.signKey)
	if err != nil {
		return verdict.ExitUsage, err
	}
	env, err := buildEnv(ctx, prof, cat, prov)
	if err != nil {
		return verdict.ExitUsage, err
	}
	if f.check {
		fmt.Fprintf(stdout, "apisec: profile valid, %d declaration(s) read, target %s reachable\n", len(env.Declarations), prof.Target.BaseURL)
		return verdict.ExitAchieved, nil
	}
	runID := newRunID(started)
	out := f.out
	if out == "" {
		out = filepath.Join("results", runID)
	}
	if err := preparedOut(out); err != nil {
		return verdict.ExitUsage, err
	}

	opts := steps.RunOptions{
		Rules: selected, Features: features.FS, Concurrency: f.concurrency,
		ScenarioTimeout: prof.ScenarioDeadline(),
	}
	var progress *progressPrinter
	if terminal := isTerminal(stderr); f.progress == "always" || (f.progress == "auto" && terminal) {
		// The live line needs a terminal; elsewhere (a CI log) only the
		// finished rules' lines are written.
		progress = newProgressPrinter(stderr, terminal, terminalWidth(stderr), env.Shared, time.Now)
		opts.Progress = progress
		tickCtx, stopTick := context.WithCancel(ctx)
		defer stopTick()
		go progress.tick(tickCtx, time.Second)
	}
	outcome, err := steps.Run(ctx, env, opts)
	if progress != nil && err == nil {
		batchSummary(stderr, env.Shared.Batches())
	}
	if err != nil {
		return verdict.ExitUsage, fmt.Errorf("run interrupted: %v", err)
	}
	finished := time.Now().UTC()
	profileRaw, _ := os.ReadFile(profilePath)
	sum := sha256.Sum256(profileRaw)
	target.Name, target.BaseURL, target.Interfaces = prof.Target.Name, prof.Target.BaseURL, prof.Target.Interfaces
	res := report.Build(report.Run{
		ID: runID, SuiteVersion: BuildVersion(), Started: started, Finished: finished,
		DurationMS: finished.Sub(started).Milliseconds(),
		Requests:   env.Guard.Used(), TLSEdition: prof.TLS.Guideline, ProfileHash: hex.EncodeToString(sum[:]),
	}, target, report.NewScope(cat.Rules(), selected, scopeWhy(f)), *claimed, outcome.Rules, env.Declarations)
	res.Trust = env.Trust.Report()
	if err := atomicfile.Write(filepath.Join(out, "profile.yaml"), profileRaw, 0o644); err != nil {
		return verdict.ExitUsage, err
	}
	if err := report.WriteSigned(out, res, outcome.Evidence, outcome.Cucumber, signer); err != nil {
		return verdict.ExitUsage, err
	}
	fmt.Fprintf(stdout, "apisec: %s — %s\n", prof.Target.Name, res.Headline())
	// The failures are named first: an untested rule beside them never
	// hides them (docs/design.md "Verdicts").
	must, should := res.FailedRules()
	if len(must) > 0 {
		fmt.Fprintf(stdout, "apisec: failed MUST rules: %s\n", joinIDs(must))
	}
	if len(should) > 0 {
		fmt.Fprintf(stdout, "apisec: SHOULD rules with deviations (warnings): %s\n", joinIDs(should))
	}
	if untested := res.UntestedRules(); len(untested) > 0 {
		fmt.Fprintf(stdout, "apisec: could not test: %s\n", joinIDs(untested))
	}
	fmt.Fprintf(stdout, "apisec: results in %s\n", out)
	fmt.Fprintln(stdout, "apisec: "+signedBy(signer))
	return res.ExitCode, nil
}

func scopeWhy(f runFlags) string {
	var why []string
	if f.rules != "" {
		why = append(why, "--rules "+f.rules)
	}
	if f.level != "" {
		why = append(why, "--level "+f.level+" runs only the rules that count up to it")
	}
	return strings.Join(why, "; ")
}

func appliesUpTo(r catalogue.Rule, l catalogue.Level) bool {
	return slices.ContainsFunc(r.Levels, func(x catalogue.Level) bool { return x <= l })
}

func shortReason(r verdict.RuleResult) string {
	if r.Reason != "" {
		return r.Reason
	}
	for _, s := range r.Scenarios {
		if s.Status == r.Status && s.Finding != nil {
			return s.Finding.Error()
		}
	}
	return ""
}

func joinIDs(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		out += id
	}
	return out
}

// terminalWidth is the width of the terminal w writes to, or 0.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newRunID(t time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return t.Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// preparedOut makes the result folder, refusing one that already holds a result.
func preparedOut(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, report.ResultsFile)); err == nil {
		return usagef("--out %s already holds a result; choose another folder", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usagef("--out: %v", err)
	}
	return nil
}

// startReference starts the embedded reference target on loopback and writes
// its profile into a temporary folder.
func startReference(ctx context.Context, set *pki.Set, defects []string) (*reference.Target, string, func(), error) {
	if err := reference.CheckDefects(defects); err != nil {
		return nil, "", nil, usagef("--defect: %v", err)
	}
	// SC005 reads the reference's records from its FHIR search and from the
	// suite's TLS syslog receiver on loopback.
	ref, err := reference.Start(ctx, reference.Config{Addr: "127.0.0.1:0", Defects: defects, PKI: set, AuditSyslog: "127.0.0.1:0"})
	if err != nil {
		return nil, "", nil, err
	}
	dir, err := os.MkdirTemp("", "apisec-reference-")
	if err != nil {
		ref.Close()
		return nil, "", nil, err
	}
	cleanup := func() {
		ref.Close()
		os.RemoveAll(dir)
	}
	path, err := ref.WriteProfile(dir)
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	return ref, path, cleanup, nil
}

// buildEnv turns a profile into the run's environment: trust anchor, guard,
// verified declarations. A target that cannot be reached at all is a
// configuration error (exit 2), not a run full of errors.
func buildEnv(ctx context.Context, prof *profile.Profile, cat catalogue.Catalogue, prov provenance) (*steps.Env, error) {
	ts, err := trust.Load(prof, prov.operator)
	if err != nil {
		return nil, usagef("%v", err)
	}
	guard := conduct.NewGuard(conduct.Config{
		Hosts: prof.Hosts(), RatePerSecond: prof.Limits.RatePerSecond, ConnectionsPerHost: prof.Limits.ConnectionsPerHost, Timeout: prof.Timeout(),
		MaxRequests: prof.Limits.MaxRequests, RootCAs: ts.Roots,
	})
	decls, err := declare.Load(prof, cat, time.Now, prov.declarationOptions(ts))
	if err != nil {
		return nil, usagef("profile %v", err)
	}
	if err := reachable(ctx, prof, guard); err != nil {
		return nil, usagef("%v", err)
	}
	return &steps.Env{Profile: prof, Catalogue: cat, Guard: guard, Declarations: decls, Now: time.Now, Shared: steps.NewMemo(), Trust: ts}, nil
}

// reachable dials the base URL through the conduct guard, so the dial is
// allow-listed, rate-limited and counted like every other.
func reachable(ctx context.Context, prof *profile.Profile, guard *conduct.Guard) error {
	u, err := url.Parse(prof.Target.BaseURL)
	if err != nil {
		return err
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	ctx, cancel := context.WithTimeout(ctx, min(prof.Timeout(), 10*time.Second))
	defer cancel()
	conn, err := guard.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return fmt.Errorf("target %s is unreachable: %v", prof.Target.BaseURL, err)
	}
	return conn.Close()
}
