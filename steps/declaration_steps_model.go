package steps

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/authmodel"
	"github.com/apisec/apisec/harness/conduct"
	"github.com/apisec/apisec/harness/jose"
	"github.com/apisec/apisec/harness/oauth"
	"github.com/apisec/apisec/harness/verdict"
)

// modelState is the "standard model" part of a declared specifier rule
// (SC006, SC007): what the OAuth metadata batch fetched, judged as
// evidence that can contradict the declaration.
type modelState struct {
	disc *oauth.Discovery
	// second is the outcome of the second client's token request.
	first, second string
	secondErr     error
}

func registerModelSteps(sc stepDefs, w *World) {
	m := &modelState{}
	sc.Given(`^the authorization server's published model$`, func(ctx context.Context) error { return m.load(ctx, w) })
	sc.Then(`^the metadata is a valid standard document for the configured issuer$`, func() error {
		notes, err := authmodel.MetadataValid(m.disc, w.Env().Profile.OAuth.Issuer)
		for _, n := range notes {
			w.Note(n)
		}
		return err
	})
	sc.Then(`^the metadata advertises only registered grant types and client authentication methods$`, func() error {
		return authmodel.RegisteredValues(m.disc)
	})
	sc.Then(`^the published JWK Set holds public keys only$`, func() error { return authmodel.JWKSPublic(m.disc) })
	sc.Then(`^the metadata names no registered client$`, func() error {
		o := w.Env().Profile.OAuth
		ids := []string{o.ClientID}
		if o.SecondClient != nil {
			ids = append(ids, o.SecondClient.ClientID)
		}
		return authmodel.OneModelForAllClients(m.disc, ids)
	})
	sc.When(`^the second client makes the first client's token request$`, func(ctx context.Context) error { return m.secondClient(ctx, w) })
	sc.Then(`^it gets the same kind of token from the same endpoint$`, func() error { return m.sameToken() })
	sc.Then(`^the resource challenges with a registered authentication scheme$`, func(ctx context.Context) error { return challenge(ctx, w) })
}

// load runs (or reuses) the OAuth probe batch, whose metadata fetch is the
// evidence, and keeps what it discovered.
func (m *modelState) load(ctx context.Context, w *World) error {
	o := &oauthState{}
	if err := o.load(ctx, w); err != nil {
		return err
	}
	if o.report == nil || o.report.Discovery == nil {
		return verdict.CouldNotTestf("authorization server metadata", "the OAuth batch discovered nothing")
	}
	m.disc = o.report.Discovery
	docs := map[string]any{}
	for _, d := range []*oauth.Doc{m.disc.AS, m.disc.OIDC} {
		if d != nil && d.Obj != nil {
			docs[d.URL] = d.Obj
		}
	}
	if len(docs) > 0 {
		if raw, err := json.MarshalIndent(docs, "", "  "); err == nil {
			w.Evidence("published metadata", "application/json", raw)
		}
	}
	return nil
}

// secondClient asks a token for each registered client with the same
// request: client credentials, a private_key_jwt assertion, the profile's
// scope, at the one token endpoint.
func (m *modelState) secondClient(ctx context.Context, w *World) error {
	env := w.Env()
	o := env.Profile.OAuth
	if o.SecondClient == nil {
		return verdict.OutOfScope("the profile names no oauth.second_client, so the same request cannot be made by another client")
	}
	client := &oauth.Client{HTTP: env.Guard.HTTPClient(&tls.Config{RootCAs: env.Guard.RootCAs(), MinVersion: tls.VersionTLS12}), BodyCap: oauth.DefaultBodyCap}
	key, err := oauth.LoadSigningKey(env.Profile.Path(o.SigningKey))
	if err != nil {
		return verdict.CouldNotTest("the first client's key", err)
	}
	key2, err := oauth.LoadSigningKey(env.Profile.Path(o.SecondClient.SigningKey))
	if err != nil {
		return verdict.CouldNotTest("the second client's key", err)
	}
	if m.first, err = oauth.ClientCredentialsToken(ctx, client, o, jose.Key{Signer: key, KID: o.KeyID}, o.Scope, env.Now); err != nil {
		return verdict.CouldNotTestf("the first client's token request", "the control failed, so the comparison proves nothing: %v", err)
	}
	o2 := *o
	o2.ClientID, o2.KeyID, o2.SecondClient = o.SecondClient.ClientID, o.SecondClient.KeyID, nil
	m.second, m.secondErr = oauth.ClientCredentialsToken(ctx, client, &o2, jose.Key{Signer: key2, KID: o.SecondClient.KeyID}, o.Scope, env.Now)
	return nil
}

// refusalByPolicy: codes with which an authorization server refuses what a
// client may have, not how it authenticates (RFC 6749 §5.2) — a per-client
// scope grant is policy, not a different model.
var refusalByPolicy = []string{"invalid_scope", "unauthorized_client", "access_denied"}

func (m *modelState) sameToken() error {
	const probe = "the second client's token request"
	if m.first == "" {
		return errors.New("model: no token request made (a When step is missing)")
	}
	if m.secondErr != nil {
		var f *verdict.Finding
		if errors.As(m.secondErr, &f) {
			for _, code := range refusalByPolicy {
				if strings.Contains(f.Got, code) {
					return verdict.Noted(probe, "refused by policy ("+code+"), not by model: the comparison cannot be made")
				}
			}
		}
		return verdict.CouldNotTestf(probe, "the second client is not accepted with its registered key (check oauth.second_client): %v", m.secondErr)
	}
	return authmodel.SameTokens(m.first, m.second)
}

// registeredSchemes is the IANA HTTP Authentication Scheme Registry.
var registeredSchemes = []string{"basic", "bearer", "concealed", "digest", "dpop", "gnap", "hoba", "mutual",
	"negotiate", "oauth", "privatetoken", "scram-sha-1", "scram-sha-256", "vapid"}

// challenge: the resource's 401 challenges with a registered scheme (RFC
// 9110 §11.6.1, RFC 6750 §3), not a custom header of its own.
func challenge(ctx context.Context, w *World) error {
	const probe = "the resource's authentication challenge"
	env := w.Env()
	u := env.Profile.OAuth.ResourceURL
	if u == "" {
		return verdict.OutOfScope("the profile names no oauth.resource_url")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return verdict.CouldNotTest(probe, err)
	}
	resp, err := env.Guard.HTTPClient(nil).Do(req)
	if err != nil {
		return verdict.CouldNotTest(probe, err)
	}
	_, _ = conduct.ReadBody(resp.Body, 64<<10)
	resp.Body.Close()
	w.Evidence("resource without a token", "text/plain", fmt.Appendf(nil, "GET %s\n→ %s\nWWW-Authenticate: %s\n", u, resp.Status, strings.Join(resp.Header.Values("WWW-Authenticate"), " | ")))
	if resp.StatusCode != http.StatusUnauthorized {
		return verdict.CouldNotTestf(probe, "GET without a token answered %s, not 401 (SC-R001 judges the refusal)", resp.Status)
	}
	var odd []string
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
		scheme = strings.TrimSuffix(scheme, ",")
		if scheme != "" && !slices.Contains(registeredSchemes, strings.ToLower(scheme)) {
			odd = append(odd, scheme)
		}
	}
	if len(odd) > 0 {
		return verdict.WithSeverity(verdict.Deviation(probe, "a registered authentication scheme (Bearer or DPoP for OAuth)",
			"SC006; RFC 9110 §11.6.1, RFC 6750 §3", "WWW-Authenticate scheme "+strings.Join(odd, ", ")), verdict.Medium)
	}
	return nil
}
