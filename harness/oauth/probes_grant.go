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
	return Probe{ID: id, Rule: rule, Batch: BatchGrant, Title: title, Clause: clause, Requests: 1, judge: judgeGrant, body: m.run}
}

func grantProbes(o *profile.OAuth) []Probe {
	control := func(id, title string, f frame) Probe {
		return Probe{ID: id, Rule: RuleR001, Batch: BatchGrant, Title: title, Clause: "RFC 7523 §2.1, RFC 6749 §5.1", Requests: 1,
			judge: judgeControl, frame: f, body: (*run).grantControl}
	}
	ps := []Probe{
		control("gr/control-before", "the valid JWT authorization grant is accepted before the negative batch", frameBefore),
		grantProbe("gr/expired", RuleR001, "an expired JWT grant is refused with invalid_grant", "RFC 7523 §3.1, §3 item 4", muts(jose.ExpIn(-5*time.Minute))).critical(),
		grantProbe("gr/aud-other-as", RuleR001, "a JWT grant for another authorization server is refused with invalid_grant", "RFC 7523 §3.1, §3 item 3", muts(jose.WithAudience("https://other-as.apisec.invalid/token"))).critical(),
		grantProbe("gr/signature-flipped", RuleR001, "a JWT grant with a corrupted signature is refused with invalid_grant", "RFC 7523 §3.1, §3 item 9", muts(jose.WithFlippedSignature())).critical(),
		grantProbe("gr/alg-none", RuleR003, `an unsigned JWT grant with alg "none" is refused with invalid_grant`, "RFC 7518 §3.6, RFC 7523 §3.1", muts(jose.WithAlgNone("none"))).critical(),
		// RFC 7523 §3 item 1: only an issuer the server trusts may assert the
		// subject. Signed with the grant's own key, so only iss differs: a
		// server that finds the key by kid alone, whatever the issuer,
		// accepts it.
		grantProbe("gr/untrusted-issuer", RuleR001, "a JWT grant from an untrusted issuer is refused with invalid_grant", "RFC 7523 §3.1, §3 item 1", muts(jose.WithIss("https://untrusted.apisec.invalid"))).critical(),
		grantProbe("gr/without-sub", RuleR001, "a JWT grant without sub is refused with invalid_grant", "RFC 7523 §3.1, §3 item 2", muts(jose.WithoutClaim("sub"))),
		grantProbe("gr/two-jwts", RuleR001, "two JWTs in assertion are refused", "RFC 7523 §2.1", muts(jose.WithTwoJWTs())).
			withCodes("invalid_grant", "invalid_request"),
		grantProbe("gr/sub-not-allowed", RuleR001, "a JWT grant for a subject the issuer may not assert is refused with invalid_grant", "RFC 7523 §3.1, §3 item 2.A", muts(jose.WithSub("apisec-unknown-subject"))).critical(),
		Probe{ID: "gr/broken-client-assertion", Rule: RuleR001, Batch: BatchGrant, Title: "a valid grant with a broken client assertion is refused with invalid_client",
			Clause: "RFC 7523 §3.1, RFC 7521 §4.2", Requests: 1, judge: judgeClient, body: (*run).grantBrokenClientAssertion}.critical(),
		control("gr/control-after", "the valid JWT authorization grant is still accepted after the negative batch", frameAfter),
	}
	noGrant := verdict.OutOfScope("the profile names no oauth.grant_subject, so JWT authorization grants are not probed")
	for i := range ps {
		ps[i] = ps[i].unless(o.GrantSub() != "", noGrant)
	}
	return ps
}

// grantControl is gr/control-before and gr/control-after: the valid grant.
// A refusal is "could not test" with a hint at the profile field that
// likely causes it: the suite cannot tell a server that refuses valid
// grants from a grant configured unlike the server's trust (RFC 7523 §3
// items 1-3, §3.1 client authentication). A 5xx stays a failure.
func (r *run) grantControl(p Probe) error {
	s, err := jose.Mutate(r.grant).Compact()
	if err != nil {
		return err
	}
	form, err := r.grantForm(s, "")
	if err != nil {
		return err
	}
	ex := r.postForm(form, nil)
	tok, err := Accepted(p.Title, p.Clause, true, false, ex)
	if tok == nil && refusedByError(ex) {
		err = verdict.CouldNotTestf(p.Title, "the valid JWT grant was refused (%s): %s", describe(ex), r.grantHint(p, ex))
	}
	if tok == nil && p.frame == frameBefore {
		r.blocked[p.Batch] = fmt.Errorf("the valid JWT grant was not accepted (%s)", r.cur.lastSummary())
	}
	return err
}

// grantHint names the profile fields an error answer points at.
func (r *run) grantHint(p Probe, ex *Exchange) string {
	if p.frame == frameAfter {
		return "a lockout or rate limit after the negative batch? the refusals in the batch prove nothing"
	}
	c := r.grant.Config()
	switch ex.str("error") {
	case "invalid_client", "invalid_request":
		// fosite says "Client credentials missing" with invalid_request.
		if !r.grantClientAuth() {
			return "the server may want the client authenticated on the grant: set oauth.grant.client_auth: private_key_jwt (RFC 7523 §3.1)"
		}
		return "the client authentication on the grant was refused: check oauth.client_id and oauth.signing_key"
	case "invalid_grant":
		return fmt.Sprintf("is issuer %q trusted for subject %q with the key of oauth.grant.signing_key (kid %q), and is %q an audience the server accepts? (oauth.grant.issuer, subject, signing_key, key_id, audience)",
			c.Issuer, c.Subject, c.Key.KID, c.Audience)
	case "unauthorized_client":
		return "the client may not use the JWT grant: register " + GrantJWTBearer + " for oauth.client_id"
	case "unsupported_grant_type":
		return "the server does not offer the JWT grant: leave out oauth.grant_subject and oauth.grant"
	case "invalid_scope":
		return "check oauth.scope"
	}
	return "check oauth.grant and oauth.grant_subject"
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
	form, err := r.grantForm(g, broken)
	if err != nil {
		return err
	}
	return r.judge(p, r.postForm(form, nil))
}
