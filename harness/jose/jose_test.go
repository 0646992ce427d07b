package jose

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	gojose "github.com/go-jose/go-jose/v4"
)

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
)

func testKeys(t *testing.T) (*rsa.PrivateKey, *ecdsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
	})
	return rsaKey, ecKey
}

var fixedNow = time.Unix(1_800_000_000, 0)

func newAssertion(t *testing.T, key crypto.Signer, alg string) *Assertion {
	t.Helper()
	a, err := New(Config{Issuer: "client-1", Audience: "https://as.example/", Key: Key{Signer: key, KID: "k1", Alg: alg},
		Typ: TypClientAuth, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type decoded struct {
	compact             string
	header, payload     []byte
	sig                 []byte
	hdr, claims         map[string]any
	headerSeg, signedIn string
}

func decode(t *testing.T, s string) decoded {
	t.Helper()
	p := strings.Split(s, ".")
	if len(p) != 3 {
		t.Fatalf("want 3 segments, got %d in %q", len(p), s)
	}
	d := decoded{compact: s, headerSeg: p[0], signedIn: p[0] + "." + p[1]}
	var err error
	if d.header, err = b64.DecodeString(p[0]); err != nil {
		t.Fatalf("header: %v", err)
	}
	if d.payload, err = b64.DecodeString(p[1]); err != nil {
		t.Fatalf("payload: %v", err)
	}
	if d.sig, err = b64.DecodeString(p[2]); err != nil {
		t.Fatalf("signature: %v", err)
	}
	_ = json.Unmarshal(d.header, &d.hdr)
	_ = json.Unmarshal(d.payload, &d.claims)
	return d
}

func compact(t *testing.T, a *Assertion) string {
	t.Helper()
	s, err := a.Compact()
	if err != nil {
		t.Fatalf("compact %v: %v", a.Applied(), err)
	}
	return s
}

func TestValidAssertionVerifiesWithGoJOSE(t *testing.T) {
	rk, ek := testKeys(t)
	for _, tc := range []struct {
		alg string
		key crypto.Signer
	}{{"RS256", rk}, {"PS256", rk}, {"ES256", ek}} {
		t.Run(tc.alg, func(t *testing.T) {
			a := newAssertion(t, tc.key, tc.alg)
			s := compact(t, a)
			if !a.ViaJOSE {
				t.Fatal("the valid assertion must be signed by go-jose")
			}
			jws, err := gojose.ParseSigned(s, []gojose.SignatureAlgorithm{gojose.SignatureAlgorithm(tc.alg)})
			if err != nil {
				t.Fatal(err)
			}
			payload, err := jws.Verify(tc.key.Public())
			if err != nil {
				t.Fatalf("go-jose does not verify the valid assertion: %v", err)
			}
			var c map[string]any
			if err := json.Unmarshal(payload, &c); err != nil {
				t.Fatal(err)
			}
			if c["iss"] != "client-1" || c["sub"] != "client-1" || c["aud"] != "https://as.example/" {
				t.Errorf("RFC 7523 §3 items 1-3: claims %v", c)
			}
			if c["exp"].(float64)-c["iat"].(float64) != 60 || c["iat"].(float64) != float64(fixedNow.Unix()) {
				t.Errorf("RFC 7523 §3 items 4,6: exp/iat %v %v", c["exp"], c["iat"])
			}
			if jti, _ := c["jti"].(string); len(jti) < 20 {
				t.Errorf("jti %q too short", jti)
			}
			h := jws.Signatures[0].Protected
			if h.KeyID != "k1" || h.ExtraHeaders["typ"] != TypClientAuth {
				t.Errorf("header %+v", h)
			}
		})
	}
}

func TestMutateFreshJTIAndOriginalUnchanged(t *testing.T) {
	_, ek := testKeys(t)
	a := newAssertion(t, ek, "")
	before := a.Claims.String("jti")
	m1, m2 := Mutate(a), Mutate(a, ExpIn(-5*time.Minute))
	if m1.Claims.String("jti") == before || m2.Claims.String("jti") == m1.Claims.String("jti") {
		t.Fatal("every Mutate must give a fresh jti (RFC 7523 §3 item 7)")
	}
	if a.Claims.String("jti") != before || len(a.Applied()) != 0 {
		t.Fatal("Mutate changed the original")
	}
	if got := m2.Applied(); len(got) != 1 || got[0] != "exp-5m0s-ago" {
		t.Fatalf("applied %v", got)
	}
}

func verifyES(pub *ecdsa.PublicKey, h crypto.Hash, input string, sig []byte) bool {
	d := h.New()
	d.Write([]byte(input))
	n := len(sig) / 2
	return ecdsa.Verify(pub, d.Sum(nil), new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:]))
}

func verifyRS(pub *rsa.PublicKey, input string, sig []byte) bool {
	d := sha256.Sum256([]byte(input))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig) == nil
}

func hmacOK(alg string, key []byte, input string, sig []byte) bool {
	nh := sha256.New
	if alg == "HS512" {
		nh = sha512.New
	}
	m := hmac.New(nh, key)
	m.Write([]byte(input))
	return hmac.Equal(m.Sum(nil), sig)
}

func TestMutations(t *testing.T) {
	rk, ek := testKeys(t)
	kx, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	attacker := Key{Signer: kx, KID: "apisec-attacker"}
	pemKey, _ := PublicKeyBytes(ek.Public(), PublicKeyPEM)

	type check func(t *testing.T, d decoded)
	claimIs := func(name string, want any) check {
		return func(t *testing.T, d decoded) {
			if got, _ := json.Marshal(d.claims[name]); string(got) != string(raw(want)) {
				t.Errorf("claim %s = %s, want %s", name, got, raw(want))
			}
		}
	}
	noClaim := func(name string) check {
		return func(t *testing.T, d decoded) {
			if _, ok := d.claims[name]; ok || !json.Valid(d.payload) {
				t.Errorf("claim %s still present or payload broken: %s", name, d.payload)
			}
		}
	}
	validES := func(t *testing.T, d decoded) {
		if !verifyES(&ek.PublicKey, crypto.SHA256, d.signedIn, d.sig) {
			t.Error("the registered key's ES256 signature must still verify")
		}
	}
	both := func(cs ...check) check {
		return func(t *testing.T, d decoded) {
			for _, c := range cs {
				c(t, d)
			}
		}
	}
	exp := fixedNow.Unix() + 60

	cases := []struct {
		m     Mutation
		key   crypto.Signer
		raw   bool // the compact form is not three base64url segments
		check check
		// rawCheck inspects the compact string when raw is set.
		rawCheck func(t *testing.T, s string)
	}{
		{m: ExpIn(-5 * time.Minute), check: both(claimIs("exp", fixedNow.Unix()-300), validES)},
		{m: NbfIn(10 * time.Minute), check: both(claimIs("nbf", fixedNow.Unix()+600), claimIs("exp", fixedNow.Unix()+900), validES)},
		{m: IatIn(-24 * time.Hour), check: claimIs("iat", fixedNow.Unix()-86400)},
		{m: WithoutClaim("iss"), check: both(noClaim("iss"), validES)},
		{m: WithoutClaim("sub"), check: noClaim("sub")},
		{m: WithoutClaim("aud"), check: noClaim("aud")},
		{m: WithoutClaim("exp"), check: noClaim("exp")},
		{m: WithoutClaim("jti"), check: noClaim("jti")},
		{m: WithExpNotNumericDate(), check: claimIs("exp", "tomorrow")},
		{m: WithIss("wrong-issuer-value"), check: both(claimIs("iss", "wrong-issuer-value"), claimIs("sub", "client-1"))},
		{m: WithSub("wrong-sub-value"), check: claimIs("sub", "wrong-sub-value")},
		{m: WithIssNotSub(), check: both(claimIs("iss", "client-1"), claimIs("sub", "client-1-other"))},
		{m: WithAudience("https://other-as.example/token"), check: claimIs("aud", "https://other-as.example/token")},
		{m: WithAudienceArray("https://as.example/", "https://evil.example"), check: claimIs("aud", []string{"https://as.example/", "https://evil.example"})},
		{m: WithDuplicateClaim("iss", "attacker"), check: func(t *testing.T, d decoded) {
			if bytes.Count(d.payload, []byte(`"iss":`)) != 2 || !bytes.HasSuffix(d.payload, []byte(`"iss":"attacker"}`)) {
				t.Errorf("payload %s: want two iss members, attacker last", d.payload)
			}
			validES(t, d)
		}},
		{m: WithPayloadNotUTF8(), check: func(t *testing.T, d decoded) {
			if utf8.Valid(d.payload) {
				t.Error("payload is valid UTF-8")
			}
			validES(t, d)
		}},
		{m: WithUTF16JSON(), check: func(t *testing.T, d decoded) {
			if !bytes.HasPrefix(d.header, []byte{'{', 0}) || !bytes.HasPrefix(d.payload, []byte{'{', 0}) {
				t.Errorf("not UTF-16LE: %q", d.header)
			}
			validES(t, d)
		}},
		{m: WithAlgNone("nOnE"), check: func(t *testing.T, d decoded) {
			if d.hdr["alg"] != "nOnE" || len(d.sig) != 0 || d.hdr["kid"] != "k1" {
				t.Errorf("header %v sig %d octets", d.hdr, len(d.sig))
			}
		}},
		{m: WithAlgNoneKeepSignature(), check: func(t *testing.T, d decoded) {
			if d.hdr["alg"] != "none" || len(d.sig) != 64 || verifyES(&ek.PublicKey, crypto.SHA256, d.signedIn, d.sig) {
				t.Errorf("want alg none and a 64-octet signature over the original header: %v", d.hdr)
			}
		}},
		{m: WithoutAlg(), check: func(t *testing.T, d decoded) {
			if _, ok := d.hdr["alg"]; ok {
				t.Error("alg present")
			}
			validES(t, d)
		}},
		{m: WithAlg("PS256"), key: rk, check: func(t *testing.T, d decoded) {
			h := sha256.Sum256([]byte(d.signedIn))
			if d.hdr["alg"] != "PS256" || rsa.VerifyPSS(&rk.PublicKey, crypto.SHA256, h[:], d.sig, nil) != nil {
				t.Error("want a valid PS256 signature by the RS256 key")
			}
		}},
		{m: WithAlgKeyTypeMismatch(), check: func(t *testing.T, d decoded) {
			if d.hdr["alg"] != "RS256" {
				t.Errorf("alg %v", d.hdr["alg"])
			}
			validES(t, d)
		}},
		{m: WithAlgKeyTypeMismatch(), key: rk, check: func(t *testing.T, d decoded) {
			if d.hdr["alg"] != "ES256" || !verifyRS(&rk.PublicKey, d.signedIn, d.sig) {
				t.Errorf("want alg ES256 over a valid RS256 signature, header %v", d.hdr)
			}
		}},
		{m: WithCurveMismatch(), check: func(t *testing.T, d decoded) {
			if d.hdr["alg"] != "ES384" || len(d.sig) != 64 || !verifyES(&ek.PublicKey, crypto.SHA384, d.signedIn, d.sig) {
				t.Error("want ES384 label, SHA-384 hash, P-256 signature of 64 octets")
			}
		}},
		{m: WithHS256KeyedWithPublicKey(PublicKeyPEM), check: func(t *testing.T, d decoded) {
			if d.hdr["alg"] != "HS256" || !hmacOK("HS256", pemKey, d.signedIn, d.sig) {
				t.Error("want HS256 keyed with the PEM public key")
			}
		}},
		{m: WithHS256KeyedWithPublicKey(PublicKeyDER), check: func(t *testing.T, d decoded) {
			k, _ := PublicKeyBytes(ek.Public(), PublicKeyDER)
			if !hmacOK("HS256", k, d.signedIn, d.sig) || k[0] != 0x30 {
				t.Error("want HS256 keyed with the DER public key")
			}
		}},
		{m: WithHS256KeyedWithPublicKey(PublicKeyJWK), check: func(t *testing.T, d decoded) {
			k, _ := PublicKeyBytes(ek.Public(), PublicKeyJWK)
			if !hmacOK("HS256", k, d.signedIn, d.sig) || !json.Valid(k) || !bytes.Contains(k, []byte(`"kty":"EC"`)) {
				t.Errorf("want HS256 keyed with the JWK public key %s", k)
			}
		}},
		{m: WithHMAC("HS256", nil, "empty"), check: func(t *testing.T, d decoded) {
			if !hmacOK("HS256", nil, d.signedIn, d.sig) {
				t.Error("want HS256 with the empty key")
			}
		}},
		{m: WithHMAC("HS512", []byte("secret"), "common"), check: func(t *testing.T, d decoded) {
			if d.hdr["alg"] != "HS512" || !hmacOK("HS512", []byte("secret"), d.signedIn, d.sig) {
				t.Error("want HS512 with secret")
			}
		}},
		{m: WithKIDInjection("path", "../../../../../../dev/null", nil), check: func(t *testing.T, d decoded) {
			if d.hdr["kid"] != "../../../../../../dev/null" || !hmacOK("HS256", nil, d.signedIn, d.sig) {
				t.Errorf("header %v", d.hdr)
			}
		}},
		{m: WithUnknownCrit(true), check: func(t *testing.T, d decoded) {
			if c, _ := d.hdr["crit"].([]any); len(c) != 1 || d.hdr["urn:apisec:unknown"] == nil {
				t.Errorf("header %v", d.hdr)
			}
			validES(t, d)
		}},
		{m: WithUnknownCrit(false), check: func(t *testing.T, d decoded) {
			if d.hdr["crit"] == nil || d.hdr["urn:apisec:unknown"] != nil {
				t.Errorf("header %v", d.hdr)
			}
		}},
		{m: WithDuplicateHeader("alg", "none"), check: func(t *testing.T, d decoded) {
			if bytes.Count(d.header, []byte(`"alg":`)) != 2 || d.hdr["alg"] != "none" {
				t.Errorf("header %s", d.header)
			}
			validES(t, d)
		}},
		{m: WithMalformedHeader(HeaderTrailingComma), check: func(t *testing.T, d decoded) {
			if json.Valid(d.header) || !bytes.HasSuffix(d.header, []byte(",}")) {
				t.Errorf("header %s", d.header)
			}
			validES(t, d)
		}},
		{m: WithMalformedHeader(HeaderArray), check: func(t *testing.T, d decoded) {
			var v []any
			if json.Unmarshal(d.header, &v) != nil {
				t.Errorf("header %s is not an array", d.header)
			}
		}},
		{m: WithMalformedHeader(HeaderString), check: func(t *testing.T, d decoded) {
			var v string
			if json.Unmarshal(d.header, &v) != nil {
				t.Errorf("header %s is not a string", d.header)
			}
		}},
		{m: WithTyp(""), check: func(t *testing.T, d decoded) {
			if _, ok := d.hdr["typ"]; ok {
				t.Error("typ present")
			}
		}},
		{m: WithUnknownKID(), check: func(t *testing.T, d decoded) {
			if kid, _ := d.hdr["kid"].(string); !strings.HasPrefix(kid, "apisec-unknown-") {
				t.Errorf("kid %v", d.hdr["kid"])
			}
			validES(t, d)
		}},
		{m: WithUnregisteredKey(), check: func(t *testing.T, d decoded) {
			if d.hdr["kid"] != "k1" || verifyES(&ek.PublicKey, crypto.SHA256, d.signedIn, d.sig) || len(d.sig) != 64 {
				t.Error("want kid k1 and a well-formed signature the registered key does not verify")
			}
		}},
		{m: WithSigner(attacker), check: func(t *testing.T, d decoded) {
			if d.hdr["kid"] != "apisec-attacker" || !verifyES(&kx.PublicKey, crypto.SHA256, d.signedIn, d.sig) {
				t.Error("want the attacker's kid and signature")
			}
		}},
		{m: WithRSAKeyBits(1024), check: func(t *testing.T, d decoded) {
			if d.hdr["alg"] != "RS256" || len(d.sig) != 128 {
				t.Errorf("want RS256 with a 1024-bit (128-octet) signature, got %d", len(d.sig))
			}
		}},
		{m: WithEmbeddedJWK(attacker), check: func(t *testing.T, d decoded) {
			var k gojose.JSONWebKey
			j, _ := json.Marshal(d.hdr["jwk"])
			if err := k.UnmarshalJSON(j); err != nil || !k.IsPublic() {
				t.Fatalf("jwk %s: %v", j, err)
			}
			if _, ok := d.hdr["kid"]; ok || !verifyES(k.Key.(*ecdsa.PublicKey), crypto.SHA256, d.signedIn, d.sig) || !k.Key.(*ecdsa.PublicKey).Equal(&kx.PublicKey) {
				t.Error("want no kid and a signature by the embedded key")
			}
		}},
		{m: WithJKU("http://127.0.0.1:1/jwks", attacker), check: func(t *testing.T, d decoded) {
			if d.hdr["jku"] != "http://127.0.0.1:1/jwks" || d.hdr["kid"] != "apisec-attacker" || !verifyES(&kx.PublicKey, crypto.SHA256, d.signedIn, d.sig) {
				t.Errorf("header %v", d.hdr)
			}
		}},
		{m: WithX5U("http://127.0.0.1:1/cert", attacker), check: func(t *testing.T, d decoded) {
			if d.hdr["x5u"] != "http://127.0.0.1:1/cert" {
				t.Errorf("header %v", d.hdr)
			}
		}},
		{m: WithX5C(attacker), check: func(t *testing.T, d decoded) {
			c, _ := d.hdr["x5c"].([]any)
			if len(c) != 1 || !verifyES(&kx.PublicKey, crypto.SHA256, d.signedIn, d.sig) {
				t.Errorf("header %v", d.hdr)
			}
		}},
		{m: WithFlippedSignature(), check: func(t *testing.T, d decoded) {
			for i := range d.sig {
				d.sig[i] ^= 0x5a
			}
			validES(t, d) // flipping back restores the valid signature
		}},
		{m: WithoutSignature(), check: func(t *testing.T, d decoded) {
			if len(d.sig) != 0 || d.hdr["alg"] != "ES256" {
				t.Error("want alg kept and an empty signature")
			}
		}},
		{m: WithTruncatedSignature(), check: func(t *testing.T, d decoded) {
			if len(d.sig) != 63 {
				t.Errorf("%d octets", len(d.sig))
			}
		}},
		{m: WithAppendedSignatureByte(), check: func(t *testing.T, d decoded) {
			if len(d.sig) != 65 || !verifyES(&ek.PublicKey, crypto.SHA256, d.signedIn, d.sig[:64]) {
				t.Errorf("%d octets", len(d.sig))
			}
		}},
		{m: WithZeroECDSASignature(), check: func(t *testing.T, d decoded) {
			if !bytes.Equal(d.sig, make([]byte, 64)) {
				t.Errorf("sig %x", d.sig)
			}
		}},
		{m: WithPsychicDERSignature(), check: func(t *testing.T, d decoded) {
			if d.compact[strings.LastIndexByte(d.compact, '.')+1:] != "MAYCAQACAQA" {
				t.Errorf("sig %x", d.sig)
			}
		}},
		{m: WithDERECDSASignature(), check: func(t *testing.T, d decoded) {
			rs, err := DERToRS(d.sig, 32)
			if err != nil || d.sig[0] != 0x30 || !verifyES(&ek.PublicKey, crypto.SHA256, d.signedIn, rs) {
				t.Errorf("want a valid signature in DER: %v", err)
			}
		}},
		{m: AsDPoPProof("https://as.example/token"), check: func(t *testing.T, d decoded) {
			if d.hdr["typ"] != "dpop+jwt" || d.hdr["jwk"] == nil || d.hdr["kid"] != nil || d.claims["htu"] != "https://as.example/token" || d.claims["iss"] != nil || d.claims["aud"] != nil {
				t.Errorf("not a DPoP proof: %v %v", d.hdr, d.claims)
			}
			validES(t, d)
		}},
		{m: WithNestedJWT(), check: func(t *testing.T, d decoded) {
			validES(t, d)
			inner := decode(t, string(d.payload))
			if d.hdr["cty"] != "JWT" || inner.claims["iss"] != "client-1" || verifyES(&ek.PublicKey, crypto.SHA256, inner.signedIn, inner.sig) {
				t.Errorf("want a valid outer JWS around an inner JWT the registered key does not verify: %v", d.hdr)
			}
		}},
		{m: WithPaddedBase64(), raw: true, rawCheck: func(t *testing.T, s string) {
			for _, p := range strings.Split(s, ".") {
				if len(p)%4 != 0 {
					t.Errorf("segment %q is not padded", p)
				}
			}
			if !strings.Contains(s, "=") {
				t.Error("no padding")
			}
			if _, err := base64.URLEncoding.DecodeString(strings.Split(s, ".")[0]); err != nil {
				t.Error(err)
			}
		}},
		{m: WithStdBase64(), raw: true, rawCheck: func(t *testing.T, s string) {
			if strings.ContainsAny(s, "-_") || !strings.ContainsAny(s, "+/") {
				t.Errorf("want +/ alphabet: %s", s)
			}
			if _, err := base64.RawStdEncoding.DecodeString(strings.Split(s, ".")[0]); err != nil {
				t.Error(err)
			}
		}},
		{m: WithLineBreak(), raw: true, rawCheck: func(t *testing.T, s string) {
			if strings.Count(s, "\n") != 1 || strings.Count(s, ".") != 2 {
				t.Errorf("%q", s)
			}
		}},
		{m: WithGarbageBase64(), raw: true, rawCheck: func(t *testing.T, s string) {
			if _, err := b64.DecodeString(strings.Split(s, ".")[1]); err == nil || strings.Count(s, "!") != 1 {
				t.Error("payload still decodes")
			}
		}},
		{m: WithTwoJWTs(), raw: true, rawCheck: func(t *testing.T, s string) {
			p := strings.Split(s, ".")
			if len(p) != 6 {
				t.Fatalf("%d segments", len(p))
			}
			d1, d2 := decode(t, strings.Join(p[:3], ".")), decode(t, strings.Join(p[3:], "."))
			validES(t, d1)
			validES(t, d2)
			if d1.claims["jti"] == d2.claims["jti"] {
				t.Error("the two JWTs share a jti")
			}
		}},
		{m: WithJWE(), raw: true, rawCheck: func(t *testing.T, s string) {
			if strings.Count(s, ".") != 4 {
				t.Fatalf("want 5 segments: %s", s)
			}
			if _, err := gojose.ParseEncrypted(s, []gojose.KeyAlgorithm{gojose.DIRECT}, []gojose.ContentEncryption{gojose.A128GCM}); err != nil {
				t.Error(err)
			}
		}},
		{m: WithJSONSerialization(true), raw: true, rawCheck: func(t *testing.T, s string) {
			var v map[string]string
			if json.Unmarshal([]byte(s), &v) != nil || v["protected"] == "" || v["signature"] == "" {
				t.Errorf("%s", s)
			}
			validES(t, decode(t, v["protected"]+"."+v["payload"]+"."+v["signature"]))
		}},
		{m: WithJSONSerialization(false), raw: true, rawCheck: func(t *testing.T, s string) {
			jws, err := gojose.ParseSigned(s, []gojose.SignatureAlgorithm{gojose.ES256})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := jws.Verify(&ek.PublicKey); err != nil {
				t.Error(err)
			}
		}},
	}
	_ = exp
	names := map[string]bool{}
	for _, tc := range cases {
		key := tc.key
		if key == nil {
			key = ek
		}
		name := tc.m.Name + "/" + map[bool]string{true: "rsa", false: "ec"}[key == crypto.Signer(rk)]
		t.Run(name, func(t *testing.T) {
			if tc.m.Clause == "" || tc.m.Name == "" || tc.m.Title == "" {
				t.Fatal("every mutation needs a name, title and clause")
			}
			if names[name] {
				t.Fatalf("duplicate mutation name %s", name)
			}
			names[name] = true
			a := Mutate(newAssertion(t, key, ""), tc.m)
			s := compact(t, a)
			if tc.raw {
				tc.rawCheck(t, s)
				return
			}
			tc.check(t, decode(t, s))
		})
	}
}

func TestMutationsNotApplicable(t *testing.T) {
	rk, ek := testKeys(t)
	for _, tc := range []struct {
		m   Mutation
		key crypto.Signer
	}{
		{WithZeroECDSASignature(), rk},
		{WithDERECDSASignature(), rk},
		{WithCurveMismatch(), rk},
		{WithAlg("PS256"), ek},
		{WithFlippedSignature(), nil},
	} {
		key := tc.key
		var a *Assertion
		if key == nil {
			a = Mutate(newAssertion(t, ek, ""), WithAlgNone("none"), tc.m)
		} else {
			a = Mutate(newAssertion(t, key, ""), tc.m)
		}
		if _, err := a.Compact(); !errors.Is(err, ErrNotApplicable) {
			t.Errorf("%s: want ErrNotApplicable, got %v", tc.m.Name, err)
		}
	}
}

func TestECDSAConversions(t *testing.T) {
	if _, err := DERToRS([]byte{0x30, 0x00}, 32); err == nil {
		t.Error("empty DER accepted")
	}
	if _, err := RSToDER(make([]byte, 63)); err == nil {
		t.Error("odd R||S accepted")
	}
	rs := append(bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)...)
	der, err := RSToDER(rs)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DERToRS(der, 32)
	if err != nil || !bytes.Equal(back, rs) {
		t.Fatalf("round trip: %v", err)
	}
}
