package cli

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/steps"
)

// On a terminal the running rule has a live line (rule, scenarios
// done/total, elapsed, the batch being computed), redrawn in place and
// replaced by the rule's result line; elsewhere only result lines appear.
func TestProgressLiveLineOnATerminalOnly(t *testing.T) {
	rule, _ := catalogue.Default().Lookup("SC-R001")
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	result := verdict.RuleResult{Rule: rule, Status: verdict.Pass, Scenarios: make([]verdict.ScenarioResult, 75)}
	timing := steps.RuleTiming{Elapsed: 6500 * time.Millisecond, InBatches: 6 * time.Second,
		Computed: []steps.Batch{{Key: "oauth/report", Rule: "SC-R001", Took: 6 * time.Second, Done: true}}}

	for _, live := range []bool{true, false} {
		var out bytes.Buffer
		p := newProgressPrinter(&out, live, 80, nil, now)
		p.RuleStarted(rule, 75)
		clock = clock.Add(1500 * time.Millisecond)
		p.ScenarioDone(rule, 41, 75)
		clock = clock.Add(50 * time.Millisecond)
		p.ScenarioDone(rule, 42, 75) // within 100 ms of the last redraw: not drawn
		clock = clock.Add(950 * time.Millisecond)
		p.mu.Lock()
		p.redraw() // the ticker's redraw
		p.mu.Unlock()
		p.RuleDone(result, timing)
		got := out.String()
		if !live {
			assert.Equal(t, 1, strings.Count(got, "\n"), got)
			assert.NotContains(t, got, "\r", "no live line outside a terminal")
		} else {
			assert.Contains(t, got, "\r\x1b[KSC-R001    0/75 scenarios  0.0s")
			assert.Contains(t, got, "\r\x1b[KSC-R001    41/75 scenarios  1.5s")
			assert.NotRegexp(t, `42/75 scenarios  1\.\ds`, got, "redraws are throttled")
			assert.Contains(t, got, "\r\x1b[KSC-R001    42/75 scenarios  2.5s", "the ticker advances the elapsed time")
			assert.True(t, strings.HasSuffix(got, "\n") && strings.Count(got, "\n") == 1, got)
		}
		last := got[strings.LastIndex(got, "\x1b[K")+3:]
		if !live {
			last = got
		}
		assert.Regexp(t, `^SC-R001\s+pass\s+75 scenario\(s\)\s+0\.50s \(\+6\.00s computing the OAuth probe batch\)\n$`, last,
			"the rule's own time, the batch's apart")
	}
}

// The live line names the shared batch being computed, so a long batch is
// never a silent pause; it is cut to the terminal's width.
func TestProgressLiveLineNamesTheRunningBatch(t *testing.T) {
	rule, _ := catalogue.Default().Lookup("SC007")
	memo := steps.NewMemo()
	for _, width := range []int{200, 40} {
		var out bytes.Buffer
		p := newProgressPrinter(&out, true, width, memo, time.Now)
		p.RuleStarted(rule, 2)
		_, err := memo.Do("oauth/report-"+strconv.Itoa(width), func() (any, error) {
			p.mu.Lock()
			line := p.liveLine()
			p.mu.Unlock()
			if width == 200 {
				assert.Regexp(t, `^SC007\s+0/2 scenarios  \d+\.\ds  · oauth/report-200 \d+\.\ds$`, line)
			} else {
				assert.Len(t, []rune(line), width-1, "cut to the terminal's width: %q", line)
				assert.True(t, strings.HasSuffix(line, "…"))
			}
			return nil, nil
		})
		require.NoError(t, err)
	}
}

// A whole run with --progress always (stderr is not a terminal): SC007
// computes the OAuth batch for SC-R001 and does not carry its time; SC-R001
// says whose batch it reused; the closing account names every batch.
func TestRunProgressAttributesTheOAuthBatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "result")
	_, _, stderr := apisec(t, "run", "--certs", certsFor(t), "--out", dir, "--progress", "always", "--rules", "SC007,SC-R001")
	assert.NotContains(t, stderr, "\r", "no live line outside a terminal")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	require.GreaterOrEqual(t, len(lines), 4, stderr)
	assert.Regexp(t, `^SC007\s+attested\s+\d+ scenario\(s\)\s+\d+\.\d\ds \(\+\d+\.\d\ds computing the OAuth probe batch\)$`, lines[0])
	assert.Regexp(t, `^SC-R001\s+pass\s+\d+ scenario\(s\)\s+\d+\.\d\ds \(reused OAuth probe batch \(\d+\.\d\ds, computed during SC007\)\)$`, lines[1])
	assert.Equal(t, "batches computed once per run:", lines[2])
	assert.Regexp(t, regexp.MustCompile(`^  OAuth probe batch\s+\d+\.\d\ds  during SC007; used by SC007, SC-R001$`), lines[3])
}
