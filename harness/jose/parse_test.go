package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
)

func TestParseCompactAndForgeries(t *testing.T) {
	_, ek := testKeys(t)
	s := compact(t, newAssertion(t, ek, ""))
	tok, err := ParseCompact(s)
	if err != nil {
		t.Fatal(err)
	}
	if tok.HeaderString("alg") != "ES256" || tok.ClaimString("iss") != "client-1" || len(tok.Signature) != 64 {
		t.Fatalf("parsed %+v", tok)
	}
	none := tok.ForgeNone("None")
	nt := decode(t, none)
	if nt.hdr["alg"] != "None" || len(nt.sig) != 0 || nt.claims["iss"] != "client-1" {
		t.Errorf("ForgeNone: %v", nt.hdr)
	}
	tampered := decode(t, tok.WithClaim("sub", "admin"))
	if tampered.claims["sub"] != "admin" || tampered.headerSeg != tok.Segments[0] || string(tampered.sig) != string(tok.Signature) {
		t.Error("WithClaim must change the claim and keep header and signature")
	}
	hs, err := tok.ForgeHS256([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	if d := decode(t, hs); d.hdr["alg"] != "HS256" || !hmacOK("HS256", []byte("k"), d.signedIn, d.sig) {
		t.Error("ForgeHS256")
	}
	kx, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	forged, err := ForgeWithEmbeddedJWK(tok, Key{Signer: kx})
	if err != nil {
		t.Fatal(err)
	}
	if d := decode(t, forged); d.hdr["jwk"] == nil || d.hdr["kid"] != nil || d.claims["iss"] != "client-1" || !verifyES(&kx.PublicKey, crypto.SHA256, d.signedIn, d.sig) {
		t.Errorf("ForgeWithEmbeddedJWK: %v", d.hdr)
	}
	for _, bad := range []string{"", "a.b", "opaque-token", "e30.e30", "W10.e30.", "e30.W10.", "!!.e30.", strings.Repeat("a", maxToken+1)} {
		if _, err := ParseCompact(bad); !errors.Is(err, ErrNotJWT) {
			t.Errorf("%q: want ErrNotJWT, got %v", bad, err)
		}
	}
}

func TestInspectJWKS(t *testing.T) {
	rk, ek := testKeys(t)
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)
	pub := func(k any, kid, use, alg string) json.RawMessage {
		b, _ := json.Marshal(gojose.JSONWebKey{Key: k, KeyID: kid, Use: use, Algorithm: alg})
		return b
	}
	priv, _ := json.Marshal(gojose.JSONWebKey{Key: ek, KeyID: "leak"})
	set := func(keys ...json.RawMessage) []byte {
		b, _ := json.Marshal(map[string]any{"keys": keys})
		return b
	}
	good, err := InspectJWKS(set(pub(&rk.PublicKey, "r", "sig", "RS256"), pub(&ek.PublicKey, "e", "sig", "ES256")))
	if err != nil || len(good.Problems) != 0 || len(good.Keys) != 2 || good.Keys[0].RSABits != 2048 {
		t.Fatalf("good set: %+v %v", good, err)
	}
	if _, ok := good.Keys[1].Public.(*ecdsa.PublicKey); !ok {
		t.Error("public key not parsed")
	}
	bad, err := InspectJWKS(set(
		pub(&weak.PublicKey, "w", "sig", "RS256"),
		priv,
		json.RawMessage(`{"kty":"oct","k":"c2VjcmV0","kid":"h"}`),
		pub(&ek.PublicKey, "dup", "sig", "RS256"),
		pub(&ek.PublicKey, "dup", "bogus", ""),
	))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"RSA key of 1024 bits", "private or symmetric members d", "symmetric (oct)", "members k", "alg RS256 for kty EC", `kid "dup" is used by 2`, `unknown use "bogus"`}
	all := ""
	for _, p := range bad.Problems {
		all += p.Text + " [" + p.Clause + "]\n"
	}
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("missing problem %q in:\n%s", w, all)
		}
	}
	for _, b := range []string{"", "[]", `{"keys":null}`, `{"keys":[1]}`, `{}`} {
		if _, err := InspectJWKS([]byte(b)); err == nil {
			t.Errorf("%q accepted", b)
		}
	}
}

func seeds(f *testing.F, dir string) {
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if len(files) == 0 {
		f.Fatalf("no seeds in testdata/%s", dir)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
}

// FuzzParseCompact: target tokens are hostile input; the parser and the
// forgeries built on it must never panic.
func FuzzParseCompact(f *testing.F) {
	seeds(f, "tokens")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseCompact(s)
		if err != nil {
			return
		}
		_ = tok.ForgeNone("none")
		_ = tok.WithClaim("exp", 1)
		if _, err := tok.ForgeHS256([]byte("k")); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzInspectJWKS: a target's JWKS is hostile input.
func FuzzInspectJWKS(f *testing.F) {
	seeds(f, "jwks")
	f.Fuzz(func(t *testing.T, s string) {
		set, err := InspectJWKS([]byte(s))
		if err == nil && set == nil {
			t.Fatal("nil set without error")
		}
	})
}
