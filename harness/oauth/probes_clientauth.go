package oauth

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/cause"
	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

// The client authentication family: RFC 7523 §2.2 client assertions at the
// token endpoint (SC-R001), their JOSE layer (SC-R003) and HMAC assertions
// (SC008), framed by two positive controls.

// assertion is a probe that sends the valid client assertion changed by m.
func assertion(id, rule, title string, j judgement, m mutation) Probe {
	return Probe{ID: id, Rule: rule, Batch: BatchClientAuth, Title: title, Clause: m.clause, Requests: 1, judge: j, body: m.run}
}

// jws is an SC-R003 assertion probe: only the refusal counts, the error
// code is SC-R001's business.
func jws(id, title string, m mutation) Probe { return assertion(id, RuleR003, title, judgeClient, m) }

// hmacAssertion is an SC008 probe: a symmetrically signed assertion.
func hmacAssertion(id, title string, mu jose.Mutation) Probe {
	return assertion(id, Rule008, title, judgeClient, muts(mu))
}

// request is a probe whose assertion is valid and whose request around it
// is not (RFC 7521 §4.2, RFC 6749 §3.2).
func request(id, title, clause string, j judgement, send func(r *run, assertion string) *Exchange) Probe {
	return Probe{ID: id, Rule: RuleR001, Batch: BatchClientAuth, Title: title, Clause: clause, Requests: 1, judge: j,
		body: func(r *run, p Probe) error {
			s, err := r.fresh()
			if err != nil {
				return err
			}
			return r.judge(p, send(r, s))
		}}
}

// special is a probe with a body of its own.
func special(id, rule, title, clause string, requests int, j judgement, body func(r *run, p Probe) error) Probe {
	return Probe{ID: id, Rule: rule, Batch: BatchClientAuth, Title: title, Clause: clause, Requests: requests, judge: j, body: body}
}

func clientAuthProbes(o *profile.OAuth) []Probe {
	bis := o.AudienceProfile == AudRFC7523bis
	// Each control may try the other audience RFC 7523 §3 item 3 allows
	// when its first choice is refused (see clientControl).
	before := Probe{ID: "ca/control-before", Rule: RuleR001, Batch: BatchClientAuth, frame: frameBefore,
		Title:  "the valid client assertion is accepted before the negative batch",
		Clause: "RFC 7523 §2.2, RFC 6749 §5.1", Requests: 2, judge: judgeControl, body: (*run).clientControl}
	after := Probe{ID: "ca/control-after", Rule: RuleR001, Batch: BatchClientAuth, frame: frameAfter,
		Title:  "the valid client assertion is still accepted after the negative batch",
		Clause: "RFC 7523 §2.2, RFC 6749 §5.1", Requests: 1, judge: judgeControl, body: (*run).clientControl}
	noSecond := verdict.OutOfScope("the profile names no oauth.second_client, so another registered client cannot be named (RFC 8725 §3.8)")

	ps := []Probe{before}
	// RFC 7521 §4.2 request parameters and RFC 6749 request rules.
	ps = append(ps,
		request("ca/assertion-type-unknown", "an unknown client_assertion_type is refused", "RFC 7521 §4.2", judgeClientOrRequest, func(r *run, s string) *Exchange {
			return r.postForm([][2]string{{"grant_type", GrantCC}, {"client_assertion_type", "urn:apisec:unknown-assertion-type"}, {"client_assertion", s}}, nil)
		}),
		request("ca/assertion-missing", "a client_assertion_type without client_assertion is refused", "RFC 7521 §4.2", judgeClientOrRequest, func(r *run, _ string) *Exchange {
			return r.postForm([][2]string{{"grant_type", GrantCC}, {"client_assertion_type", AssertionTypeJWT}}, nil)
		}),
		request("ca/client-id-mismatch", "a client_id naming another client than the assertion is refused", "RFC 7521 §4.2", judgeClient, func(r *run, s string) *Exchange {
			return r.postForm(r.ccForm(s, [2]string{"client_id", r.o.ClientID + "-apisec-other"}), nil)
		}),
		// RFC 7521 §4.2: client_id, when sent, must identify the client the
		// assertion authenticates; one that names another registered
		// client is invalid_client under either error-code policy.
		request("ca/client-id-other-client", "a client_id naming another registered client is refused with invalid_client", "RFC 7521 §4.2, RFC 7523 §3.2", judgeClientEither, func(r *run, s string) *Exchange {
			return r.postForm(r.ccForm(s, [2]string{"client_id", r.o.SecondClient.ClientID}), nil)
		}).unless(o.SecondClient != nil, noSecond),
		request("ca/client-secret-too", "a client assertion together with client_secret is refused", "RFC 7521 §4.2.1, RFC 6749 §2.3", judgeClientOrRequest, func(r *run, s string) *Exchange {
			return r.postForm(r.ccForm(s, [2]string{"client_secret", "apisec-not-a-secret"}), nil)
		}),
		request("ca/basic-auth-too", "a client assertion together with HTTP Basic authentication is refused", "RFC 7521 §4.2.1, RFC 6749 §2.3", judgeClientOrRequest, func(r *run, s string) *Exchange {
			cred := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(r.o.ClientID) + ":apisec-not-a-secret"))
			return r.postForm(r.ccForm(s), http.Header{"Authorization": {"Basic " + cred}})
		}),
		request("ca/no-client-authentication", "a client_credentials request without client authentication is refused", "RFC 6749 §3.2.1, RFC 9700 §2.5", judgeClient, func(r *run, _ string) *Exchange {
			return r.postForm([][2]string{{"grant_type", GrantCC}, {"client_id", r.o.ClientID}}, nil)
		}),
		request("ca/duplicate-parameter", "a request with client_assertion twice is refused", "RFC 6749 §3.2, §5.2", judgeRefusal, func(r *run, s string) *Exchange {
			s2, err := r.fresh()
			if err != nil {
				return &Exchange{Err: err, ErrText: err.Error()}
			}
			return r.postForm(r.ccForm(s, [2]string{"client_assertion", s2}), nil)
		}).refusing(Refusal{Codes: []string{"invalid_request"}, WarnOtherCodes: true}),
		request("ca/unknown-parameter", "an unknown request parameter is ignored", "RFC 6749 §3.2", judgeToken, func(r *run, s string) *Exchange {
			return r.postForm(r.ccForm(s, [2]string{"apisec_unknown_parameter", "1"}), nil)
		}),
		request("ca/empty-client-id", "an empty client_id is treated as omitted", "RFC 6749 §3.2", judgeToken, func(r *run, s string) *Exchange {
			return r.postForm(r.ccForm(s, [2]string{"client_id", ""}), nil)
		}),
		request("ca/unsupported-grant-type", "an unknown grant_type is refused with unsupported_grant_type", "RFC 6749 §5.2", judgeRefusal, func(r *run, s string) *Exchange {
			return r.postForm([][2]string{{"grant_type", "urn:apisec:unknown-grant-type"}, {"client_assertion_type", AssertionTypeJWT}, {"client_assertion", s}}, nil)
		}).refusing(Refusal{Codes: []string{"unsupported_grant_type"}, WarnOtherCodes: true}),
		request("ca/password-grant", "the resource owner password grant is not offered", "RFC 9700 §2.4, RFC 6749 §5.2", judgeRefusal, func(r *run, s string) *Exchange {
			return r.postForm([][2]string{{"grant_type", "password"}, {"username", "apisec-test"}, {"password", "apisec-not-a-password"}, {"client_assertion_type", AssertionTypeJWT}, {"client_assertion", s}}, nil)
		}).refusing(Refusal{Codes: []string{"unsupported_grant_type", "unauthorized_client"}, WarnOtherCodes: true}),
		request("ca/invalid-scope", "a scope with a character outside NQCHAR is refused with invalid_scope", "RFC 6749 §3.3, §5.2", judgeRefusal, func(r *run, s string) *Exchange {
			return r.postForm([][2]string{{"grant_type", GrantCC}, {"client_assertion_type", AssertionTypeJWT}, {"client_assertion", s}, {"scope", `apisec"invalid`}}, nil)
		}).refusing(Refusal{Codes: []string{"invalid_scope"}, WarnOtherCodes: true}),
		special("ca/get-method", RuleR001, "a token request by GET does not yield a token", "RFC 6749 §3.2", 1, judgeRefuseShould, (*run).getMethod).
			expecting("no access_token (a token is a warning, a 5xx a failure)"),
	)

	// RFC 7523 §2.2 and §3: one JWT, with the required claims.
	ps = append(ps,
		assertion("ca/two-jwts", RuleR001, "two JWTs in client_assertion are refused", judgeClient, muts(jose.WithTwoJWTs())),
		assertion("ca/jwe-instead-of-jws", RuleR001, "a JWE in client_assertion is refused", judgeClient, muts(jose.WithJWE())),
		assertion("ca/without-iss", RuleR001, "an assertion without iss is refused", judgeClient, muts(jose.WithoutClaim("iss"))),
		assertion("ca/iss-wrong", RuleR001, "an assertion whose iss is not the client is refused", judgeClient, muts(jose.WithIss("wrong-issuer-value"))),
		assertion("ca/iss-case", RuleR001, "an assertion whose iss differs from the client_id in case is refused", judgeClient, caseOf("iss")),
		assertion("ca/iss-trailing-space", RuleR001, "an assertion whose iss has a trailing space is refused", judgeClient, mutsAt("RFC 7523 §3 item 1, RFC 3986 §6.2.1", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithIss(r.o.ClientID + " ")}, nil
		})),
		assertion("ca/without-sub", RuleR001, "an assertion without sub is refused", judgeClient, muts(jose.WithoutClaim("sub"))),
		assertion("ca/sub-wrong", RuleR001, "an assertion whose sub is not the client_id is refused", judgeClient, muts(jose.WithSub("wrong-sub-value"))),
		assertion("ca/iss-not-sub", RuleR001, "an assertion whose sub names another client than iss is refused", judgeClient, muts(jose.WithIssNotSub())),
		assertion("ca/without-aud", RuleR001, "an assertion without aud is refused", judgeClient, muts(jose.WithoutClaim("aud"))).critical(),
		assertion("ca/aud-other-as", RuleR001, "an assertion for another authorization server is refused", judgeClient, muts(jose.WithAudience("https://other-as.apisec.invalid/token"))).critical(),
		assertion("ca/aud-case", RuleR001, "an assertion whose aud differs from the expected one in case is refused", judgeClient, caseOf("aud")).critical(),
		assertion("ca/aud-trailing-slash", RuleR001, "an assertion whose aud differs from the expected one by a trailing slash is refused", judgeClient, mutsAt("RFC 7523 §3 item 3, RFC 3986 §6.2.1", func(r *run) ([]jose.Mutation, error) {
			a := r.baseAud()
			if strings.HasSuffix(a, "/") {
				a = strings.TrimSuffix(a, "/")
			} else {
				a += "/"
			}
			return []jose.Mutation{jose.WithAudience(a)}, nil
		})).critical(),
		assertion("ca/without-exp", RuleR001, "an assertion without exp is refused", judgeClient, muts(jose.WithoutClaim("exp"))),
		assertion("ca/exp-5m-ago", RuleR001, "an assertion whose exp lies 5 minutes in the past is refused", judgeClient, muts(jose.ExpIn(-5*time.Minute))).critical(),
		assertion("ca/exp-not-numericdate", RuleR001, "an assertion whose exp is not a NumericDate is refused", judgeClient, muts(jose.WithExpNotNumericDate())),
		assertion("ca/exp-in-1-year", RuleR001, "an assertion valid for a year (the AS MAY refuse it)", judgeRecord, muts(jose.ExpIn(365*24*time.Hour))),
		assertion("ca/nbf-10m-ahead", RuleR001, "an assertion whose nbf lies 10 minutes ahead is refused", judgeClient, muts(jose.NbfIn(10*time.Minute))).critical(),
		assertion("ca/nbf-8s-ahead", RuleR001, "an assertion whose nbf lies 8 seconds ahead is accepted (clock skew)", judgeTokenShould, muts(jose.NbfIn(8*time.Second))),
		// RFC 7519 §4.1.6 gives iat no validity rule; a few seconds ahead is
		// clock skew to tolerate, minutes ahead a time no honest client
		// writes (RFC 7523 §3 item 6 lets the AS judge iat).
		assertion("ca/iat-5s-ahead", RuleR001, "an assertion whose iat lies 5 seconds ahead is accepted (clock skew)", judgeTokenShould, muts(jose.IatIn(5*time.Second))),
		assertion("ca/iat-10m-ahead", RuleR001, "an assertion whose iat lies 10 minutes ahead should be refused", judgeRefuseShould, muts(jose.IatIn(10*time.Minute))),
		assertion("ca/iat-1-day-ago", RuleR001, "an assertion issued a day ago (the AS MAY refuse it)", judgeRecord, muts(jose.IatIn(-24*time.Hour))),
		assertion("ca/without-jti", RuleR001, "an assertion without jti (OIDC Core §9 requires it; RFC 7523 does not)", judgeRecord, muts(jose.WithoutClaim("jti"))),
		special("ca/replay", RuleR001, "an assertion used a second time is refused", "RFC 7523 §3 item 7, OIDC Core §9", 2, judgeClient, (*run).replay),
		assertion("ca/signature-flipped", RuleR001, "an assertion with a corrupted signature is refused", judgeClient, muts(jose.WithFlippedSignature())).critical(),
		assertion("ca/signature-removed", RuleR001, "an assertion with an empty signature segment is refused", judgeClient, muts(jose.WithoutSignature())).critical(),
		assertion("ca/unregistered-key", RuleR001, "an assertion signed by a key the client never registered is refused", judgeClient, muts(jose.WithUnregisteredKey())).critical(),
		assertion("ca/unknown-kid", RuleR001, "an assertion naming an unknown kid is refused or verified with the client's key", judgeRecord, muts(jose.WithUnknownKID())),
		assertion("ca/attacker-key-unknown-kid", RuleR001, "an assertion signed by an unregistered key under an unknown kid is refused", judgeClient, mutsAt("RFC 7523 §3 item 9, RFC 7515 §4.1.4", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithSigner(r.attacker)}, nil
		})).critical(),
		assertion("ca/duplicate-iss", RuleR001, "an assertion with a second, wrong iss member is refused", judgeClient, muts(jose.WithDuplicateClaim("iss", "wrong-issuer-value"))),
		assertion("ca/payload-not-utf8", RuleR001, "an assertion whose claims are not UTF-8 is refused", judgeClient, muts(jose.WithPayloadNotUTF8())),
		special("ca/access-token-as-assertion", RuleR001, "the AS's own access token sent as client_assertion is refused", "RFC 8725 §3.12, RFC 7523 §3", 1, judgeClient, (*run).accessTokenAsAssertion),
		// B9d: a key registered to another client must not sign for this one.
		special("ca/foreign-client-key", RuleR001, "an assertion signed by another registered client's key under that client's kid is refused",
			"RFC 7523 §3 item 9, RFC 8725 §3.8", 2, judgeClient, (*run).foreignKey).critical().
			unless(o.SecondClient != nil, noSecond),
		special("ca/rsa-1024-bit-key", RuleR003, "an assertion signed by a 1024-bit RSA key the client published is refused", "RFC 7518 §3.3", 1, judgeClient, (*run).weakRSAKey).
			unless(o.KeyDistribution == "jwks_uri", verdict.Inapplicable("the RSA-1024 probe needs oauth.key_distribution jwks_uri, so the target can fetch the weak key from the suite")),
	)
	ps = append(ps, audienceProbes(bis)...)
	ps = append(ps,
		assertion("ca/typ-jwt", RuleR001, `an assertion with typ "JWT" is accepted`, judgeTokenShould, muts(jose.WithTyp("JWT"))),
		assertion("ca/without-typ", RuleR001, "an assertion without typ is accepted", judgeTokenShould, muts(jose.WithTyp(""))),
		// RFC 8725 §3.11: a JWT of another kind, with every claim an
		// assertion needs, SHOULD NOT pass as a client assertion.
		assertion("ca/typ-dpop-jwt", RuleR001, `an assertion typed "dpop+jwt" (another kind of JWT) should be refused`, judgeRefuseShould, muts(jose.WithTyp("dpop+jwt"))),
		assertion("ca/typ-at-jwt", RuleR001, `an assertion typed "at+jwt" (an access token) should be refused`, judgeRefuseShould, muts(jose.WithTyp("at+jwt"))),
		assertion("ca/dpop-proof-as-assertion", RuleR001, "a DPoP proof signed by the client's key is refused as client assertion", judgeClient, mutsAt("RFC 8725 §3.12, RFC 7523 §3", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.AsDPoPProof(r.o.TokenEndpoint)}, nil
		})),
	)

	// RFC 7515 / 7518 / 8725: the JOSE layer (SC-R003).
	ps = append(ps,
		jws("ca/without-alg", "an assertion without alg is refused", muts(jose.WithoutAlg())).critical(),
		jws("ca/crit-unknown", "an assertion with an unknown critical extension is refused", muts(jose.WithUnknownCrit(true))),
		jws("ca/crit-unknown-absent", "an assertion listing an absent unknown extension in crit is refused", muts(jose.WithUnknownCrit(false))),
		jws("ca/duplicate-header-alg", `an assertion whose header repeats alg with "none" last is refused`, muts(jose.WithDuplicateHeader("alg", "none"))).critical(),
		jws("ca/header-trailing-comma", "an assertion whose header is not valid JSON is refused", muts(jose.WithMalformedHeader(jose.HeaderTrailingComma))),
		jws("ca/header-array", "an assertion whose header is a JSON array is refused", muts(jose.WithMalformedHeader(jose.HeaderArray))),
		jws("ca/header-string", "an assertion whose header is a JSON string is refused", muts(jose.WithMalformedHeader(jose.HeaderString))),
		jws("ca/utf16-json", "an assertion encoded in UTF-16 is refused", muts(jose.WithUTF16JSON())),
		jws("ca/nested-jwt-inner-invalid", "a nested JWT whose inner signature is invalid is refused", muts(jose.WithNestedJWT())),
		jws("ca/base64-padded", "an assertion with base64 padding is refused", muts(jose.WithPaddedBase64())),
		jws("ca/base64-standard-alphabet", "an assertion in the +/ base64 alphabet is refused", muts(jose.WithStdBase64())),
		jws("ca/base64-line-break", "an assertion with a line break is refused", muts(jose.WithLineBreak())),
		jws("ca/base64-garbage", "an assertion with a character outside base64url is refused", muts(jose.WithGarbageBase64())),
		jws("ca/json-serialization-flattened", "a flattened JWS JSON serialization is refused", muts(jose.WithJSONSerialization(true))),
		jws("ca/json-serialization-general", "a general JWS JSON serialization is refused", muts(jose.WithJSONSerialization(false))),
		// RFC 7518 §3.6: an unsecured JWS is never a client assertion.
		jws("ca/alg-none", `an unsigned assertion with alg "none" is refused`, muts(jose.WithAlgNone("none"))).critical(),
		jws("ca/alg-None", `an unsigned assertion with alg "None" is refused`, muts(jose.WithAlgNone("None"))).critical(),
		jws("ca/alg-NONE", `an unsigned assertion with alg "NONE" is refused`, muts(jose.WithAlgNone("NONE"))).critical(),
		jws("ca/alg-nOnE", `an unsigned assertion with alg "nOnE" is refused`, muts(jose.WithAlgNone("nOnE"))).critical(),
		jws("ca/alg-none-signature-kept", `an assertion relabelled alg "none" with its signature kept is refused`, muts(jose.WithAlgNoneKeepSignature())).critical(),
		jws("ca/alg-swap", "an assertion signed with another algorithm of the registered key is refused", muts(jose.WithAlg("PS256"))),
		jws("ca/alg-key-type-mismatch", "an assertion whose alg does not fit the key type is refused", muts(jose.WithAlgKeyTypeMismatch())),
		jws("ca/es384-on-p256", "an ES384 assertion made with a P-256 key is refused", muts(jose.WithCurveMismatch())),
		jws("ca/ecdsa-zero-signature", "an assertion with the all-zero ECDSA signature is refused", muts(jose.WithZeroECDSASignature())).critical(),
		jws("ca/ecdsa-zero-signature-der", "an assertion with the DER all-zero ECDSA signature is refused", muts(jose.WithPsychicDERSignature())).critical(),
		jws("ca/ecdsa-der-signature", "an assertion whose ECDSA signature is DER-encoded is refused", muts(jose.WithDERECDSASignature())),
		jws("ca/signature-truncated", "an assertion whose signature is one octet short is refused", muts(jose.WithTruncatedSignature())).critical(),
		jws("ca/signature-extended", "an assertion whose signature is one octet long is refused", muts(jose.WithAppendedSignatureByte())).critical(),
		jws("ca/hs256-keyed-with-public-key-pem", "HS256 keyed with the client's PEM public key is refused", muts(jose.WithHS256KeyedWithPublicKey(jose.PublicKeyPEM))).critical(),
		jws("ca/hs256-keyed-with-public-key-der", "HS256 keyed with the client's DER public key is refused", muts(jose.WithHS256KeyedWithPublicKey(jose.PublicKeyDER))).critical(),
		jws("ca/hs256-keyed-with-public-key-jwk", "HS256 keyed with the client's JWK public key is refused", muts(jose.WithHS256KeyedWithPublicKey(jose.PublicKeyJWK))).critical(),
		jws("ca/embedded-jwk", "an assertion that brings its own key in jwk is refused", mutsAt("RFC 7515 §4.1.3, RFC 8725 §3.10", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithEmbeddedJWK(r.attacker)}, nil
		})).critical(),
		special("ca/jku", RuleR003, "an assertion whose jku points at the suite's JWKS is refused and the URL not fetched", "RFC 7515 §4.1.2, RFC 8725 §3.10", 1, judgeClient, fetchProbe(jkuHeader)).critical().
			unless(callbackReachable(o), noCallback()),
		special("ca/x5u", RuleR003, "an assertion whose x5u points at the suite's certificate is refused and the URL not fetched", "RFC 7515 §4.1.5, RFC 8725 §3.10", 1, judgeClient, fetchProbe(x5uHeader)).critical().
			unless(callbackReachable(o), noCallback()),
		jws("ca/x5c-self-signed", "an assertion carrying a self-signed certificate in x5c is refused", mutsAt("RFC 7515 §4.1.6, RFC 8725 §3.10", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithX5C(r.attacker)}, nil
		})).critical(),
		// A kid that reaches a file system, database or shell (jwt_tool's
		// injections); the command one is also timed.
		jws("ca/kid-path-traversal", "a kid path traversal with an empty HMAC key is refused", timed(muts(jose.WithKIDInjection("path-traversal", "../../../../../../dev/null", nil)))).critical(),
		jws("ca/kid-dev-null", "a kid of /dev/null with an empty HMAC key is refused", timed(muts(jose.WithKIDInjection("dev-null", "/dev/null", nil)))).critical(),
		jws("ca/kid-sql-injection", "a kid SQL injection with HMAC key \"1\" is refused", timed(muts(jose.WithKIDInjection("sql", "x' UNION SELECT '1';--", []byte("1"))))).critical(),
		jws("ca/kid-command-injection", "a kid command injection is refused without delay", timed(muts(jose.WithKIDInjection("command", "|sleep 10", nil)))).critical(),
	)

	// SC008: HMAC (client_secret_jwt) client assertions are refused.
	ps = append(ps,
		hmacAssertion("ca/hs256-empty-key", "an HS256 assertion with an empty key is refused", jose.WithHMAC("HS256", nil, "empty")).critical(),
		hmacAssertion("ca/hs256-common-secret", `an HS256 assertion keyed "secret" is refused`, jose.WithHMAC("HS256", []byte("secret"), "common")).critical(),
		hmacAssertion("ca/hs384-common-secret", `an HS384 assertion keyed "secret" is refused`, jose.WithHMAC("HS384", []byte("secret"), "common")).critical(),
		hmacAssertion("ca/hs512-common-secret", `an HS512 assertion keyed "secret" is refused`, jose.WithHMAC("HS512", []byte("secret"), "common")).critical(),
	)
	return append(ps, after)
}

// caseOf flips the case of a claim's expected value.
func caseOf(claim string) mutation {
	clause := map[string]string{"iss": "RFC 7523 §3 item 1", "aud": "RFC 7523 §3 item 3"}[claim] + ", RFC 3986 §6.2.1"
	return mutsAt(clause, func(r *run) ([]jose.Mutation, error) {
		v := r.o.ClientID
		if claim == "aud" {
			v = r.baseAud()
		}
		w := strings.ToUpper(v)
		if w == v {
			w = strings.ToLower(v)
		}
		if w == v {
			return nil, jose.ErrNotApplicable
		}
		if claim == "aud" {
			return []jose.Mutation{jose.WithAudience(w)}, nil
		}
		return []jose.Mutation{jose.WithIss(w)}, nil
	})
}

// audienceProbes are the profile-dependent aud probes (rfc7523bis §3 vs
// RFC 7523 §3 item 3); ca/audience-profile sums them up from what each one
// recorded under its audience role.
func audienceProbes(bis bool) []Probe {
	mustBis := func(bisJudge judgement) judgement {
		if bis {
			return bisJudge
		}
		return judgeRecord
	}
	issuerJudge := judgeRecord
	if bis {
		issuerJudge = judgeToken
	}
	iss := func(r *run) string { return r.o.Issuer }
	tok := func(r *run) string { return r.o.TokenEndpoint }
	evil := "https://evil.apisec.invalid"
	const clause = "RFC 7523 §3 item 3, draft-ietf-oauth-rfc7523bis §3"
	aud := func(id, title string, j judgement, role audRole, f func(r *run) []jose.Mutation) Probe {
		m := mutsAt(clause, func(r *run) ([]jose.Mutation, error) { return f(r), nil })
		return assertion(id, RuleR001, title, j, m.recordedAs(role))
	}
	return []Probe{
		aud("ca/aud-issuer", "an assertion whose aud is the issuer identifier", issuerJudge, audIssuer, func(r *run) []jose.Mutation {
			return []jose.Mutation{jose.WithAudience(iss(r))}
		}),
		aud("ca/aud-token-endpoint", "an assertion whose aud is the token endpoint URL", mustBis(judgeClient), audTokenEndpoint, func(r *run) []jose.Mutation {
			return []jose.Mutation{jose.WithAudience(tok(r))}
		}),
		aud("ca/aud-issuer-array", "an assertion whose aud is an array holding only the issuer", judgeRecord, audNone, func(r *run) []jose.Mutation {
			return []jose.Mutation{jose.WithAudienceArray(iss(r))}
		}),
		aud("ca/aud-injection-issuer", "an assertion whose aud holds the issuer and another value is refused (audience injection)", mustBis(judgeClient), audInjectIssuer, func(r *run) []jose.Mutation {
			return []jose.Mutation{jose.WithAudienceArray(iss(r), evil)}
		}),
		aud("ca/aud-injection-token-endpoint", "an assertion whose aud holds the token endpoint and another value is refused", mustBis(judgeClient), audInjectTokenEndpoint, func(r *run) []jose.Mutation {
			return []jose.Mutation{jose.WithAudienceArray(tok(r), evil)}
		}),
		special("ca/audience-profile", RuleR001, "the audience rules the token endpoint meets", "draft-ietf-oauth-rfc7523bis §3, RFC 7523 §3 item 3", 0, judgeCheck, (*run).audienceSummary).
			expecting(map[bool]string{true: "issuer as sole audience (rfc7523bis)", false: "RFC 7523 or rfc7523bis audience rules; warning when only RFC 7523"}[bis]),
	}
}

// audRole names what an audience probe tells ca/audience-profile.
type audRole int

const (
	audNone audRole = iota
	audIssuer
	audTokenEndpoint
	audInjectIssuer
	audInjectTokenEndpoint
)

// recordedAs keeps the probe's result under its audience role.
func (m mutation) recordedAs(role audRole) mutation {
	return mutation{clause: m.clause, build: m.build, after: func(r *run) {
		if role != audNone {
			r.audSeen[role] = r.cur
		}
	}}
}

// timed adds the delay check: a kid that reaches a shell or a database
// shows as a slow answer (jwt_tool's "|sleep 10"); compared with the
// positive control.
func timed(m mutation) mutation {
	m.timed = true
	return m
}

// clientControl is ca/control-before and ca/control-after: the valid
// client assertion, which must be accepted for the batch to mean anything.
func (r *run) clientControl(p Probe) error {
	s, err := r.fresh()
	if err != nil {
		return err
	}
	ex := r.postForm(r.ccForm(s), nil)
	if p.frame == frameBefore && refusedByError(ex) {
		// RFC 7523 §3 item 3 lets the AS identify itself by the issuer or
		// the token endpoint URL; rfc7523bis demands the issuer. When the
		// first choice is refused, the batch runs with the other one: under
		// rfc7523bis that refusal is itself the deviation, which
		// ca/aud-issuer and ca/audience-profile report, and every other
		// probe still gets its verdict.
		first, other := ex.Summary(), r.o.Issuer
		if r.o.AudienceProfile == AudRFC7523bis {
			other = r.o.TokenEndpoint
		}
		if err := r.useAudience(other); err != nil {
			return err
		}
		if s, err = r.fresh(); err != nil {
			return err
		}
		ex = r.postForm(r.ccForm(s), nil)
		if ex.Status == 200 {
			r.cur.Notes = append(r.cur.Notes, fmt.Sprintf("aud %q was refused (%s), aud %q accepted: the batch uses %q (RFC 7523 §3 item 3)", r.firstAud(), first, other, other))
		}
	}
	if p.frame == frameBefore {
		r.cur.Notes = append(r.cur.Notes, policyNote(r.o.ErrorCodes))
	}
	tok, err := Accepted(p.Title, p.Clause, true, true, ex)
	if tok == nil && refusedByError(ex) {
		// The suite cannot tell a refused valid assertion from a profile
		// that does not match the registration (or, after the batch, from a
		// lockout): could not test, with the hint, never a failure.
		hint := "check oauth.client_id, oauth.signing_key and key_id (the key the server registered), oauth.audience_profile and oauth.scope"
		if p.frame == frameAfter {
			hint = "a lockout or rate limit after the negative batch? the refusals in the batch prove nothing"
		}
		err = verdict.CouldNotTestf(p.Title, "the valid client assertion was refused (%s): %s", describe(ex), hint)
	}
	if p.frame == frameBefore {
		if tok == nil {
			r.blocked[p.Batch] = fmt.Errorf("the valid client assertion was not accepted (%s)", r.cur.lastSummary())
		}
		r.token = tok
	}
	return err
}

// policyNote names the error-code policy the batch is judged by, so the
// report shows it beside the findings.
func policyNote(policy string) string {
	if policy == profile.ErrorCodesStrict {
		return "error-code policy strict (oauth.error_codes): a refused client assertion must be invalid_client (RFC 7523 §3.2); any other code fails (low)"
	}
	return "error-code policy oidf (oauth.error_codes, the default): a refused client assertion is invalid_client, or invalid_request with a warning, as the OpenID Foundation conformance suite accepts; any other code fails (low)"
}

// firstAud is the audience the control tried first.
func (r *run) firstAud() string {
	if r.o.AudienceProfile == AudRFC7523bis {
		return r.o.Issuer
	}
	return r.o.TokenEndpoint
}

// describe is the answer with its error_description, for hints.
func describe(ex *Exchange) string {
	s := ex.Summary()
	if d := ex.str("error_description"); d != "" {
		if len(d) > 200 {
			d = d[:200] + "…"
		}
		s += fmt.Sprintf(" %q", d)
	}
	return s
}

// callbackReachable reports whether the target can reach the suite's
// recorder: it runs on this machine, or the profile names a callback
// address it can reach.
func callbackReachable(o *profile.OAuth) bool {
	if o.CallbackURL != "" {
		return true
	}
	u, err := url.Parse(o.TokenEndpoint)
	return err == nil && profile.IsLoopbackHost(u.Hostname())
}

// noCallback is the verdict of a fetch probe that cannot observe a fetch:
// a target elsewhere cannot reach the recorder on 127.0.0.1, so silence
// would prove nothing (never a pass).
func noCallback() error {
	return &verdict.Finding{Status: verdict.Error, Cause: cause.Missing,
		Reason: "not tested: no reachable callback (the target is not on loopback and the profile names no oauth.callback_url the target can reach, served by oauth.jwks_listen)"}
}

// getMethod: a token request by GET (RFC 6749 §3.2: the client MUST use
// POST) should not yield a token; which refusal is the target's choice.
func (r *run) getMethod(p Probe) error {
	s, err := r.fresh()
	if err != nil {
		return err
	}
	u := r.o.TokenEndpoint + "?" + encodePairs(r.ccForm(s))
	if strings.Contains(r.o.TokenEndpoint, "?") {
		u = r.o.TokenEndpoint + "&" + encodePairs(r.ccForm(s))
	}
	ex := r.send(http.MethodGet, u, http.Header{"Accept": {"application/json"}}, "")
	if err := cannotJudge(p.Title, ex); err != nil {
		return err
	}
	switch {
	case ex.Status >= 500:
		return verdict.WithSeverity(verdict.Deviation(p.Title, "no access token, and not a 5xx", p.Clause+", RFC 6749 §5.2", ex.Summary()), SevCrash)
	case ex.Status == 200 && ex.str("access_token") != "":
		return verdict.WithSeverity(verdict.Warning(p.Title, "no access token for a GET request", p.Clause, ex.Summary()), SevFormat)
	}
	r.cur.Notes = append(r.cur.Notes, "answer: "+ex.Summary())
	return nil
}

// replay sends one valid assertion twice; the second use must be refused.
func (r *run) replay(p Probe) error {
	s, err := r.fresh()
	if err != nil {
		return err
	}
	if _, err := Accepted(p.Title+" (first use)", p.Clause, false, true, r.postForm(r.ccForm(s), nil)); err != nil {
		return verdict.CouldNotTestf(p.Title, "the first use was not accepted: %s", r.cur.lastSummary())
	}
	return r.judge(p, r.postForm(r.ccForm(s), nil))
}

// accessTokenAsAssertion sends the token the control got back as the
// client assertion (token type confusion).
func (r *run) accessTokenAsAssertion(p Probe) error {
	if r.token == nil {
		return verdict.CouldNotTestf(p.Title, "no access token was issued to replay")
	}
	return r.judge(p, r.postForm(r.ccForm(r.token.AccessToken), nil))
}

// weakRSAKey signs with the 1024-bit key the suite publishes in its JWKS.
func (r *run) weakRSAKey(p Probe) error {
	if r.weakRSA == nil {
		return verdict.CouldNotTestf(p.Title, "no RSA-1024 key was published")
	}
	s, err := jose.Mutate(r.base, jose.WithSigner(*r.weakRSA)).Compact()
	if err != nil {
		return err
	}
	return r.judge(p, r.postForm(r.ccForm(s), nil))
}

// fetchHeader is a header that names a URL the target must not fetch.
type fetchHeader int

const (
	jkuHeader fetchHeader = iota
	x5uHeader
)

// fetchProbe points jku or x5u at the suite's recorder; the batch's close
// checks whether the target fetched it (RFC 8725 §3.10, SSRF).
func fetchProbe(h fetchHeader) func(r *run, p Probe) error {
	return func(r *run, p Probe) error {
		var mu jose.Mutation
		var u string
		if h == jkuHeader {
			var err error
			if u, err = r.rec.JKU(r.attacker.KID, r.attacker.Signer.Public()); err != nil {
				return err
			}
			mu = jose.WithJKU(u, r.attacker)
		} else {
			der, err := jose.SelfSignedCert(r.attacker.Signer, r.now())
			if err != nil {
				return err
			}
			u = r.rec.X5U(der)
			mu = jose.WithX5U(u, r.attacker)
		}
		r.fetchURL[r.cur] = u
		a := jose.Mutate(r.base, mu)
		r.cur.Applied = a.Applied()
		s, err := a.Compact()
		if err != nil {
			return err
		}
		r.cur.Notes = append(r.cur.Notes, "watching "+u+" for a fetch")
		return r.judge(p, r.postForm(r.ccForm(s), nil))
	}
}

// audienceSummary says which audience rules the target meets, from the
// aud probes already run (no request of its own).
func (r *run) audienceSummary(p Probe) error {
	iss, tok, injI, injT := r.audSeen[audIssuer], r.audSeen[audTokenEndpoint], r.audSeen[audInjectIssuer], r.audSeen[audInjectTokenEndpoint]
	for _, res := range []*Result{iss, tok, injI, injT} {
		if res == nil || !res.answered() {
			return verdict.CouldNotTestf(p.Title, "an audience probe got no usable answer")
		}
	}
	bis := iss.accepted() && !tok.accepted() && !injI.accepted() && !injT.accepted()
	legacy := (tok.accepted() || iss.accepted())
	desc := fmt.Sprintf("aud=issuer %s, aud=token endpoint %s, [issuer, other] %s, [token endpoint, other] %s",
		word(iss.accepted()), word(tok.accepted()), word(injI.accepted()), word(injT.accepted()))
	r.cur.Notes = append(r.cur.Notes, desc)
	switch {
	case bis:
		r.cur.Notes = append(r.cur.Notes, "the token endpoint meets rfc7523bis (issuer as sole audience)")
		return nil
	case r.o.AudienceProfile == AudRFC7523bis:
		return verdict.Deviation(p.Title, "the issuer as sole audience (rfc7523bis)", p.Clause, desc)
	case legacy:
		r.cur.Notes = append(r.cur.Notes, "the token endpoint meets RFC 7523 as published but not rfc7523bis")
		return verdict.Warning(p.Title, "the issuer as sole audience (rfc7523bis, the successor of RFC 7523)", "draft-ietf-oauth-rfc7523bis §3", desc)
	}
	return verdict.Deviation(p.Title, "the issuer or the token endpoint URL accepted as audience", "RFC 7523 §3 item 3", desc)
}

func word(accepted bool) string {
	if accepted {
		return "accepted"
	}
	return "refused"
}

// foreignKey runs ca/foreign-client-key: the second client authenticates
// as itself (its key must be known), then its key signs an assertion for
// the registered client under its own kid.
func (r *run) foreignKey(p Probe) error {
	k := r.cfg.SecondKey
	if k == nil || r.o.SecondClient == nil {
		return verdict.Inapplicable("needs a second client registered at the authorization server (profile oauth.second_client)")
	}
	c := r.base.Config()
	c.Issuer, c.Subject, c.Key = r.o.SecondClient.ClientID, "", *k
	own, err := jose.New(c)
	if err != nil {
		return err
	}
	s, err := jose.Mutate(own).Compact()
	if err != nil {
		return err
	}
	// The second client's own request carries no scope: the profile's scope
	// is granted to the first client, and this is only a key check.
	ex := r.postForm([][2]string{{"grant_type", GrantCC}, {"client_assertion_type", AssertionTypeJWT}, {"client_assertion", s}}, nil)
	if _, err := Accepted(p.Title+" (the second client as itself)", p.Clause, false, false, ex); err != nil {
		return verdict.CouldNotTestf(p.Title, "the second client %q was not accepted with its own key (%s), so a refusal would prove nothing", r.o.SecondClient.ClientID, ex.Summary())
	}
	a := jose.Mutate(r.base, jose.WithSigner(*k))
	r.cur.Applied = a.Applied()
	forged, err := a.Compact()
	if err != nil {
		return err
	}
	return r.judge(p, r.postForm(r.ccForm(forged), nil))
}
