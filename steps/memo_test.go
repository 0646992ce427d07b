package steps

import (
	"context"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/verdict"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// The shared OAuth batch that a declaration rule's scenario happened to
// start is the batch's time, not the rule's; the rules after it reuse it.
func TestMemoAttributesBatchTimeToTheBatch(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := newMemo(clock.now)

	m.enterRule("SC007")
	start := clock.now()
	clock.advance(100 * time.Millisecond) // the declaration check itself
	_, err := m.Do(oauthMemoKey, func() (any, error) {
		running := m.Running()
		require.Len(t, running, 1, "a batch being computed is running")
		assert.Equal(t, "SC007", running[0].Rule)
		clock.advance(6 * time.Second)
		return "report", nil
	})
	require.NoError(t, err)
	sc007 := m.timing("SC007", start, clock.now())
	assert.Equal(t, 6100*time.Millisecond, sc007.Elapsed)
	assert.Equal(t, 6*time.Second, sc007.InBatches)
	assert.Equal(t, 100*time.Millisecond, sc007.Own(), "SC007 does not carry the OAuth batch's 6 s")
	require.Len(t, sc007.Computed, 1)
	assert.Equal(t, "OAuth probe batch", sc007.Computed[0].Label())
	assert.Empty(t, sc007.Reused)
	assert.Empty(t, m.Running())

	m.enterRule("SC-R001")
	start = clock.now()
	v, err := m.Do(oauthMemoKey, func() (any, error) { t.Fatal("computed twice"); return nil, nil })
	require.NoError(t, err)
	assert.Equal(t, "report", v)
	clock.advance(300 * time.Millisecond)
	r001 := m.timing("SC-R001", start, clock.now())
	assert.Equal(t, 300*time.Millisecond, r001.Own())
	assert.Zero(t, r001.InBatches)
	assert.Empty(t, r001.Computed)
	require.Len(t, r001.Reused, 1)
	assert.Equal(t, "SC007", r001.Reused[0].Rule, "the batch says during which rule it ran")
	assert.Equal(t, 6*time.Second, r001.Reused[0].Took)

	bs := m.Batches()
	require.Len(t, bs, 1)
	assert.Equal(t, []string{"SC007", "SC-R001"}, bs[0].UsedBy)
	assert.True(t, bs[0].Done)
}

// A batch computed inside another (the SOAP operation lookup inside a SOAP
// probe batch) is counted once in the rule's batch time.
func TestMemoCountsNestedBatchesOnce(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := newMemo(clock.now)
	m.enterRule("SC-S001")
	start := clock.now()
	_, err := m.Do("soap/SC-S001", func() (any, error) {
		clock.advance(time.Second)
		_, err := m.Do("soap/operation", func() (any, error) { clock.advance(2 * time.Second); return 1, nil })
		clock.advance(time.Second)
		return 2, err
	})
	require.NoError(t, err)
	clock.advance(500 * time.Millisecond)
	_, err = m.Do("tls-scan 127.0.0.1:443", func() (any, error) { clock.advance(time.Second); return 3, nil })
	require.NoError(t, err)
	tm := m.timing("SC-S001", start, clock.now())
	assert.Equal(t, 5500*time.Millisecond, tm.Elapsed)
	assert.Equal(t, 5*time.Second, tm.InBatches, "4 s of SOAP batch (holding the 2 s lookup) + 1 s TLS scan")
	assert.Equal(t, 500*time.Millisecond, tm.Own())
	var labels []string
	for _, b := range tm.Computed {
		labels = append(labels, b.Label())
	}
	assert.Equal(t, []string{"SOAP probe batch of SC-S001", "SOAP operation lookup", "TLS scan of 127.0.0.1:443"}, labels)
}

// recorder is a Progress that keeps every call.
type recorder struct {
	mu      sync.Mutex
	started map[string]int
	done    map[string][]int
	results []verdict.RuleResult
	timings []RuleTiming
}

func (r *recorder) RuleStarted(rule catalogue.Rule, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started[rule.ID] = total
}

func (r *recorder) ScenarioDone(rule catalogue.Rule, done, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done[rule.ID] = append(r.done[rule.ID], done)
}

func (r *recorder) RuleDone(res verdict.RuleResult, t RuleTiming) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, res)
	r.timings = append(r.timings, t)
}

const outlineFeature = `@SC001 @must @level:OA @level:TSA @level:FSA @role:specifier
Feature: SC001
  Scenario: declared
    Given the declarations in the profile that name "SC001"
    Then one of them is validly signed by the specifier and covers "SC001"

  Scenario Outline: declared again as <n>
    Given the declarations in the profile that name "SC001"
    Then one of them is validly signed by the specifier and covers "SC001"
    Examples:
      | n |
      | a |
      | b |

  @wip
  Scenario: not yet
    Given a step that does not exist
`

// Run tells its Progress the scenario total before a rule starts (an
// outline counts once per Examples row, @wip not at all), each scenario's
// end in order, and the rule's result once.
func TestRunReportsProgressPerScenario(t *testing.T) {
	sc001, _ := catalogue.Default().Lookup("SC001")
	sS001, _ := catalogue.Default().Lookup("SC-S001")
	valid := declare.Checked{File: "spec.jws", Statement: declare.Statement{Role: catalogue.Specifier, Rules: []string{"SC001"}}}
	rec := &recorder{started: map[string]int{}, done: map[string][]int{}}
	out, err := Run(context.Background(), testEnv(t, []string{"rest"}, []declare.Checked{valid}), RunOptions{
		Rules:    []catalogue.Rule{sc001, sS001},
		Features: fstest.MapFS{"SC001_x.feature": {Data: []byte(outlineFeature)}}, Concurrency: 2, Progress: rec,
	})
	require.NoError(t, err)
	require.Len(t, out.Rules[0].Scenarios, 3)
	assert.Equal(t, map[string]int{"SC001": 3, "SC-S001": 0}, rec.started, "SC-S001 does not apply to a REST target: nothing to count")
	assert.Equal(t, []int{1, 2, 3}, rec.done["SC001"])
	assert.Empty(t, rec.done["SC-S001"])
	require.Len(t, rec.results, 2)
	assert.Equal(t, verdict.Attested, rec.results[0].Status)
	assert.Equal(t, verdict.NotApplicable, rec.results[1].Status)
	for _, tm := range rec.timings {
		assert.Empty(t, tm.Computed, "no shared batch ran")
		assert.Equal(t, tm.Elapsed, tm.Own())
	}
}
