package steps

import "github.com/cucumber/godog"

// registerAll wires every domain's steps to the scenario's World. A domain
// adds one line here.
func registerAll(sc *godog.ScenarioContext, w *World) {
	registerDeclarationSteps(sc, w)
	registerWebSteps(sc, w)
	registerModelSteps(sc, w)
	registerGenericSteps(sc, w)
	registerOAuthSteps(sc, w)
	registerTLSSteps(sc, w)
	registerAuditSteps(sc, w)
	registerSOAPSteps(sc, w)
}
