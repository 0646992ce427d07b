package oauth

import (
	"fmt"
	"time"

	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

// The grant family: RFC 7523 §2.1 JWT authorization grants (SC-R001, and
// alg none under SC-R003), framed by two positive controls.

// grantProbe sends the valid grant changed by m.
func grantProbe(id, rule, title, clause string, m mutation) Probe {
	if clause == "" {
		clause = m.clause
	}
	return Probe{ID: id, Rule: rule, Batch: BatchGrant, Title: title, Clause: clause, Requests: 1, judge: judgeGrant, body: m.run}
}

func grantProbes(o *profile.OAuth) []Probe {
	control := func(id, title string, f frame) Probe {
		return Probe{ID: id, Rule: RuleR001, Batch: BatchGrant, Title: title, Clause: "RFC 7523 §2.1, RFC 6749 §5.1", Requests: 1,
			judge: judgeControl, frame: f, body: (*run).grantControl}
	}
	ps := []Probe{
		control("gr/control-before", "the valid JWT authorization grant is accepted before the negative batch", frameBefore),
		grantProbe("gr/expired", RuleR001, "an expired JWT grant is refused with invalid_grant", "RFC 7523 §3.1, §3 item 4", muts(jose.ExpIn(-5*time.Minute))),
		grantProbe("gr/aud-other-as", RuleR001, "a JWT grant for another authorization server is refused with invalid_grant", "RFC 7523 §3.1, §3 item 3", muts(jose.WithAudience("https://other-as.apisec.invalid/token"))),
		grantProbe("gr/signature-flipped", RuleR001, "a JWT grant with a corrupted signature is refused with invalid_grant", "RFC 7523 §3.1, §3 item 9", muts(jose.WithFlippedSignature())),
		grantProbe("gr/alg-none", RuleR003, `an unsigned JWT grant with alg "none" is refused with invalid_grant`, "RFC 7518 §3.6, RFC 7523 §3.1", muts(jose.WithAlgNone("none"))),
		grantProbe("gr/untrusted-issuer", RuleR001, "a JWT grant from an untrusted issuer is refused with invalid_grant", "RFC 7523 §3.1, §3 item 1", mutsAt("RFC 7523 §3.1, §3 item 1", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithIss("https://untrusted.apisec.invalid"), jose.WithSigner(r.attacker)}, nil
		})),
		grantProbe("gr/without-sub", RuleR001, "a JWT grant without sub is refused with invalid_grant", "RFC 7523 §3.1, §3 item 2", muts(jose.WithoutClaim("sub"))),
		grantProbe("gr/two-jwts", RuleR001, "two JWTs in assertion are refused", "RFC 7523 §2.1", muts(jose.WithTwoJWTs())).
			withCodes("invalid_grant", "invalid_request"),
		grantProbe("gr/sub-not-allowed", RuleR001, "a JWT grant for a subject the issuer may not assert is refused with invalid_grant", "RFC 7523 §3.1, §3 item 2.A", muts(jose.WithSub("apisec-unknown-subject"))),
		{ID: "gr/broken-client-assertion", Rule: RuleR001, Batch: BatchGrant, Title: "a valid grant with a broken client assertion is refused with invalid_client",
			Clause: "RFC 7523 §3.1, RFC 7521 §4.2", Requests: 1, judge: judgeClient, body: (*run).grantBrokenClientAssertion},
		control("gr/control-after", "the valid JWT authorization grant is still accepted after the negative batch", frameAfter),
	}
	noGrant := verdict.Inapplicable("the profile names no oauth.grant_subject, so JWT authorization grants are not probed")
	for i := range ps {
		ps[i] = ps[i].unless(o.GrantSub() != "", noGrant)
	}
	return ps
}

// grantControl is gr/control-before and gr/control-after: the valid grant.
func (r *run) grantControl(p Probe) error {
	s, err := jose.Mutate(r.grant).Compact()
	if err != nil {
		return err
	}
	tok, err := Accepted(p.Title, p.Clause, true, false, r.postForm(r.grantForm(s), nil))
	if tok == nil && p.frame == frameBefore {
		r.blocked[p.Batch] = fmt.Errorf("the valid JWT grant was not accepted (%s)", r.cur.lastSummary())
	}
	return err
}

// grantBrokenClientAssertion sends the valid grant with a client
// assertion whose signature is broken: the client authentication fails,
// whatever the grant (RFC 7523 §3.1, RFC 7521 §4.2).
func (r *run) grantBrokenClientAssertion(p Probe) error {
	g, err := jose.Mutate(r.grant).Compact()
	if err != nil {
		return err
	}
	broken, err := jose.Mutate(r.base, jose.WithFlippedSignature()).Compact()
	if err != nil {
		return err
	}
	ex := r.postForm(r.grantForm(g, [2]string{"client_assertion_type", AssertionTypeJWT}, [2]string{"client_assertion", broken}), nil)
	return Refused(p.Title, p.Clause, Refusal{Codes: []string{"invalid_client"}, WarnOtherCodes: true}, ex)
}
