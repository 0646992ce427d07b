package oauth

import (
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
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
	// Severity is the finding's severity when the target does what the
	// probe forbids (issues a token, serves a forged token): critical for
	// an expired, not-yet-valid, unsigned, wrongly signed or wrongly
	// addressed credential, else high (docs/severity.md).
	Severity verdict.Severity `json:"severity"`
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
	judgeClient          judgement = iota // invalid_client under the error-code policy (RFC 7523 §3.2)
	judgeClientEither                     // invalid_client under either policy
	judgeClientOrRequest                  // invalid_client or invalid_request (RFC 6749 §5.2)
	judgeGrant                            // 400 invalid_grant (RFC 7523 §3.1 MUST)
	judgeRefuseShould                     // SHOULD be refused: a token is a warning
	judgeToken                            // MUST issue a token
	judgeTokenShould                      // SHOULD issue a token; refusal warns
	judgeRecord                           // the target may choose: recorded (info); a 5xx fails
	judgeCheck                            // a check of fetched data
	judgeControl                          // positive control
	judgeRefusal                          // the probe's own Refusal
)

// policyEither marks a code both error-code policies demand.
const policyEither = "either"

// refusalFor is what a refusing probe expects, under the profile's
// error-code policy (oauth.error_codes): strict takes RFC 7523 §3.2 at its
// word (invalid_client), oidf (the default) also takes invalid_request
// with a warning, as the OpenID Foundation conformance suite does. Any
// other code fails, with low severity, under both.
func refusalFor(p Probe, policy string) Refusal {
	if policy == "" {
		policy = profile.ErrorCodesOIDF
	}
	ref := Refusal{Accepted: p.Severity}
	switch {
	case p.ref != nil:
		ref.Codes, ref.WarnOtherCodes = p.ref.Codes, p.ref.WarnOtherCodes
	case p.Rule != RuleR001 && p.judge == judgeGrant:
		// A JOSE-level probe: that the JWT is refused is what counts; which
		// error code says so is judged by the SC-R001 probes.
		ref.Codes, ref.AnyCode = []string{"invalid_grant"}, true
	case p.Rule != RuleR001:
		ref.Codes, ref.AnyCode = []string{"invalid_client"}, true
	case p.judge == judgeGrant:
		ref.Codes = []string{"invalid_grant"}
	case p.judge == judgeClientOrRequest:
		ref.Codes = []string{"invalid_client", "invalid_request"}
	case p.judge == judgeClientEither:
		ref.Codes, ref.Policy = []string{"invalid_client"}, policyEither
	default: // judgeClient, judgeRefuseShould
		ref.Codes, ref.Policy = []string{"invalid_client"}, policy
		if policy != profile.ErrorCodesStrict {
			ref.WarnCodes = []string{"invalid_request"}
		}
	}
	ref.Should = p.judge == judgeRefuseShould
	return ref
}

func (j judgement) String() string {
	switch j {
	case judgeToken, judgeControl:
		return "200 with an access_token"
	case judgeTokenShould:
		return "200 with an access_token (SHOULD; a refusal is a warning, a 5xx a failure)"
	case judgeRecord:
		return "the target's choice, recorded outside the verdict; a 5xx fails"
	}
	return "check"
}

// refuses reports judgements that expect an RFC 6749 §5.2 error.
func (j judgement) refuses() bool {
	switch j {
	case judgeClient, judgeClientEither, judgeClientOrRequest, judgeGrant, judgeRefuseShould, judgeRefusal:
		return true
	}
	return false
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
		if p.Severity == "" {
			p.Severity = SevAccepted
		}
		switch {
		case p.Expect != "":
		case p.judge.refuses():
			p.Expect = refusalFor(*p, o.ErrorCodes).String()
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

// refusing gives the probe error codes of its own (RFC 6749 §5.2 names
// the code for the case).
func (p Probe) refusing(r Refusal) Probe {
	p.judge, p.ref = judgeRefusal, &r
	return p
}

// critical marks a probe whose acceptance gives a token for an expired,
// not-yet-valid, unsigned, wrongly signed or wrongly addressed credential.
func (p Probe) critical() Probe {
	p.Severity = SevForged
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
