package steps

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Memo computes a value once per key for the whole run and hands the same
// result to every scenario that asks (safe for concurrent use). It also
// keeps the account of each such shared batch: during which rule it was
// computed, how long that took, and which rules used it, so progress shows
// a batch's time as the batch's, not as the time of the rule whose scenario
// happened to ask first (issue 16: SC007, a declaration rule, showed the
// 6 s the OAuth batch spent).
type Memo struct {
	mu    sync.Mutex
	cells map[string]*memoCell
	order []string
	// rule is the rule running now; Run sets it, and rules run one after
	// another, so a batch computed now is computed for this rule's scenario.
	rule string
	now  func() time.Time
}

type memoCell struct {
	once  sync.Once
	val   any
	err   error
	batch Batch
}

// Batch is one shared computation of a run (the OAuth probe plan, a TLS
// scan of an endpoint, the audit accesses).
type Batch struct {
	Key string
	// Rule is the rule during which it was computed ("" outside Run).
	Rule    string
	Started time.Time
	// Took is how long it ran; Done says it has finished.
	Took time.Duration
	Done bool
	// UsedBy are the rules whose scenarios asked for it, in order.
	UsedBy []string
}

// Label names the batch for people; keys it does not know are shown as they are.
func (b Batch) Label() string {
	switch {
	case b.Key == oauthMemoKey:
		return "OAuth probe batch"
	case b.Key == auditMemoKey:
		return "audit batch"
	case strings.HasPrefix(b.Key, "tls-scan "):
		return "TLS scan of " + strings.TrimPrefix(b.Key, "tls-scan ")
	case b.Key == "soap/operation":
		return "SOAP operation lookup"
	case strings.HasPrefix(b.Key, "soap/"):
		return "SOAP probe batch of " + strings.TrimPrefix(b.Key, "soap/")
	}
	return b.Key
}

// NewMemo returns an empty memo on the wall clock.
func NewMemo() *Memo { return newMemo(time.Now) }

func newMemo(now func() time.Time) *Memo {
	return &Memo{cells: map[string]*memoCell{}, now: now}
}

// Do returns the value for key, computing it with fn the first time.
func (m *Memo) Do(key string, fn func() (any, error)) (any, error) {
	m.mu.Lock()
	c, ok := m.cells[key]
	if !ok {
		c = &memoCell{batch: Batch{Key: key}}
		m.cells[key] = c
		m.order = append(m.order, key)
	}
	if m.rule != "" && !slices.Contains(c.batch.UsedBy, m.rule) {
		c.batch.UsedBy = append(c.batch.UsedBy, m.rule)
	}
	m.mu.Unlock()
	c.once.Do(func() {
		m.mu.Lock()
		start := m.now()
		c.batch.Rule, c.batch.Started = m.rule, start
		m.mu.Unlock()
		// fn runs without the lock: it may ask the memo for another batch.
		c.val, c.err = fn()
		m.mu.Lock()
		c.batch.Took, c.batch.Done = m.now().Sub(start), true
		m.mu.Unlock()
	})
	return c.val, c.err
}

// enterRule records that the run now runs rule's scenarios.
func (m *Memo) enterRule(rule string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rule = rule
}

// Batches are the run's batches so far in the order first asked for;
// Running are those still being computed.
func (m *Memo) Batches() []Batch {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Batch, 0, len(m.order))
	for _, k := range m.order {
		b := m.cells[k].batch
		b.UsedBy = slices.Clone(b.UsedBy)
		out = append(out, b)
	}
	return out
}

// Running are the batches being computed now.
func (m *Memo) Running() []Batch {
	return slices.DeleteFunc(m.Batches(), func(b Batch) bool { return b.Done || b.Started.IsZero() })
}

// RuleTiming is where the time of one rule went.
type RuleTiming struct {
	// Elapsed is the rule's wall-clock time, first scenario to last.
	Elapsed time.Duration
	// InBatches is the part of Elapsed during which a shared batch the
	// rule's scenarios started was being computed (overlaps counted once).
	InBatches time.Duration
	// Computed are the batches computed during this rule; Reused are
	// batches an earlier rule computed that this rule's scenarios read.
	Computed, Reused []Batch
}

// Own is the rule's time outside shared batches.
func (t RuleTiming) Own() time.Duration { return t.Elapsed - t.InBatches }

// timing accounts for rule, which ran from start to end.
func (m *Memo) timing(rule string, start, end time.Time) RuleTiming {
	t := RuleTiming{Elapsed: end.Sub(start)}
	type span struct{ from, to time.Time }
	var spans []span
	for _, b := range m.Batches() {
		switch {
		case b.Rule == rule && !b.Started.IsZero():
			t.Computed = append(t.Computed, b)
			spans = append(spans, span{b.Started, b.Started.Add(b.Took)})
		case slices.Contains(b.UsedBy, rule):
			t.Reused = append(t.Reused, b)
		}
	}
	// The union of the spans: a batch computed inside another (the SOAP
	// operation lookup inside a SOAP probe batch) or beside it by a
	// concurrent scenario is counted once.
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	var covered time.Duration
	var cur span
	for i, s := range spans {
		switch {
		case i == 0:
			cur = s
		case !s.from.After(cur.to):
			if s.to.After(cur.to) {
				cur.to = s.to
			}
		default:
			covered += cur.to.Sub(cur.from)
			cur = s
		}
	}
	if len(spans) > 0 {
		covered += cur.to.Sub(cur.from)
	}
	t.InBatches = min(covered, t.Elapsed)
	return t
}
