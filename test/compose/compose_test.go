// Package compose tests the docker compose path end to end (issue 5): it
// builds the image without a registry (scripts/compose-build.sh), brings the
// stack of docker-compose.yml up under a project name of its own, reads the
// report the suite container left in a host folder, and compares the verdict
// with `apisec run` on the host against the embedded reference target. The
// stack (containers, networks, volumes) is torn down even when a check fails.
//
// It needs a Docker engine and compose (v2 plugin or docker-compose v1.29+).
// Where no engine answers it is skipped with the reason, unless CI=true, where
// it fails.
package compose

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/report"
	"github.com/apisec/apisec/harness/verdict"
)

// image is the tag the test builds; a tag of its own so a developer's
// apisec:local is left alone. It may stay after the test (it is rebuilt, and
// cached, on the next run).
const image = "apisec:compose-test"

func TestComposeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the compose end-to-end test builds an image and runs the stack; .ci/run runs it in full (scripts/test.sh --full)")
	}
	requireEngine(t)
	compose := composeCommand(t)
	root := repoRoot(t)
	tmp := t.TempDir()

	start := time.Now()
	out, code := command(t, 6*time.Minute, root, []string{"APISEC_IMAGE=" + image}, "bash", "scripts/compose-build.sh")
	if code != 0 {
		t.Fatalf("scripts/compose-build.sh exited %d:\n%s", code, out)
	}
	t.Logf("build (go build + docker build, no registry): %s; %s", time.Since(start).Round(100*time.Millisecond), strings.TrimSpace(lastLine(out)))
	binary := filepath.Join(root, "bin", "rootfs", "apisec")

	stack := &stack{t: t, compose: compose, root: root, project: "apisec-test-" + randomHex(t, 4), scratch: filepath.Join(tmp, "scratch")}
	stack.uid, stack.gid = hostUser()
	t.Cleanup(stack.down)

	// The image: non-root by default, no shell, small.
	t.Run("image", func(t *testing.T) {
		out, code := command(t, time.Minute, root, nil, "docker", "image", "inspect", "--format", "{{.Config.User}} {{.Size}}", image)
		var user string
		var size int64
		if _, err := fmt.Sscan(out, &user, &size); code != 0 || err != nil {
			t.Fatalf("docker image inspect %s: %s", image, out)
		}
		if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" {
			t.Errorf("the image runs as %q by default, want a non-root user", user)
		}
		t.Logf("image %s: %.1f MB, user %s", image, float64(size)/1e6, user)
		if out, code := command(t, time.Minute, root, nil, "docker", "run", "--rm", "--entrypoint", "/bin/sh", image, "-c", "true"); code == 0 {
			t.Errorf("the image has a shell (/bin/sh ran): %s", out)
		}
	})

	t.Run("reference", func(t *testing.T) {
		res, code, out := stack.up(t, filepath.Join(tmp, "results-ok"), "")
		if code != res.ExitCode {
			t.Errorf("compose exit code %d, results.json exit_code %d: the suite's exit code must be the run's", code, res.ExitCode)
		}
		if code != verdict.ExitAchieved && code != verdict.ExitIncomplete {
			t.Errorf("the conformant reference target must not fail: exit %d\n%s", code, out)
		}
		if res.Target.BaseURL != "https://reference:8443/" {
			t.Errorf("target base_url %q, want the reference in its own container, https://reference:8443/", res.Target.BaseURL)
		}
		for _, r := range res.Rules {
			if r.Status == verdict.Fail {
				t.Errorf("%s failed on the conformant reference target", r.Rule.ID)
			}
		}
		host, hostCode := hostRun(t, binary, filepath.Join(tmp, "host-ok"))
		sameVerdict(t, res, code, host, hostCode)
	})

	t.Run("defect", func(t *testing.T) {
		res, code, out := stack.up(t, filepath.Join(tmp, "results-defect"), "no-hsts")
		if code != verdict.ExitNotAchieved || res.ExitCode != verdict.ExitNotAchieved {
			t.Errorf("with REFERENCE_DEFECTS=no-hsts: compose exit %d, results.json exit_code %d, want 1 (not achieved)", code, res.ExitCode)
		}
		if got := status(res, "SC003"); got != verdict.Fail {
			t.Errorf("with no-hsts SC003 is %q, want fail (no Strict-Transport-Security, NCSC U/WA.05)", got)
		}
		if !strings.Contains(out, "failed MUST rules: SC003") {
			t.Errorf("the suite's output does not name SC003 as the failed MUST rule:\n%s", out)
		}
		host, hostCode := hostRun(t, binary, filepath.Join(tmp, "host-defect"), "--defect", "no-hsts")
		sameVerdict(t, res, code, host, hostCode)
	})

	// Any target: a profile folder on the host, mounted read-only. The
	// reference's own profile is copied out and renamed so the test can tell
	// that the host copy, not the volume, was read.
	t.Run("target", func(t *testing.T) {
		dir := filepath.Join(tmp, "my-target")
		stack.copyProfile(t, dir)
		raw, err := os.ReadFile(filepath.Join(dir, "profile.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.Replace(string(raw), "name: apisec reference target", "name: host copy of the reference profile", 1)
		if edited == string(raw) {
			t.Fatalf("the reference's profile has no target name to edit:\n%s", raw)
		}
		if err := os.WriteFile(filepath.Join(dir, "my-target.yaml"), []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		results := filepath.Join(tmp, "results-target")
		res, code, out := stack.runTarget(t, results, dir, "my-target.yaml", "--rules SC001,SC003")
		if res.Target.Name != "host copy of the reference profile" {
			t.Errorf("target name %q: the suite did not read the profile from TARGET_DIR\n%s", res.Target.Name, out)
		}
		if code != res.ExitCode || code != verdict.ExitNotAchieved || status(res, "SC003") != verdict.Fail {
			t.Errorf("against the reference with no-hsts: exit %d, results.json exit_code %d, SC003 %q; want 1, 1, fail", code, res.ExitCode, status(res, "SC003"))
		}
		if len(res.Rules) != 2 {
			t.Errorf("APISEC_ARGS=--rules SC001,SC003 ran %d rules, want 2", len(res.Rules))
		}
	})

	// The wrapper the docs offer: same stack, exit code passed through,
	// containers removed afterwards (so it runs last).
	t.Run("wrapper", func(t *testing.T) {
		results := filepath.Join(tmp, "results-wrapper")
		stack.resultsDir(t, results)
		start := time.Now()
		out, code := command(t, 3*time.Minute, root, stack.env(results, "", "COMPOSE_PROJECT_NAME="+stack.project),
			"bash", "scripts/compose-run.sh", "--defect", "no-hsts", "--rules", "SC001,SC003")
		t.Logf("scripts/compose-run.sh --defect no-hsts: exit %d in %s", code, time.Since(start).Round(100*time.Millisecond))
		res := readResult(t, results, out, stack.uid)
		if code != verdict.ExitNotAchieved || res.ExitCode != code || len(res.Rules) != 2 || status(res, "SC003") != verdict.Fail {
			t.Errorf("compose-run.sh --defect no-hsts --rules SC001,SC003: exit %d, results.json exit_code %d, %d rules, SC003 %v; want 1, 1, 2, fail\n%s",
				code, res.ExitCode, len(res.Rules), status(res, "SC003"), out)
		}
		if left, _ := command(t, time.Minute, root, nil, "docker", "ps", "-aq", "--filter", "label=com.docker.compose.project="+stack.project); strings.TrimSpace(left) != "" {
			t.Errorf("compose-run.sh left containers behind: %s", left)
		}
	})
}

// stack is one compose project.
type stack struct {
	t             *testing.T
	compose       []string
	root, project string
	scratch       string // an empty APISEC_RESULTS for down
	uid, gid      int    // APISEC_UID, APISEC_GID
}

// hostUser is who the stack runs as: the caller, or, when the test runs as
// root (CI), an unprivileged uid, so that the file permissions of the
// volumes and of ./results are tested the way a normal user meets them.
func hostUser() (uid, gid int) {
	if os.Getuid() == 0 {
		return 4242, 4242
	}
	return os.Getuid(), os.Getgid()
}

// resultsDir makes the host folder the suite writes into, owned like a
// user's ./results.
func (s *stack) resultsDir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, s.uid, s.gid); err != nil && os.Getuid() == 0 {
		t.Fatal(err)
	}
}

func (s *stack) env(results, defects string, extra ...string) []string {
	return append([]string{
		"APISEC_IMAGE=" + image,
		"APISEC_UID=" + strconv.Itoa(s.uid),
		"APISEC_GID=" + strconv.Itoa(s.gid),
		"APISEC_RESULTS=" + results,
		"REFERENCE_DEFECTS=" + defects,
		"TARGET_DIR=", "TARGET_PROFILE=", "APISEC_ARGS=",
	}, extra...)
}

func (s *stack) args(more ...string) []string {
	return append(append(append([]string{}, s.compose...), "-p", s.project), more...)
}

// up runs `compose up --exit-code-from suite` and reads the one result the
// suite left in results.
func (s *stack) up(t *testing.T, results, defects string) (*report.Results, int, string) {
	t.Helper()
	s.resultsDir(t, results)
	start := time.Now()
	out, code := command(t, 3*time.Minute, s.root, s.env(results, defects),
		s.args("up", "--no-color", "--exit-code-from", "suite")...)
	t.Logf("compose up (REFERENCE_DEFECTS=%q): exit %d in %s", defects, code, time.Since(start).Round(100*time.Millisecond))
	return readResult(t, results, out, s.uid), code, out
}

// runTarget runs `compose run --rm suite` against the profile TARGET_DIR/file.
func (s *stack) runTarget(t *testing.T, results, dir, file, args string) (*report.Results, int, string) {
	t.Helper()
	s.resultsDir(t, results)
	start := time.Now()
	out, code := command(t, 3*time.Minute, s.root,
		s.env(results, "no-hsts", "TARGET_DIR="+dir, "TARGET_PROFILE="+file, "APISEC_ARGS="+args),
		s.args("run", "--rm", "-T", "suite")...)
	t.Logf("compose run --rm suite (TARGET_DIR): exit %d in %s", code, time.Since(start).Round(100*time.Millisecond))
	return readResult(t, results, out, s.uid), code, out
}

// copyProfile copies the profile folder the reference wrote (public material
// only) out of its container.
func (s *stack) copyProfile(t *testing.T, dir string) {
	t.Helper()
	out, code := command(t, time.Minute, s.root, nil, "docker", "ps", "-aq",
		"--filter", "label=com.docker.compose.project="+s.project,
		"--filter", "label=com.docker.compose.service=reference")
	id := strings.Fields(out)
	if code != 0 || len(id) == 0 {
		t.Fatalf("no reference container in project %s: %s", s.project, out)
	}
	if out, code := command(t, time.Minute, s.root, nil, "docker", "cp", id[0]+":/target", dir); code != 0 {
		t.Fatalf("docker cp: %s", out)
	}
	keys, _ := filepath.Glob(filepath.Join(dir, "*.key"))
	if len(keys) > 0 {
		t.Errorf("the reference's profile folder holds private keys %v; they must stay in the pki volume", keys)
	}
}

// down removes the project's containers, networks and volumes.
func (s *stack) down() {
	out, code := command(s.t, 2*time.Minute, s.root, s.env(s.scratch, ""),
		s.args("down", "-v", "--remove-orphans", "-t", "5")...)
	if code != 0 {
		s.t.Errorf("compose down -v failed (exit %d); remove project %s by hand:\n%s", code, s.project, out)
	}
	left, _ := command(s.t, time.Minute, s.root, nil, "docker", "ps", "-aq", "--filter", "label=com.docker.compose.project="+s.project)
	if strings.TrimSpace(left) != "" {
		s.t.Errorf("containers of %s left after down: %s", s.project, left)
	}
}

// readResult finds the single results/<run-id>/ the suite wrote and checks
// the host user owns it.
func readResult(t *testing.T, results, out string, uid int) *report.Results {
	t.Helper()
	found, _ := filepath.Glob(filepath.Join(results, "*", report.ResultsFile))
	if len(found) != 1 {
		t.Fatalf("want one results/<run-id>/%s in %s, found %d; compose output:\n%s", report.ResultsFile, results, len(found), out)
	}
	dir := filepath.Dir(found[0])
	if fi, err := os.Stat(found[0]); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
			t.Errorf("%s is owned by uid %d, want the host user %d (APISEC_UID)", found[0], st.Uid, uid)
		}
	}
	res, err := report.Read(dir)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	if _, err := report.Verify(dir); err != nil {
		t.Errorf("%s does not match its signed manifest: %v", dir, err)
	}
	return res
}

// hostRun runs the same binary on the host against the embedded reference.
func hostRun(t *testing.T, binary, out string, args ...string) (*report.Results, int) {
	t.Helper()
	certs := filepath.Join(filepath.Dir(out), filepath.Base(out)+"-certs")
	argv := append([]string{binary, "run", "--certs", certs, "--out", out, "--progress", "never"}, args...)
	text, code := command(t, 3*time.Minute, filepath.Dir(out), nil, argv...)
	res, err := report.Read(out)
	if err != nil {
		t.Fatalf("host run (exit %d): %v\n%s", code, err, text)
	}
	return res, code
}

// sameVerdict compares the compose run with the host run rule by rule.
func sameVerdict(t *testing.T, got *report.Results, gotCode int, want *report.Results, wantCode int) {
	t.Helper()
	if gotCode != wantCode || got.Outcome != want.Outcome || got.AchievedLevel != want.AchievedLevel {
		t.Errorf("compose: exit %d, %s, achieved %s; host apisec run: exit %d, %s, achieved %s",
			gotCode, got.Outcome, got.AchievedLevel, wantCode, want.Outcome, want.AchievedLevel)
	}
	if len(got.Rules) != len(want.Rules) {
		t.Errorf("compose ran %d rules, the host %d", len(got.Rules), len(want.Rules))
	}
	for _, w := range want.Rules {
		if g := status(got, w.Rule.ID); g != w.Status {
			t.Errorf("%s: compose %q, host %q", w.Rule.ID, g, w.Status)
		}
	}
}

func status(res *report.Results, id string) verdict.Status {
	for _, r := range res.Rules {
		if r.Rule.ID == id {
			return r.Status
		}
	}
	return verdict.Status(-1) // not in the run
}

// requireEngine skips (or, with CI=true, fails) when no Docker engine answers.
func requireEngine(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput()
	if err == nil && len(bytes.TrimSpace(out)) > 0 {
		return
	}
	reason := "no Docker engine answers (docker info: " + strings.TrimSpace(oneLine(string(out))+" "+errString(err)) + ")"
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and %s: the compose path must be tested on CI", reason)
	}
	t.Skip("skipping the compose end-to-end test: " + reason)
}

// composeCommand picks the compose v2 plugin, else docker-compose v1. An
// engine without compose is a broken set-up, not a reason to skip.
func composeCommand(t *testing.T) []string {
	t.Helper()
	for _, c := range [][]string{{"docker", "compose"}, {"docker-compose"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := exec.CommandContext(ctx, c[0], append(c[1:], "version")...).Run()
		cancel()
		if err == nil {
			return c
		}
	}
	t.Fatal("a Docker engine answers but neither `docker compose` nor `docker-compose` works (Debian: apt-get install docker-compose)")
	return nil
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "docker-compose.yml")); err != nil {
		t.Fatalf("no docker-compose.yml at the repository root %s: %v", root, err)
	}
	return root
}

// command runs argv in dir with the given environment additions and a
// deadline, returning its combined output and exit code (-1 if it did not
// run or was killed at the deadline).
func command(t *testing.T, timeout time.Duration, dir string, env []string, argv ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 10 * time.Second
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return buf.String(), 0
	case ctx.Err() != nil:
		t.Errorf("%s: no answer within %s", strings.Join(argv, " "), timeout)
		return buf.String(), -1
	case errors.As(err, &exit):
		return buf.String(), exit.ExitCode()
	default:
		t.Errorf("%s: %v", strings.Join(argv, " "), err)
		return buf.String(), -1
	}
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
