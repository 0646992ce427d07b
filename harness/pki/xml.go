package pki

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/apisec/apisec/harness/atomicfile"
)

// Names of the XML-signature credentials in the certs folder: the suite's
// WS-Security client (SC-S001) and its SAML issuer (SC-S002). Each is
// <name>.key (RSA, 0600) and <name>.pem (certificate from the test CA).
const (
	WSSClientName  = "wss-client"
	SAMLIssuerName = "saml-issuer"
	validityXML    = 365 * 24 * time.Hour
)

// XMLCredential is an RSA key with its certificate from the test CA. XML
// signatures use RSA because rsa-sha256 is what every WS-Security stack
// supports (BSP 1.1, AORTA); the other suite keys are ECDSA.
type XMLCredential struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
	// KeyFile and CertFile are where they are stored.
	KeyFile, CertFile string
}

// xmlMu serializes creation, so concurrent reference targets in one process
// (parallel tests) cannot pair one's key with the other's certificate.
var xmlMu sync.Mutex

// XMLCredential loads the named credential from the certs folder, creating
// the key when missing and issuing a certificate from the test CA when there
// is none for that key or it is not valid at now.
func (s *Set) XMLCredential(name, commonName string, now time.Time) (*XMLCredential, error) {
	xmlMu.Lock()
	defer xmlMu.Unlock()
	keyFile, certFile := filepath.Join(s.Dir, name+".key"), filepath.Join(s.Dir, name+".pem")
	if c, err := LoadXMLCredential(keyFile, certFile); err == nil &&
		now.After(c.Cert.NotBefore) && now.Before(c.Cert.NotAfter) && c.Cert.CheckSignatureFrom(s.CA) == nil {
		return c, nil
	}
	var key *rsa.PrivateKey
	raw, err := os.ReadFile(keyFile)
	switch {
	case err == nil:
		k, err := ParsePrivateKeyPEM(raw)
		if err != nil {
			return nil, fmt.Errorf("certs: %s: %w", keyFile, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("certs: %s is not an RSA key", keyFile)
		}
		key = rk
	case errors.Is(err, os.ErrNotExist):
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := atomicfile.Write(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("certs: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"apisec suite (TEST)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validityXML),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.CA, key.Public(), s.CAKey)
	if err != nil {
		return nil, fmt.Errorf("certs: issue %s certificate: %w", name, err)
	}
	if err := atomicfile.Write(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, err
	}
	return LoadXMLCredential(keyFile, certFile)
}

// LoadXMLCredential reads an RSA key and its certificate (PEM) and checks
// that they belong together.
func LoadXMLCredential(keyFile, certFile string) (*XMLCredential, error) {
	rawKey, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	rawCert, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	k, err := ParsePrivateKeyPEM(rawKey)
	if err != nil {
		return nil, fmt.Errorf("certs: %s: %w", keyFile, err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("certs: %s is not an RSA key", keyFile)
	}
	cert, err := ParseCertificatePEM(rawCert)
	if err != nil {
		return nil, fmt.Errorf("certs: %s: %w", certFile, err)
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(key.Public()) {
		return nil, fmt.Errorf("certs: %s does not certify the key in %s", certFile, keyFile)
	}
	return &XMLCredential{Key: key, Cert: cert, KeyFile: keyFile, CertFile: certFile}, nil
}
