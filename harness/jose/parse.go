package jose

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"unicode/utf8"

	gojose "github.com/go-jose/go-jose/v4"
)

// Token is a compact JWS received from a target (an access token, an ID
// token), decoded without verification: the suite inspects and re-forges it,
// it never trusts it.
type Token struct {
	Raw       string
	Header    map[string]json.RawMessage
	Claims    map[string]json.RawMessage
	Signature []byte
	// Segments are the three encoded parts.
	Segments [3]string
}

// ErrNotJWT says a target's token is not a compact JWS (it may be opaque,
// which is allowed: RFC 6749 §1.4).
var ErrNotJWT = errors.New("jose: not a compact JWS")

// maxToken bounds what ParseCompact looks at; access tokens are small.
const maxToken = 64 << 10

// ParseCompact decodes a compact JWS whose header and payload are JSON
// objects. It never panics on hostile input.
func ParseCompact(s string) (*Token, error) {
	if len(s) > maxToken {
		return nil, fmt.Errorf("%w: %d bytes is too long", ErrNotJWT, len(s))
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %d segments", ErrNotJWT, len(parts))
	}
	t := &Token{Raw: s, Segments: [3]string{parts[0], parts[1], parts[2]}}
	h, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrNotJWT, err)
	}
	p, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrNotJWT, err)
	}
	if t.Signature, err = b64.DecodeString(parts[2]); err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrNotJWT, err)
	}
	if !utf8.Valid(h) || json.Unmarshal(h, &t.Header) != nil || t.Header == nil {
		return nil, fmt.Errorf("%w: header is not a JSON object", ErrNotJWT)
	}
	if !utf8.Valid(p) || json.Unmarshal(p, &t.Claims) != nil || t.Claims == nil {
		return nil, fmt.Errorf("%w: payload is not a JSON object", ErrNotJWT)
	}
	return t, nil
}

// HeaderString returns a string header member or "".
func (t *Token) HeaderString(name string) string { return str(t.Header[name]) }

// ClaimString returns a string claim or "".
func (t *Token) ClaimString(name string) string { return str(t.Claims[name]) }

func str(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}

func encodeMap(m map[string]json.RawMessage) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	o := Object{}
	for _, k := range keys {
		o = append(o, Member{k, m[k]})
	}
	return o.Bytes()
}

func cloneMap(m map[string]json.RawMessage) map[string]json.RawMessage {
	c := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// ForgeNone re-issues the token as an Unsecured JWS with the given spelling
// of "none" and an empty signature (RFC 7518 §3.6).
func (t *Token) ForgeNone(spelling string) string {
	h := cloneMap(t.Header)
	h["alg"] = raw(spelling)
	return b64.EncodeToString(encodeMap(h)) + "." + t.Segments[1] + "."
}

// WithClaim re-encodes the payload with one claim changed and keeps the
// original signature (a tampered token).
func (t *Token) WithClaim(name string, v any) string {
	c := cloneMap(t.Claims)
	c[name] = raw(v)
	return t.Segments[0] + "." + b64.EncodeToString(encodeMap(c)) + "." + t.Segments[2]
}

// ForgeHS256 re-signs the token with HS256 keyed with key (key confusion
// with the issuer's public key, RFC 8725 §3.1). Byte level.
func (t *Token) ForgeHS256(key []byte) (string, error) {
	h := cloneMap(t.Header)
	h["alg"] = raw("HS256")
	input := b64.EncodeToString(encodeMap(h)) + "." + t.Segments[1]
	sig, err := SignRaw("HS256", key, []byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// KeyInfo is what the suite checks of one JWK in a target's JWKS.
type KeyInfo struct {
	Kty     string   `json:"kty"`
	Kid     string   `json:"kid,omitempty"`
	Use     string   `json:"use,omitempty"`
	Alg     string   `json:"alg,omitempty"`
	Crv     string   `json:"crv,omitempty"`
	KeyOps  []string `json:"key_ops,omitempty"`
	RSABits int      `json:"rsa_bits,omitempty"`
	// Private lists private or symmetric members found (d, p, q, dp, dq,
	// qi, oth, k).
	Private []string `json:"private,omitempty"`
	// Public is the parsed public key, nil if it did not parse.
	Public crypto.PublicKey `json:"-"`
}

// Problem kinds found in a JWKS.
const (
	ProblemPrivate      = "private"
	ProblemSymmetric    = "symmetric"
	ProblemWeakRSA      = "weak-rsa"
	ProblemKty          = "kty"
	ProblemUse          = "use"
	ProblemAlg          = "alg"
	ProblemDuplicateKID = "duplicate-kid"
)

// Problem is one deviation found in a document, with its clause.
type Problem struct {
	Kind   string `json:"kind"`
	Text   string `json:"text"`
	Clause string `json:"clause"`
}

// JWKS is a target's key set as the suite inspected it.
type JWKS struct {
	Keys     []KeyInfo `json:"keys"`
	Problems []Problem `json:"problems,omitempty"`
}

// privateMembers are the JWK members that hold private or symmetric key
// material (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// InspectJWKS parses a JWK Set (RFC 7517 §5) leniently, member by member, so
// that one odd key does not hide the others, and lists what is wrong:
// private or symmetric key material, RSA below 2048 bits, duplicate kids,
// use other than sig for signing keys, alg that does not fit the key type.
// It never panics on hostile input.
func InspectJWKS(b []byte) (*JWKS, error) {
	var set struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("jose: JWKS is not a JSON object with a keys array: %v", err)
	}
	if set.Keys == nil {
		return nil, errors.New(`jose: JWKS has no "keys" member`)
	}
	out := &JWKS{}
	kids := map[string]int{}
	for i, m := range set.Keys {
		k := KeyInfo{Kty: str(m["kty"]), Kid: str(m["kid"]), Use: str(m["use"]), Alg: str(m["alg"]), Crv: str(m["crv"])}
		_ = json.Unmarshal(m["key_ops"], &k.KeyOps)
		for _, p := range privateMembers {
			if _, ok := m[p]; ok {
				k.Private = append(k.Private, p)
			}
		}
		name := fmt.Sprintf("key %d", i)
		if k.Kid != "" {
			name += fmt.Sprintf(" (kid %q)", k.Kid)
			kids[k.Kid]++
		}
		if len(k.Private) > 0 {
			out.Problems = append(out.Problems, Problem{ProblemPrivate, name + " publishes private or symmetric members " + strings.Join(k.Private, ","), "RFC 7517 §5, RFC 7518 §6"})
		}
		switch k.Kty {
		case "oct":
			out.Problems = append(out.Problems, Problem{ProblemSymmetric, name + " is a symmetric (oct) key", "RFC 7518 §6.4, SC008"})
		case "RSA":
			if n, err := b64.DecodeString(str(m["n"])); err == nil {
				k.RSABits = new(big.Int).SetBytes(n).BitLen()
			}
			if k.RSABits < 2048 {
				out.Problems = append(out.Problems, Problem{ProblemWeakRSA, fmt.Sprintf("%s is an RSA key of %d bits", name, k.RSABits), "RFC 7518 §3.3"})
			}
		case "EC", "OKP":
		default:
			out.Problems = append(out.Problems, Problem{ProblemKty, name + " has unknown kty " + fmt.Sprintf("%q", k.Kty), "RFC 7517 §4.1"})
		}
		if k.Use != "" && k.Use != "sig" && k.Use != "enc" {
			out.Problems = append(out.Problems, Problem{ProblemUse, name + " has unknown use " + fmt.Sprintf("%q", k.Use), "RFC 7517 §4.2"})
		}
		if k.Alg != "" && !algFitsKty(k.Alg, k.Kty) {
			out.Problems = append(out.Problems, Problem{ProblemAlg, name + " declares alg " + k.Alg + " for kty " + k.Kty, "RFC 7517 §4.4, RFC 8725 §3.1"})
		}
		k.Public = parsePublic(m)
		out.Keys = append(out.Keys, k)
	}
	for kid, n := range kids {
		if n > 1 {
			out.Problems = append(out.Problems, Problem{ProblemDuplicateKID, fmt.Sprintf("kid %q is used by %d keys", kid, n), "RFC 7517 §4.5"})
		}
	}
	slices.SortFunc(out.Problems, func(a, b Problem) int { return strings.Compare(a.Text, b.Text) })
	return out, nil
}

// parsePublic reads the public part of a JWK with go-jose; private members
// are dropped first so a leaked private key is still usable as public.
func parsePublic(m map[string]json.RawMessage) crypto.PublicKey {
	pub := cloneMap(m)
	for _, p := range privateMembers {
		delete(pub, p)
	}
	var k gojose.JSONWebKey
	if err := k.UnmarshalJSON(encodeMap(pub)); err != nil || k.Key == nil {
		return nil
	}
	if _, ok := k.Key.([]byte); ok {
		return nil
	}
	return k.Key
}

func algFitsKty(alg, kty string) bool {
	switch {
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"), strings.HasPrefix(alg, "RSA"):
		return kty == "RSA"
	case strings.HasPrefix(alg, "ES"), strings.HasPrefix(alg, "ECDH"):
		return kty == "EC" || kty == "OKP"
	case alg == "EdDSA" || alg == "Ed25519":
		return kty == "OKP"
	case strings.HasPrefix(alg, "HS"), strings.HasPrefix(alg, "A"), alg == "dir":
		return kty == "oct"
	}
	return true
}

// B64 is base64url without padding (RFC 7515 §2).
func B64(b []byte) string { return b64.EncodeToString(b) }
