package steps

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/apisec/apisec/harness/authmodel"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/harness/webprobe"
)

// genericState is SC009's part of a scenario: the specifier's declared
// national generic functions and what the deployment shows of them.
type genericState struct {
	declared bool
	decl     []authmodel.Declared
	none     string
	unknown  []string
	obs      *authmodel.Observed
}

func registerGenericSteps(sc stepDefs, w *World) {
	g := &genericState{}
	sc.Given(`^the specifier's declaration of the national generic functions$`, func() error { return g.read(w) })
	sc.Then(`^it names the generic functions it uses, or why none applies$`, func() error { return g.requireNamed(w) })
	sc.When(`^the deployment's signals are observed$`, func(ctx context.Context) error { return g.observe(ctx, w) })
	sc.Then(`^the signals of "([a-z]+)" do not contradict the declaration$`, func(fn string) error { return g.judge(w, fn) })
}

// read takes the generic functions of the valid specifier declaration that
// covers the rule; without one there is nothing to compare.
func (g *genericState) read(w *World) error {
	for _, c := range w.Env().Declarations {
		if c.Covers(w.Rule()) {
			g.declared = true
			g.decl, g.none, g.unknown = authmodel.ParseGenericFunctions(c.Statement.GenericFunctions)
			return nil
		}
	}
	return verdict.OutOfScope("no valid specifier declaration covers " + w.Rule().ID + ", so there is no declared generic function to compare (the declaration scenario says why)")
}

func (g *genericState) requireNamed(w *World) error {
	const probe = "the declaration's generic_functions"
	if len(g.decl) == 0 && g.none == "" {
		return verdict.WithSeverity(verdict.Deviation(probe, "each national generic function used, with its specification and version, or none: <why none applies>",
			w.Rule().ID+" (the specifier names which nationally prescribed functions the API uses); zorgapis.nl remarks", "no generic_functions in the declaration"), verdict.Medium)
	}
	for _, d := range g.decl {
		w.Note(fmt.Sprintf("declared %s: %s", d.Function, d.Spec))
	}
	if g.none != "" {
		w.Note("declared that no generic function applies: " + g.none)
	}
	if len(g.unknown) > 0 {
		return verdict.WithSeverity(verdict.Warning(probe, "entries of the form <function>: <specification and version>, the function one of "+strings.Join(authmodel.Functions, ", "),
			w.Rule().ID, "cannot read "+fmt.Sprintf("%q", g.unknown)), verdict.Low)
	}
	return nil
}

// observe gathers, once per run, what the deployment shows: the OAuth
// metadata, the resource read with a token, the declared did:web
// documents, and the client-certificate request of the TLS handshake when
// UZI/PKIoverheid is declared.
func (g *genericState) observe(ctx context.Context, w *World) error {
	env := w.Env()
	v, err := env.Shared.Do("sc009/observed", func() (any, error) {
		obs := &authmodel.Observed{DIDs: map[string]authmodel.DIDResult{}}
		if env.Profile.OAuth != nil && env.Profile.HasInterface("rest") {
			m := &modelState{}
			if err := m.load(ctx, w); err == nil {
				obs.Discovery = m.disc
			}
			if sv, err := env.Shared.Do(webSessionKey, func() (any, error) { return newWebSession(env) }); err == nil {
				if ex, err := sv.(*webprobe.Session).Data(ctx); err == nil && ex.Status() == http.StatusOK {
					obs.Resource = ex.RespBody
				}
			}
		}
		uzi := false
		for _, d := range g.decl {
			for _, did := range authmodel.DIDsIn(d.Spec) {
				obs.DIDs[did] = resolveDID(ctx, env, did)
			}
			spec := strings.ToLower(d.Spec)
			if d.Function == "authentication" && (strings.Contains(spec, "uzi") || strings.Contains(spec, "pkioverheid") || strings.Contains(spec, "mtls") || strings.Contains(spec, "mutual tls")) {
				uzi = true
			}
		}
		if uzi {
			clientCARequest(ctx, env, obs)
		}
		return obs, nil
	})
	if err != nil {
		return verdict.CouldNotTest("SC009 signals", err)
	}
	g.obs = v.(*authmodel.Observed)
	for did, r := range g.obs.DIDs {
		w.Evidence("did "+did, "application/json", fmt.Appendf(nil, `{"did":%q,"url":%q,"id":%q,"error":%q}`, did, r.URL, r.ID, r.Err))
	}
	return nil
}

func (g *genericState) judge(w *World, fn string) error {
	if g.obs == nil {
		return errors.New("sc009: nothing observed (a When step is missing)")
	}
	for _, d := range g.decl {
		if d.Function != fn {
			continue
		}
		s := authmodel.Judge(d, *g.obs)
		w.Note(fmt.Sprintf("%s: %s — %s", fn, s.State, s.Detail))
		return s.Verdict()
	}
	if g.none != "" {
		return verdict.Noted("generic function "+fn, "the declaration says no generic function applies: "+g.none)
	}
	return verdict.Noted("generic function "+fn, "not declared: the specifier names no use of "+fn)
}

// resolveDID fetches a did:web document through the guard (only hosts the
// profile names; anything else is not observable).
func resolveDID(ctx context.Context, env *Env, did string) authmodel.DIDResult {
	u, err := authmodel.DIDURL(did)
	r := authmodel.DIDResult{URL: u}
	if err != nil {
		r.Err = err.Error()
		return r
	}
	pu, _ := url.Parse(u)
	if !env.Guard.Allowed(pu.Hostname()) {
		r.Err = "unreachable: " + pu.Hostname() + " is not a host the profile names"
		return r
	}
	ex, err := webprobe.Do(ctx, env.Guard.HTTPClient(nil), http.MethodGet, u, nil, http.Header{"Accept": {"application/did+json, application/json"}})
	if err != nil {
		r.Err = "unreachable: " + verdict.Cause(err)
		return r
	}
	if ex.Status() != http.StatusOK {
		r.Err = ex.Response.Status
		return r
	}
	var doc struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(ex.RespBody, &doc) != nil {
		r.Err = "not a JSON DID document"
		return r
	}
	r.ID = doc.ID
	return r
}

// clientCARequest makes one handshake with the base URL's host and keeps
// whether a client certificate was asked and from which CAs.
func clientCARequest(ctx context.Context, env *Env, obs *authmodel.Observed) {
	u, err := url.Parse(env.Profile.Target.BaseURL)
	if err != nil {
		return
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	conn, err := env.Guard.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return
	}
	defer conn.Close()
	obs.TLSObserved = true
	tc := tls.Client(conn, &tls.Config{ServerName: u.Hostname(), RootCAs: env.Guard.RootCAs(), MinVersion: tls.VersionTLS12,
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			obs.ClientCARequested = true
			for _, dn := range cri.AcceptableCAs {
				var rdn pkix.RDNSequence
				if _, err := asn1.Unmarshal(dn, &rdn); err == nil {
					var n pkix.Name
					n.FillFromRDNSequence(&rdn)
					obs.ClientCAs = append(obs.ClientCAs, n)
				}
			}
			return &tls.Certificate{}, nil
		}})
	hctx, cancel := context.WithTimeout(ctx, env.Guard.Timeout())
	defer cancel()
	_ = tc.HandshakeContext(hctx) // refused without a certificate is fine: the request was seen
}
