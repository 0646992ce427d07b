// Package catalogue is the list of rules the suite decides: the API security
// chapter of the Nictiz API requirements v1.2.0 (shared/seed/api-security.txt),
// with what the suite does for each and how far that is automated.
package catalogue

import (
	"fmt"
	"slices"
	"strings"
)

// RequirementsVersion is the edition of the Nictiz API requirements the
// catalogue transcribes.
const RequirementsVersion = "1.2.0"

// Level is a standardization level; the order is OA < TSA < FSA.
type Level int

const (
	OA Level = iota
	TSA
	FSA
)

// Levels lists every level from lowest to highest.
var Levels = []Level{OA, TSA, FSA}

var levelNames = [...]string{OA: "OA", TSA: "TSA", FSA: "FSA"}

func (l Level) String() string {
	if l < OA || l > FSA {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return levelNames[l]
}

// ZorgAPIsName is the level's name in the zorgapis.nl ranking enum.
func (l Level) ZorgAPIsName() string {
	return [...]string{"OPEN_API", "TECHNICALLY_STANDARDIZED_API", "FULLY_STANDARDIZED_API"}[l]
}

// ParseLevel accepts OA, TSA or FSA in any case.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if strings.EqualFold(n, s) {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("unknown level %q (want OA, TSA or FSA)", s)
}

func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Role is who answers for a rule (the seed's "Applicable roles").
type Role string

const (
	Specifier Role = "specifier"
	Developer Role = "developer"
	Deployer  Role = "deployer"
)

// Roles lists every role in the order reports show them.
var Roles = []Role{Specifier, Developer, Deployer}

// Title is the role as the seed text names it.
func (r Role) Title() string {
	switch r {
	case Specifier:
		return "API specifier"
	case Developer:
		return "API server developer"
	case Deployer:
		return "API server deployer"
	}
	return string(r)
}

// ZorgAPIsName is the role in the zorgapis.nl enum.
func (r Role) ZorgAPIsName() string {
	return "API_" + strings.ToUpper(map[Role]string{Specifier: "specifier", Developer: "server_developer", Deployer: "server_deployer"}[r])
}

// ParseRole accepts the short names and the seed's titles.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if strings.EqualFold(s, string(r)) || strings.EqualFold(s, r.Title()) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (want specifier, developer or deployer)", s)
}

// Normative is the rule's RFC 2119 word.
type Normative string

const (
	Must   Normative = "MUST"
	Should Normative = "SHOULD"
)

// Interface says which kind of API a rule applies to.
type Interface string

const (
	Generic Interface = "generic"
	SOAP    Interface = "soap"
	REST    Interface = "rest"
)

// Automation says how the suite decides a rule.
type Automation string

const (
	// Automated rules are decided by probes against the target.
	Automated Automation = "automated"
	// Declared rules are decided by a signed role declaration, with probes as
	// supporting evidence ("compliance check limited to a confirmation").
	Declared Automation = "declaration"
	// NotAutomated rules are not decided yet; they report error, never pass.
	NotAutomated Automation = "not_automated"
)

// Rule is one requirement of the chapter.
type Rule struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Normative Normative `json:"normative"`
	Levels    []Level   `json:"levels"`
	Role      Role      `json:"role"`
	Interface Interface `json:"interface"`
	// Parent is set for sub-requirements (SC004.001 → SC004).
	Parent string `json:"parent,omitempty"`
	// Check says what the suite does for the rule (docs/design.md table).
	Check      string     `json:"check"`
	Automation Automation `json:"automation"`
	// Reason explains a rule that is not (fully) automated, with its issue.
	Reason string `json:"reason,omitempty"`
	Issue  int    `json:"issue,omitempty"`
	// Anchor is the rule's address in the published requirements.
	URL string `json:"url,omitempty"`
}

// AppliesAt reports whether the rule counts at level l.
func (r Rule) AppliesAt(l Level) bool { return slices.Contains(r.Levels, l) }

// Tag is the feature-file tag that names the rule (@SC-R001).
func (r Rule) Tag() string { return "@" + r.ID }

// Catalogue is an immutable ordered list of rules.
type Catalogue struct{ rules []Rule }

// Rules returns a copy of the rules in catalogue order.
func (c Catalogue) Rules() []Rule { return slices.Clone(c.rules) }

// Lookup finds a rule by id (case-insensitive).
func (c Catalogue) Lookup(id string) (Rule, bool) {
	for _, r := range c.rules {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return Rule{}, false
}

// IDs lists the rule ids in catalogue order.
func (c Catalogue) IDs() []string {
	ids := make([]string, len(c.rules))
	for i, r := range c.rules {
		ids[i] = r.ID
	}
	return ids
}

// Select resolves a list of ids; an unknown id is an error naming it.
func (c Catalogue) Select(ids []string) ([]Rule, error) {
	var out []Rule
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		r, ok := c.Lookup(id)
		if !ok {
			return nil, fmt.Errorf("unknown rule id %q (known: %s)", id, strings.Join(c.IDs(), ", "))
		}
		if !slices.ContainsFunc(out, func(x Rule) bool { return x.ID == r.ID }) {
			out = append(out, r)
		}
	}
	return out, nil
}
