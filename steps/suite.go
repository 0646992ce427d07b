package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/evidence"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/cucumber/godog"
)

// RunOptions choose what one run executes.
type RunOptions struct {
	// Rules in scope, in catalogue order.
	Rules []catalogue.Rule
	// Features is the folder of feature files (features.FS in production).
	Features fs.FS
	// Concurrency is how many scenarios of one rule run at once.
	Concurrency int
	// ScenarioTimeout bounds one scenario, whatever its steps do.
	ScenarioTimeout time.Duration
	// Progress, when set, hears of each rule as it starts, of each of its
	// scenarios as it ends, and of the rule's result and timing.
	Progress Progress
}

// Outcome is everything the run observed.
type Outcome struct {
	Rules []verdict.RuleResult
	// Evidence maps an evidence path (as listed in ScenarioResult.Evidence)
	// to its unredacted item; the report redacts while writing.
	Evidence map[string]evidence.Item
	// Cucumber is godog's cucumber.json for all rules, merged.
	Cucumber []byte
}

// Run executes the feature files of every rule in scope, one rule after the
// other (so progress is per rule) with the scenarios of a rule running
// concurrently, and rolls the results up per rule.
func Run(ctx context.Context, env *Env, opts RunOptions) (*Outcome, error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.ScenarioTimeout <= 0 {
		opts.ScenarioTimeout = 2 * time.Minute
	}
	if env.Shared == nil {
		env.Shared = NewMemo()
	}
	var totals map[string]int
	if opts.Progress != nil {
		var err error
		if totals, err = scenarioCounts(opts.Features, opts.Rules); err != nil {
			return nil, err
		}
	}
	out := &Outcome{Evidence: map[string]evidence.Item{}}
	var cucumber []json.RawMessage
	for _, rule := range opts.Rules {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		total := totals[rule.ID]
		if inapplicable(env, rule) != "" {
			total = 0
		}
		if opts.Progress != nil {
			opts.Progress.RuleStarted(rule, total)
		}
		env.Shared.enterRule(rule.ID)
		start := env.Shared.now()
		rr, ev, cuc, err := runRule(ctx, env, rule, opts, total)
		env.Shared.enterRule("")
		if err != nil {
			return nil, err
		}
		for k, v := range ev {
			out.Evidence[k] = v
		}
		cucumber = append(cucumber, cuc...)
		out.Rules = append(out.Rules, rr)
		if opts.Progress != nil {
			opts.Progress.RuleDone(rr, env.Shared.timing(rule.ID, start, env.Shared.now()))
		}
	}
	var err error
	if out.Cucumber, err = json.MarshalIndent(cucumber, "", "  "); err != nil {
		return nil, err
	}
	return out, nil
}

// inapplicable says why a rule does not apply to the profile's target, or "".
func inapplicable(env *Env, rule catalogue.Rule) string {
	switch rule.Interface {
	case catalogue.SOAP:
		if !env.Profile.HasInterface("soap") {
			return "the target has no SOAP interface (profile target.interfaces)"
		}
	case catalogue.REST:
		if !env.Profile.HasInterface("rest") {
			return "the target has no REST interface (profile target.interfaces)"
		}
	}
	return ""
}

func runRule(ctx context.Context, env *Env, rule catalogue.Rule, opts RunOptions, total int) (verdict.RuleResult, map[string]evidence.Item, []json.RawMessage, error) {
	if reason := inapplicable(env, rule); reason != "" {
		rr := verdict.RuleResult{Rule: rule, Status: verdict.NotApplicable, Reason: reason}
		return rr, nil, nil, nil
	}
	c := &collector{rule: rule, evidence: map[string]evidence.Item{}}
	if p := opts.Progress; p != nil {
		c.done = func(n int) { p.ScenarioDone(rule, n, max(total, n)) }
	}
	var cuc bytes.Buffer
	suite := godog.TestSuite{
		Name: rule.ID,
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			initScenario(sc, env, rule, c, opts.ScenarioTimeout)
		},
		Options: &godog.Options{
			Format:      "cucumber",
			Output:      &cuc,
			FS:          opts.Features,
			Paths:       []string{"."},
			Tags:        rule.Tag() + " && ~@wip",
			Concurrency: opts.Concurrency,
			Strict:      true,
			// Colored is a pass-through except on a Windows console; the
			// "no colours" writer copies its input one rune at a time
			// through fmt (7 ms of a 14-scenario run). Cucumber JSON holds
			// no escape sequence either way.
			NoColors:       false,
			DefaultContext: ctx,
		},
	}
	// godog's own exit status only says whether some scenario errored; the
	// verdict comes from the collector.
	_ = suite.Run()
	var parsed []json.RawMessage
	if cuc.Len() > 0 {
		if err := json.Unmarshal(cuc.Bytes(), &parsed); err != nil {
			return verdict.RuleResult{}, nil, nil, fmt.Errorf("runner: cucumber output of %s: %w", rule.ID, err)
		}
	}
	scenarios := c.sorted()
	rr := verdict.RollUpRule(rule, scenarios)
	return rr, c.evidence, parsed, nil
}

// collector gathers the results of the concurrently running scenarios of one rule.
type collector struct {
	rule      catalogue.Rule
	mu        sync.Mutex
	scenarios []verdict.ScenarioResult
	evidence  map[string]evidence.Item
	// done, when set, hears how many scenarios have ended.
	done func(n int)
}

func (c *collector) add(s verdict.ScenarioResult, items []evidence.Item) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Scenario names are unique within a rule (features_test checks), so
	// the folder does not depend on the order concurrent scenarios finish.
	base := "evidence/" + slug(c.rule.ID) + "/" + slug(s.Name)
	for _, it := range items {
		name, ext := slug(it.Name), extension(it.ContentType)
		name = strings.TrimSuffix(name, ext)
		path := base + "/" + name + ext
		for n := 2; ; n++ {
			if _, dup := c.evidence[path]; !dup {
				break
			}
			path = base + "/" + name + fmt.Sprintf("-%d", n) + ext
		}
		c.evidence[path] = it
		s.Evidence = append(s.Evidence, path)
	}
	c.scenarios = append(c.scenarios, s)
	if c.done != nil {
		c.done(len(c.scenarios))
	}
}

func (c *collector) sorted() []verdict.ScenarioResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.scenarios)
	slices.SortStableFunc(out, func(a, b verdict.ScenarioResult) int { return strings.Compare(a.Name, b.Name) })
	return out
}

type scenarioKey struct{}

func initScenario(sc *godog.ScenarioContext, env *Env, rule catalogue.Rule, c *collector, timeout time.Duration) {
	w := newWorld(env, rule)
	var (
		start  time.Time
		cancel context.CancelFunc
	)
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		start = time.Now()
		ctx, cancel = context.WithTimeout(ctx, timeout)
		return context.WithValue(ctx, scenarioKey{}, w), nil
	})
	sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
		if cancel != nil {
			cancel()
		}
		if errors.Is(err, godog.ErrUndefined) || errors.Is(err, godog.ErrPending) {
			err = verdict.CouldNotTestf(p.Name, "scenario has a step that is not implemented yet")
		}
		status, finding := w.outcome(err)
		res := verdict.ScenarioResult{
			Rule: rule.ID, Feature: p.Uri, Name: p.Name, Status: status, Finding: finding,
			Duration: time.Since(start),
		}
		w.mu.Lock()
		res.Notes = slices.Clone(w.notes)
		items := slices.Clone(w.evidence)
		if w.attested != nil {
			res.Attestation = w.attested.File
		}
		w.mu.Unlock()
		c.add(res, items)
		return ctx, err
	})
	registerAll(sc, w)
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if len(out) > 60 {
		out = strings.TrimSuffix(out[:60], "-")
	}
	if out == "" {
		out = "item"
	}
	return out
}

func extension(contentType string) string {
	switch {
	case strings.Contains(contentType, "json"):
		return ".json"
	case strings.Contains(contentType, "xml"):
		return ".xml"
	case strings.Contains(contentType, "html"):
		return ".html.txt"
	default:
		return ".txt"
	}
}
