// Package profile reads the target profile: what the suite may contact, the
// credentials the target registered for it, and the choices of guideline.
package profile

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/conduct"
	"go.yaml.in/yaml/v3"
)

// CurrentVersion is the profile format version this suite reads.
const CurrentVersion = 1

// Profile describes one target. Paths inside it are resolved relative to the
// profile file by Load.
type Profile struct {
	Version int    `yaml:"version"`
	Target  Target `yaml:"target"`
	// ClaimedLevel is the level the run decides the exit code on (default FSA).
	ClaimedLevel catalogue.Level `yaml:"claimed_level"`
	// CAFile is the PEM trust anchor for the target's certificates; empty
	// means the system pool.
	CAFile       string       `yaml:"ca_file,omitempty"`
	Limits       Limits       `yaml:"limits"`
	TLS          TLS          `yaml:"tls"`
	OAuth        *OAuth       `yaml:"oauth,omitempty"`
	SOAP         *SOAP        `yaml:"soap,omitempty"`
	Audit        *Audit       `yaml:"audit,omitempty"`
	Web          *Web         `yaml:"web,omitempty"`
	Declarations Declarations `yaml:"declarations"`

	// Dir is the folder the profile was read from (not part of the file).
	Dir string `yaml:"-"`
}

// Target names the deployment under test.
type Target struct {
	Name    string `yaml:"name"`
	BaseURL string `yaml:"base_url"`
	// Interfaces are "rest" and/or "soap"; rules of the other kind are not_applicable.
	Interfaces []string `yaml:"interfaces"`
	// Organization is free text for the report (e.g. URA number).
	Organization string `yaml:"organization,omitempty"`
}

// Limits bound the suite's conduct towards the target.
type Limits struct {
	// RatePerSecond caps requests and handshakes started per second, per
	// host (default 150; a second's worth may start at once, within
	// connections_per_host).
	RatePerSecond float64 `yaml:"rate_per_second"`
	// ConnectionsPerHost caps connections and requests in flight per host
	// (default 4). Endpoints on different hosts are scanned side by side,
	// each within its own rate and connections.
	ConnectionsPerHost int `yaml:"connections_per_host"`
	// Timeout is the deadline of one request or handshake (default 10s).
	Timeout Duration `yaml:"timeout"`
	// ScenarioTimeout bounds one scenario, including a shared batch (the
	// whole OAuth plan) that it may run; default: derived from the rate and
	// the request budget (ScenarioDeadline).
	ScenarioTimeout Duration `yaml:"scenario_timeout,omitempty"`
	// MaxRequests caps the requests of one run (default 5000).
	MaxRequests int `yaml:"max_requests"`
	// DoSProbes enables probes that could hurt a production service
	// (entity-expansion bombs, renegotiation floods). Default off.
	DoSProbes bool `yaml:"dos_probes"`
}

// TLS lists the endpoints to scan and the NCSC edition to grade by.
type TLS struct {
	// Guideline is the NCSC TLS edition: "2025-05" (default) or "v2.1".
	Guideline string        `yaml:"guideline"`
	Endpoints []TLSEndpoint `yaml:"endpoints"`
}

// TLSEndpoint is one host:port to scan.
type TLSEndpoint struct {
	Address    string `yaml:"address"`
	ServerName string `yaml:"server_name,omitempty"`
	// ClientCertificate and ClientKey are PEM files for endpoints that
	// require mutual TLS.
	ClientCertificate string `yaml:"client_certificate,omitempty"`
	ClientKey         string `yaml:"client_key,omitempty"`
}

// OAuth is the REST interface's authorization and resource servers.
type OAuth struct {
	Issuer        string `yaml:"issuer"`
	TokenEndpoint string `yaml:"token_endpoint"`
	// MetadataURL defaults to the RFC 8414 well-known URL of the issuer.
	MetadataURL string `yaml:"metadata_url,omitempty"`
	ResourceURL string `yaml:"resource_url,omitempty"`
	ClientID    string `yaml:"client_id"`
	// SigningKey is the PEM private key of the suite's client registration.
	SigningKey string `yaml:"signing_key"`
	KeyID      string `yaml:"key_id,omitempty"`
	// KeyDistribution is "registered" (out of band) or "jwks_uri" (the suite
	// serves its JWKS at JWKSListen and the target fetches it).
	KeyDistribution string `yaml:"key_distribution,omitempty"`
	JWKSListen      string `yaml:"jwks_listen,omitempty"`
	// AudienceProfile is "rfc7523" (default) or "rfc7523bis".
	AudienceProfile string `yaml:"audience_profile,omitempty"`
	// GrantSubject is the subject of JWT authorization grants.
	GrantSubject string `yaml:"grant_subject,omitempty"`
	Scope        string `yaml:"scope,omitempty"`
	// OtherResource is an RFC 8707 resource indicator of another API the
	// authorization server issues tokens for; with it the suite checks that
	// the resource server refuses tokens meant for that other audience.
	OtherResource string `yaml:"other_resource,omitempty"`
	// SecondClient is another client registered at the same authorization
	// server; with it the suite checks that its key cannot sign for the
	// first client (RFC 7523 §3 item 9, RFC 8725 §3.8).
	SecondClient *SecondClient `yaml:"second_client,omitempty"`
	// ErrorCodes is the error-code policy for client authentication
	// failures: "oidf" (default: invalid_client, or invalid_request with a
	// warning, as the OpenID Foundation conformance suite accepts) or
	// "strict" (RFC 7523 §3.2: invalid_client only).
	ErrorCodes string `yaml:"error_codes,omitempty"`
	// Grant configures the JWT authorization grant (RFC 7523 §2.1) for
	// servers that trust another issuer than the client or want the client
	// authenticated on the grant.
	Grant *Grant `yaml:"grant,omitempty"`
	// CallbackURL is the suite's recorder (listening on JWKSListen) as the
	// target reaches it: jku/x5u probes point there. Without it, against a
	// target that is not on loopback, those probes are "could not test".
	CallbackURL string `yaml:"callback_url,omitempty"`
	// JWKSURL is the authorization server's JWKS when it lives on another
	// host than the issuer (a CDN or key service): its host joins the
	// allow-list.
	JWKSURL string `yaml:"jwks_url,omitempty"`
}

// Grant is the JWT authorization grant the suite sends (RFC 7523 §2.1, §3).
type Grant struct {
	// Issuer is the grant's iss, an issuer the server trusts for Subject
	// (default: oauth.client_id).
	Issuer string `yaml:"issuer,omitempty"`
	// SigningKey (PEM) and KeyID sign the grant (default: the client's).
	SigningKey string `yaml:"signing_key,omitempty"`
	KeyID      string `yaml:"key_id,omitempty"`
	// Subject is the grant's sub (default: oauth.grant_subject).
	Subject string `yaml:"subject,omitempty"`
	// Audience is the grant's aud (default: the audience the token endpoint
	// accepted for the client assertion).
	Audience string `yaml:"audience,omitempty"`
	// ClientAuth is how the client authenticates on the grant request:
	// "none" (default; RFC 7523 §3.1 makes it optional) or "private_key_jwt".
	ClientAuth string `yaml:"client_auth,omitempty"`
}

// Error-code policies (oauth.error_codes) and grant client authentication
// methods (oauth.grant.client_auth).
const (
	ErrorCodesOIDF      = "oidf"
	ErrorCodesStrict    = "strict"
	GrantAuthNone       = "none"
	GrantAuthPrivateKey = "private_key_jwt"
)

// GrantSub is the subject of the JWT authorization grant, "" when the
// profile asks for no grant probes.
func (o *OAuth) GrantSub() string {
	if o.Grant != nil && o.Grant.Subject != "" {
		return o.Grant.Subject
	}
	return o.GrantSubject
}

// SecondClient is a second client registration the suite holds.
type SecondClient struct {
	ClientID string `yaml:"client_id"`
	// SigningKey is the PEM private key of the second registration.
	SigningKey string `yaml:"signing_key"`
	KeyID      string `yaml:"key_id,omitempty"`
}

// SOAP is the SOAP interface.
type SOAP struct {
	Endpoint string `yaml:"endpoint"`
	// WSDL is the target's WSDL: an http(s) URL or a file (relative to the
	// profile). The suite's request comes from it: SOAP version, SOAPAction,
	// payload.
	WSDL string `yaml:"wsdl,omitempty"`
	// Operation names the WSDL operation every probe carries; Port or
	// Binding picks the binding when the WSDL has several.
	Operation string `yaml:"operation,omitempty"`
	Port      string `yaml:"port,omitempty"`
	Binding   string `yaml:"binding,omitempty"`
	// RequestBody is an XML file holding the Body's payload element; without
	// it the payload is generated from the WSDL's schema with example values.
	RequestBody string `yaml:"request_body,omitempty"`
	// ClientKey and ClientCertificate (PEM) sign the suite's WS-Security
	// messages; the target must trust the certificate.
	ClientKey         string `yaml:"client_key,omitempty"`
	ClientCertificate string `yaml:"client_certificate,omitempty"`
	// SAMLIssuerKey and SAMLIssuerCertificate (PEM) sign the suite's SAML
	// assertions; SAMLIssuer is the issuer name the target trusts and
	// Audience the audience it expects (default: the endpoint).
	SAMLIssuerKey         string `yaml:"saml_issuer_key,omitempty"`
	SAMLIssuerCertificate string `yaml:"saml_issuer_certificate,omitempty"`
	SAMLIssuer            string `yaml:"saml_issuer,omitempty"`
	Audience              string `yaml:"audience,omitempty"`
}

// WSDLIsURL says whether soap.wsdl is fetched from the target (else it is a file).
func (s *SOAP) WSDLIsURL() bool {
	return strings.HasPrefix(s.WSDL, "https://") || strings.HasPrefix(s.WSDL, "http://")
}

// Audit says where the deployment's NEN 7513 audit records can be read.
type Audit struct {
	// Source is a FHIR AuditEvent search endpoint (ITI-81 style): the
	// short form of one sources entry of type fhir.
	Source string `yaml:"source,omitempty"`
	// Sources are the channels the deployment logs to; each must hold a
	// NEN 7513-complete record of every access the suite makes.
	Sources     []AuditSource `yaml:"sources,omitempty"`
	TestUser    string        `yaml:"test_user,omitempty"`
	TestPatient string        `yaml:"test_patient,omitempty"`
	// Wait bounds how long the suite looks for a record after the request
	// it expects to be logged (logging may lag); default 15s. A record not
	// found within it is a finding, so a deployment that logs late sets it.
	Wait Duration `yaml:"wait,omitempty"`
	// TimeSkew is how far a record's time may lie from the request's time
	// by the suite's clock or the server's Date header; default 2s.
	TimeSkew Duration `yaml:"time_skew,omitempty"`
}

// Audit source types.
const (
	AuditFHIR   = "fhir"   // FHIR AuditEvent search (url)
	AuditSyslog = "syslog" // the suite's TLS syslog receiver for the run (RFC 5424/5425)
	AuditJSONL  = "jsonl"  // a JSON-lines export (url or file)
)

// AuditSource is one channel of audit records.
type AuditSource struct {
	Type string `yaml:"type"`
	// URL of a fhir search endpoint or a jsonl export; File of a jsonl
	// export on disk.
	URL  string `yaml:"url,omitempty"`
	File string `yaml:"file,omitempty"`
	// Syslog: where the suite's receiver listens for the run (the
	// deployment's sender points there), the framing (octet-counting,
	// RFC 5425, or non-transparent, RFC 6587), the receiver's certificate
	// and key (the sender must trust their issuer) and the CA that issued
	// the sender's client certificate (RFC 5425 mutual authentication).
	Listen      string `yaml:"listen,omitempty"`
	Framing     string `yaml:"framing,omitempty"`
	Certificate string `yaml:"certificate,omitempty"`
	Key         string `yaml:"key,omitempty"`
	ClientCA    string `yaml:"client_ca,omitempty"`
	// MaxMessage bounds one syslog message (default 64 KiB).
	MaxMessage int `yaml:"max_message,omitempty"`
}

// AllSources is Source (as a fhir entry) followed by Sources.
func (a *Audit) AllSources() []AuditSource {
	var out []AuditSource
	if a.Source != "" {
		out = append(out, AuditSource{Type: AuditFHIR, URL: a.Source})
	}
	return append(out, a.Sources...)
}

// Web tunes the NCSC web-guideline probes (SC001–SC003). Every field is
// optional; without the section the probes use the base URL's host.
type Web struct {
	// HTTPURL is the plain-HTTP address of the API host that must refuse or
	// redirect to HTTPS on the same host (default http://<base host>/).
	HTTPURL string `yaml:"http_url,omitempty"`
	// PublicPaths are paths the deployment documents as public (e.g.
	// /openapi.json): the exposed-defaults probe does not count them.
	PublicPaths []string `yaml:"public_paths,omitempty"`
	// OpenAPIURL is the published API specification; with it the suite
	// checks what the specification itself demands (SC001).
	OpenAPIURL string `yaml:"openapi_url,omitempty"`
}

// Declarations are the role attestations and the keys the profile trusts for them.
type Declarations struct {
	// TrustedKeys maps a role (specifier, developer, deployer) to the PEM
	// public key its declarations must be signed with.
	TrustedKeys map[string]string `yaml:"trusted_keys"`
	// Files are compact-JWS declaration files.
	Files []string `yaml:"files"`
	// Test marks declarations signed with the suite's throw-away role keys;
	// the report shows them as test declarations.
	Test bool `yaml:"test,omitempty"`
}

// Duration is a time.Duration written as "10s" in YAML.
type Duration time.Duration

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("bad duration %q", b)
	}
	*d = Duration(v)
	return nil
}

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Load reads, defaults and validates a profile. Its error is one line.
func Load(path string) (*Profile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", unwrapPath(err, path))
	}
	p, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	p.Dir = abs
	if err := p.checkKeyFiles(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	return p, nil
}

// checkKeyFiles makes a missing or unreadable OAuth signing key a
// configuration error before anything is sent (run and --check alike),
// rather than an "error" verdict on every OAuth scenario.
func (p *Profile) checkKeyFiles() error {
	o := p.OAuth
	if o == nil {
		return nil
	}
	keys := []struct{ name, path string }{{"oauth.signing_key", o.SigningKey}}
	if c := o.SecondClient; c != nil {
		keys = append(keys, struct{ name, path string }{"oauth.second_client.signing_key", c.SigningKey})
	}
	if g := o.Grant; g != nil && g.SigningKey != "" {
		keys = append(keys, struct{ name, path string }{"oauth.grant.signing_key", g.SigningKey})
	}
	for _, k := range keys {
		raw, err := os.ReadFile(p.Path(k.path))
		if err != nil {
			return fmt.Errorf("%s: %w", k.name, unwrapPath(err, p.Path(k.path)))
		}
		if !bytes.Contains(raw, []byte("PRIVATE KEY-----")) {
			return fmt.Errorf("%s: %s holds no PEM private key", k.name, p.Path(k.path))
		}
	}
	return nil
}

func unwrapPath(err error, path string) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot read %s: %v", path, pe.Err)
	}
	return err
}

// Parse decodes and validates a profile; unknown fields are errors.
func Parse(raw []byte) (*Profile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	p := &Profile{ClaimedLevel: catalogue.FSA}
	if err := dec.Decode(p); err != nil {
		return nil, fmt.Errorf("bad YAML: %s", oneLine(err.Error()))
	}
	p.applyDefaults()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

func oneLine(s string) string {
	s = strings.TrimPrefix(s, "yaml: ")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

func (p *Profile) applyDefaults() {
	if p.Limits.RatePerSecond == 0 {
		p.Limits.RatePerSecond = conduct.DefaultRatePerSecond
	}
	if p.Limits.ConnectionsPerHost == 0 {
		p.Limits.ConnectionsPerHost = conduct.DefaultConnectionsPerHost
	}
	if p.Limits.Timeout == 0 {
		p.Limits.Timeout = Duration(10 * time.Second)
	}
	if p.Limits.MaxRequests == 0 {
		p.Limits.MaxRequests = 5000
	}
	if p.TLS.Guideline == "" {
		p.TLS.Guideline = "2025-05"
	}
	if p.OAuth != nil {
		if p.OAuth.AudienceProfile == "" {
			p.OAuth.AudienceProfile = "rfc7523"
		}
		if p.OAuth.KeyDistribution == "" {
			p.OAuth.KeyDistribution = "registered"
		}
		if p.OAuth.ErrorCodes == "" {
			p.OAuth.ErrorCodes = ErrorCodesOIDF
		}
		if g := p.OAuth.Grant; g != nil && g.ClientAuth == "" {
			g.ClientAuth = GrantAuthNone
		}
	}
}

// Validate checks the profile is usable; the first problem is returned.
func (p *Profile) Validate() error {
	if p.Version != CurrentVersion {
		return fmt.Errorf("version is %d, this suite reads version %d", p.Version, CurrentVersion)
	}
	if p.Target.Name == "" {
		return errors.New("target.name is empty")
	}
	if err := checkURL("target.base_url", p.Target.BaseURL, true); err != nil {
		return err
	}
	if len(p.Target.Interfaces) == 0 {
		return errors.New("target.interfaces is empty (want rest and/or soap)")
	}
	for _, i := range p.Target.Interfaces {
		if i != "rest" && i != "soap" {
			return fmt.Errorf("target.interfaces: unknown interface %q (want rest or soap)", i)
		}
	}
	if p.Limits.RatePerSecond < 0 || p.Limits.MaxRequests < 0 || p.Limits.Timeout < 0 || p.Limits.ConnectionsPerHost < 0 {
		return errors.New("limits must not be negative")
	}
	if p.TLS.Guideline != "2025-05" && p.TLS.Guideline != "v2.1" {
		return fmt.Errorf("tls.guideline %q unknown (want 2025-05 or v2.1)", p.TLS.Guideline)
	}
	for i, e := range p.TLS.Endpoints {
		if _, port, err := net.SplitHostPort(e.Address); err != nil || port == "" {
			return fmt.Errorf("tls.endpoints[%d].address %q is not host:port", i, e.Address)
		} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("tls.endpoints[%d].address %q has a bad port", i, e.Address)
		}
		if (e.ClientCertificate == "") != (e.ClientKey == "") {
			return fmt.Errorf("tls.endpoints[%d]: client_certificate and client_key go together", i)
		}
	}
	if o := p.OAuth; o != nil {
		if !p.HasInterface("rest") {
			return errors.New("oauth is set but target.interfaces lacks rest")
		}
		for _, u := range []struct {
			name, v  string
			required bool
		}{{"oauth.issuer", o.Issuer, true}, {"oauth.token_endpoint", o.TokenEndpoint, true},
			{"oauth.metadata_url", o.MetadataURL, false}, {"oauth.resource_url", o.ResourceURL, false}, {"oauth.jwks_url", o.JWKSURL, false}} {
			if err := checkURL(u.name, u.v, u.required); err != nil {
				return err
			}
			if err := checkNoPlaintext(u.name, u.v); err != nil {
				return err
			}
		}
		if err := checkURL("oauth.callback_url", o.CallbackURL, false); err != nil {
			return err
		}
		if o.ClientID == "" {
			return errors.New("oauth.client_id is empty")
		}
		if o.SigningKey == "" {
			return errors.New("oauth.signing_key is empty")
		}
		if o.AudienceProfile != "rfc7523" && o.AudienceProfile != "rfc7523bis" {
			return fmt.Errorf("oauth.audience_profile %q unknown (want rfc7523 or rfc7523bis)", o.AudienceProfile)
		}
		if o.KeyDistribution != "registered" && o.KeyDistribution != "jwks_uri" {
			return fmt.Errorf("oauth.key_distribution %q unknown (want registered or jwks_uri)", o.KeyDistribution)
		}
		if c := o.SecondClient; c != nil {
			switch {
			case c.ClientID == "":
				return errors.New("oauth.second_client.client_id is empty")
			case c.SigningKey == "":
				return errors.New("oauth.second_client.signing_key is empty")
			case c.ClientID == o.ClientID:
				return errors.New("oauth.second_client.client_id must differ from oauth.client_id")
			}
		}
		if o.ErrorCodes != ErrorCodesOIDF && o.ErrorCodes != ErrorCodesStrict {
			return fmt.Errorf("oauth.error_codes %q unknown (want %s or %s)", o.ErrorCodes, ErrorCodesOIDF, ErrorCodesStrict)
		}
		if g := o.Grant; g != nil {
			switch {
			case g.ClientAuth != GrantAuthNone && g.ClientAuth != GrantAuthPrivateKey:
				return fmt.Errorf("oauth.grant.client_auth %q unknown (want %s or %s)", g.ClientAuth, GrantAuthNone, GrantAuthPrivateKey)
			case g.Subject != "" && o.GrantSubject != "" && g.Subject != o.GrantSubject:
				return errors.New("oauth.grant.subject and oauth.grant_subject differ; give one")
			case o.GrantSub() == "":
				return errors.New("oauth.grant needs a subject (oauth.grant.subject or oauth.grant_subject)")
			}
		}
	}
	if s := p.SOAP; s != nil {
		if !p.HasInterface("soap") {
			return errors.New("soap is set but target.interfaces lacks soap")
		}
		if err := checkURL("soap.endpoint", s.Endpoint, true); err != nil {
			return err
		}
		if s.WSDLIsURL() || strings.Contains(s.WSDL, "://") {
			if err := checkURL("soap.wsdl", s.WSDL, false); err != nil {
				return err
			}
		}
		if s.Port != "" && s.Binding != "" {
			return errors.New("soap: name port or binding, not both")
		}
		if (s.ClientKey == "") != (s.ClientCertificate == "") {
			return errors.New("soap: client_key and client_certificate go together")
		}
		if (s.SAMLIssuerKey == "") != (s.SAMLIssuerCertificate == "") {
			return errors.New("soap: saml_issuer_key and saml_issuer_certificate go together")
		}
	}
	if a := p.Audit; a != nil {
		if err := checkAudit(a); err != nil {
			return err
		}
	}
	if w := p.Web; w != nil {
		if err := checkURL("web.http_url", w.HTTPURL, false); err != nil {
			return err
		}
		if w.HTTPURL != "" && !strings.HasPrefix(w.HTTPURL, "http://") {
			return fmt.Errorf("web.http_url %q is not a plain http:// URL", w.HTTPURL)
		}
		if err := checkURL("web.openapi_url", w.OpenAPIURL, false); err != nil {
			return err
		}
		for _, path := range w.PublicPaths {
			if !strings.HasPrefix(path, "/") {
				return fmt.Errorf("web.public_paths: %q does not start with /", path)
			}
		}
	}
	for role := range p.Declarations.TrustedKeys {
		if _, err := catalogue.ParseRole(role); err != nil {
			return fmt.Errorf("declarations.trusted_keys: %v", err)
		}
	}
	return nil
}

func checkAudit(a *Audit) error {
	if err := checkURL("audit.source", a.Source, len(a.Sources) == 0); err != nil {
		return err
	}
	for i, s := range a.Sources {
		name := fmt.Sprintf("audit.sources[%d]", i)
		switch s.Type {
		case AuditFHIR:
			if err := checkURL(name+".url", s.URL, true); err != nil {
				return err
			}
		case AuditJSONL:
			if (s.URL == "") == (s.File == "") {
				return fmt.Errorf("%s: a jsonl source names either url or file", name)
			}
			if err := checkURL(name+".url", s.URL, false); err != nil {
				return err
			}
		case AuditSyslog:
			host, _, err := net.SplitHostPort(s.Listen)
			if err != nil || net.ParseIP(host) == nil {
				return fmt.Errorf("%s.listen %q is not an IP:port to bind", name, s.Listen)
			}
			if s.Certificate == "" || s.Key == "" || s.ClientCA == "" {
				return fmt.Errorf("%s: a syslog receiver needs certificate, key and client_ca (RFC 5425 mutual TLS)", name)
			}
			if s.Framing != "" && s.Framing != "octet-counting" && s.Framing != "non-transparent" {
				return fmt.Errorf("%s.framing %q unknown (want octet-counting or non-transparent)", name, s.Framing)
			}
		default:
			return fmt.Errorf("%s.type %q unknown (want fhir, syslog or jsonl)", name, s.Type)
		}
	}
	if a.TimeSkew < 0 {
		return errors.New("audit.time_skew is negative")
	}
	return nil
}

// checkNoPlaintext refuses an http:// URL on a host that is not loopback:
// the suite sends client assertions, grants and access tokens there, and
// will not send credentials in plaintext. A loopback test target may use
// http; the "over https" checks then say they were waived.
func checkNoPlaintext(name, v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "http" || IsLoopbackHost(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("%s %q is http:// on a host that is not loopback: the suite will not send credentials in plaintext (use https)", name, v)
}

// IsLoopbackHost reports whether a host name or address is this machine
// (localhost or 127.0.0.0/8, ::1).
func IsLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func checkURL(name, v string, required bool) error {
	if v == "" {
		if required {
			return fmt.Errorf("%s is empty", name)
		}
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%s %q is not an http(s) URL", name, v)
	}
	return nil
}

// HasInterface reports whether the target has a REST or SOAP interface.
func (p *Profile) HasInterface(name string) bool { return slices.Contains(p.Target.Interfaces, name) }

// Path resolves a path from the profile against the profile's folder.
func (p *Profile) Path(rel string) string {
	if rel == "" || filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(p.Dir, rel)
}

// Hosts is the allow-list of host names the run may contact: those named in
// the profile's URLs and endpoints and nothing else.
func (p *Profile) Hosts() []string {
	var hosts []string
	add := func(h string) {
		if h != "" && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	addURL := func(v string) {
		if u, err := url.Parse(v); err == nil {
			add(u.Hostname())
		}
	}
	addURL(p.Target.BaseURL)
	for _, e := range p.TLS.Endpoints {
		h, _, _ := net.SplitHostPort(e.Address)
		add(h)
	}
	if o := p.OAuth; o != nil {
		for _, v := range []string{o.Issuer, o.TokenEndpoint, o.MetadataURL, o.ResourceURL, o.JWKSURL} {
			addURL(v)
		}
	}
	if s := p.SOAP; s != nil {
		addURL(s.Endpoint)
		if s.WSDLIsURL() {
			addURL(s.WSDL)
		}
	}
	if a := p.Audit; a != nil {
		for _, s := range a.AllSources() {
			addURL(s.URL)
		}
	}
	if w := p.Web; w != nil {
		addURL(w.HTTPURL)
		addURL(w.OpenAPIURL)
	}
	return hosts
}

// Timeout is the per-operation deadline.
func (p *Profile) Timeout() time.Duration { return time.Duration(p.Limits.Timeout) }
