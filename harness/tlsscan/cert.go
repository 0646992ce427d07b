package tlsscan

import (
	"crypto/dsa" //nolint:staticcheck // reporting DSA keys is the point
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"

	"golang.org/x/crypto/ocsp"
)

func fingerprint(der []byte) []byte {
	h := sha256.Sum256(der)
	return h[:]
}

// Object identifiers crypto/x509 does not know (it refuses brainpool and
// Ed448 keys), read from the SubjectPublicKeyInfo by hand.
var (
	oidRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidDSA     = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
	oidEC      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidEd448   = asn1.ObjectIdentifier{1, 3, 101, 113}
	curveByOID = map[string]struct {
		name string
		bits int
	}{
		"1.2.840.10045.3.1.7":   {"P-256", 256},
		"1.3.132.0.34":          {"P-384", 384},
		"1.3.132.0.35":          {"P-521", 521},
		"1.3.132.0.33":          {"P-224", 224},
		"1.2.840.10045.3.1.1":   {"P-192", 192},
		"1.3.132.0.10":          {"secp256k1", 256},
		"1.3.36.3.3.2.8.1.1.7":  {"brainpoolP256r1", 256},
		"1.3.36.3.3.2.8.1.1.11": {"brainpoolP384r1", 384},
		"1.3.36.3.3.2.8.1.1.13": {"brainpoolP512r1", 512},
	}
	sigHashByOID = map[string][2]string{
		"1.2.840.113549.1.1.4":   {"md5WithRSAEncryption", "md5"},
		"1.2.840.113549.1.1.5":   {"sha1WithRSAEncryption", "sha1"},
		"1.2.840.113549.1.1.14":  {"sha224WithRSAEncryption", "sha224"},
		"1.2.840.113549.1.1.11":  {"sha256WithRSAEncryption", "sha256"},
		"1.2.840.113549.1.1.12":  {"sha384WithRSAEncryption", "sha384"},
		"1.2.840.113549.1.1.13":  {"sha512WithRSAEncryption", "sha512"},
		"1.2.840.10045.4.1":      {"ecdsa-with-SHA1", "sha1"},
		"1.2.840.10045.4.3.1":    {"ecdsa-with-SHA224", "sha224"},
		"1.2.840.10045.4.3.2":    {"ecdsa-with-SHA256", "sha256"},
		"1.2.840.10045.4.3.3":    {"ecdsa-with-SHA384", "sha384"},
		"1.2.840.10045.4.3.4":    {"ecdsa-with-SHA512", "sha512"},
		"1.2.840.10040.4.3":      {"dsa-with-SHA1", "sha1"},
		"2.16.840.1.101.3.4.3.1": {"dsa-with-SHA224", "sha224"},
		"2.16.840.1.101.3.4.3.2": {"dsa-with-SHA256", "sha256"},
		"1.3.101.112":            {"Ed25519", "intrinsic"},
		"1.3.101.113":            {"Ed448", "intrinsic"},
	}
)

// rawCert is the outer structure of a certificate, enough to read the
// signature algorithm and public key whatever crypto/x509 thinks of them.
type rawCert struct {
	TBS struct {
		Raw       asn1.RawContent
		Version   int `asn1:"optional,explicit,default:0,tag:0"`
		Serial    *big.Int
		SigAlg    pkix.AlgorithmIdentifier
		Issuer    asn1.RawValue
		Validity  struct{ NotBefore, NotAfter time.Time }
		Subject   asn1.RawValue
		PublicKey struct {
			Algorithm pkix.AlgorithmIdentifier
			Key       asn1.BitString
		}
	}
	SigAlg pkix.AlgorithmIdentifier
	Sig    asn1.BitString
}

// describeCert fills a CertInfo from DER. crypto/x509 is used when it
// parses the certificate; otherwise the fields are read from the raw ASN.1
// so an unusual key (brainpool, Ed448) is still reported, not dropped.
func describeCert(der []byte) (CertInfo, *x509.Certificate) {
	info := CertInfo{SHA256: hex.EncodeToString(fingerprint(der)), KeyType: "unknown", SignatureHash: "unknown"}
	var raw rawCert
	if _, err := asn1.Unmarshal(der, &raw); err == nil {
		sig := raw.SigAlg.Algorithm.String()
		if v, ok := sigHashByOID[sig]; ok {
			info.SignatureAlgorithm, info.SignatureHash = v[0], v[1]
		} else if raw.SigAlg.Algorithm.Equal(oidRSAPSS) {
			info.SignatureAlgorithm, info.SignatureHash = "RSASSA-PSS", pssHash(raw.SigAlg.Parameters.FullBytes)
		} else {
			info.SignatureAlgorithm = sig
		}
		info.NotBefore, info.NotAfter = raw.TBS.Validity.NotBefore, raw.TBS.Validity.NotAfter
		if raw.TBS.Serial != nil {
			info.Serial = raw.TBS.Serial.Text(16)
		}
		alg := raw.TBS.PublicKey.Algorithm
		switch {
		case alg.Algorithm.Equal(oidRSA), alg.Algorithm.Equal(oidRSAPSS):
			info.KeyType = "RSA"
			if alg.Algorithm.Equal(oidRSAPSS) {
				info.KeyType = "RSA-PSS"
			}
			var k struct{ N, E *big.Int }
			if _, err := asn1.Unmarshal(raw.TBS.PublicKey.Key.Bytes, &k); err == nil && k.N != nil {
				info.KeyBits = k.N.BitLen()
			}
		case alg.Algorithm.Equal(oidEC):
			info.KeyType = "ECDSA"
			var curve asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &curve); err == nil {
				if c, ok := curveByOID[curve.String()]; ok {
					info.Curve, info.KeyBits = c.name, c.bits
				} else {
					info.Curve = curve.String()
				}
			} else {
				info.Curve = "explicit"
			}
		case alg.Algorithm.Equal(oidEd25519):
			info.KeyType, info.KeyBits = "Ed25519", 256
		case alg.Algorithm.Equal(oidEd448):
			info.KeyType, info.KeyBits = "Ed448", 456
		case alg.Algorithm.Equal(oidDSA):
			info.KeyType = "DSA"
			var params struct{ P, Q, G *big.Int }
			if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &params); err == nil && params.P != nil {
				info.KeyBits = params.P.BitLen()
			}
		}
	} else {
		info.ParseError = "not a certificate: " + err.Error()
		return info, nil
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		info.ParseError = err.Error()
		return info, nil
	}
	info.Subject, info.Issuer = cert.Subject.String(), cert.Issuer.String()
	info.DNSNames = cert.DNSNames
	info.IsCA = cert.IsCA
	info.OCSPServers = cert.OCSPServer
	info.SelfSigned = cert.CheckSignatureFrom(cert) == nil
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		info.KeyBits = k.N.BitLen()
	case *ecdsa.PublicKey:
		info.KeyBits = k.Curve.Params().BitSize
	case ed25519.PublicKey:
	case *dsa.PublicKey:
		info.KeyBits = k.P.BitLen()
	}
	return info, cert
}

// pssHash reads the hash of RSASSA-PSS-params (RFC 4055); absent means SHA-1.
func pssHash(params []byte) string {
	var p struct {
		Hash pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(params, &p); err != nil {
		return "unknown"
	}
	switch p.Hash.Algorithm.String() {
	case "":
		return "sha1"
	case "1.3.14.3.2.26":
		return "sha1"
	case "2.16.840.1.101.3.4.2.4":
		return "sha224"
	case "2.16.840.1.101.3.4.2.1":
		return "sha256"
	case "2.16.840.1.101.3.4.2.2":
		return "sha384"
	case "2.16.840.1.101.3.4.2.3":
		return "sha512"
	}
	return "unknown"
}

// buildChain describes and verifies a chain as sent (leaf first).
func buildChain(source string, version uint16, ders [][]byte, t Target, now time.Time) (Chain, []*x509.Certificate) {
	ch := Chain{Source: source, Version: version}
	var parsed []*x509.Certificate
	for _, d := range ders {
		info, c := describeCert(d)
		ch.Certs = append(ch.Certs, info)
		parsed = append(parsed, c)
	}
	if len(parsed) == 0 || parsed[0] == nil {
		ch.VerifyError = "leaf certificate could not be parsed"
		ch.NameError = ch.VerifyError
		return ch, parsed
	}
	leaf := parsed[0]
	name := serverName(t)
	if err := leaf.VerifyHostname(name); err != nil {
		ch.NameError = err.Error()
	} else {
		ch.NameMatch = true
	}
	inter := x509.NewCertPool()
	for _, c := range parsed[1:] {
		if c != nil {
			inter.AddCert(c)
		}
	}
	opts := x509.VerifyOptions{Roots: t.RootCAs, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	chains, err := leaf.Verify(opts)
	if err != nil {
		ch.VerifyError = err.Error()
		return ch, parsed
	}
	ch.Trusted = true
	if len(chains) > 0 {
		root := chains[0][len(chains[0])-1]
		sent := false
		for _, d := range ders {
			if string(d) == string(root.Raw) {
				sent = true
			}
		}
		if !sent {
			info, _ := describeCert(root.Raw)
			ch.VerifiedRoot = &info
		}
		// Keep the verified issuer for OCSP checks when it was not sent.
		if len(chains[0]) > 1 && (len(parsed) < 2 || parsed[1] == nil) {
			parsed = append(parsed[:1], chains[0][1])
		}
	}
	return ch, parsed
}

func serverName(t Target) string {
	if t.ServerName != "" {
		return t.ServerName
	}
	host, _, err := net.SplitHostPort(t.Address)
	if err != nil {
		return t.Address
	}
	return host
}

// checkStaple validates an OCSP staple for leaf, signed by issuer (or a
// responder certificate it delegated to), per RFC 6960 4.2.2.2.
func checkStaple(staple []byte, leaf, issuer *x509.Certificate, now time.Time) (status string, problem string) {
	if leaf == nil {
		return "", "leaf certificate could not be parsed"
	}
	if issuer == nil {
		return "", "issuer certificate unknown, staple signature not checked"
	}
	resp, err := ocsp.ParseResponseForCert(staple, leaf, issuer)
	if err != nil {
		var re ocsp.ResponseError
		if errors.As(err, &re) {
			return "", "OCSP responder error: " + re.Status.String()
		}
		return "", "staple does not validate: " + err.Error()
	}
	switch resp.Status {
	case ocsp.Good:
		status = "good"
	case ocsp.Revoked:
		status = "revoked"
	default:
		status = "unknown"
	}
	switch {
	case now.Before(resp.ThisUpdate.Add(-5 * time.Minute)):
		return status, fmt.Sprintf("staple thisUpdate %s is in the future", resp.ThisUpdate.Format(time.RFC3339))
	case !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate):
		return status, fmt.Sprintf("staple expired at nextUpdate %s", resp.NextUpdate.Format(time.RFC3339))
	case status != "good":
		return status, "certificate status is " + status
	}
	return status, ""
}

type x509Cert = x509.Certificate
