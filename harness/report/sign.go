package report

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apisec/apisec/harness/atomicfile"
	"github.com/apisec/apisec/harness/pki"
	"github.com/go-jose/go-jose/v4"
)

// Origins of the key that signs a manifest.
const (
	// KeyOperator is a persistent key of whoever runs the suite (a
	// certification body, a vendor's CI), made once with `apisec keys init`;
	// its thumbprint is published, so a verifier can pin it.
	KeyOperator = "operator"
	// KeyPerRun is a key made for one run and thrown away: the manifest
	// then proves the folder is as the run left it, not who ran it.
	KeyPerRun = "per-run"
)

// Operator key file names (apisec keys init).
const (
	OperatorKeyFile = "operator.key"
	OperatorPubFile = "operator.pub.pem"
)

// Signer signs manifests.
type Signer struct {
	key crypto.Signer
	alg jose.SignatureAlgorithm
	// Origin is KeyOperator or KeyPerRun.
	Origin string
	// Thumbprint is the RFC 7638 SHA-256 thumbprint of the public key.
	Thumbprint string
}

// NewRunSigner makes a P-256 key for this run only.
func NewRunSigner() (*Signer, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return newSigner(k, KeyPerRun)
}

// LoadSigner reads the operator's PEM private key (EC P-256/384/521,
// Ed25519, or RSA of at least 2048 bits).
func LoadSigner(path string) (*Signer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sign key: cannot read %s", path)
	}
	k, err := pki.ParsePrivateKeyPEM(raw)
	if err != nil {
		return nil, fmt.Errorf("sign key %s: %v", path, err)
	}
	return newSigner(k, KeyOperator)
}

func newSigner(k crypto.Signer, origin string) (*Signer, error) {
	alg, err := manifestAlg(k.Public())
	if err != nil {
		return nil, err
	}
	t, err := Thumbprint(k.Public())
	if err != nil {
		return nil, err
	}
	return &Signer{key: k, alg: alg, Origin: origin, Thumbprint: t}, nil
}

func manifestAlg(pub crypto.PublicKey) (jose.SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return jose.ES256, nil
		case elliptic.P384():
			return jose.ES384, nil
		case elliptic.P521():
			return jose.ES512, nil
		}
	case ed25519.PublicKey:
		return jose.EdDSA, nil
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return "", fmt.Errorf("sign key: RSA key of %d bits is too small (RFC 7518 §3.3 needs 2048)", k.N.BitLen())
		}
		return jose.PS256, nil
	}
	return "", fmt.Errorf("sign key: unsupported key type %T", pub)
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of a public key, base64url
// without padding (the form a JWK "kid" usually takes).
func Thumbprint(pub crypto.PublicKey) (string, error) {
	t, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(t), nil
}

// SameThumbprint compares two thumbprints written base64url or hex.
func SameThumbprint(a, b string) bool {
	da, ea := decodeThumbprint(a)
	db, eb := decodeThumbprint(b)
	return ea == nil && eb == nil && string(da) == string(db)
}

// CheckThumbprint rejects a string that is no SHA-256 thumbprint.
func CheckThumbprint(s string) error {
	_, err := decodeThumbprint(s)
	return err
}

func decodeThumbprint(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 64 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("thumbprint %q is not a SHA-256 thumbprint (43 base64url or 64 hex characters)", s)
	}
	return b, nil
}

// LoadPublicKey reads a key to pin: a PEM public key or certificate, a PEM
// private key (its public half), or a JWK.
func LoadPublicKey(path string) (crypto.PublicKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s", path)
	}
	if b, _ := pem.Decode(raw); b != nil {
		if strings.Contains(b.Type, "PRIVATE KEY") {
			k, err := pki.ParsePrivateKeyPEM(raw)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			return k.Public(), nil
		}
		k, err := pki.ParsePublicKeyPEM(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		return k, nil
	}
	var jwk jose.JSONWebKey
	if err := json.Unmarshal(raw, &jwk); err == nil && jwk.Key != nil {
		return jwk.Public().Key, nil
	}
	return nil, fmt.Errorf("%s is not a PEM public key, certificate or JWK", path)
}

// GenerateOperatorKey writes a new P-256 operator key pair into dir
// (private key 0600) and returns the thumbprint. It never overwrites a key:
// a certification body's published thumbprint must keep meaning one key.
func GenerateOperatorKey(dir string) (string, error) {
	priv := filepath.Join(dir, OperatorKeyFile)
	if _, err := os.Stat(priv); err == nil {
		s, err := LoadSigner(priv)
		if err != nil {
			return "", err
		}
		return s.Thumbprint, fmt.Errorf("%s already exists (key %s); it is never overwritten", priv, s.Thumbprint)
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", err
	}
	if err := atomicfile.Write(priv, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return "", err
	}
	pub, err := pki.MarshalPublicKeyPEM(k.Public())
	if err != nil {
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(dir, OperatorPubFile), pub, 0o644); err != nil {
		return "", err
	}
	return Thumbprint(k.Public())
}
