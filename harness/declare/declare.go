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

// MediaType is the JWS "typ" of a declaration.
const MediaType = "apisec-declaration+yaml"

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
}

// Verify checks one compact JWS. It always returns a Checked: Rejected holds
// the first reason the declaration cannot be used.
func (v Verifier) Verify(file string, raw []byte) Checked {
	c := Checked{File: file, Test: v.Test}
	st, thumb, err := v.verify(bytes.TrimSpace(raw))
	c.Statement, c.KeyThumbprint = st, thumb
	if err != nil {
		c.Rejected = err.Error()
	}
	return c
}

func (v Verifier) verify(raw []byte) (Statement, string, error) {
	var st Statement
	if len(raw) == 0 {
		return st, "", errors.New("declaration is empty")
	}
	if !compactJWS.Match(raw) {
		return st, "", errors.New("declaration is not a compact JWS (unsigned YAML is not accepted)")
	}
	obj, err := jose.ParseSigned(string(raw), asymmetricAlgs)
	if err != nil {
		return st, "", fmt.Errorf("declaration is not signed with an asymmetric algorithm: %v", err)
	}
	if len(obj.Signatures) != 1 {
		return st, "", errors.New("declaration must carry exactly one signature")
	}
	// The role inside the unverified payload only selects which trusted key
	// to verify with; nothing else is read before the signature checks out.
	if err := yaml.Unmarshal(obj.UnsafePayloadWithoutVerification(), &st); err != nil {
		return Statement{}, "", fmt.Errorf("declaration payload is not valid YAML: %v", oneLine(err))
	}
	role, err := catalogue.ParseRole(string(st.Role))
	if err != nil {
		return st, "", fmt.Errorf("declaration names %v", err)
	}
	key, ok := v.Trusted[role]
	if !ok || key == nil {
		return st, "", fmt.Errorf("the profile trusts no key for the %s role", role)
	}
	payload, err := obj.Verify(key)
	if err != nil {
		return st, "", fmt.Errorf("signature does not verify with the key the profile trusts for the %s role", role)
	}
	var verified Statement
	dec := yaml.NewDecoder(bytes.NewReader(payload))
	dec.KnownFields(true)
	if err := dec.Decode(&verified); err != nil {
		return st, "", fmt.Errorf("declaration payload: %v", oneLine(err))
	}
	thumb, _ := (&jose.JSONWebKey{Key: key}).Thumbprint(crypto.SHA256)
	if err := verified.validateShape(); err != nil {
		return verified, fmt.Sprintf("%x", thumb), err
	}
	if err := v.checkContent(verified); err != nil {
		return verified, fmt.Sprintf("%x", thumb), err
	}
	return verified, fmt.Sprintf("%x", thumb), nil
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
