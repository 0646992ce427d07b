package oauth

import (
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/profile"
)

// Batches run in this order; each negative batch is framed by a positive
// control before and after it.
const (
	BatchMetadata   = "metadata"
	BatchClientAuth = "client-auth"
	BatchGrant      = "grant"
	BatchResource   = "resource"
)

// Audience profiles (profile oauth.audience_profile).
const (
	AudRFC7523    = "rfc7523"
	AudRFC7523bis = "rfc7523bis"
)

// Rule ids this package decides.
const (
	RuleR001 = "SC-R001"
	RuleR002 = "SC-R002"
	RuleR003 = "SC-R003"
	Rule008  = "SC008"
)

// Probe is one listed probe: what is sent, what is expected and why. Each
// probe is defined once, by a literal id, beside its body in the file of
// its family (probes_md.go, probes_clientauth.go, probes_grant.go,
// probes_rs.go); Plan lists every probe of a run before anything is sent,
// and the run sends at most Requests requests for it.
type Probe struct {
	ID       string `json:"id"`
	Rule     string `json:"rule"`
	Batch    string `json:"batch"`
	Title    string `json:"title"`
	Expect   string `json:"expect"`
	Clause   string `json:"clause"`
	Requests int    `json:"requests"`
	// Skipped says why the profile leaves the probe unsent; the reason is
	// its result (declared here, reported by the step).
	Skipped string `json:"skipped,omitempty"`

	judge judgement
	ref   *Refusal // the probe's own refusal (judge refuseCode)
	frame frame
	skip  error
	body  func(r *run, p Probe) error
}

// frame marks a batch's positive controls.
type frame int

const (
	frameNone frame = iota
	frameBefore
	frameAfter
)

// judgement says how a probe's answer is judged.
type judgement int

const (
	judgeClient          judgement = iota // 400/401 invalid_client; other codes warn
	judgeClientOrRequest                  // invalid_client or invalid_request
	judgeGrant                            // 400 invalid_grant (RFC 7523 §3.1 MUST)
	judgeToken                            // MUST issue a token
	judgeTokenShould                      // SHOULD issue a token; refusal warns
	judgeRecord                           // record what happens
	judgeCheck                            // a check of fetched data
	judgeControl                          // positive control
	judgeRefusal                          // the probe's own Refusal
)

func (j judgement) String() string {
	switch j {
	case judgeClient:
		return "400/401 invalid_client"
	case judgeClientOrRequest:
		return "400/401 invalid_client or invalid_request"
	case judgeGrant:
		return "400 invalid_grant"
	case judgeToken, judgeControl:
		return "200 with an access_token"
	case judgeTokenShould:
		return "200 with an access_token (SHOULD)"
	case judgeRecord:
		return "recorded, not judged"
	}
	return "check"
}

// Plan lists every probe for the profile's OAuth section, in run order. A
// probe the profile gives too little for is listed too, unsent, with the
// reason (Skipped). Plan is empty when the profile has no OAuth section.
func Plan(o *profile.OAuth) []Probe {
	if o == nil {
		return nil
	}
	var ps []Probe
	ps = append(ps, metadataProbes(o)...)
	ps = append(ps, clientAuthProbes(o)...)
	ps = append(ps, grantProbes(o)...)
	ps = append(ps, resourceProbes(o)...)
	for i := range ps {
		p := &ps[i]
		if p.skip != nil {
			p.Skipped, p.Requests = p.skip.Error(), 0
		}
		switch {
		case p.Expect != "":
		case p.Rule != RuleR001 && p.judge == judgeClient:
			p.Expect = Refusal{Codes: []string{"invalid_client"}, AnyCode: true}.String()
		case p.Rule != RuleR001 && p.judge == judgeGrant:
			p.Expect = Refusal{Codes: []string{"invalid_grant"}, AnyCode: true}.String()
		default:
			p.Expect = p.judge.String()
		}
	}
	return ps
}

// Total is the number of requests a plan may send.
func Total(ps []Probe) int {
	n := 0
	for _, p := range ps {
		n += p.Requests
	}
	return n
}

// unless leaves the probe unsent when the profile lacks what it needs; why
// is its verdict (not applicable, or could not test).
func (p Probe) unless(ok bool, why error) Probe {
	if !ok {
		p.skip = why
	}
	return p
}

func (p Probe) refusing(r Refusal) Probe {
	p.judge, p.ref, p.Expect = judgeRefusal, &r, r.String()
	return p
}

// withCodes widens the error codes the probe's judgement accepts.
func (p Probe) withCodes(codes ...string) Probe {
	p.ref = &Refusal{Codes: codes}
	return p
}

func (p Probe) expecting(e string) Probe {
	p.Expect = e
	return p
}

// mutation is the body of a probe that applies named mutations to the
// valid assertion (the client assertion, or the grant in the grant batch),
// posts it and judges the answer: the OIDF shape, a valid request with one
// step swapped. Its clause is the mutations' own, unless given.
type mutation struct {
	clause string
	build  func(r *run) ([]jose.Mutation, error)
	// timed also compares the answer's delay with the positive control's.
	timed bool
	// after runs once the answer is judged (e.g. to keep the result for a
	// summary probe).
	after func(r *run)
}

// muts wraps fixed mutations.
func muts(ms ...jose.Mutation) mutation {
	var cs []string
	for _, m := range ms {
		for _, c := range strings.Split(m.Clause, ", ") {
			if !slices.Contains(cs, c) {
				cs = append(cs, c)
			}
		}
	}
	return mutation{clause: strings.Join(cs, ", "), build: func(*run) ([]jose.Mutation, error) { return ms, nil }}
}

// mutsAt builds the mutations at run time (they need the run's keys and
// URLs); clause is what the result violates.
func mutsAt(clause string, f func(r *run) ([]jose.Mutation, error)) mutation {
	return mutation{clause: clause, build: f}
}
