package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/verdict"
)

// declarationState is the declaration part of a scenario.
type declarationState struct {
	covering []declare.Checked
}

func registerDeclarationSteps(sc stepDefs, w *World) {
	d := &declarationState{}
	sc.Given(`^the declarations in the profile that name "([^"]+)"$`, func(ctx context.Context, id string) error {
		return d.collect(w, id)
	})
	sc.Then(`^one of them is validly signed by the (specifier|developer|deployer) and covers "([^"]+)"$`, func(ctx context.Context, role, id string) error {
		return d.requireValid(w, catalogue.Role(role), id)
	})
}

// collect keeps the declarations that name the rule, valid or not, so a
// rejected one can say why.
func (d *declarationState) collect(w *World, id string) error {
	if _, ok := w.env.Catalogue.Lookup(id); !ok {
		return verdict.CouldNotTestf("declaration", "feature names unknown rule %q", id)
	}
	for _, c := range w.env.Declarations {
		if c.Names(id) {
			d.covering = append(d.covering, c)
		}
	}
	return nil
}

func (d *declarationState) requireValid(w *World, role catalogue.Role, id string) error {
	rule, _ := w.env.Catalogue.Lookup(id)
	probe := fmt.Sprintf("signed declaration by the %s for %s", role.Title(), id)
	expected := fmt.Sprintf("a valid declaration signed with the %s key the profile trusts", role.Title())
	clause := id + ": compliance check limited to a confirmation by the " + strings.TrimPrefix(role.Title(), "API ")
	if rule.Role != role {
		return verdict.CouldNotTestf(probe, "feature asks the %s but %s belongs to the %s", role, id, rule.Role)
	}
	if len(d.covering) == 0 {
		return verdict.Deviation(probe, expected, clause, "no declaration in the profile names "+id)
	}
	var reasons []string
	for _, c := range d.covering {
		if c.Covers(rule) {
			w.Attest(c)
			kind := "declaration"
			if c.Test {
				kind = "TEST declaration (signed with the suite's throw-away role key)"
			}
			w.Note(fmt.Sprintf("%s %s by %q, issued %s, expires %s, key %s…", kind, c.File, c.Statement.Declarant,
				c.Statement.IssuedAt.Format("2006-01-02"), c.Statement.ExpiresAt.Format("2006-01-02"), short(c.KeyThumbprint)))
			return nil
		}
		reasons = append(reasons, c.File+" rejected: "+c.Rejected)
	}
	return verdict.Deviation(probe, expected, clause, strings.Join(reasons, "; "))
}

func short(s string) string {
	if len(s) > 16 {
		return s[:16]
	}
	return s
}
