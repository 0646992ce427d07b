package oauth

import (
	"slices"
	"strings"
	"time"

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

// Probe is one listed probe: what is sent, what is expected and why.
// Plan lists every probe of a run before anything is sent; the run sends at
// most Requests requests for it.
type Probe struct {
	ID       string `json:"id"`
	Rule     string `json:"rule"`
	Batch    string `json:"batch"`
	Title    string `json:"title"`
	Expect   string `json:"expect"`
	Clause   string `json:"clause"`
	Requests int    `json:"requests"`

	exp  expect
	ref  *Refusal
	mut  *mutSpec
	exec func(r *run, p Probe) error
}

// mutSpec is the list of mutations a probe applies to the valid assertion:
// fixed at plan time, or built at run time (they need the run's keys and
// URLs) with the clause given here.
type mutSpec struct {
	static []jose.Mutation
	dyn    func(r *run) ([]jose.Mutation, error)
	clause string
}

func (s *mutSpec) build(r *run) ([]jose.Mutation, error) {
	if s.dyn != nil {
		return s.dyn(r)
	}
	return s.static, nil
}

func (s *mutSpec) clauses() string {
	if s.clause != "" {
		return s.clause
	}
	var cs []string
	for _, m := range s.static {
		for _, c := range strings.Split(m.Clause, ", ") {
			if !slices.Contains(cs, c) {
				cs = append(cs, c)
			}
		}
	}
	return strings.Join(cs, ", ")
}

func dyn(clause string, f func(r *run) ([]jose.Mutation, error)) *mutSpec {
	return &mutSpec{dyn: f, clause: clause}
}

type expect int

const (
	expClient          expect = iota // 400/401 invalid_client; other codes warn
	expClientOrRequest               // invalid_client or invalid_request
	expGrant                         // 400 invalid_grant (RFC 7523 §3.1 MUST)
	expToken                         // MUST issue a token
	expTokenShould                   // SHOULD issue a token; refusal warns
	expInfo                          // record what happens
	expCheck                         // a check of fetched data
	expControl                       // positive control
	expRefusal                       // the probe's own Refusal
)

func (e expect) String() string {
	switch e {
	case expClient:
		return "400/401 invalid_client"
	case expClientOrRequest:
		return "400/401 invalid_client or invalid_request"
	case expGrant:
		return "400 invalid_grant"
	case expToken, expControl:
		return "200 with an access_token"
	case expTokenShould:
		return "200 with an access_token (SHOULD)"
	case expInfo:
		return "recorded, not judged"
	}
	return "check"
}

// Plan lists every probe for the profile's OAuth section, in run order.
// It is empty when the profile has no OAuth section.
func Plan(o *profile.OAuth) []Probe {
	if o == nil {
		return nil
	}
	bis := o.AudienceProfile == AudRFC7523bis
	var ps []Probe
	add := func(p ...Probe) { ps = append(ps, p...) }

	add(metadataProbes(bis)...)

	before := control("ca/control-before", "the valid client assertion is accepted before the negative batch")
	if !bis {
		before.Requests = 2 // the issuer is tried when the token endpoint URL is refused as aud
	}
	add(before)
	add(clientAuthProbes(bis)...)
	if o.SecondClient != nil {
		add(foreignKeyProbe())
	}
	add(control("ca/control-after", "the valid client assertion is still accepted after the negative batch"))

	if o.GrantSubject != "" {
		add(grantControl("gr/control-before", "the valid JWT authorization grant is accepted before the negative batch"))
		add(grantProbes()...)
		add(grantControl("gr/control-after", "the valid JWT authorization grant is still accepted after the negative batch"))
	}
	if o.ResourceURL != "" {
		add(resourceProbes()...)
	}
	for i := range ps {
		p := &ps[i]
		switch {
		case p.Expect != "":
		case p.Rule != RuleR001 && p.exp == expClient:
			p.Expect = Refusal{Codes: []string{"invalid_client"}, AnyCode: true}.String()
		case p.Rule != RuleR001 && p.exp == expGrant:
			p.Expect = Refusal{Codes: []string{"invalid_grant"}, AnyCode: true}.String()
		default:
			p.Expect = p.exp.String()
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

func control(id, title string) Probe {
	return Probe{ID: id, Rule: RuleR001, Batch: BatchClientAuth, Title: title, Clause: "RFC 7523 §2.2, RFC 6749 §5.1", Requests: 1, exp: expControl}
}

func grantControl(id, title string) Probe {
	return Probe{ID: id, Rule: RuleR001, Batch: BatchGrant, Title: title, Clause: "RFC 7523 §2.1, RFC 6749 §5.1", Requests: 1, exp: expControl}
}

// m wraps fixed mutations.
func m(ms ...jose.Mutation) *mutSpec { return &mutSpec{static: ms} }

func ca(id, rule, title string, exp expect, mut *mutSpec) Probe {
	return Probe{ID: "ca/" + id, Rule: rule, Batch: BatchClientAuth, Title: title, Clause: mut.clauses(), Requests: 1, exp: exp, mut: mut}
}

func clientAuthProbes(bis bool) []Probe {
	ps := []Probe{
		// RFC 7521 §4.2 request parameters and RFC 6749 request rules.
		form("assertion-type-unknown", "an unknown client_assertion_type is refused", "RFC 7521 §4.2", expClientOrRequest),
		form("assertion-missing", "a client_assertion_type without client_assertion is refused", "RFC 7521 §4.2", expClientOrRequest),
		form("client-id-mismatch", "a client_id naming another client than the assertion is refused", "RFC 7521 §4.2", expClient),
		form("client-secret-too", "a client assertion together with client_secret is refused", "RFC 7521 §4.2.1, RFC 6749 §2.3", expClientOrRequest),
		form("basic-auth-too", "a client assertion together with HTTP Basic authentication is refused", "RFC 7521 §4.2.1, RFC 6749 §2.3", expClientOrRequest),
		form("no-client-authentication", "a client_credentials request without client authentication is refused", "RFC 6749 §3.2.1, RFC 9700 §2.5", expClient),
		refusal(form("duplicate-parameter", "a request with client_assertion twice is refused", "RFC 6749 §3.2, §5.2", expRefusal), Refusal{Codes: []string{"invalid_request"}, WarnOtherCodes: true}),
		form("unknown-parameter", "an unknown request parameter is ignored", "RFC 6749 §3.2", expToken),
		form("empty-client-id", "an empty client_id is treated as omitted", "RFC 6749 §3.2", expToken),
		refusal(form("unsupported-grant-type", "an unknown grant_type is refused with unsupported_grant_type", "RFC 6749 §5.2", expRefusal), Refusal{Codes: []string{"unsupported_grant_type"}, WarnOtherCodes: true}),
		refusal(form("password-grant", "the resource owner password grant is not offered", "RFC 9700 §2.4, RFC 6749 §5.2", expRefusal), Refusal{Codes: []string{"unsupported_grant_type", "unauthorized_client"}, WarnOtherCodes: true}),
		refusal(form("invalid-scope", "a scope with a character outside NQCHAR is refused with invalid_scope", "RFC 6749 §3.3, §5.2", expRefusal), Refusal{Codes: []string{"invalid_scope"}, WarnOtherCodes: true}),
		withExpect(form("get-method", "a token request by GET does not yield a token", "RFC 6749 §3.2", expInfo), "no access_token (warning otherwise)"),

		// RFC 7523 §2.2 and §3: one JWT, with the required claims.
		ca("two-jwts", RuleR001, "two JWTs in client_assertion are refused", expClient, m(jose.WithTwoJWTs())),
		ca("jwe-instead-of-jws", RuleR001, "a JWE in client_assertion is refused", expClient, m(jose.WithJWE())),
		ca("without-iss", RuleR001, "an assertion without iss is refused", expClient, m(jose.WithoutClaim("iss"))),
		ca("iss-wrong", RuleR001, "an assertion whose iss is not the client is refused", expClient, m(jose.WithIss("wrong-issuer-value"))),
		ca("iss-case", RuleR001, "an assertion whose iss differs from the client_id in case is refused", expClient, caseOf("iss")),
		ca("iss-trailing-space", RuleR001, "an assertion whose iss has a trailing space is refused", expClient, dyn("RFC 7523 §3 item 1, RFC 3986 §6.2.1", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithIss(r.o.ClientID + " ")}, nil
		})),
		ca("without-sub", RuleR001, "an assertion without sub is refused", expClient, m(jose.WithoutClaim("sub"))),
		ca("sub-wrong", RuleR001, "an assertion whose sub is not the client_id is refused", expClient, m(jose.WithSub("wrong-sub-value"))),
		ca("iss-not-sub", RuleR001, "an assertion whose sub names another client than iss is refused", expClient, m(jose.WithIssNotSub())),
		ca("without-aud", RuleR001, "an assertion without aud is refused", expClient, m(jose.WithoutClaim("aud"))),
		ca("aud-other-as", RuleR001, "an assertion for another authorization server is refused", expClient, m(jose.WithAudience("https://other-as.apisec.invalid/token"))),
		ca("aud-case", RuleR001, "an assertion whose aud differs from the expected one in case is refused", expClient, caseOf("aud")),
		ca("aud-trailing-slash", RuleR001, "an assertion whose aud differs from the expected one by a trailing slash is refused", expClient, dyn("RFC 7523 §3 item 3, RFC 3986 §6.2.1", func(r *run) ([]jose.Mutation, error) {
			a := r.baseAud()
			if strings.HasSuffix(a, "/") {
				a = strings.TrimSuffix(a, "/")
			} else {
				a += "/"
			}
			return []jose.Mutation{jose.WithAudience(a)}, nil
		})),
		ca("without-exp", RuleR001, "an assertion without exp is refused", expClient, m(jose.WithoutClaim("exp"))),
		ca("exp-5m-ago", RuleR001, "an assertion whose exp lies 5 minutes in the past is refused", expClient, m(jose.ExpIn(-5*time.Minute))),
		ca("exp-not-numericdate", RuleR001, "an assertion whose exp is not a NumericDate is refused", expClient, m(jose.WithExpNotNumericDate())),
		ca("exp-in-1-year", RuleR001, "an assertion valid for a year (the AS MAY refuse it)", expInfo, m(jose.ExpIn(365*24*time.Hour))),
		ca("nbf-10m-ahead", RuleR001, "an assertion whose nbf lies 10 minutes ahead is refused", expClient, m(jose.NbfIn(10*time.Minute))),
		ca("nbf-8s-ahead", RuleR001, "an assertion whose nbf lies 8 seconds ahead is accepted (clock skew)", expTokenShould, m(jose.NbfIn(8*time.Second))),
		ca("iat-1-day-ago", RuleR001, "an assertion issued a day ago (the AS MAY refuse it)", expInfo, m(jose.IatIn(-24*time.Hour))),
		ca("without-jti", RuleR001, "an assertion without jti (OIDC Core §9 requires it; RFC 7523 does not)", expInfo, m(jose.WithoutClaim("jti"))),
		{ID: "ca/replay", Rule: RuleR001, Batch: BatchClientAuth, Title: "an assertion used a second time is refused", Clause: "RFC 7523 §3 item 7, OIDC Core §9", Requests: 2, exp: expClient},
		ca("signature-flipped", RuleR001, "an assertion with a corrupted signature is refused", expClient, m(jose.WithFlippedSignature())),
		ca("signature-removed", RuleR001, "an assertion with an empty signature segment is refused", expClient, m(jose.WithoutSignature())),
		ca("unregistered-key", RuleR001, "an assertion signed by a key the client never registered is refused", expClient, m(jose.WithUnregisteredKey())),
		ca("unknown-kid", RuleR001, "an assertion naming an unknown kid is refused or verified with the client's key", expInfo, m(jose.WithUnknownKID())),
		ca("attacker-key-unknown-kid", RuleR001, "an assertion signed by an unregistered key under an unknown kid is refused", expClient, dyn("RFC 7523 §3 item 9, RFC 7515 §4.1.4", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithSigner(r.attacker)}, nil
		})),
		ca("duplicate-iss", RuleR001, "an assertion with a second, wrong iss member is refused", expClient, m(jose.WithDuplicateClaim("iss", "wrong-issuer-value"))),
		ca("payload-not-utf8", RuleR001, "an assertion whose claims are not UTF-8 is refused", expClient, m(jose.WithPayloadNotUTF8())),
		{ID: "ca/access-token-as-assertion", Rule: RuleR001, Batch: BatchClientAuth, Title: "the AS's own access token sent as client_assertion is refused", Clause: "RFC 8725 §3.12, RFC 7523 §3", Requests: 1, exp: expClient},
		{ID: "ca/rsa-1024-bit-key", Rule: RuleR003, Batch: BatchClientAuth, Title: "an assertion signed by a 1024-bit RSA key the client published is refused", Clause: "RFC 7518 §3.3", Requests: 1, exp: expClient},
	}
	ps = append(ps, audienceProbes(bis)...)
	ps = append(ps,
		ca("typ-jwt", RuleR001, `an assertion with typ "JWT" is accepted`, expTokenShould, m(jose.WithTyp("JWT"))),
		ca("without-typ", RuleR001, "an assertion without typ is accepted", expTokenShould, m(jose.WithTyp(""))),
		ca("dpop-proof-as-assertion", RuleR001, "a DPoP proof signed by the client's key is refused as client assertion", expClient, dyn("RFC 8725 §3.12, RFC 7523 §3", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.AsDPoPProof(r.o.TokenEndpoint)}, nil
		})),
	)

	// RFC 7515 / 7518 / 8725: the JOSE layer (SC-R003).
	j := func(id, title string, mut *mutSpec) Probe {
		return ca(id, RuleR003, title, expClient, mut)
	}
	ps = append(ps,
		j("without-alg", "an assertion without alg is refused", m(jose.WithoutAlg())),
		j("crit-unknown", "an assertion with an unknown critical extension is refused", m(jose.WithUnknownCrit(true))),
		j("crit-unknown-absent", "an assertion listing an absent unknown extension in crit is refused", m(jose.WithUnknownCrit(false))),
		j("duplicate-header-alg", `an assertion whose header repeats alg with "none" last is refused`, m(jose.WithDuplicateHeader("alg", "none"))),
		j("header-trailing-comma", "an assertion whose header is not valid JSON is refused", m(jose.WithMalformedHeader(jose.HeaderTrailingComma))),
		j("header-array", "an assertion whose header is a JSON array is refused", m(jose.WithMalformedHeader(jose.HeaderArray))),
		j("header-string", "an assertion whose header is a JSON string is refused", m(jose.WithMalformedHeader(jose.HeaderString))),
		j("utf16-json", "an assertion encoded in UTF-16 is refused", m(jose.WithUTF16JSON())),
		j("nested-jwt-inner-invalid", "a nested JWT whose inner signature is invalid is refused", m(jose.WithNestedJWT())),
		j("base64-padded", "an assertion with base64 padding is refused", m(jose.WithPaddedBase64())),
		j("base64-standard-alphabet", "an assertion in the +/ base64 alphabet is refused", m(jose.WithStdBase64())),
		j("base64-line-break", "an assertion with a line break is refused", m(jose.WithLineBreak())),
		j("base64-garbage", "an assertion with a character outside base64url is refused", m(jose.WithGarbageBase64())),
		j("json-serialization-flattened", "a flattened JWS JSON serialization is refused", m(jose.WithJSONSerialization(true))),
		j("json-serialization-general", "a general JWS JSON serialization is refused", m(jose.WithJSONSerialization(false))),
		j("alg-none", `an unsigned assertion with alg "none" is refused`, m(jose.WithAlgNone("none"))),
		j("alg-None", `an unsigned assertion with alg "None" is refused`, m(jose.WithAlgNone("None"))),
		j("alg-NONE", `an unsigned assertion with alg "NONE" is refused`, m(jose.WithAlgNone("NONE"))),
		j("alg-nOnE", `an unsigned assertion with alg "nOnE" is refused`, m(jose.WithAlgNone("nOnE"))),
		j("alg-none-signature-kept", `an assertion relabelled alg "none" with its signature kept is refused`, m(jose.WithAlgNoneKeepSignature())),
		j("alg-swap", "an assertion signed with another algorithm of the registered key is refused", m(jose.WithAlg("PS256"))),
		j("alg-key-type-mismatch", "an assertion whose alg does not fit the key type is refused", m(jose.WithAlgKeyTypeMismatch())),
		j("es384-on-p256", "an ES384 assertion made with a P-256 key is refused", m(jose.WithCurveMismatch())),
		j("ecdsa-zero-signature", "an assertion with the all-zero ECDSA signature is refused", m(jose.WithZeroECDSASignature())),
		j("ecdsa-zero-signature-der", "an assertion with the DER all-zero ECDSA signature is refused", m(jose.WithPsychicDERSignature())),
		j("ecdsa-der-signature", "an assertion whose ECDSA signature is DER-encoded is refused", m(jose.WithDERECDSASignature())),
		j("signature-truncated", "an assertion whose signature is one octet short is refused", m(jose.WithTruncatedSignature())),
		j("signature-extended", "an assertion whose signature is one octet long is refused", m(jose.WithAppendedSignatureByte())),
		j("hs256-keyed-with-public-key-pem", "HS256 keyed with the client's PEM public key is refused", m(jose.WithHS256KeyedWithPublicKey(jose.PublicKeyPEM))),
		j("hs256-keyed-with-public-key-der", "HS256 keyed with the client's DER public key is refused", m(jose.WithHS256KeyedWithPublicKey(jose.PublicKeyDER))),
		j("hs256-keyed-with-public-key-jwk", "HS256 keyed with the client's JWK public key is refused", m(jose.WithHS256KeyedWithPublicKey(jose.PublicKeyJWK))),
		j("embedded-jwk", "an assertion that brings its own key in jwk is refused", dyn("RFC 7515 §4.1.3, RFC 8725 §3.10", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithEmbeddedJWK(r.attacker)}, nil
		})),
		Probe{ID: "ca/jku", Rule: RuleR003, Batch: BatchClientAuth, Title: "an assertion whose jku points at the suite's JWKS is refused and the URL not fetched", Clause: "RFC 7515 §4.1.2, RFC 8725 §3.10", Requests: 1, exp: expClient},
		Probe{ID: "ca/x5u", Rule: RuleR003, Batch: BatchClientAuth, Title: "an assertion whose x5u points at the suite's certificate is refused and the URL not fetched", Clause: "RFC 7515 §4.1.5, RFC 8725 §3.10", Requests: 1, exp: expClient},
		j("x5c-self-signed", "an assertion carrying a self-signed certificate in x5c is refused", dyn("RFC 7515 §4.1.6, RFC 8725 §3.10", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithX5C(r.attacker)}, nil
		})),
		j("kid-path-traversal", "a kid path traversal with an empty HMAC key is refused", m(jose.WithKIDInjection("path-traversal", "../../../../../../dev/null", nil))),
		j("kid-dev-null", "a kid of /dev/null with an empty HMAC key is refused", m(jose.WithKIDInjection("dev-null", "/dev/null", nil))),
		j("kid-sql-injection", "a kid SQL injection with HMAC key \"1\" is refused", m(jose.WithKIDInjection("sql", "x' UNION SELECT '1';--", []byte("1")))),
		j("kid-command-injection", "a kid command injection is refused without delay", m(jose.WithKIDInjection("command", "|sleep 10", nil))),
	)

	// SC008: HMAC (client_secret_jwt) client assertions are refused.
	s := func(id, title string, mu jose.Mutation) Probe { return ca(id, Rule008, title, expClient, m(mu)) }
	ps = append(ps,
		s("hs256-empty-key", "an HS256 assertion with an empty key is refused", jose.WithHMAC("HS256", nil, "empty")),
		s("hs256-common-secret", `an HS256 assertion keyed "secret" is refused`, jose.WithHMAC("HS256", []byte("secret"), "common")),
		s("hs384-common-secret", `an HS384 assertion keyed "secret" is refused`, jose.WithHMAC("HS384", []byte("secret"), "common")),
		s("hs512-common-secret", `an HS512 assertion keyed "secret" is refused`, jose.WithHMAC("HS512", []byte("secret"), "common")),
	)
	return ps
}

func refusal(p Probe, r Refusal) Probe {
	p.ref, p.Expect = &r, r.String()
	return p
}

func withRule(p Probe, rule string) Probe {
	p.Rule = rule
	return p
}

func withExpect(p Probe, e string) Probe {
	p.Expect = e
	return p
}

func form(id, title, clause string, exp expect) Probe {
	return Probe{ID: "ca/" + id, Rule: RuleR001, Batch: BatchClientAuth, Title: title, Clause: clause, Requests: 1, exp: exp}
}

// caseOf flips the case of a claim's expected value.
func caseOf(claim string) *mutSpec {
	clause := map[string]string{"iss": "RFC 7523 §3 item 1", "aud": "RFC 7523 §3 item 3"}[claim] + ", RFC 3986 §6.2.1"
	return dyn(clause, func(r *run) ([]jose.Mutation, error) {
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
// RFC 7523 §3 item 3); audience-profile sums them up.
func audienceProbes(bis bool) []Probe {
	mustBis := func(bisExp expect) expect {
		if bis {
			return bisExp
		}
		return expInfo
	}
	issuerExp := expInfo
	if bis {
		issuerExp = expToken
	}
	iss := func(r *run) string { return r.o.Issuer }
	tok := func(r *run) string { return r.o.TokenEndpoint }
	evil := "https://evil.apisec.invalid"
	return []Probe{
		ca("aud-issuer", RuleR001, "an assertion whose aud is the issuer identifier", issuerExp, dyn("RFC 7523 §3 item 3, draft-ietf-oauth-rfc7523bis §3", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithAudience(iss(r))}, nil
		})),
		ca("aud-token-endpoint", RuleR001, "an assertion whose aud is the token endpoint URL", mustBis(expClient), dyn("RFC 7523 §3 item 3, draft-ietf-oauth-rfc7523bis §3", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithAudience(tok(r))}, nil
		})),
		ca("aud-issuer-array", RuleR001, "an assertion whose aud is an array holding only the issuer", expInfo, dyn("RFC 7523 §3 item 3, draft-ietf-oauth-rfc7523bis §3", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithAudienceArray(iss(r))}, nil
		})),
		ca("aud-injection-issuer", RuleR001, "an assertion whose aud holds the issuer and another value is refused (audience injection)", mustBis(expClient), dyn("RFC 7523 §3 item 3, draft-ietf-oauth-rfc7523bis §3", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithAudienceArray(iss(r), evil)}, nil
		})),
		ca("aud-injection-token-endpoint", RuleR001, "an assertion whose aud holds the token endpoint and another value is refused", mustBis(expClient), dyn("RFC 7523 §3 item 3, draft-ietf-oauth-rfc7523bis §3", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithAudienceArray(tok(r), evil)}, nil
		})),
		{ID: "ca/audience-profile", Rule: RuleR001, Batch: BatchClientAuth, Title: "the audience rules the token endpoint meets", Clause: "draft-ietf-oauth-rfc7523bis §3, RFC 7523 §3 item 3", Requests: 0, exp: expCheck,
			Expect: map[bool]string{true: "issuer as sole audience (rfc7523bis)", false: "RFC 7523 or rfc7523bis audience rules; warning when only RFC 7523"}[bis]},
	}
}

// foreignKeyProbe is checklist B9d: a key registered to another client
// must not sign for this one (RFC 7523 §3 item 9, RFC 8725 §3.8). It first
// checks the second client's own assertion is accepted, so a refusal means
// the key was refused for the wrong client, not unknown altogether.
func foreignKeyProbe() Probe {
	return Probe{ID: "ca/foreign-client-key", Rule: RuleR001, Batch: BatchClientAuth,
		Title:  "an assertion signed by another registered client's key under that client's kid is refused",
		Clause: "RFC 7523 §3 item 9, RFC 8725 §3.8", Requests: 2, exp: expClient, exec: (*run).foreignKey}
}

func grantProbes() []Probe {
	g := func(id, title, clause string, mut *mutSpec) Probe {
		return Probe{ID: "gr/" + id, Rule: RuleR001, Batch: BatchGrant, Title: title, Clause: clause, Requests: 1, exp: expGrant, mut: mut}
	}
	return []Probe{
		g("expired", "an expired JWT grant is refused with invalid_grant", "RFC 7523 §3.1, §3 item 4", m(jose.ExpIn(-5*time.Minute))),
		g("aud-other-as", "a JWT grant for another authorization server is refused with invalid_grant", "RFC 7523 §3.1, §3 item 3", m(jose.WithAudience("https://other-as.apisec.invalid/token"))),
		g("signature-flipped", "a JWT grant with a corrupted signature is refused with invalid_grant", "RFC 7523 §3.1, §3 item 9", m(jose.WithFlippedSignature())),
		withRule(g("alg-none", `an unsigned JWT grant with alg "none" is refused with invalid_grant`, "RFC 7518 §3.6, RFC 7523 §3.1", m(jose.WithAlgNone("none"))), RuleR003),
		g("untrusted-issuer", "a JWT grant from an untrusted issuer is refused with invalid_grant", "RFC 7523 §3.1, §3 item 1", dyn("RFC 7523 §3.1, §3 item 1", func(r *run) ([]jose.Mutation, error) {
			return []jose.Mutation{jose.WithIss("https://untrusted.apisec.invalid"), jose.WithSigner(r.attacker)}, nil
		})),
		g("without-sub", "a JWT grant without sub is refused with invalid_grant", "RFC 7523 §3.1, §3 item 2", m(jose.WithoutClaim("sub"))),
		g("two-jwts", "two JWTs in assertion are refused", "RFC 7523 §2.1", m(jose.WithTwoJWTs())),
		g("sub-not-allowed", "a JWT grant for a subject the issuer may not assert is refused with invalid_grant", "RFC 7523 §3.1, §3 item 2.A", m(jose.WithSub("apisec-unknown-subject"))),
		{ID: "gr/broken-client-assertion", Rule: RuleR001, Batch: BatchGrant, Title: "a valid grant with a broken client assertion is refused with invalid_client", Clause: "RFC 7523 §3.1, RFC 7521 §4.2", Requests: 1, exp: expClient},
	}
}

func resourceProbes() []Probe {
	r := func(id, rule, title, clause, expect string) Probe {
		return Probe{ID: "rs/" + id, Rule: rule, Batch: BatchResource, Title: title, Clause: clause, Requests: 1, exp: expCheck, Expect: expect}
	}
	return []Probe{
		r("control", RuleR001, "the resource serves the access token the token endpoint issued", "RFC 6750 §2.1", "2xx"),
		r("no-token", RuleR001, "a request without a token gets a Bearer challenge", "RFC 6750 §3", "401 WWW-Authenticate: Bearer, no error"),
		r("client-assertion-as-token", RuleR001, "the client's own assertion is not honoured as an access token", "RFC 8725 §3.12, RFC 9068 §4", `401 WWW-Authenticate: Bearer error="invalid_token"`),
		r("tampered-claims", RuleR003, "an access token whose claims were changed is refused", "RFC 7515 §5.2, RFC 9068 §4", "4xx refusal"),
		r("signature-flipped", RuleR003, "an access token with a corrupted signature is refused", "RFC 7515 §5.2, RFC 9068 §4", "4xx refusal"),
		r("alg-none", RuleR003, `an access token re-issued with alg "none" is refused`, "RFC 7518 §3.6, RFC 9068 §4", "4xx refusal"),
		{ID: "rs/other-audience", Rule: RuleR001, Batch: BatchResource, Title: "a valid access token issued for another resource is refused", Clause: "RFC 9068 §4, RFC 8707 §2, RFC 9700 §2.3", Requests: 2, exp: expCheck, Expect: `401 WWW-Authenticate: Bearer error="invalid_token"`},
		r("embedded-jwk", RuleR003, "an access token re-signed by a foreign key carried in jwk is refused", "RFC 7515 §4.1.3, RFC 8725 §3.10, RFC 9068 §4", "4xx refusal"),
		r("hs256-keyed-with-as-public-key", RuleR003, "an access token re-signed HS256 with the AS's public key is refused", "RFC 8725 §3.1, RFC 9068 §4", "4xx refusal"),
	}
}
