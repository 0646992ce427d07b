package steps

import (
	"regexp"
	"sync"

	"github.com/cucumber/godog"
)

// registerAll wires every domain's steps to the scenario's World. A domain
// adds one line here.
func registerAll(sc *godog.ScenarioContext, w *World) {
	defs := stepDefs{sc}
	registerDeclarationSteps(defs, w)
	registerWebSteps(defs, w)
	registerModelSteps(defs, w)
	registerGenericSteps(defs, w)
	registerOAuthSteps(defs, w)
	registerTLSSteps(defs, w)
	registerAuditSteps(defs, w)
	registerSOAPSteps(defs, w)
}

// stepDefs registers step definitions with expressions compiled once per
// process. godog compiles a string expression at every registration, and
// every scenario registers every domain's steps: that was two thirds of the
// CPU time of a 14-scenario TLS run.
type stepDefs struct{ sc *godog.ScenarioContext }

func (d stepDefs) Given(expr string, fn any) { d.sc.Given(stepExpr(expr), fn) }
func (d stepDefs) When(expr string, fn any)  { d.sc.When(stepExpr(expr), fn) }
func (d stepDefs) Then(expr string, fn any)  { d.sc.Then(stepExpr(expr), fn) }
func (d stepDefs) Step(expr string, fn any)  { d.sc.Step(stepExpr(expr), fn) }

var stepExprs sync.Map // string → *regexp.Regexp

// stepExpr is expr compiled, from the cache after its first use. A
// *regexp.Regexp is safe for concurrent use, so scenarios running side by
// side share one.
func stepExpr(expr string) *regexp.Regexp {
	if re, ok := stepExprs.Load(expr); ok {
		return re.(*regexp.Regexp)
	}
	re, _ := stepExprs.LoadOrStore(expr, regexp.MustCompile(expr))
	return re.(*regexp.Regexp)
}
