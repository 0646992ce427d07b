package oauth

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
)

func mkEx(status int, ctype, body string, hdr ...string) *Exchange {
	h := http.Header{}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Add(hdr[i], hdr[i+1])
	}
	ex := &Exchange{Status: status, Header: h, Body: []byte(body), ReqHeader: http.Header{}}
	ex.mediaType = strings.ToLower(strings.TrimSpace(strings.Split(ctype, ";")[0]))
	return ex
}

func statusOf(err error) verdict.Status {
	st, _ := verdict.Classify(err)
	return st
}

func TestRefused(t *testing.T) {
	client := Refusal{Codes: []string{"invalid_client"}, WarnOtherCodes: true}
	basic := mkEx(401, "application/json", `{"error":"invalid_client"}`)
	basic.ReqHeader.Set("Authorization", "Basic eDp5")
	for _, tc := range []struct {
		name string
		ref  Refusal
		ex   *Exchange
		want verdict.Status
	}{
		{"400 invalid_client", client, mkEx(400, "application/json", `{"error":"invalid_client"}`), verdict.Pass},
		{"401 invalid_client", client, mkEx(401, "application/json;charset=UTF-8", `{"error":"invalid_client","error_description":"no"}`), verdict.Pass},
		{"other code warns", client, mkEx(400, "application/json", `{"error":"unauthorized_client"}`), verdict.Warn},
		{"other code fails when strict", Refusal{Codes: []string{"invalid_grant"}}, mkEx(400, "application/json", `{"error":"invalid_request"}`), verdict.Fail},
		{"403 is the wrong status", client, mkEx(403, "application/json", `{"error":"invalid_client"}`), verdict.Warn},
		{"token issued", client, mkEx(200, "application/json", `{"access_token":"a","token_type":"Bearer"}`), verdict.Fail},
		{"5xx html is a crash", client, mkEx(500, "text/html", `<html>oops</html>`), verdict.Fail},
		{"5xx json is a crash", client, mkEx(502, "application/json", `{"error":"server_error"}`), verdict.Fail},
		{"redirect", client, mkEx(302, "", "", "Location", "https://login.example/"), verdict.Error},
		{"rate limited", client, mkEx(429, "application/json", `{}`), verdict.Error},
		{"html error page", client, mkEx(400, "text/html; charset=utf-8", `<html>denied</html>`), verdict.Error},
		{"not json", client, mkEx(400, "text/plain", `invalid_client`), verdict.Fail},
		{"json without error", client, mkEx(400, "application/json", `{"message":"no"}`), verdict.Fail},
		{"json that is not an object", client, mkEx(400, "application/json", `["invalid_client"]`), verdict.Fail},
		{"quote in description", client, mkEx(400, "application/json", `{"error":"invalid_client","error_description":"aud \"x\""}`), verdict.Fail},
		{"access_token in an error", client, mkEx(400, "application/json", `{"error":"invalid_client","access_token":"a"}`), verdict.Fail},
		{"401 to Basic without challenge", client, basic, verdict.Fail},
		{"any code for JOSE probes", Refusal{Codes: []string{"invalid_client"}, AnyCode: true}, mkEx(400, "application/json", `{"error":"invalid_grant"}`), verdict.Pass},
		{"no answer", client, &Exchange{Err: errors.New("dial tcp: connection refused")}, verdict.Error},
		{"body over the cap", client, &Exchange{Status: 400, Err: conduct.ErrBodyTooLarge}, verdict.Error},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Refused("probe", "RFC 7523 §3", tc.ref, tc.ex)
			if got := statusOf(err); got != tc.want {
				t.Errorf("got %s (%v), want %s", got, err, tc.want)
			}
			if err != nil && tc.want == verdict.Fail && !strings.Contains(err.Error(), "RFC") {
				t.Errorf("failure message cites no clause: %v", err)
			}
		})
	}
}

// TestErrorCodePolicy: the two named error-code policies (oauth.error_codes)
// and the severities of every outcome of a refusing probe.
func TestErrorCodePolicy(t *testing.T) {
	client := Probe{ID: "ca/x", Rule: RuleR001, judge: judgeClient, Severity: SevForged}
	either := Probe{ID: "ca/y", Rule: RuleR001, judge: judgeClientEither}
	should := Probe{ID: "ca/z", Rule: RuleR001, judge: judgeRefuseShould}
	jose := Probe{ID: "ca/j", Rule: RuleR003, judge: judgeClient, Severity: SevForged}
	grant := Probe{ID: "gr/g", Rule: RuleR001, judge: judgeGrant}
	json := func(status int, code string) *Exchange {
		return mkEx(status, "application/json", `{"error":"`+code+`"}`)
	}
	token := mkEx(200, "application/json", `{"access_token":"a","token_type":"Bearer"}`)
	for _, tc := range []struct {
		name   string
		p      Probe
		policy string
		ex     *Exchange
		want   verdict.Status
		sev    verdict.Severity
	}{
		{"oidf invalid_client", client, profile.ErrorCodesOIDF, json(401, "invalid_client"), verdict.Pass, ""},
		{"oidf invalid_request warns", client, profile.ErrorCodesOIDF, json(400, "invalid_request"), verdict.Warn, verdict.Low},
		{"strict invalid_request fails low", client, profile.ErrorCodesStrict, json(400, "invalid_request"), verdict.Fail, verdict.Low},
		{"oidf invalid_grant fails low", client, profile.ErrorCodesOIDF, json(400, "invalid_grant"), verdict.Fail, verdict.Low},
		{"oidf private code fails low", client, profile.ErrorCodesOIDF, json(400, "jti_known"), verdict.Fail, verdict.Low},
		{"oidf unauthorized_client fails low", client, profile.ErrorCodesOIDF, json(400, "unauthorized_client"), verdict.Fail, verdict.Low},
		{"a token for a forged assertion is critical", client, profile.ErrorCodesOIDF, token, verdict.Fail, verdict.Critical},
		{"a 5xx fails medium", client, profile.ErrorCodesOIDF, mkEx(500, "text/html", "<h1>oops</h1>"), verdict.Fail, verdict.Medium},
		{"another client's id: invalid_request fails under oidf", either, profile.ErrorCodesOIDF, json(400, "invalid_request"), verdict.Fail, verdict.Low},
		{"another client's id: invalid_client passes under strict", either, profile.ErrorCodesStrict, json(400, "invalid_client"), verdict.Pass, ""},
		{"another client's id accepted: high", either, profile.ErrorCodesOIDF, token, verdict.Fail, verdict.High},
		{"SHOULD refuse, token: warning", should, profile.ErrorCodesOIDF, token, verdict.Warn, verdict.Low},
		{"SHOULD refuse, 5xx: failure", should, profile.ErrorCodesOIDF, mkEx(503, "application/json", `{"error":"x"}`), verdict.Fail, verdict.Medium},
		{"SHOULD refuse, wrong code: policy", should, profile.ErrorCodesStrict, json(400, "invalid_grant"), verdict.Fail, verdict.Low},
		{"JOSE probe: any code", jose, profile.ErrorCodesStrict, json(400, "invalid_grant"), verdict.Pass, ""},
		{"JOSE probe: token critical", jose, profile.ErrorCodesStrict, token, verdict.Fail, verdict.Critical},
		{"grant: invalid_client fails low", grant, profile.ErrorCodesOIDF, json(400, "invalid_client"), verdict.Fail, verdict.Low},
		{"grant: invalid_request fails low", grant, profile.ErrorCodesOIDF, json(400, "invalid_request"), verdict.Fail, verdict.Low},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := refusalFor(tc.p, tc.policy)
			st, f := verdict.Classify(Refused("probe", "RFC 7523 §3.2", ref, tc.ex))
			if st != tc.want || (f != nil && f.Severity != tc.sev) {
				t.Errorf("got %s %+v, want %s %s", st, f, tc.want, tc.sev)
			}
			if tc.p.judge == judgeClient && tc.p.Rule == RuleR001 && !strings.Contains(ref.String(), "error-code policy "+tc.policy) {
				t.Errorf("the expectation does not name the policy: %s", ref)
			}
		})
	}
}

func TestAccepted(t *testing.T) {
	ok := `{"access_token":"a","token_type":"Bearer","expires_in":300}`
	for _, tc := range []struct {
		name      string
		full      bool
		ex        *Exchange
		want      verdict.Status
		wantToken bool
	}{
		{"conformant", true, mkEx(200, "application/json", ok, "Cache-Control", "no-store", "Pragma", "no-cache"), verdict.Pass, true},
		{"no-store among directives", true, mkEx(200, "application/json", ok, "Cache-Control", "private, No-Store", "Pragma", "no-cache"), verdict.Pass, true},
		{"missing no-store", true, mkEx(200, "application/json", ok, "Pragma", "no-cache"), verdict.Fail, true},
		{"missing pragma", true, mkEx(200, "application/json", ok, "Cache-Control", "no-store"), verdict.Warn, true},
		{"refresh token for client_credentials", true, mkEx(200, "application/json", `{"access_token":"a","token_type":"Bearer","refresh_token":"r"}`, "Cache-Control", "no-store", "Pragma", "no-cache"), verdict.Warn, true},
		{"cache headers not judged outside controls", false, mkEx(200, "application/json", ok), verdict.Pass, true},
		{"refused", false, mkEx(400, "application/json", `{"error":"invalid_client"}`), verdict.Fail, false},
		{"no token_type", false, mkEx(200, "application/json", `{"access_token":"a"}`), verdict.Fail, false},
		{"html", false, mkEx(200, "text/html", `<html>login</html>`), verdict.Error, false},
		{"not json", false, mkEx(200, "text/plain", `a`), verdict.Fail, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Accepted("probe", "RFC 6749 §5.1", tc.full, true, tc.ex)
			if got := statusOf(err); got != tc.want {
				t.Errorf("got %s (%v), want %s", got, err, tc.want)
			}
			if (tok != nil) != tc.wantToken {
				t.Errorf("token %v", tok)
			}
		})
	}
}

func TestBearerRefused(t *testing.T) {
	for _, tc := range []struct {
		name      string
		wantErr   string
		challenge bool
		ex        *Exchange
		want      verdict.Status
	}{
		{"invalid_token", "invalid_token", true, mkEx(401, "application/json", `{}`, "WWW-Authenticate", `Bearer realm="r", error="invalid_token", error_description="expired"`), verdict.Pass},
		{"no token, no error", "", true, mkEx(401, "", ``, "WWW-Authenticate", `Bearer realm="r"`), verdict.Pass},
		{"no token but an error", "", true, mkEx(401, "", ``, "WWW-Authenticate", `Bearer error="invalid_token"`), verdict.Warn},
		{"challenge among others", "invalid_token", true, mkEx(401, "", ``, "WWW-Authenticate", `Basic realm="x"`, "WWW-Authenticate", `Bearer error=invalid_token`), verdict.Pass},
		{"no challenge", "invalid_token", true, mkEx(401, "application/json", `{}`), verdict.Fail},
		{"no challenge, status only", "invalid_token", false, mkEx(401, "application/json", `{}`), verdict.Pass},
		{"wrong error", "invalid_token", true, mkEx(401, "", ``, "WWW-Authenticate", `Bearer error="invalid_request"`), verdict.Warn},
		{"served", "invalid_token", false, mkEx(200, "application/fhir+json", `{}`), verdict.Fail},
		{"crash", "invalid_token", false, mkEx(500, "text/plain", `panic`), verdict.Fail},
		{"403", "invalid_token", true, mkEx(403, "", ``, "WWW-Authenticate", `Bearer error="invalid_token"`), verdict.Warn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := BearerRefused("probe", "RFC 6750 §3.1", tc.wantErr, tc.challenge, "", tc.ex)
			if got := statusOf(err); got != tc.want {
				t.Errorf("got %s (%v), want %s", got, err, tc.want)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	if Plan(nil) != nil {
		t.Fatal("no oauth section, no probes")
	}
	full := &profile.OAuth{TokenEndpoint: "https://127.0.0.1:8443/token", AudienceProfile: AudRFC7523bis, GrantSubject: "u", ResourceURL: "https://r/", OtherResource: "https://o/",
		KeyDistribution: "jwks_uri", SecondClient: &profile.SecondClient{ClientID: "c2", SigningKey: "k2.pem"}}
	ps := Plan(full)
	ids := map[string]bool{}
	rules := map[string]int{}
	for _, p := range ps {
		if ids[p.ID] {
			t.Errorf("duplicate probe id %s", p.ID)
		}
		ids[p.ID] = true
		rules[p.Rule]++
		if p.Title == "" || p.Clause == "" || p.Expect == "" || p.Batch == "" || p.Requests < 0 || p.body == nil {
			t.Errorf("probe %s lacks a title, clause, expectation, batch or body: %+v", p.ID, p)
		}
		if p.Skipped != "" {
			t.Errorf("%s skipped under a full profile: %s", p.ID, p.Skipped)
		}
		if prefix, _, _ := strings.Cut(p.ID, "/"); map[string]string{"md": BatchMetadata, "ca": BatchClientAuth, "gr": BatchGrant, "rs": BatchResource}[prefix] != p.Batch {
			t.Errorf("%s is in batch %s", p.ID, p.Batch)
		}
	}
	for _, r := range []string{RuleR001, RuleR002, RuleR003, Rule008} {
		if rules[r] == 0 {
			t.Errorf("no probe decides %s", r)
		}
	}
	if len(rules) != 4 {
		t.Errorf("probes name rules %v", rules)
	}
	if ps[len(ps)-1].Batch != BatchResource || ps[0].ID != StandardModelProbe {
		t.Error("batches out of order")
	}
	// Each batch opens and closes with its controls.
	for i, p := range ps {
		if p.frame == frameBefore && i > 0 && ps[i-1].Batch == p.Batch {
			t.Errorf("%s is not the first of its batch", p.ID)
		}
		if p.frame == frameAfter && i+1 < len(ps) && ps[i+1].Batch == p.Batch {
			t.Errorf("%s is not the last of its batch", p.ID)
		}
	}
	// A bare profile lists the same probes; those it gives too little for
	// are unsent, with the reason declared on the probe.
	bare := Plan(&profile.OAuth{AudienceProfile: AudRFC7523, KeyDistribution: "registered"})
	if len(bare) != len(ps) {
		t.Errorf("bare profile lists %d probes, full %d", len(bare), len(ps))
	}
	for _, p := range bare {
		skipped := strings.HasPrefix(p.ID, "gr/") || strings.HasPrefix(p.ID, "rs/") || p.ID == "ca/foreign-client-key" || p.ID == "ca/rsa-1024-bit-key" ||
			p.ID == "ca/client-id-other-client" || p.ID == "ca/jku" || p.ID == "ca/x5u"
		if skipped != (p.Skipped != "") || (skipped && p.Requests != 0) {
			t.Errorf("%s: skipped %q with %d requests", p.ID, p.Skipped, p.Requests)
		}
		if p.ID == "ca/control-before" && p.Requests != 2 {
			t.Error("RFC 7523 control may try the issuer after the token endpoint URL")
		}
		if p.ID == "ca/aud-token-endpoint" && p.Kind() != KindRecord {
			t.Errorf("under RFC 7523 the token endpoint aud is recorded, got %s", p.Kind())
		}
	}
	for _, p := range ps {
		if p.ID == "ca/aud-token-endpoint" && p.Kind() != KindRefuseClient {
			t.Errorf("under rfc7523bis the token endpoint aud must be refused, got %s", p.Kind())
		}
	}
	if Total(ps) <= len(ps)/2 || Total(ps) > 2*len(ps) || Total(bare) >= Total(ps) {
		t.Errorf("total requests %d for %d probes (bare %d)", Total(ps), len(ps), Total(bare))
	}
}

// TestFetchProbesNeedAReachableCallback: against a target that is not on
// loopback the jku/x5u probes cannot see a fetch, so without
// oauth.callback_url they are could-not-test, never pass; with it they are
// planned and the recorder hands out URLs under it.
func TestFetchProbesNeedAReachableCallback(t *testing.T) {
	fetchProbes := func(o *profile.OAuth) map[string]Probe {
		out := map[string]Probe{}
		for _, p := range Plan(o) {
			if p.ID == "ca/jku" || p.ID == "ca/x5u" {
				out[p.ID] = p
			}
		}
		return out
	}
	remote := &profile.OAuth{TokenEndpoint: "https://as.example.nl/token", AudienceProfile: AudRFC7523}
	for id, p := range fetchProbes(remote) {
		st, f := verdict.Classify(p.skip)
		if st != verdict.Error || !strings.Contains(f.Reason, "no reachable callback") || f.Cause != "missing-data" || p.Requests != 0 {
			t.Errorf("%s against a remote target: %s %+v", id, st, f)
		}
	}
	remote.CallbackURL = "https://apisec.example.nl:8099"
	for id, p := range fetchProbes(remote) {
		if p.Skipped != "" || p.Requests != 1 {
			t.Errorf("%s with a callback: skipped %q", id, p.Skipped)
		}
	}
	loopback := &profile.OAuth{TokenEndpoint: "https://127.0.0.1:8443/token", AudienceProfile: AudRFC7523}
	for id, p := range fetchProbes(loopback) {
		if p.Skipped != "" {
			t.Errorf("%s against a loopback target: skipped %q", id, p.Skipped)
		}
	}
	rec, err := StartRecorder("127.0.0.1:0", "https://apisec.example.nl:8099/")
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	if u := rec.X5U([]byte{1}); !strings.HasPrefix(u, "https://apisec.example.nl:8099/x5u/") {
		t.Errorf("recorder URL %s ignores the callback", u)
	}
}

func TestParseBearerChallenge(t *testing.T) {
	c := ParseBearerChallenge([]string{`Basic realm="a"`, `Bearer realm="x, y", error="invalid_token", error_description="a \"b\""`})
	if !c.Bearer || c.Params["error"] != "invalid_token" || c.Params["realm"] != "x, y" {
		t.Errorf("%+v", c)
	}
	if c := ParseBearerChallenge([]string{`NotBearer error="x"`}); c.Bearer {
		t.Error("NotBearer is not Bearer")
	}
}

// readResponseSeed reads "status\ncontent-type\nbody" seed files.
func readResponseSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/responses/*")
	if len(files) == 0 {
		f.Fatal("no seeds in testdata/responses")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		parts := strings.SplitN(string(b), "\n", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		st, _ := strconv.Atoi(parts[0])
		f.Add(st, parts[1], parts[2])
	}
}

// FuzzJudge: the token endpoint's and resource server's answers are hostile
// input; judging them never panics and never passes a token as a refusal.
func FuzzJudge(f *testing.F) {
	readResponseSeeds(f)
	f.Fuzz(func(t *testing.T, status int, ctype, body string) {
		ex := mkEx(status, ctype, body, "WWW-Authenticate", ctype, "Cache-Control", body)
		err := Refused("p", "c", Refusal{Codes: []string{"invalid_client"}, WarnOtherCodes: true}, ex)
		if err == nil && ex.JSON()["access_token"] != nil {
			t.Fatalf("a body with an access_token passed as a refusal: %d %q %q", status, ctype, body)
		}
		if err == nil && (status < 400 || status >= 500) {
			t.Fatalf("status %d passed as a refusal", status)
		}
		_, _ = Accepted("p", "c", true, true, ex)
		_ = BearerRefused("p", "c", "invalid_token", true, "", ex)
		_ = ex.Summary()
		_ = ex.Redacted()
		_ = ParseBearerChallenge([]string{ctype, body})
	})
}

func TestRedacted(t *testing.T) {
	ex := mkEx(200, "application/json", `{"access_token":"AT-SECRET","token_type":"Bearer","refresh_token":"RT-SECRET"}`)
	ex.BodyText = string(ex.Body)
	ex.URL = "https://as/token?grant_type=client_credentials&client_assertion=JWT-SECRET"
	ex.ReqBody = "grant_type=client_credentials&client_assertion=JWT-SECRET&client_secret=S-SECRET&assertion=G-SECRET&scope=a"
	ex.ReqHeader.Set("Authorization", "Basic QS1TRUNSRVQ=")
	r := ex.Redacted()
	all := r.URL + r.ReqBody + r.BodyText + r.ReqHeader.Get("Authorization")
	for _, secret := range []string{"AT-SECRET", "RT-SECRET", "JWT-SECRET", "S-SECRET", "G-SECRET", "QS1TRUNSRVQ="} {
		if strings.Contains(all, secret) {
			t.Errorf("%s survives redaction: %s", secret, all)
		}
	}
	if !strings.Contains(r.ReqBody, "scope=a") || !strings.Contains(r.URL, "grant_type=client_credentials") || r.ReqHeader.Get("Authorization") != "Basic [redacted]" {
		t.Errorf("redaction removed too much: %+v", r)
	}
	if ex.ReqHeader.Get("Authorization") == "Basic [redacted]" {
		t.Error("Redacted changed the original")
	}
}

// TestRedactedAssertionKeepsHeaderAndClaims: an auditor sees which JOSE
// header and claims a probe sent (alg none, a forged kid); only the
// signature, which would let anyone replay the assertion, is gone. The
// order and repetition of parameters are kept.
func TestRedactedAssertionKeepsHeaderAndClaims(t *testing.T) {
	h, c, sig := "eyJhbGciOiJFUzI1NiJ9", "eyJpc3MiOiJjIn0", "SIGNATURE-SECRET"
	jws := h + "." + c + "." + sig
	for _, tc := range []struct {
		name, value, want string
	}{
		{"compact", jws, h + "." + c + ".[redacted]"},
		{"alg none keeps its empty signature", h + "." + c + ".", h + "." + c + "."},
		{"two JWTs", jws + "." + jws, h + "." + c + ".[redacted]." + h + "." + c + ".[redacted]"},
		{"JSON serialization", `{"payload":"` + c + `","protected":"` + h + `","signature":"` + sig + `"}`, `{"payload":"` + c + `","protected":"` + h + `","signature":"[redacted]"}`},
		{"general JSON serialization", `{"payload":"` + c + `","signatures":[{"protected":"` + h + `","signature":"` + sig + `"}]}`, `{"payload":"` + c + `","signatures":[{"protected":"` + h + `","signature":"[redacted]"}]}`},
		{"JWE keeps its header only", h + ".KEY-SECRET.IV.CT-SECRET.TAG", h + ".[redacted].[redacted].[redacted].[redacted]"},
		{"opaque value", "OPAQUE-SECRET", "[redacted]"},
		{"JSON that does not parse", `{"signature":"` + sig, "[redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := &Exchange{ReqBody: encodePairs([][2]string{{"grant_type", GrantCC}, {"client_assertion", tc.value}, {"client_assertion", tc.value}, {"client_secret", "S-SECRET"}, {"scope", "a b"}})}
			got := ex.Redacted().ReqBody
			want := encodePairs([][2]string{{"grant_type", GrantCC}, {"client_assertion", tc.want}, {"client_assertion", tc.want}, {"client_secret", "[redacted]"}, {"scope", "a b"}})
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			for _, secret := range []string{"SECRET"} {
				if strings.Contains(got, secret) {
					t.Errorf("a secret survives: %s", got)
				}
			}
		})
	}
}

// TestHTTPSWaivedOnLoopback: an http URL passes an "over https" check only
// on loopback, and the check says it was waived; elsewhere it fails.
func TestHTTPSWaivedOnLoopback(t *testing.T) {
	r := &run{cur: &Result{}}
	if err := r.checkHTTPS("p", "token_endpoint", "https://as.example/t", "RFC 6749 §3.2"); err != nil || len(r.cur.Notes) != 0 {
		t.Errorf("https: %v %v", err, r.cur.Notes)
	}
	if err := r.checkHTTPS("p", "token_endpoint", "http://127.0.0.1:8080/t", "RFC 6749 §3.2"); err != nil || len(r.cur.Notes) != 1 || !strings.Contains(r.cur.Notes[0], "https waived") {
		t.Errorf("loopback http: %v %v", err, r.cur.Notes)
	}
	st, f := verdict.Classify(r.checkHTTPS("p", "token_endpoint", "http://as.example/t", "RFC 6749 §3.2"))
	if st != verdict.Fail || f.Severity != verdict.High {
		t.Errorf("remote http: %s %v", st, f)
	}
}
