// Package steps holds the godog step definitions. Each domain has one file
// with a register<Domain>Steps(sc, w) function; all scenario state lives in
// the World built for that scenario, and run-wide state in the read-only Env.
package steps

import (
	"sync"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/declare"
	"github.com/apisec/apisec/harness/evidence"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/trust"
	"github.com/apisec/apisec/harness/verdict"
)

// Env is what every scenario of a run shares. It is built before the run and
// never changed during it; anything with state of its own (Guard) is safe for
// concurrent use.
type Env struct {
	Profile   *profile.Profile
	Catalogue catalogue.Catalogue
	// Guard bounds contact with the target: allow-list, deadlines, rate, budget.
	Guard *conduct.Guard
	// Declarations are the profile's role declarations, each verified once.
	Declarations []declare.Checked
	// Now is the run's clock (injected so tests can pin it).
	Now func() time.Time
	// Shared holds per-run results that several scenarios read (a TLS scan
	// of an endpoint, fetched metadata), computed once on first use.
	Shared *Memo
	// Trust are the run's trust anchors and where each came from; TLS
	// steps record which anchor decided an endpoint's certificate trust.
	// Nil in tests that need none.
	Trust *trust.Set
}

// World is the state of one scenario. godog builds a fresh one per scenario,
// so scenarios can run concurrently without sharing it.
type World struct {
	env *Env
	// rule is the catalogue rule this scenario belongs to (from its tag).
	rule catalogue.Rule

	mu       sync.Mutex
	attested *declare.Checked
	evidence []evidence.Item
	notes    []string
}

func newWorld(env *Env, rule catalogue.Rule) *World { return &World{env: env, rule: rule} }

// Env returns the run's shared, read-only environment.
func (w *World) Env() *Env { return w.env }

// Rule is the rule under test.
func (w *World) Rule() catalogue.Rule { return w.rule }

// Evidence keeps a transcript (request/response, handshake) for the report;
// secrets are redacted when it is written.
func (w *World) Evidence(name, contentType string, body []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.evidence = append(w.evidence, evidence.Item{Name: name, ContentType: contentType, Body: body})
}

// Note adds a line the report shows under the scenario (e.g. which audience
// profile a target meets).
func (w *World) Note(line string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.notes = append(w.notes, line)
}

// Attest marks the scenario as covered by a valid signed declaration: when
// its steps pass, it counts as attested instead of pass.
func (w *World) Attest(d declare.Checked) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attested = &d
}

// outcome turns the scenario's error (from godog) into its result.
func (w *World) outcome(err error) (verdict.Status, *verdict.Finding) {
	status, finding := verdict.Classify(err)
	w.mu.Lock()
	defer w.mu.Unlock()
	if status == verdict.Pass && w.attested != nil {
		status = verdict.Attested
	}
	return status, finding
}
