// Package browser renders report.html in headless Chromium (the Debian
// package) and asserts what a reader sees on the first screen of a
// 1280×800 window: the achieved level, every failed rule and the first
// failure's evidence link, read from element bounding boxes, not from the
// HTML text. It keeps PNG screenshots for humans under the CI artefacts
// folder ($APISEC_ARTIFACTS, else results/ci-artifacts/, git-ignored).
//
// Without chromium the test is skipped, unless CI=true (testpeer.Require).
// Under -race it is skipped too: scripts/test.sh runs it without.
package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/report"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/internal/cli"
	"github.com/apisec/apisec/internal/testpeer"
)

// The first screen of a laptop browser window.
const (
	viewportW = 1280
	viewportH = 800
)

// failingDefects break seven MUST rules across the families (web, TLS,
// audit, OAuth, JOSE) and two SHOULD rules: more failures than fit as cards
// on one screen, so the page must name them compactly first. (A declaration
// defect would put a finding without evidence first.)
var failingDefects = []string{
	"stack-trace-on-malformed", "no-hsts", "tls-legacy",
	"audit-missing-user", "advertise-client-secret-jwt", "accept-expired-assertion",
	"accept-alg-none", "no-pkce",
}

// box is an element's bounding box in CSS pixels, and whether the element
// is the one the browser would hit at its centre (not covered, not hidden).
type box struct {
	Text                     string
	X, Y, W, H               float64
	Hit                      bool
	ViewportW, ViewportH     float64
	ScrollWidth, ScrollTotal float64
}

// onFirstScreen: drawn, with its whole box inside the viewport, and on top.
func (b box) onFirstScreen() bool {
	return b.W > 0 && b.H > 0 && b.X >= 0 && b.Y >= 0 && b.X+b.W <= b.ViewportW && b.Y+b.H <= b.ViewportH && b.Hit
}

// boxesJS returns the boxes of every element matching the selector, in
// document order.
const boxesJS = `(sel) => [...document.querySelectorAll(sel)].map(e => {
  const r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width/2, r.y + r.height/2);
  return {Text: e.textContent.trim().slice(0, 200), X: r.x, Y: r.y, W: r.width, H: r.height,
    Hit: !!hit && (e === hit || e.contains(hit)),
    ViewportW: document.documentElement.clientWidth, ViewportH: window.innerHeight,
    ScrollWidth: document.documentElement.scrollWidth, ScrollTotal: document.documentElement.scrollHeight};
})`

type run struct {
	name string
	dir  string
	res  *report.Results
}

func TestReportFirstScreen(t *testing.T) {
	if raceEnabled {
		// Two whole suite runs under the race detector take 30 s or more
		// on two busy cores, and the page has no concurrency to race:
		// internal/cli runs the same suite under -race, and
		// scripts/test.sh runs this package once more without it.
		t.Skip("-race: the report's first-screen test runs without the race detector (scripts/test.sh: go test ./test/browser)")
	}
	chromium := testpeer.Require(t, "chromium", "chromium")
	artefacts := artefactDir(t)

	certs := t.TempDir()
	_, err := pki.Init(certs)
	require.NoError(t, err)
	// The two runs of the embedded reference target and the browser start
	// side by side.
	runs := []*run{{name: "passing"}, {name: "failing"}}
	var wg sync.WaitGroup
	errs := make([]error, len(runs))
	for i, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var defects []string
			if r.name == "failing" {
				for _, d := range failingDefects {
					defects = append(defects, "--defect", d)
				}
			}
			r.dir, r.res, errs[i] = referenceRun(t.TempDir(), certs, defects)
		}()
	}
	start := time.Now()
	ctx := browser(t, chromium)
	t.Logf("chromium started in %s", time.Since(start).Round(time.Millisecond))
	wg.Wait()
	t.Logf("both reference runs done after %s", time.Since(start).Round(time.Millisecond))
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, verdict.ExitAchieved, runs[0].res.ExitCode, "the conformant reference target achieves its level")
	require.Equal(t, verdict.ExitNotAchieved, runs[1].res.ExitCode)

	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			page := filepath.Join(r.dir, report.HTMLFile)
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate((&url.URL{Scheme: "file", Path: page}).String())))
			boxes := func(sel string) []box {
				t.Helper()
				arg, _ := json.Marshal(sel)
				out, err := chromedp.Run(ctx, chromedp.Evaluate[[]box]("("+boxesJS+")("+string(arg)+")"))
				require.NoError(t, err)
				return out
			}
			visible := func(what, sel string) box {
				t.Helper()
				all := boxes(sel)
				require.NotEmpty(t, all, "%s: no element matches %s", what, sel)
				for _, b := range all {
					if b.onFirstScreen() {
						return b
					}
				}
				assert.Failf(t, what+" is not on the first screen",
					"no element matching %s lies inside the %dx%d viewport: %+v", sel, viewportW, viewportH, all)
				return all[0]
			}
			shots := screenshots(t, ctx, artefacts, r.name)
			t.Logf("%s run: screenshots %s", r.name, shots)
			// The assertions read the page as loaded: scrolled to the top.
			require.NoError(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void]("window.scrollTo(0, 0)")))

			// Self-contained: nothing the page would load besides itself
			// (links to evidence files are followed only on a click).
			external, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
				"[...document.querySelectorAll('[src], link, object, embed, [style*=\"url(\"]')].map(e => e.outerHTML.slice(0, 120))"))
			require.NoError(t, err)
			assert.Empty(t, external, "report.html is self-contained: it loads nothing else")

			head := visible("the headline", "#verdict")
			assert.Contains(t, head.Text, "achieved level "+r.res.AchievedLevel, "the headline names the achieved level")
			assert.Contains(t, head.Text, string(r.res.Outcome))
			assert.LessOrEqual(t, head.ScrollWidth, head.ViewportW, "nothing makes the page scroll sideways")

			findings := r.res.Findings()
			failed := failedRules(r.res)
			if r.name == "passing" {
				require.Empty(t, failed)
				visible("the no-failures line", "#failures-none")
				return
			}
			require.GreaterOrEqual(t, len(failed), 6, "the failing run breaks many rules")
			for _, id := range failed {
				b := visible("failed rule "+id, fmt.Sprintf(`#failed-rules a[href="#%s"]`, id))
				assert.Equal(t, id, b.Text)
			}
			require.NotEmpty(t, findings)
			first := findings[0]
			require.Equal(t, verdict.Fail, first.Scenario.Status, "failures come first")
			require.NotEmpty(t, first.Scenario.Evidence, "the first failure (%s %s) has evidence", first.Rule.ID, first.Scenario.Name)
			visible("the first failure's evidence link", fmt.Sprintf(`#failures a[href=%q]`, first.Scenario.Evidence[0]))
			_, err = os.Stat(filepath.Join(r.dir, filepath.FromSlash(first.Scenario.Evidence[0])))
			assert.NoError(t, err, "the evidence link points at a file of the result folder")
		})
	}
}

// failedRules are the rules whose status is fail, in report order.
func failedRules(res *report.Results) []string {
	var out []string
	for _, r := range res.Rules {
		if r.Status == verdict.Fail {
			out = append(out, r.Rule.ID)
		}
	}
	return out
}

// referenceRun runs the whole suite in process against the embedded
// reference target, as `apisec run` does, and reads its results back.
func referenceRun(parent, certs string, defects []string) (string, *report.Results, error) {
	dir := filepath.Join(parent, "result")
	var out, errb bytes.Buffer
	args := append([]string{"run", "--certs", certs, "--out", dir, "--progress", "never"}, defects...)
	code := cli.Main(context.Background(), args, &out, &errb)
	if code == verdict.ExitUsage {
		return "", nil, fmt.Errorf("apisec %v: exit %d: %s%s", args, code, out.String(), errb.String())
	}
	res, err := report.Read(dir)
	return dir, res, err
}

// browser starts headless Chromium with a 1280×800 window for this test.
func browser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path),
		chromedp.WindowSize(viewportW, viewportH),
		// Tests run as root in CI containers, where Chromium's sandbox
		// cannot start; the page is a local file the suite wrote.
		chromedp.NoSandbox,
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-device-scale-factor", "1"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser and must not carry a deadline
	// (it would end the browser with it); later ones share this one.
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(viewportW, viewportH)), "start %s", path)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// screenshots saves as PNG the first screen, the screen that starts at the
// rules table (the per-rule bars), and the whole page.
func screenshots(t *testing.T, ctx context.Context, dir, name string) []string {
	t.Helper()
	first, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void]("document.getElementById('rules').scrollIntoView()")))
	rules, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	full, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	var paths []string
	for suffix, png := range map[string][]byte{"first-screen": first, "rules-table": rules, "full-page": full} {
		p := filepath.Join(dir, fmt.Sprintf("report-%s-%s.png", name, suffix))
		require.NoError(t, os.WriteFile(p, png, 0o644))
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// artefactDir is $APISEC_ARTIFACTS or the repository's results/ci-artifacts.
func artefactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("APISEC_ARTIFACTS")
	if dir == "" {
		var err error
		dir, err = filepath.Abs(filepath.Join("..", "..", "results", "ci-artifacts"))
		require.NoError(t, err)
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}
