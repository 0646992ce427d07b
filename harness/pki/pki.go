// Package pki makes the suite's throw-away test PKI in certs/: a test CA,
// server certificates for the reference target, the client signing key the
// suite authenticates with, and one declaration key per role. Private keys
// are written 0600 and are git-ignored; nothing here is for production.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/apisec/apisec/harness/atomicfile"
	"github.com/apisec/apisec/harness/catalogue"
)

// File names inside the certs folder.
const (
	CAFile         = "ca.pem"
	CAKeyFile      = "ca.key"
	ClientKeyFile  = "client-signing.key"
	ClientPubFile  = "client-signing.pub.pem"
	rolePrefix     = "declaration-"
	validityCA     = 5 * 365 * 24 * time.Hour
	validityServer = 90 * 24 * time.Hour
)

// RoleKeyFile is the private declaration key of a role.
func RoleKeyFile(r catalogue.Role) string { return rolePrefix + string(r) + ".key" }

// RolePubFile is the public declaration key of a role.
func RolePubFile(r catalogue.Role) string { return rolePrefix + string(r) + ".pub.pem" }

// Set is the loaded PKI.
type Set struct {
	Dir       string
	CA        *x509.Certificate
	CAKey     crypto.Signer
	ClientKey crypto.Signer
	RoleKeys  map[catalogue.Role]crypto.Signer
}

// Init loads the PKI from dir, generating whatever is missing. It is safe to
// call on every run ("automatic on first run").
func Init(dir string) (*Set, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	s := &Set{Dir: dir, RoleKeys: map[catalogue.Role]crypto.Signer{}}
	var err error
	if s.CAKey, err = loadOrCreateKey(filepath.Join(dir, CAKeyFile), ""); err != nil {
		return nil, err
	}
	if s.CA, err = loadOrCreateCA(filepath.Join(dir, CAFile), s.CAKey); err != nil {
		return nil, err
	}
	if s.ClientKey, err = loadOrCreateKey(filepath.Join(dir, ClientKeyFile), filepath.Join(dir, ClientPubFile)); err != nil {
		return nil, err
	}
	for _, r := range catalogue.Roles {
		k, err := loadOrCreateKey(filepath.Join(dir, RoleKeyFile(r)), filepath.Join(dir, RolePubFile(r)))
		if err != nil {
			return nil, err
		}
		s.RoleKeys[r] = k
	}
	return s, nil
}

// ServerCertificate issues a fresh server certificate from the test CA for
// the given DNS names and IP addresses (kept in memory only).
func (s *Set) ServerCertificate(hosts []string, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: hosts[0], Organization: []string{"apisec reference target (TEST)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validityServer),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.CA, key.Public(), s.CAKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certs: issue server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, s.CA.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// Pool is a certificate pool holding only the test CA.
func (s *Set) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.CA)
	return p
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return n
}

func loadOrCreateCA(path string, key crypto.Signer) (*x509.Certificate, error) {
	if raw, err := os.ReadFile(path); err == nil {
		c, err := ParseCertificatePEM(raw)
		if err != nil {
			return nil, fmt.Errorf("certs: %s: %w", path, err)
		}
		if pub, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(key.Public()) {
			return nil, fmt.Errorf("certs: %s does not match %s; delete both to regenerate", path, CAKeyFile)
		}
		return c, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("certs: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "apisec throw-away test CA", Organization: []string{"apisec (TEST ONLY)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validityCA),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("certs: create CA: %w", err)
	}
	if err := atomicfile.Write(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func loadOrCreateKey(path, pubPath string) (crypto.Signer, error) {
	if raw, err := os.ReadFile(path); err == nil {
		k, err := ParsePrivateKeyPEM(raw)
		if err != nil {
			return nil, fmt.Errorf("certs: %s: %w", path, err)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("certs: %w", err)
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	if pubPath != "" {
		pub, err := MarshalPublicKeyPEM(k.Public())
		if err != nil {
			return nil, err
		}
		if err := atomicfile.Write(pubPath, pub, 0o644); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// MarshalPublicKeyPEM encodes a public key as a PKIX PEM block.
func MarshalPublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePrivateKeyPEM reads a PKCS#8, PKCS#1 or SEC 1 private key.
func ParsePrivateKeyPEM(raw []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, fmt.Errorf("unsupported private key type %T", k)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	return nil, errors.New("not a PKCS#8, PKCS#1 or SEC 1 private key")
}

// ParsePublicKeyPEM reads a PKIX public key or takes the key of a certificate.
func ParsePublicKeyPEM(raw []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if block.Type == "CERTIFICATE" {
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		return c.PublicKey, nil
	}
	return x509.ParsePKIXPublicKey(block.Bytes)
}

// ParseCertificatePEM reads the first certificate of a PEM file.
func ParseCertificatePEM(raw []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no CERTIFICATE PEM block")
	}
	return x509.ParseCertificate(block.Bytes)
}
