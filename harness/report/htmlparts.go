package report

import (
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/verdict"
)

// The pieces report.html draws that are more than a field: the per-rule
// status bar, the rule chips of the header, multi-item findings as lists.

// barStatuses are the statuses a rule's bar stacks, worst first, with their
// colours; info scenarios record without judging and are left out.
var barStatuses = []struct {
	status verdict.Status
	colour string
}{
	{verdict.Fail, "#d33a3a"},
	{verdict.Error, "#e8890c"},
	{verdict.Warn, "#e3b505"},
	{verdict.Attested, "#7fc28e"},
	{verdict.Pass, "#2f9648"},
	{verdict.NotAssessed, "#9aa0c4"},
	{verdict.NotApplicable, "#cfcfcf"},
}

const (
	barWidth  = 120
	barHeight = 12
)

// statusBar draws a rule's scenario counts as one stacked bar, an inline
// SVG (the page stays one self-contained file): each status gets a share of
// the width proportional to its count, at least 2 px so a single failure
// among 75 passes still shows. Empty when no scenario was judged.
func statusBar(r verdict.RuleResult) template.HTML {
	counts := r.Counts()
	total := 0
	for _, s := range barStatuses {
		total += counts[s.status]
	}
	if total == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bar" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		barWidth, barHeight, barWidth, barHeight, template.HTMLEscapeString(r.CountsText()))
	// Widths are whole pixels that add up to barWidth: each status gets
	// its floor share (minimum 2) and the widest takes the remainder.
	widths := make([]int, len(barStatuses))
	used, widest := 0, -1
	for i, s := range barStatuses {
		n := counts[s.status]
		if n == 0 {
			continue
		}
		widths[i] = max(2, n*barWidth/total)
		used += widths[i]
		if widest < 0 || n > counts[barStatuses[widest].status] {
			widest = i
		}
	}
	widths[widest] += barWidth - used
	x := 0
	for i, s := range barStatuses {
		if widths[i] == 0 {
			continue
		}
		fmt.Fprintf(&b, `<rect x="%d" y="0" width="%d" height="%d" fill="%s"><title>%d %s</title></rect>`,
			x, widths[i], barHeight, s.colour, counts[s.status], s.status)
		x += widths[i]
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// chip is a rule named in the header, with what its scenarios came to.
type chip struct {
	ID     string
	Counts string
}

// ruleChips are the rules a reader must see first: the failed ones (MUST
// rules that failed), the SHOULD rules that deviated, the rules with
// scenarios that could not be tested and the rules that rest on TEST
// declarations; Findings counts the failures-first section.
type ruleChips struct {
	Failed, Warned, Untested, Test []chip
	Findings                       string
}

func headerChips(r *Results) ruleChips {
	var out ruleChips
	test, _ := r.testDeclarationRules()
	counts := map[verdict.Status]int{}
	for _, rr := range r.Rules {
		c := chip{ID: rr.Rule.ID, Counts: rr.CountsText()}
		switch rr.Status {
		case verdict.Fail:
			out.Failed = append(out.Failed, c)
		case verdict.Warn:
			out.Warned = append(out.Warned, c)
		}
		if rr.Status == verdict.Error || hasStatus(rr, verdict.Error) {
			out.Untested = append(out.Untested, c)
		}
		if slices.Contains(test, rr.Rule.ID) {
			out.Test = append(out.Test, c)
		}
		for st, n := range rr.Counts() {
			counts[st] += n
		}
	}
	var parts []string
	for _, st := range []struct {
		s    verdict.Status
		name string
	}{{verdict.Fail, "fail"}, {verdict.Warn, "warn"}, {verdict.Error, "could not test"}} {
		if counts[st.s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st.s], st.name))
		}
	}
	out.Findings = strings.Join(parts, ", ")
	return out
}

// notRunGroup is the rules a partial run left out for one reason.
type notRunGroup struct {
	Reason string
	Rules  []string
}

// notRunGroups names each reason once ("not selected (--rules …)") with
// the rules it left out, in catalogue order.
func notRunGroups(s Scope) []notRunGroup {
	var out []notRunGroup
	for _, n := range s.NotRun {
		if len(out) > 0 && out[len(out)-1].Reason == n.Reason {
			out[len(out)-1].Rules = append(out[len(out)-1].Rules, n.Rule)
			continue
		}
		out = append(out, notRunGroup{Reason: n.Reason, Rules: []string{n.Rule}})
	}
	return out
}

// listShown is how many items of a multi-item finding stay open; the rest
// are one click away.
const listShown = 4

// gotList is a finding's Got as items when it is a list joined with "; "
// (several cipher suites, several rejected declarations), else nil. A "; "
// inside brackets does not split, and an item's trailing "(clause)" that
// repeats the finding's clause is dropped: the expected line shows it.
func gotList(f *verdict.Finding) []string {
	if f == nil {
		return nil
	}
	items := splitTopLevel(f.Got, "; ")
	if len(items) < 2 {
		return nil
	}
	if f.Clause != "" {
		suffix := " (" + f.Clause + ")"
		for i, it := range items {
			items[i] = strings.TrimSuffix(it, suffix)
		}
	}
	return items
}

// splitTopLevel splits s at sep where no bracket is open.
func splitTopLevel(s, sep string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth = max(0, depth-1)
		}
		if depth == 0 && strings.HasPrefix(s[i:], sep) {
			out = append(out, s[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	out = append(out, s[start:])
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}
