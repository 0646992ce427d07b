package report

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/verdict"
)

func scenarios(counts map[verdict.Status]int) []verdict.ScenarioResult {
	var out []verdict.ScenarioResult
	for st, n := range counts {
		for range n {
			out = append(out, verdict.ScenarioResult{Status: st})
		}
	}
	return out
}

var rectRE = regexp.MustCompile(`<rect x="(\d+)" y="0" width="(\d+)" height="12" fill="(#[0-9a-f]+)"><title>(\d+) (\w+)</title></rect>`)

// The bar's segments tile its width exactly, in worst-first order, one per
// judged status, and a lone failure among many passes stays visible.
func TestStatusBarTilesItsWidth(t *testing.T) {
	rule, _ := catalogue.Default().Lookup("SC-R001")
	cases := []map[verdict.Status]int{
		{verdict.Pass: 75},
		{verdict.Fail: 1, verdict.Pass: 200},
		{verdict.Fail: 6, verdict.Warn: 4, verdict.Error: 1, verdict.Pass: 64, verdict.Info: 3},
		{verdict.Attested: 1, verdict.NotApplicable: 2, verdict.NotAssessed: 1},
	}
	for _, counts := range cases {
		svg := string(statusBar(verdict.RuleResult{Rule: rule, Scenarios: scenarios(counts)}))
		rects := rectRE.FindAllStringSubmatch(svg, -1)
		judged := 0
		for st := range counts {
			if st != verdict.Info {
				judged++
			}
		}
		require.Len(t, rects, judged, svg)
		x, lastRank := 0, 99
		for _, r := range rects {
			rx, _ := strconv.Atoi(r[1])
			w, _ := strconv.Atoi(r[2])
			n, _ := strconv.Atoi(r[4])
			st, err := verdict.ParseStatus(r[5])
			require.NoError(t, err)
			assert.Equal(t, x, rx, "segments are contiguous: %s", svg)
			assert.GreaterOrEqual(t, w, 2, "every status with a scenario is visible")
			assert.Equal(t, counts[st], n)
			rank := 0
			for i, b := range barStatuses {
				if b.status == st {
					rank = i
				}
			}
			if x > 0 {
				assert.Greater(t, rank, lastRank, "worst first")
			}
			lastRank = rank
			x += w
		}
		assert.Equal(t, barWidth, x, "the segments fill the bar: %s", svg)
	}
	assert.Empty(t, statusBar(verdict.RuleResult{Rule: rule}), "no scenario, no bar")
	assert.Empty(t, statusBar(verdict.RuleResult{Rule: rule, Scenarios: scenarios(map[verdict.Status]int{verdict.Info: 2})}))
}

func TestGotListSplitsOnlyLists(t *testing.T) {
	cases := []struct {
		name string
		f    verdict.Finding
		want []string
	}{
		{"one item", verdict.Finding{Got: "500 Internal Server Error"}, nil},
		{"TLS suites, clause dropped", verdict.Finding{Clause: "NCSC TLS 2025-05 Appendix B (list of cipher suites)",
			Got: "h:1 suite A on TLS 1.2: insufficient (NCSC TLS 2025-05 Appendix B (list of cipher suites)); h:1 suite B on TLS 1.0: insufficient (NCSC TLS 2025-05 Appendix B (list of cipher suites))"},
			[]string{"h:1 suite A on TLS 1.2: insufficient", "h:1 suite B on TLS 1.0: insufficient"}},
		{"separator inside brackets stays", verdict.Finding{Got: "a.jws rejected: expired (2026-01-01; renew it); b.jws rejected: wrong role"},
			[]string{"a.jws rejected: expired (2026-01-01; renew it)", "b.jws rejected: wrong role"}},
		{"another clause stays", verdict.Finding{Clause: "RFC 1", Got: "x (RFC 2); y (RFC 1)"}, []string{"x (RFC 2)", "y"}},
		{"no separator inside a word", verdict.Finding{Got: "a;b;c"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, gotList(&c.f)) })
	}
	assert.Nil(t, gotList(nil))
}
