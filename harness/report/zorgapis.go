package report

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/verdict"
)

// zorgDeclaration mirrors a zorgapis.nl declaration of conformity
// (requirementsVersion + per requirement conformityType and remarks ≤ 1000
// characters), with the suite's black-box details as extra fields the API
// ignores (docs/reference/nen7513-ncsc-web.md §5).
type zorgDeclaration struct {
	RequirementsVersion string                     `json:"requirementsVersion"`
	PerspectiveType     string                     `json:"perspectiveType"`
	Subject             zorgSubject                `json:"subject"`
	Requirements        map[string]zorgRequirement `json:"requirements"`
	RankingLevel        string                     `json:"rankingLevel"`
	GeneratedBy         string                     `json:"generatedBy"`
	// Scope is "full" or "partial" (an apisec extension): a partial run's
	// declaration covers only the requirements it assessed and carries no
	// ranking level it did not assess.
	Scope             string   `json:"apisecScope"`
	LevelsNotAssessed []string `json:"apisecLevelsNotAssessed,omitempty"`
	// TestDeclarations and RankingWithheld (provenance.go): TEST
	// declarations are never published as conformity.
	TestDeclarations []string `json:"apisecTestDeclarations,omitempty"`
	RankingWithheld  string   `json:"apisecRankingWithheld,omitempty"`
}

type zorgSubject struct {
	BaseURL             string `json:"baseUrl"`
	ArchitecturalStyle  string `json:"architecturalStyle"`
	OrganizationDetails string `json:"organization,omitempty"`
}

type zorgRequirement struct {
	ConformityType string `json:"conformityType"`
	Remarks        string `json:"remarks"`
	Method         string `json:"method"`
	Role           string `json:"role"`
	Status         string `json:"apisecStatus"`
	// TestDeclaration: attested only by a TEST declaration (provenance.go).
	TestDeclaration bool `json:"apisecTestDeclaration,omitempty"`
}

// MaxRemarks is the zorgapis.nl limit on a remark.
const MaxRemarks = 1000

// ConformityType maps a rule status to the zorgapis enum. "Could not test"
// is NOT_EVALUATED (v1beta1), never CONFORMANT; a warning inside a MUST rule
// is conformant, a warned SHOULD rule is not.
func ConformityType(r verdict.RuleResult) string {
	switch r.Status {
	case verdict.Pass, verdict.Attested:
		return "CONFORMANT"
	case verdict.Warn:
		if r.Rule.Normative == catalogue.Must {
			return "CONFORMANT"
		}
		return "NOT_CONFORMANT"
	case verdict.NotApplicable:
		return "NOT_APPLICABLE"
	case verdict.Fail:
		return "NOT_CONFORMANT"
	default:
		return "NOT_EVALUATED"
	}
}

// ZorgAPIsDeclaration renders declaration.json.
func ZorgAPIsDeclaration(res *Results) ([]byte, error) {
	d := zorgDeclaration{
		RequirementsVersion: catalogue.RequirementsVersion,
		PerspectiveType:     "API_DEPLOYMENT",
		Subject:             zorgSubject{BaseURL: res.Target.BaseURL, ArchitecturalStyle: style(res.Target.Interfaces)},
		Requirements:        map[string]zorgRequirement{},
		RankingLevel:        "NONE",
		GeneratedBy:         fmt.Sprintf("apisec %s run %s", res.Run.SuiteVersion, res.Run.ID),
		Scope:               res.Scope.Kind,
		LevelsNotAssessed:   res.LevelsNotAssessed(),
	}
	if d.Scope == "" {
		d.Scope = ScopeFull
	}
	for _, l := range res.Levels {
		if l.Outcome == verdict.Achieved {
			d.RankingLevel = l.Level.ZorgAPIsName()
		} else {
			break
		}
	}
	for _, n := range res.Scope.NotRun {
		d.Requirements[n.Rule] = zorgRequirement{ConformityType: "NOT_EVALUATED", Method: "NONE", Status: verdict.NotAssessed.String(),
			Remarks: clip(fmt.Sprintf("apisec run %s: not assessed: %s", res.Run.ID, n.Reason), MaxRemarks)}
		if r, ok := catalogue.Default().Lookup(n.Rule); ok {
			rq := d.Requirements[n.Rule]
			rq.Role = r.Role.ZorgAPIsName()
			d.Requirements[n.Rule] = rq
		}
	}
	for _, r := range res.Rules {
		method := "BLACK_BOX"
		if r.Rule.Automation == catalogue.Declared {
			method = "BLACK_BOX+ATTESTATION"
		}
		d.Requirements[r.Rule.ID] = zorgRequirement{
			ConformityType: ConformityType(r), Remarks: remarks(res, r), Method: method,
			Role: r.Rule.Role.ZorgAPIsName(), Status: r.Status.String(),
		}
	}
	markTestDeclarations(&d, res)
	b, err := json.MarshalIndent(d, "", "  ")
	return append(b, '\n'), err
}

func style(interfaces []string) string {
	switch {
	case len(interfaces) == 1 && interfaces[0] == "soap":
		return "SOAP"
	case len(interfaces) == 1 && interfaces[0] == "rest":
		return "REST"
	default:
		return "OTHER"
	}
}

// remarks cites the evidence of a rule in at most MaxRemarks characters.
func remarks(res *Results, r verdict.RuleResult) string {
	var parts []string
	parts = append(parts, fmt.Sprintf("apisec run %s: %s", res.Run.ID, r.Status))
	if r.Reason != "" {
		parts = append(parts, r.Reason)
	}
	for _, s := range r.Scenarios {
		// Evidence first and each finding clipped, so the citation
		// survives the length limit.
		if len(s.Evidence) > 0 && s.Status != verdict.Pass {
			parts = append(parts, "evidence "+s.Evidence[0])
		}
		switch {
		case s.Status == verdict.Attested:
			parts = append(parts, "attested by "+s.Attestation)
		case s.Finding != nil:
			parts = append(parts, clip(s.Status.String()+": "+s.Finding.Error(), 240))
		}
	}
	return clip(strings.Join(parts, "; "), MaxRemarks)
}

func clip(text string, n int) string {
	if r := []rune(text); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return text
}
