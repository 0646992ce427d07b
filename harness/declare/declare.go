package declare

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/go-jose/go-jose/v4"
	"go.yaml.in/yaml/v3"
)

// MediaType is the JWS "typ" of a declaration (RFC 7515 §4.1.9; RFC 8725
// §3.11 explicit typing): a JWS of another type, an access token or a
// manifest, is never taken for a declaration. The payload is YAML, hence
// +yaml (RFC 9512), not +jwt.
const MediaType = "apisec-declaration+yaml"

// DefaultMaxValidity is the longest a declaration may be valid
// (expires_at - issued_at) unless the operator allows more: a declaration
// is re-confirmed at least about once a year.
const DefaultMaxValidity = 400 * 24 * time.Hour

// asymmetricAlgs are the only algorithms a declaration may be signed with:
// a declaration must be attributable to one role's private key, which a
// shared (HMAC) secret cannot do.
var asymmetricAlgs = []jose.SignatureAlgorithm{
	jose.ES256, jose.ES384, jose.ES512, jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512, jose.EdDSA,
}

var compactJWS = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`)

// Sign serialises a statement as YAML and signs it as a compact JWS.
func Sign(st Statement, key crypto.Signer) (string, error) {
	if err := st.validateShape(); err != nil {
		return "", err
	}
	alg, err := algFor(key)
	if err != nil {
		return "", err
	}
	body, err := yaml.Marshal(st)
	if err != nil {
		return "", err
	}
	jwk := jose.JSONWebKey{Key: key.Public()}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		(&jose.SignerOptions{}).WithType(MediaType).WithHeader("kid", fmt.Sprintf("%x", thumb)))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(body)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

func algFor(key crypto.Signer) (jose.SignatureAlgorithm, error) { return pickAlg(key.Public()) }

// Verifier checks declarations against the keys a profile trusts.
type Verifier struct {
	// Trusted maps each role to the public key its declarations must carry.
	Trusted map[catalogue.Role]crypto.PublicKey
	// Target is the base URL the declarations must name.
	Target    string
	Catalogue catalogue.Catalogue
	Now       func() time.Time
	// Test marks every declaration as a test declaration in the report.
	Test bool
	// KeySource names who supplied each trusted key, for reasons
	// ("profile", "operator"); default "profile".
	KeySource map[catalogue.Role]string
	// MaxValidity caps expires_at - issued_at (default DefaultMaxValidity).
	MaxValidity time.Duration
	// TestRequested: the profile says its declarations are TEST ones
	// (declarations.test). Such a declaration is accepted, marked TEST,
	// only when AllowTest (the operator's --test-declarations) is set or
	// it verifies with one of ThrowAway, the suite's own test role keys.
	TestRequested bool
	AllowTest     bool
	ThrowAway     map[catalogue.Role]crypto.PublicKey
}

// Verify checks one compact JWS. It always returns a Checked: Rejected holds
// the first reason the declaration cannot be used.
//
// A rejected declaration carries only its file and why: none of its
// claims (declarant, dates, remarks) is shown as if it were content. The
// rules it claims to cover are kept unexported, so the rule's scenario can
// say that its declaration was rejected.
func (v Verifier) Verify(file string, raw []byte) Checked {
	c := Checked{File: file, Test: v.Test}
	st, thumb, test, err := v.verify(bytes.TrimSpace(raw))
	if err != nil {
		return Checked{File: file, Rejected: err.Error(), claimed: slices.Clone(st.Rules)}
	}
	c.Statement, c.KeyThumbprint, c.Test = st, thumb, c.Test || test
	return c
}

// verify returns the verified statement, the key thumbprint and whether it
// is a TEST declaration. On error the statement holds at most the rules the
// payload claims (for matching, never for display).
func (v Verifier) verify(raw []byte) (Statement, string, bool, error) {
	var st Statement
	if len(raw) == 0 {
		return st, "", false, errors.New("declaration is empty")
	}
	if !compactJWS.Match(raw) {
		return st, "", false, errors.New("declaration is not a compact JWS (unsigned YAML is not accepted)")
	}
	obj, err := jose.ParseSigned(string(raw), asymmetricAlgs)
	if err != nil {
		return st, "", false, errors.New("declaration is not signed with an asymmetric algorithm (RFC 8725 §3.1)")
	}
	if len(obj.Signatures) != 1 {
		return st, "", false, errors.New("declaration must carry exactly one signature")
	}
	if typ, _ := obj.Signatures[0].Protected.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(strings.TrimPrefix(strings.ToLower(typ), "application/"), MediaType) {
		return st, "", false, fmt.Errorf("declaration has JWS typ %q, not %s (RFC 8725 §3.11 explicit typing)", clip(typ, 40), MediaType)
	}
	// The role inside the unverified payload only selects which trusted key
	// to verify with; nothing else is read, or shown, before the signature
	// checks out.
	if err := yaml.Unmarshal(obj.UnsafePayloadWithoutVerification(), &st); err != nil {
		return Statement{}, "", false, errors.New("declaration payload is not valid YAML")
	}
	claimed := Statement{Rules: st.Rules}
	role, err := catalogue.ParseRole(string(st.Role))
	if err != nil {
		return claimed, "", false, errors.New("declaration names no known role (specifier, developer or deployer)")
	}
	key, ok := v.Trusted[role]
	if !ok || key == nil {
		return claimed, "", false, fmt.Errorf("the run trusts no key for the %s role", role)
	}
	payload, err := obj.Verify(key)
	if err != nil {
		return claimed, "", false, fmt.Errorf("signature does not verify with the key the %s trusts for the %s role", v.source(role), role)
	}
	var verified Statement
	dec := yaml.NewDecoder(bytes.NewReader(payload))
	dec.KnownFields(true)
	if err := dec.Decode(&verified); err != nil {
		return claimed, "", false, fmt.Errorf("declaration payload: %v", oneLine(err))
	}
	claimed.Rules = verified.Rules
	t, _ := (&jose.JSONWebKey{Key: key}).Thumbprint(crypto.SHA256)
	thumb := fmt.Sprintf("%x", t)
	if err := verified.validateShape(); err != nil {
		return claimed, thumb, false, err
	}
	if err := v.checkContent(verified); err != nil {
		return claimed, thumb, false, err
	}
	test := v.throwAway(role, key)
	if v.TestRequested && !test && !v.AllowTest {
		return claimed, thumb, false, errors.New("TEST declaration (profile declarations.test: true): accepted only when the operator passes --test-declarations")
	}
	return verified, thumb, test || v.TestRequested, nil
}

func (v Verifier) source(r catalogue.Role) string {
	if s := v.KeySource[r]; s != "" {
		return s
	}
	return "profile"
}

// throwAway: the key is the suite's own test key for the role.
func (v Verifier) throwAway(r catalogue.Role, key crypto.PublicKey) bool {
	k, ok := v.ThrowAway[r]
	if !ok || k == nil {
		return false
	}
	a, err1 := (&jose.JSONWebKey{Key: k}).Thumbprint(crypto.SHA256)
	b, err2 := (&jose.JSONWebKey{Key: key}).Thumbprint(crypto.SHA256)
	return err1 == nil && err2 == nil && string(a) == string(b)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func (v Verifier) checkContent(st Statement) error {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	if !sameTarget(st.Target, v.Target) {
		return fmt.Errorf("declaration is for target %q, not %q", st.Target, v.Target)
	}
	if now.Before(st.IssuedAt.Add(-5 * time.Minute)) {
		return fmt.Errorf("declaration is issued in the future (%s)", st.IssuedAt.Format(time.RFC3339))
	}
	if !now.Before(st.ExpiresAt) {
		return fmt.Errorf("declaration expired on %s", st.ExpiresAt.Format(time.RFC3339))
	}
	maxValidity := v.MaxValidity
	if maxValidity <= 0 {
		maxValidity = DefaultMaxValidity
	}
	if d := st.ExpiresAt.Sub(st.IssuedAt); d > maxValidity {
		return fmt.Errorf("declaration is valid for %d days, longer than the %d days allowed (operator setting --declaration-max-days)",
			int(d.Hours()/24), int(maxValidity.Hours()/24))
	}
	for _, id := range st.Rules {
		r, ok := v.Catalogue.Lookup(id)
		if !ok {
			return fmt.Errorf("declaration names unknown rule %q", id)
		}
		if r.Role != st.Role {
			return fmt.Errorf("a %s cannot declare %s: that rule belongs to the %s", st.Role.Title(), r.ID, r.Role.Title())
		}
	}
	return nil
}

func (st Statement) validateShape() error {
	switch {
	case st.Version != 1:
		return fmt.Errorf("declaration version %d unknown (want 1)", st.Version)
	case st.Role == "":
		return errors.New("declaration has no role")
	case len(st.Rules) == 0:
		return errors.New("declaration names no rules")
	case st.Target == "":
		return errors.New("declaration names no target")
	case st.Declarant == "":
		return errors.New("declaration names no declarant")
	case st.IssuedAt.IsZero() || st.ExpiresAt.IsZero():
		return errors.New("declaration needs issued_at and expires_at")
	case !st.ExpiresAt.After(st.IssuedAt):
		return errors.New("declaration expires before it is issued")
	case len(st.Remarks) > 1000:
		return errors.New("declaration remarks exceed 1000 characters")
	}
	return nil
}

func sameTarget(a, b string) bool {
	norm := func(s string) string {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil {
			return s
		}
		u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
		u.Path = strings.TrimSuffix(u.Path, "/")
		return u.String()
	}
	return norm(a) == norm(b)
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// Covers reports whether a valid declaration covers a rule: the right role
// declares that very rule.
func (c Checked) Covers(r catalogue.Rule) bool {
	return c.Rejected == "" && c.Statement.Role == r.Role && slices.Contains(c.Statement.Rules, r.ID)
}

// Names reports whether the declaration names a rule: a valid one in its
// statement, a rejected one in the rules its payload claimed (so the rule
// can say its declaration was rejected, and why).
func (c Checked) Names(id string) bool {
	match := func(r string) bool { return strings.EqualFold(r, id) }
	return slices.ContainsFunc(c.Statement.Rules, match) || slices.ContainsFunc(c.claimed, match)
}
