// Package jose builds RFC 7523 client assertions and JWT authorization
// grants, one valid assertion plus named mutations of it, each mutation
// carrying the spec clause it probes. Valid assertions are signed by go-jose
// v4; the payloads JOSE libraries refuse to produce (alg none, duplicate
// header members, HMAC keys shorter than the hash, curve/alg mismatches,
// malformed encodings) are built at the byte level in this package.
package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"slices"
	"strings"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
)

// TypClientAuth is the explicit type of a client authentication JWT
// (draft-ietf-oauth-rfc7523bis, IANA media type client-authentication+jwt).
const TypClientAuth = "client-authentication+jwt"

// ErrNotApplicable marks a mutation that does not fit the key (an ECDSA
// signature encoding probe on an RSA key); the probe is not_applicable.
var ErrNotApplicable = errors.New("jose: mutation does not apply to this key")

var b64 = base64.RawURLEncoding

// Key is a signing key as the target registered it.
type Key struct {
	Signer crypto.Signer
	// KID is the key id the target knows the key by ("" sends no kid).
	KID string
	// Alg is the JWS algorithm; empty picks the key's default (DefaultAlg).
	Alg string
}

// DefaultAlg is the algorithm a key signs with when the profile names none:
// RS256 for RSA (mandatory to implement, RFC 7523 §5), ES256/384/512 by
// curve (RFC 7518 §3.4), EdDSA for Ed25519.
func DefaultAlg(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RS256", nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256", nil
		case elliptic.P384():
			return "ES384", nil
		case elliptic.P521():
			return "ES512", nil
		}
	case ed25519.PublicKey:
		return "EdDSA", nil
	}
	return "", fmt.Errorf("jose: unsupported key type %T", pub)
}

// Config describes the valid assertion.
type Config struct {
	// Issuer is iss; for client authentication it is the client_id
	// (RFC 7523 §3 item 2B, OIDC Core §9).
	Issuer string
	// Subject is sub; empty means Issuer (client authentication).
	Subject string
	// Audience is the single aud value the audience profile demands.
	Audience string
	Key      Key
	// Typ is the typ header; empty sends none.
	Typ string
	// Lifetime is exp - iat (default 60 s, as the OIDF suite uses).
	Lifetime time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Assertion is one JWT to send, valid until a Mutation changes it.
type Assertion struct {
	Header Object
	Claims Object

	// signAlg and signKey compute the signature: signAlg "" sends an empty
	// signature; signKey is a crypto.Signer or []byte (HMAC).
	signAlg string
	signKey any
	// rawHeader and rawPayload replace the encoded Header/Claims with bytes
	// no JSON encoder produces (arrays, trailing commas, UTF-16, bad UTF-8).
	rawHeader, rawPayload []byte
	// post edits the compact serialization (signature and encoding probes).
	post []func(string) (string, error)
	err  error

	cfg     Config
	applied []string
	// ViaJOSE reports that the last Compact call was signed by go-jose
	// rather than the byte-level signer.
	ViaJOSE bool
}

// New builds the valid assertion: iss, sub, aud, exp, iat, a fresh jti, and
// a header with alg, kid and typ.
func New(c Config) (*Assertion, error) {
	if c.Key.Signer == nil {
		return nil, errors.New("jose: no signing key")
	}
	if c.Key.Alg == "" {
		alg, err := DefaultAlg(c.Key.Signer.Public())
		if err != nil {
			return nil, err
		}
		c.Key.Alg = alg
	}
	if c.Subject == "" {
		c.Subject = c.Issuer
	}
	if c.Lifetime <= 0 {
		c.Lifetime = 60 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	now := c.Now().Unix()
	a := &Assertion{cfg: c, signAlg: c.Key.Alg, signKey: c.Key.Signer}
	a.Header = a.Header.Set("alg", c.Key.Alg)
	if c.Key.KID != "" {
		a.Header = a.Header.Set("kid", c.Key.KID)
	}
	if c.Typ != "" {
		a.Header = a.Header.Set("typ", c.Typ)
	}
	a.Claims = Object{}.
		Set("iss", c.Issuer).
		Set("sub", c.Subject).
		Set("aud", c.Audience).
		Set("exp", now+int64(c.Lifetime/time.Second)).
		Set("iat", now).
		Set("jti", NewJTI())
	return a, nil
}

// NewJTI returns a random assertion id (160 bits, base64url).
func NewJTI() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return b64.EncodeToString(b[:])
}

// Config returns the configuration the assertion was built from.
func (a *Assertion) Config() Config { return a.cfg }

// Applied lists the names of the mutations applied, in order.
func (a *Assertion) Applied() []string { return slices.Clone(a.applied) }

// Err is the first error a mutation reported.
func (a *Assertion) Err() error { return a.err }

func (a *Assertion) clone() *Assertion {
	c := *a
	c.Header = a.Header.clone()
	c.Claims = a.Claims.clone()
	c.post = slices.Clone(a.post)
	c.applied = slices.Clone(a.applied)
	c.rawHeader = slices.Clone(a.rawHeader)
	c.rawPayload = slices.Clone(a.rawPayload)
	return &c
}

// Mutate returns a copy of a with a fresh jti and the mutations applied in
// order; a stays unchanged. A mutation that cannot be applied records its
// error, which Compact returns.
func Mutate(a *Assertion, ms ...Mutation) *Assertion {
	c := a.clone()
	if c.Claims.Has("jti") {
		c.Claims = c.Claims.Set("jti", NewJTI())
	}
	for _, m := range ms {
		if c.err != nil {
			break
		}
		if err := m.apply(c); err != nil {
			c.err = fmt.Errorf("jose: mutation %s: %w", m.Name, err)
		}
		c.applied = append(c.applied, m.Name)
	}
	return c
}

// Compact serializes and signs the assertion (JWS Compact Serialization,
// RFC 7515 §7.1), then applies the byte-level edits of its mutations.
func (a *Assertion) Compact() (string, error) {
	if a.err != nil {
		return "", a.err
	}
	s, err := a.sign()
	if err != nil {
		return "", err
	}
	for _, edit := range a.post {
		if s, err = edit(s); err != nil {
			return "", err
		}
	}
	return s, nil
}

// joseable reports whether go-jose can produce exactly this JWS: a JSON
// header without duplicate members whose alg is the signing algorithm, and
// a key go-jose accepts for it.
func (a *Assertion) joseable() bool {
	if a.rawHeader != nil || a.signAlg == "" || a.Header.String("alg") != a.signAlg {
		return false
	}
	for _, m := range a.Header {
		if a.Header.Count(m.Name) > 1 {
			return false
		}
	}
	switch k := a.signKey.(type) {
	case []byte:
		// go-jose refuses HMAC keys shorter than the hash (RFC 7518 §3.2).
		return len(k)*8 >= hashBits(a.signAlg)
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return algFitsKey(a.signAlg, k.(crypto.Signer).Public())
	}
	return false
}

func (a *Assertion) sign() (string, error) {
	payload := a.rawPayload
	if payload == nil {
		payload = a.Claims.Bytes()
	}
	a.ViaJOSE = false
	if a.joseable() {
		opts := &gojose.SignerOptions{}
		for _, m := range a.Header {
			if m.Name != "alg" {
				opts.WithHeader(gojose.HeaderKey(m.Name), m.Value)
			}
		}
		signer, err := gojose.NewSigner(gojose.SigningKey{Algorithm: gojose.SignatureAlgorithm(a.signAlg), Key: a.signKey}, opts)
		if err != nil {
			return "", fmt.Errorf("jose: go-jose signer: %w", err)
		}
		jws, err := signer.Sign(payload)
		if err != nil {
			return "", fmt.Errorf("jose: go-jose sign: %w", err)
		}
		a.ViaJOSE = true
		return jws.CompactSerialize()
	}
	// Byte level: go-jose cannot produce this header or signature.
	header := a.rawHeader
	if header == nil {
		header = a.Header.Bytes()
	}
	input := b64.EncodeToString(header) + "." + b64.EncodeToString(payload)
	if a.signAlg == "" {
		return input + ".", nil
	}
	sig, err := SignRaw(a.signAlg, a.signKey, []byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + b64.EncodeToString(sig), nil
}

func hashFor(alg string) (crypto.Hash, error) {
	if len(alg) < 3 {
		return 0, fmt.Errorf("jose: no hash for alg %q", alg)
	}
	switch alg[len(alg)-3:] {
	case "256":
		return crypto.SHA256, nil
	case "384":
		return crypto.SHA384, nil
	case "512":
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("jose: no hash for alg %q", alg)
}

func hashBits(alg string) int {
	h, err := hashFor(alg)
	if err != nil {
		return 0
	}
	return h.Size() * 8
}

func algFitsKey(alg string, pub crypto.PublicKey) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		want, _ := DefaultAlg(k)
		return alg == want
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}

// SignRaw signs input with alg and key without go-jose, for the JWS that
// go-jose refuses to produce. It follows RFC 7518 §3 exactly where the
// probe needs a correct signature (ECDSA as fixed-length R||S, §3.4) and
// deliberately allows what go-jose forbids: HMAC keys of any length, an
// ECDSA alg whose hash does not match the key's curve.
func SignRaw(alg string, key any, input []byte) ([]byte, error) {
	if alg == "EdDSA" {
		s, ok := key.(crypto.Signer)
		if !ok {
			return nil, errors.New("jose: EdDSA needs a crypto.Signer")
		}
		return s.Sign(rand.Reader, input, crypto.Hash(0))
	}
	if len(alg) != 5 {
		return nil, fmt.Errorf("jose: cannot sign with alg %q", alg)
	}
	h, err := hashFor(alg)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(alg, "HS") {
		k, ok := key.([]byte)
		if !ok {
			return nil, fmt.Errorf("jose: %s needs a byte key, got %T", alg, key)
		}
		var nh func() hash.Hash
		switch h {
		case crypto.SHA256:
			nh = sha256.New
		case crypto.SHA384:
			nh = sha512.New384
		default:
			nh = sha512.New
		}
		m := hmac.New(nh, k)
		m.Write(input)
		return m.Sum(nil), nil
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("jose: %s needs a private key, got %T", alg, key)
	}
	d := h.New()
	d.Write(input)
	digest := d.Sum(nil)
	switch alg[:2] {
	case "RS":
		return s.Sign(rand.Reader, digest, h)
	case "PS":
		return s.Sign(rand.Reader, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h})
	case "ES":
		pub, ok := s.Public().(*ecdsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("jose: %s needs an ECDSA key", alg)
		}
		der, err := s.Sign(rand.Reader, digest, h)
		if err != nil {
			return nil, err
		}
		return DERToRS(der, (pub.Curve.Params().BitSize+7)/8)
	}
	return nil, fmt.Errorf("jose: cannot sign with alg %q", alg)
}

type ecdsaSig struct{ R, S *big.Int }

// DERToRS converts an ASN.1 ECDSA signature to the JWS form: R and S as
// big-endian integers of size octets each, concatenated (RFC 7518 §3.4).
func DERToRS(der []byte, size int) ([]byte, error) {
	var sig ecdsaSig
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) > 0 || sig.R == nil || sig.S == nil {
		return nil, errors.New("jose: bad DER ECDSA signature")
	}
	if sig.R.Sign() < 0 || sig.S.Sign() < 0 || len(sig.R.Bytes()) > size || len(sig.S.Bytes()) > size {
		return nil, errors.New("jose: ECDSA signature does not fit the curve")
	}
	out := make([]byte, 2*size)
	sig.R.FillBytes(out[:size])
	sig.S.FillBytes(out[size:])
	return out, nil
}

// RSToDER converts a JWS ECDSA signature (R||S) to ASN.1 DER, the encoding
// RFC 7518 §3.4 forbids in a JWS.
func RSToDER(rs []byte) ([]byte, error) {
	if len(rs) == 0 || len(rs)%2 != 0 {
		return nil, errors.New("jose: R||S signature has odd length")
	}
	n := len(rs) / 2
	return asn1.Marshal(ecdsaSig{R: new(big.Int).SetBytes(rs[:n]), S: new(big.Int).SetBytes(rs[n:])})
}
