package oauth_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apisec/apisec/fixtures/reference/authserver"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/evidence"
	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/profile"
	"github.com/apisec/apisec/harness/verdict"
	gojose "github.com/go-jose/go-jose/v4"
)

// refTarget is the reference authorization server on a loopback TLS port.
type refTarget struct {
	srv   *httptest.Server
	as    *authserver.Server
	oauth *profile.OAuth
	key   jose.Key
	pool  *x509.CertPool
	// recorderAddr is where the suite's JWKS must listen (jwks_uri mode).
	recorderAddr  string
	otherResource string
	// second is the second client's key (nil without one).
	second *jose.Key
	// idpKey signs grants as the trusted identity provider (grantIssuer);
	// grantKey is the key the run signs grants with (nil: the client's).
	idpKey, grantKey *jose.Key
}

type refOpts struct {
	defects  []string
	mode     string
	jwksURI  bool // client keys fetched from the suite's JWKS instead of registered
	noGrant  bool
	noRS     bool
	clientID string
	rsa      bool // an RSA-2048 client key registered for RS256
	// noSecond registers no second client; secondUnknown names one in the
	// profile whose key the server never registered.
	noSecond, secondUnknown bool
	// wrap puts a handler in front of the server (lockout, faults).
	wrap func(http.Handler) http.Handler
	// grantClientAuth makes the server require client authentication on
	// the JWT grant; grantIssuer makes it trust only an identity provider
	// (its own key) to assert the test user, not the client.
	grantClientAuth, grantIssuer bool
	// serverMode overrides the server's audience mode (default: mode).
	serverMode string
}

func startReference(t testing.TB, o refOpts) *refTarget {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "https://" + ln.Addr().String()
	var key crypto.Signer
	alg := "ES256"
	if o.rsa {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		alg = "RS256"
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	if o.clientID == "" {
		o.clientID = "apisec-client"
	}
	client := authserver.Client{ID: o.clientID}
	recorderAddr := ""
	if o.jwksURI {
		recorderAddr = freeAddr(t)
		client.JWKSURI = "http://" + recorderAddr + "/jwks.json"
	} else {
		client.Keys = gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: alg, Use: "sig"}}}
	}
	defects := map[string]bool{}
	for _, d := range o.defects {
		defects[d] = true
	}
	clients := []authserver.Client{client}
	var second *jose.Key
	if !o.noSecond {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		second = &jose.Key{Signer: k, KID: "k2"}
		if !o.secondUnknown {
			clients = append(clients, authserver.Client{ID: "apisec-client-2", Keys: gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{{Key: k.Public(), KeyID: "k2", Algorithm: "ES256", Use: "sig"}}}})
		}
	}
	cfg := authserver.Config{Issuer: issuer, Clients: clients, Defects: defects, AudienceMode: o.mode, SigningKey: asKey(t), GrantClientAuth: o.grantClientAuth}
	if o.serverMode != "" {
		cfg.AudienceMode = o.serverMode
	}
	var idpKey *jose.Key
	if o.grantIssuer {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		idpKey = &jose.Key{Signer: k, KID: "idp-1"}
		cfg.Clients[0].GrantSubjects = []string{"nobody"} // the client may assert no one
		cfg.GrantIssuers = []authserver.GrantIssuer{{ID: idpIssuer, Subjects: []string{"test-user"},
			Keys: gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{{Key: k.Public(), KeyID: "idp-1", Algorithm: "ES256", Use: "sig"}}}}}
	}
	as, err := authserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = as.Handler()
	if o.wrap != nil {
		h = o.wrap(h)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	prof := &profile.OAuth{
		Issuer: as.Issuer(), TokenEndpoint: as.TokenEndpoint(), ClientID: o.clientID, KeyID: "k1",
		AudienceProfile: o.mode, KeyDistribution: "registered", GrantSubject: "test-user", Scope: "system/Patient.read",
		ResourceURL: as.PatientURL("apisec-test-patient"), OtherResource: issuer + authserver.OtherResourcePath,
	}
	if prof.AudienceProfile == "" {
		prof.AudienceProfile = oauth.AudRFC7523
	}
	if o.jwksURI {
		prof.KeyDistribution = "jwks_uri"
	}
	if o.noGrant {
		prof.GrantSubject = ""
	}
	if o.noRS {
		prof.ResourceURL = ""
	}
	if second != nil {
		prof.SecondClient = &profile.SecondClient{ClientID: "apisec-client-2", SigningKey: "unused.pem", KeyID: "k2"}
	}
	return &refTarget{srv: srv, as: as, oauth: prof, key: jose.Key{Signer: key, KID: "k1"}, pool: pool,
		recorderAddr: recorderAddr, otherResource: issuer + authserver.OtherResourcePath, second: second, idpKey: idpKey}
}

// idpIssuer is the identity provider the reference trusts for grants
// under refOpts.grantIssuer.
const idpIssuer = "https://idp.apisec.test"

var (
	asKeyOnce sync.Once
	asKeyVal  *rsa.PrivateKey
)

// asKey is one RSA key for every reference server of the tests: generating
// one per server under -race costs more than the probes.
func asKey(t testing.TB) *rsa.PrivateKey {
	asKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		asKeyVal = k
	})
	return asKeyVal
}

// freeAddr finds a loopback port for the suite's JWKS server, which the
// target must know before the run starts.
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (rt *refTarget) run(t testing.TB) *oauth.Report {
	t.Helper()
	g := conduct.NewGuard(conduct.Config{Hosts: []string{"127.0.0.1"}, RatePerSecond: 2000, Burst: 200, Timeout: 5 * time.Second, RootCAs: rt.pool})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := oauth.Run(ctx, oauth.Config{OAuth: rt.oauth, Key: rt.key, Client: &oauth.Client{HTTP: g.HTTPClient(nil)}, RecorderAddr: rt.recorderAddr, SecondKey: rt.second, GrantKey: rt.grantKey})
	if err != nil {
		t.Fatal(err)
	}
	// The guard admits no more than the run sent (fewer when it refused a
	// host the profile does not name).
	if rep.Sent > rep.Planned || g.Used() > int64(rep.Sent) {
		t.Fatalf("sent %d requests (guard saw %d), plan lists %d", rep.Sent, g.Used(), rep.Planned)
	}
	return rep
}

// ruleStatus is the worst status per rule, as verdict.RollUpRule ranks
// them (fail > error > warn > pass > not_assessed > not_applicable; info
// does not count).
func ruleStatus(rep *oauth.Report) map[string]verdict.Status {
	out := map[string]verdict.Status{}
	for _, res := range rep.Results {
		st, _ := verdict.Classify(res.Err)
		if st == verdict.Info {
			st = verdict.Pass
		}
		if cur, ok := out[res.Probe.Rule]; !ok || st > cur {
			out[res.Probe.Rule] = st
		}
	}
	return out
}

func dump(rep *oauth.Report) string {
	var b strings.Builder
	for _, res := range rep.Results {
		st, f := verdict.Classify(res.Err)
		msg := ""
		if f != nil {
			msg = f.Error()
		}
		fmt.Fprintf(&b, "%-8s %-7s %-45s %s %v\n", res.Probe.Rule, st, res.Probe.ID, msg, res.Notes)
	}
	return b.String()
}

func nonPass(rep *oauth.Report) map[string]verdict.Status {
	out := map[string]verdict.Status{}
	for _, res := range rep.Results {
		if st, _ := verdict.Classify(res.Err); st != verdict.Pass && st != verdict.NotApplicable && st != verdict.NotAssessed && st != verdict.Info {
			out[res.Probe.ID] = st
		}
	}
	return out
}

func keys[M ~map[string]V, V any](m M) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestReferenceConformant: the conformant reference target passes every
// probe in rfc7523bis mode; in RFC 7523 mode it earns exactly the warning
// that it meets only the legacy audience rules.
func TestReferenceConformant(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts refOpts
		want map[string]verdict.Status
	}{
		{"rfc7523bis/ec", refOpts{mode: oauth.AudRFC7523bis}, map[string]verdict.Status{"SC-R001": verdict.Pass}},
		{"rfc7523bis/rsa", refOpts{mode: oauth.AudRFC7523bis, rsa: true}, map[string]verdict.Status{"SC-R001": verdict.Pass}},
		{"rfc7523bis/jwks_uri", refOpts{mode: oauth.AudRFC7523bis, jwksURI: true}, map[string]verdict.Status{"SC-R001": verdict.Pass}},
		{"rfc7523", refOpts{mode: oauth.AudRFC7523}, map[string]verdict.Status{"SC-R001": verdict.Warn}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := startReference(t, tc.opts)
			rep := rt.run(t)
			got := ruleStatus(rep)
			for _, rule := range []string{oauth.RuleR001, oauth.RuleR002, oauth.RuleR003, oauth.Rule008} {
				want, ok := tc.want[rule]
				if !ok {
					want = verdict.Pass
				}
				if got[rule] != want {
					t.Errorf("%s: got %s, want %s\n%s", rule, got[rule], want, dump(rep))
				}
			}
			if rep.Sent == 0 || rep.Sent > rep.Planned {
				t.Errorf("sent %d, planned %d", rep.Sent, rep.Planned)
			}
			if tc.opts.mode == oauth.AudRFC7523 {
				if np := keys(nonPass(rep)); len(np) != 1 || np[0] != "ca/audience-profile" {
					t.Errorf("want only ca/audience-profile to warn, got %v", np)
				}
			}
		})
	}
}

// undetected are the reference defects the probes cannot see, and why.
var undetected = map[string]string{
	authserver.DefectRSAcceptExpiredToken: "needs a validly signed expired access token; the suite cannot wait out the token lifetime within the run",
}

// TestReferenceDefects: each defect of the reference target flips exactly
// the rules it names, and nothing else.
func TestReferenceDefects(t *testing.T) {
	for _, d := range authserver.Defects() {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel() // each defect has a server of its own
			opts := refOpts{mode: oauth.AudRFC7523bis, defects: []string{d.Name}}
			switch d.Name {
			case authserver.DefectIgnoreKeyAlg:
				opts.rsa = true // PS256 with a key registered for RS256
			case authserver.DefectAcceptShortRSAKey:
				opts.jwksURI = true // the suite publishes a 1024-bit key
			}
			rep := startReference(t, opts).run(t)
			got := ruleStatus(rep)
			want := map[string]bool{}
			if _, gap := undetected[d.Name]; !gap {
				for _, r := range d.Breaks {
					want[r] = true
				}
			}
			for _, rule := range []string{oauth.RuleR001, oauth.RuleR002, oauth.RuleR003, oauth.Rule008} {
				broken := got[rule] == verdict.Fail || got[rule] == verdict.Warn
				if got[rule] == verdict.Error {
					t.Errorf("%s: error\n%s", rule, dump(rep))
				}
				if broken != want[rule] {
					t.Errorf("%s: got %s, want broken=%v (defect breaks %v); failing probes %v", rule, got[rule], want[rule], d.Breaks, keys(nonPass(rep)))
				}
			}
		})
	}
}

// lockout refuses every token request after the first n, as a server that
// locks a client after failed attempts would.
func lockout(n int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		var mu sync.Mutex
		seen := 0
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, authserver.PathToken) {
				mu.Lock()
				seen++
				locked := seen > n
				mu.Unlock()
				if locked {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusUnauthorized)
					_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"client locked"}`))
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestFramingByPositiveControls: when the valid assertion stops working
// during the batch (a lockout), the refusals in that batch prove nothing and
// become "could not test" (so do refused requests that should have been
// accepted); a token the target issued keeps its verdict, and the control
// after the batch fails.
func TestFramingByPositiveControls(t *testing.T) {
	rep := startReference(t, refOpts{mode: oauth.AudRFC7523bis, noGrant: true, noRS: true, wrap: lockout(20)}).run(t)
	var refusalsPassed, cnt int
	for _, res := range rep.Results {
		if res.Probe.Batch != oauth.BatchClientAuth {
			continue
		}
		st, f := verdict.Classify(res.Err)
		switch k := res.Probe.Kind(); {
		case res.Probe.ID == "ca/control-before":
			if st != verdict.Pass {
				t.Errorf("control before: %s %v", st, f)
			}
		case res.Probe.ID == "ca/control-after":
			if st != verdict.Error || !strings.Contains(f.Reason, "lockout") {
				t.Errorf("control after a lockout: %s %v, want could-not-test naming a lockout", st, f)
			}
		case strings.HasPrefix(k, "refuse"):
			if st == verdict.Pass {
				refusalsPassed++
			}
			if st == verdict.Error && strings.Contains(f.Reason, "lockout") {
				cnt++
			}
		default:
			if st == verdict.Fail || st == verdict.Warn {
				t.Errorf("%s: %s after a lockout (%v); a refusal then proves nothing", res.Probe.ID, st, f)
			}
		}
	}
	if refusalsPassed != 0 || cnt < 50 {
		t.Errorf("after a lockout %d refusals still pass, %d became could-not-test", refusalsPassed, cnt)
	}
	// Without the lockout the same batch passes: the framing, not the
	// probes, made the difference.
	if got := ruleStatus(startReference(t, refOpts{mode: oauth.AudRFC7523bis, noGrant: true, noRS: true}).run(t)); got[oauth.RuleR001] != verdict.Pass {
		t.Errorf("without lockout: %v", got)
	}
}

// TestForeignClientKey: checklist B9d. Another registered client's key
// under its own kid must not sign for the suite's client; the probe is only
// planned with a second client, and a second client the server does not
// know makes it "could not test", not pass.
func TestForeignClientKey(t *testing.T) {
	const id = "ca/foreign-client-key"
	status := func(rep *oauth.Report) (verdict.Status, *oauth.Result) {
		res, ok := rep.Result(id)
		if !ok {
			return -1, nil
		}
		st, _ := verdict.Classify(res.Err)
		return st, res
	}
	opts := refOpts{mode: oauth.AudRFC7523bis, noGrant: true, noRS: true}
	st, res := status(startReference(t, opts).run(t))
	if st != verdict.Pass || len(res.Exchanges) != 2 || res.Exchanges[0].Status != 200 || !strings.Contains(string(res.Exchanges[1].Body), `"invalid_client"`) {
		t.Errorf("conformant: %s %+v", st, res)
	}
	opts.defects = []string{authserver.DefectAcceptForeignKey}
	if st, res := status(startReference(t, opts).run(t)); st != verdict.Fail {
		t.Errorf("accept-foreign-key: %s %+v", st, res)
	}
	opts.defects, opts.secondUnknown = nil, true
	if st, res := status(startReference(t, opts).run(t)); st != verdict.Error || len(res.Exchanges) != 1 {
		t.Errorf("unregistered second client: %s, want could-not-test after one request", st)
	}
	opts.secondUnknown, opts.noSecond = false, true
	rt := startReference(t, opts)
	if st, res := status(rt.run(t)); st != verdict.NotAssessed || len(res.Exchanges) != 0 {
		t.Errorf("without oauth.second_client: %s after %d requests, want not_assessed, unsent", st, len(res.Exchanges))
	}
	// Named in the profile but no key given to the run: not applicable.
	rt.oauth.SecondClient = &profile.SecondClient{ClientID: "apisec-client-2", SigningKey: "k2.pem"}
	if st, _ := status(rt.run(t)); st != verdict.NotApplicable {
		t.Errorf("without the second key: %s, want not_applicable", st)
	}
}

func probeStatus(t *testing.T, rep *oauth.Report, id string) (verdict.Status, *verdict.Finding) {
	t.Helper()
	res, ok := rep.Result(id)
	if !ok {
		t.Fatalf("no result for %s", id)
	}
	return verdict.Classify(res.Err)
}

// TestNewProbesAgainstDefects: each reference defect made for a probe of
// issue 15 turns exactly that probe, with the status and severity its
// grading names; the conformant reference passes them.
func TestNewProbesAgainstDefects(t *testing.T) {
	type want struct {
		status verdict.Status
		sev    verdict.Severity
	}
	for _, tc := range []struct {
		defect string
		policy string
		probes map[string]want
	}{
		{"", "", map[string]want{"ca/iat-5s-ahead": {verdict.Pass, ""}, "ca/iat-10m-ahead": {verdict.Pass, ""}, "ca/typ-dpop-jwt": {verdict.Pass, ""},
			"ca/typ-at-jwt": {verdict.Pass, ""}, "ca/client-id-other-client": {verdict.Pass, ""}, "gr/untrusted-issuer": {verdict.Pass, ""}, "ca/iss-wrong": {verdict.Pass, ""}}},
		// A 5xx fails even where the target only SHOULD accept.
		{authserver.Defect500OnFutureIat, "", map[string]want{"ca/iat-5s-ahead": {verdict.Fail, verdict.Medium}, "ca/iat-10m-ahead": {verdict.Fail, verdict.Medium}}},
		{authserver.DefectGrantAcceptUntrustedIssuer, "", map[string]want{"gr/untrusted-issuer": {verdict.Fail, verdict.Critical}}},
		{authserver.DefectInvalidRequestForUnknownClient, profile.ErrorCodesOIDF, map[string]want{"ca/iss-wrong": {verdict.Warn, verdict.Low}, "ca/iss-case": {verdict.Warn, verdict.Low}}},
		{authserver.DefectInvalidRequestForUnknownClient, profile.ErrorCodesStrict, map[string]want{"ca/iss-wrong": {verdict.Fail, verdict.Low}, "ca/iss-case": {verdict.Fail, verdict.Low}}},
		{authserver.DefectAcceptOtherTyp, "", map[string]want{"ca/typ-dpop-jwt": {verdict.Warn, verdict.Low}, "ca/typ-at-jwt": {verdict.Warn, verdict.Low}, "ca/dpop-proof-as-assertion": {verdict.Pass, ""}}},
		{authserver.DefectAcceptClientIDMismatch, "", map[string]want{"ca/client-id-other-client": {verdict.Fail, verdict.High}, "ca/client-id-mismatch": {verdict.Fail, verdict.High}}},
		{authserver.DefectAdvertiseClientSecretBasic, "", map[string]want{"md/no-symmetric-client-auth": {verdict.Warn, verdict.Low}}},
		{authserver.DefectAdvertiseClientSecretJWT, "", map[string]want{"md/no-symmetric-client-auth": {verdict.Fail, verdict.High}, "md/no-symmetric-signing-algs": {verdict.Fail, verdict.High}}},
		{authserver.DefectAcceptAlgNone, "", map[string]want{"ca/alg-none": {verdict.Fail, verdict.Critical}, "ca/alg-nOnE": {verdict.Fail, verdict.Critical}}},
		{authserver.DefectAcceptExpiredAssertion, "", map[string]want{"ca/exp-5m-ago": {verdict.Fail, verdict.Critical}}},
	} {
		t.Run(tc.defect+tc.policy, func(t *testing.T) {
			t.Parallel()
			opts := refOpts{mode: oauth.AudRFC7523bis}
			if tc.defect != "" {
				opts.defects = []string{tc.defect}
			}
			rt := startReference(t, opts)
			rt.oauth.ErrorCodes = tc.policy
			rep := rt.run(t)
			for id, w := range tc.probes {
				st, f := probeStatus(t, rep, id)
				if st != w.status || (f != nil && f.Severity != w.sev) {
					t.Errorf("%s: got %s %v, want %s %s", id, st, f, w.status, w.sev)
				}
			}
		})
	}
}

// TestConfigurableGrant: a server that wants the client authenticated on
// the JWT grant, or trusts only an identity provider to assert the user,
// refuses the default grant; the control then says which profile field to
// set (could not test, never fail), and with the field set every grant
// probe gets its verdict.
func TestConfigurableGrant(t *testing.T) {
	grantIDs := func(rep *oauth.Report) map[string]verdict.Status {
		out := map[string]verdict.Status{}
		for _, res := range rep.Results {
			if res.Probe.Batch == oauth.BatchGrant {
				st, _ := verdict.Classify(res.Err)
				out[res.Probe.ID] = st
			}
		}
		return out
	}
	t.Run("client authentication on the grant", func(t *testing.T) {
		rt := startReference(t, refOpts{mode: oauth.AudRFC7523bis, grantClientAuth: true, noRS: true})
		rep := rt.run(t)
		st, f := probeStatus(t, rep, "gr/control-before")
		if st != verdict.Error || !strings.Contains(f.Reason, "oauth.grant.client_auth: private_key_jwt") {
			t.Fatalf("refused grant control: %s %v", st, f)
		}
		rt.oauth.Grant = &profile.Grant{ClientAuth: profile.GrantAuthPrivateKey}
		rep = rt.run(t)
		for id, st := range grantIDs(rep) {
			if st != verdict.Pass {
				t.Errorf("%s with client_auth private_key_jwt: %s\n%s", id, st, dump(rep))
			}
		}
	})
	t.Run("trusted issuer", func(t *testing.T) {
		rt := startReference(t, refOpts{mode: oauth.AudRFC7523bis, grantIssuer: true, noRS: true})
		rep := rt.run(t)
		st, f := probeStatus(t, rep, "gr/control-before")
		if st != verdict.Error || !strings.Contains(f.Reason, "oauth.grant.issuer") {
			t.Fatalf("refused grant control: %s %v", st, f)
		}
		rt.oauth.Grant = &profile.Grant{Issuer: idpIssuer, KeyID: "idp-1"}
		rt.grantKey = rt.idpKey
		rep = rt.run(t)
		for id, st := range grantIDs(rep) {
			if st != verdict.Pass {
				t.Errorf("%s with the identity provider as issuer: %s\n%s", id, st, dump(rep))
			}
		}
		// The untrusted-issuer probe still catches a server that finds the
		// key by kid whatever the issuer.
		rt = startReference(t, refOpts{mode: oauth.AudRFC7523bis, grantIssuer: true, noRS: true, defects: []string{authserver.DefectGrantAcceptUntrustedIssuer}})
		rt.oauth.Grant = &profile.Grant{Issuer: idpIssuer, KeyID: "idp-1"}
		rt.grantKey = rt.idpKey
		if st, _ := probeStatus(t, rt.run(t), "gr/untrusted-issuer"); st != verdict.Fail {
			t.Errorf("gr/untrusted-issuer against grant-accept-untrusted-issuer: %s", st)
		}
	})
}

// TestRFC7523bisFallback: a server that takes only the token endpoint URL
// as audience (RFC 7523 as published allows it) tested under rfc7523bis:
// the issuer-audience control is refused, which is the 7523bis deviation
// (ca/aud-issuer and ca/audience-profile fail), and every other probe still
// runs with the token endpoint audience instead of ending in "error".
func TestRFC7523bisFallback(t *testing.T) {
	rep := startReference(t, refOpts{mode: oauth.AudRFC7523bis, serverMode: authserver.AudienceTokenEndpoint}).run(t)
	for _, id := range []string{"ca/aud-issuer", "ca/audience-profile"} {
		if st, _ := probeStatus(t, rep, id); st != verdict.Fail {
			t.Errorf("%s: %s, want fail (the rfc7523bis deviation)", id, st)
		}
	}
	if st, _ := probeStatus(t, rep, "ca/control-before"); st != verdict.Pass {
		t.Errorf("control before: %s", st)
	}
	res, _ := rep.Result("ca/control-before")
	if len(res.Exchanges) != 2 || !strings.Contains(strings.Join(res.Notes, " "), "the batch uses") {
		t.Errorf("control before tried %d audiences, notes %v", len(res.Exchanges), res.Notes)
	}
	var errs []string
	for _, r := range rep.Results {
		if st, _ := verdict.Classify(r.Err); st == verdict.Error {
			errs = append(errs, r.Probe.ID)
		}
	}
	if len(errs) > 0 {
		t.Errorf("probes left untested after the fallback: %v\n%s", errs, dump(rep))
	}
	if got := ruleStatus(rep); got[oauth.RuleR001] != verdict.Fail || got[oauth.RuleR003] != verdict.Pass || got[oauth.Rule008] != verdict.Pass {
		t.Errorf("rules: %v", got)
	}
}

// TestEvidenceShowsTheProbe: after both redactions (the probe's own and
// the report's), the transcript of ca/alg-none still shows the unsigned
// header that was sent, and no transcript carries a signature of a valid
// assertion or a parameter cut off after client_secret.
func TestEvidenceShowsTheProbe(t *testing.T) {
	rep := startReference(t, refOpts{mode: oauth.AudRFC7523bis, noGrant: true, noRS: true}).run(t)
	header := func(id string) map[string]any {
		res, _ := rep.Result(id)
		var ev struct {
			Exchanges []struct {
				Body string `json:"request_body"`
			} `json:"exchanges"`
		}
		if err := json.Unmarshal(evidence.Redact(res.Evidence()), &ev); err != nil || len(ev.Exchanges) == 0 {
			t.Fatalf("%s evidence: %v", id, err)
		}
		form, err := url.ParseQuery(ev.Exchanges[0].Body)
		if err != nil {
			t.Fatalf("%s: request body %q: %v", id, ev.Exchanges[0].Body, err)
		}
		segs := strings.Split(form.Get("client_assertion"), ".")
		if len(segs) != 3 || (segs[2] != "" && !strings.EqualFold(segs[2], "[redacted]")) {
			t.Fatalf("%s: assertion in evidence %q", id, form.Get("client_assertion"))
		}
		raw, err := base64.RawURLEncoding.DecodeString(segs[0])
		if err != nil {
			t.Fatalf("%s: header %q: %v", id, segs[0], err)
		}
		var h map[string]any
		_ = json.Unmarshal(raw, &h)
		return h
	}
	if h := header("ca/alg-none"); h["alg"] != "none" {
		t.Errorf("ca/alg-none evidence header %v", h)
	}
	if h := header("ca/control-before"); h["alg"] != "ES256" || h["kid"] != "k1" {
		t.Errorf("control evidence header %v", h)
	}
	res, _ := rep.Result("ca/client-secret-too")
	body := string(evidence.Redact(res.Evidence()))
	if strings.Contains(body, "apisec-not-a-secret") || !strings.Contains(body, `scope=system%2FPatient.read`) {
		t.Errorf("client-secret-too evidence: %s", body)
	}
}

// lockAfterAlg answers every token request refused (a lockout) once it has
// seen a client assertion signed with alg: the control after the batch then
// fails while the probes before it got real answers.
func lockAfterAlg(alg string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		var mu sync.Mutex
		locked := false
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, authserver.PathToken) {
				next.ServeHTTP(w, r)
				return
			}
			mu.Lock()
			isLocked := locked
			mu.Unlock()
			if isLocked {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"client locked"}`))
				return
			}
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			form, _ := url.ParseQuery(string(body))
			if h, _, ok := strings.Cut(form.Get("client_assertion"), "."); ok {
				if raw, err := base64.RawURLEncoding.DecodeString(h); err == nil && strings.Contains(string(raw), `"alg":"`+alg+`"`) {
					mu.Lock()
					locked = true
					mu.Unlock()
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestFramingKeepsProvenFindings (issue 8 item 2): when the control after
// the batch fails, refusals in the batch prove nothing and become "could
// not test", but a token issued for an unsigned assertion stays a critical
// failure and a 5xx a medium one, so the rule fails rather than ending
// incomplete.
func TestFramingKeepsProvenFindings(t *testing.T) {
	rep := startReference(t, refOpts{mode: oauth.AudRFC7523bis, noGrant: true, noRS: true,
		defects: []string{authserver.DefectAcceptAlgNone, authserver.Defect500OnMalformed}, wrap: lockAfterAlg("HS512")}).run(t)
	if st, f := probeStatus(t, rep, "ca/control-after"); st != verdict.Error || !strings.Contains(f.Reason, "lockout") {
		t.Fatalf("control after: %s %v", st, f)
	}
	for _, id := range []string{"ca/alg-none", "ca/alg-None", "ca/alg-NONE", "ca/alg-nOnE", "ca/alg-none-signature-kept"} {
		if st, f := probeStatus(t, rep, id); st != verdict.Fail || f.Severity != verdict.Critical {
			t.Errorf("%s: %s %v, want a critical failure kept", id, st, f)
		}
	}
	// A crash is proven too.
	if st, f := probeStatus(t, rep, "ca/header-array"); st != verdict.Fail || f.Severity != verdict.Medium {
		t.Errorf("ca/header-array answered 500: %s %v, want a medium failure kept", st, f)
	}
	if st, f := probeStatus(t, rep, "ca/without-iss"); st != verdict.Error || !strings.Contains(f.Reason, "lockout") {
		t.Errorf("a refusal before a failed control: %s %v, want could-not-test", st, f)
	}
	if got := ruleStatus(rep); got[oauth.RuleR003] != verdict.Fail {
		t.Errorf("SC-R003: %s, want fail (fail outranks error)", got[oauth.RuleR003])
	}
}

// jwksElsewhere serves metadata whose jwks_uri names another host (a CDN
// or key service), here "localhost", which the test's allow-list lacks.
func jwksElsewhere(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/.well-known/") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var md map[string]any
		if json.Unmarshal(rec.Body.Bytes(), &md) != nil {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		if u, ok := md["jwks_uri"].(string); ok {
			md["jwks_uri"] = strings.Replace(u, "127.0.0.1", "localhost", 1)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(md)
	})
}

// TestJWKSOnAnotherHost: a JWKS on a host the profile does not name is not
// fetched (the suite contacts only the profile's hosts); the JWKS checks
// are could-not-test with the hint to name it in oauth.jwks_url, never a
// pass or a fail.
func TestJWKSOnAnotherHost(t *testing.T) {
	rep := startReference(t, refOpts{mode: oauth.AudRFC7523bis, noGrant: true, noRS: true, wrap: jwksElsewhere}).run(t)
	for _, id := range []string{"md/jwks-public-keys-only", "md/jwks-key-strength", "md/jwks-consistent"} {
		st, f := probeStatus(t, rep, id)
		if st != verdict.Error || !strings.Contains(f.Reason, "oauth.jwks_url") || f.Cause != "guard" {
			t.Errorf("%s: %s %+v", id, st, f)
		}
	}
}
