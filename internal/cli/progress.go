package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/steps"
)

// progressPrinter shows a run's progress on stderr (--progress): one line
// per finished rule with its own time and the time of the shared batches it
// computed or reused; on a terminal also a live line for the running rule
// (scenarios done/total, elapsed, the shared batch being computed), redrawn
// as scenarios end and once a second, and replaced by the rule's line.
type progressPrinter struct {
	mu   sync.Mutex
	w    io.Writer
	live bool
	// width bounds the live line so it never wraps (a wrapped line cannot
	// be redrawn with a carriage return).
	width int
	now   func() time.Time
	memo  *steps.Memo

	rule        catalogue.Rule
	done, total int
	started     time.Time
	running     bool
	drawn       bool
	lastDraw    time.Time
}

func newProgressPrinter(w io.Writer, live bool, width int, memo *steps.Memo, now func() time.Time) *progressPrinter {
	if width < 40 {
		width = 100
	}
	return &progressPrinter{w: w, live: live, width: width, memo: memo, now: now}
}

// tick redraws the live line every interval until ctx ends; only on a terminal.
func (p *progressPrinter) tick(ctx context.Context, interval time.Duration) {
	if !p.live {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.mu.Lock()
			p.redraw()
			p.mu.Unlock()
		}
	}
}

func (p *progressPrinter) RuleStarted(rule catalogue.Rule, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rule, p.done, p.total, p.started, p.running = rule, 0, total, p.now(), true
	p.redraw()
}

func (p *progressPrinter) ScenarioDone(rule catalogue.Rule, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.total = done, total
	// Fast rules end dozens of scenarios in a blink: redraw at most ten
	// times a second (the ticker and the last scenario always do).
	if done == total || p.now().Sub(p.lastDraw) >= 100*time.Millisecond {
		p.redraw()
	}
}

func (p *progressPrinter) RuleDone(r verdict.RuleResult, t steps.RuleTiming) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = false
	p.clear()
	fmt.Fprintln(p.w, ruleLine(r, t))
}

// liveLine is the running rule's line: "SC-R001  41/75 scenarios  3.2s",
// with the shared batch being computed, if any, and for how long.
func (p *progressPrinter) liveLine() string {
	now := p.now()
	line := fmt.Sprintf("%-10s %d/%d scenarios  %.1fs", p.rule.ID, p.done, p.total, now.Sub(p.started).Seconds())
	if p.memo != nil {
		for _, b := range p.memo.Running() {
			line += fmt.Sprintf("  · %s %.1fs", b.Label(), now.Sub(b.Started).Seconds())
		}
	}
	if r := []rune(line); len(r) > p.width-1 {
		line = string(r[:p.width-2]) + "…"
	}
	return line
}

// redraw rewrites the live line in place (carriage return, erase to the
// end of the line); the caller holds p.mu.
func (p *progressPrinter) redraw() {
	if !p.live || !p.running {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K"+p.liveLine())
	p.drawn, p.lastDraw = true, p.now()
}

// clear erases the live line before a finished rule's line takes its place.
func (p *progressPrinter) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// ruleLine is a finished rule: status, scenarios, the rule's own time and
// the shared batches' (computed during it, or reused from an earlier
// rule), then why it did not pass.
func ruleLine(r verdict.RuleResult, t steps.RuleTiming) string {
	line := fmt.Sprintf("%-10s %-15s %3d scenario(s) %6.2fs", r.Rule.ID, r.Status, len(r.Scenarios), t.Own().Seconds())
	var shared []string
	if len(t.Computed) > 0 {
		shared = append(shared, fmt.Sprintf("+%.2fs computing the %s", t.InBatches.Seconds(), batchList(t.Computed, false)))
	}
	if len(t.Reused) > 0 {
		shared = append(shared, "reused "+batchList(t.Reused, true))
	}
	if len(shared) > 0 {
		line += " (" + strings.Join(shared, "; ") + ")"
	}
	if reason := shortReason(r); reason != "" {
		line += "  " + reason
	}
	return line
}

// batchList names batches: "OAuth probe batch" or, for reused ones, "OAuth
// probe batch (6.02s, computed during SC007)".
func batchList(bs []steps.Batch, withOrigin bool) string {
	var parts []string
	for _, b := range bs {
		s := b.Label()
		if withOrigin {
			origin := ""
			if b.Rule != "" {
				origin = ", computed during " + b.Rule
			}
			s += fmt.Sprintf(" (%.2fs%s)", b.Took.Seconds(), origin)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// batchSummary is the closing account of the batches computed once per
// run: what each cost, during which rule, and which rules used it, so no
// rule carries another's time.
func batchSummary(w io.Writer, bs []steps.Batch) {
	bs = slices.DeleteFunc(bs, func(b steps.Batch) bool { return !b.Done })
	if len(bs) == 0 {
		return
	}
	fmt.Fprintln(w, "batches computed once per run:")
	for _, b := range bs {
		fmt.Fprintf(w, "  %-38s %6.2fs  during %s; used by %s\n", b.Label(), b.Took.Seconds(), orDash(b.Rule), orDash(strings.Join(b.UsedBy, ", ")))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
