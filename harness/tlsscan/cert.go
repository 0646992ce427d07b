package tlsscan

import (
	"bytes"
	"crypto"
	"crypto/dsa" //nolint:staticcheck // reporting DSA keys is the point
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	_ "crypto/sha1" // registers crypto.SHA1 for weakVerify
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
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

// buildChain describes and verifies a chain as sent (leaf first). Trust and
// name are judged apart from the signature hashes: crypto/x509 refuses
// SHA-1 and cannot check ECDSA with SHA-224, so such signatures are
// verified by hand (weakVerify) and the hash is graded on its own; the
// chain is then trusted or not for the usual reasons, each counted once.
func buildChain(source string, version uint16, ders [][]byte, t Target, now time.Time) (Chain, []*x509.Certificate) {
	ch := Chain{Source: source, Version: version}
	var parsed []*x509.Certificate
	for _, d := range ders {
		info, c := describeCert(d)
		ch.Certs = append(ch.Certs, info)
		parsed = append(parsed, c)
	}
	if len(parsed) == 0 || parsed[0] == nil {
		ch.TrustProblem = "the leaf certificate could not be parsed"
		ch.VerifyError = ch.TrustProblem
		ch.NameError = ch.TrustProblem
		return ch, parsed
	}
	leaf := parsed[0]
	name := serverName(t)
	if err := leaf.VerifyHostname(name); err != nil {
		ch.NameError = err.Error()
	} else {
		ch.NameMatch = true
	}
	v := verifier{t: t, now: now, sent: parsed}
	chain, weak, err := v.verify(leaf, 0)
	ch.WeakSignatures = weak
	if err != nil {
		ch.VerifyError = err.Error()
		ch.TrustProblem = trustProblem(err, parsed)
		return ch, parsed
	}
	ch.Trusted = true
	root := chain[len(chain)-1]
	info, _ := describeCert(root.Raw)
	ch.Anchor = &info
	// Keep the verified issuer for OCSP checks when it was not sent.
	if len(chain) > 1 && (len(parsed) < 2 || parsed[1] == nil) {
		parsed = append(parsed[:1], chain[1])
	}
	return ch, parsed
}

// verifier builds a path from a certificate to a trust anchor.
type verifier struct {
	t    Target
	now  time.Time
	sent []*x509.Certificate
}

// verify returns the path from c to its anchor and the certificates on it
// whose weak signature hash was checked by hand. crypto/x509 verifies
// whatever it can; where it refuses the algorithm, the issuer is found among
// the sent certificates and Target.Anchors and the signature checked with
// the weak hash, then the issuer is verified the same way.
func (v verifier) verify(c *x509.Certificate, depth int) ([]*x509.Certificate, []string, error) {
	inter := x509.NewCertPool()
	for _, s := range v.sent[1:] {
		if s != nil {
			inter.AddCert(s)
		}
	}
	opts := x509.VerifyOptions{Roots: v.t.RootCAs, Intermediates: inter, CurrentTime: v.now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	chains, err := c.Verify(opts)
	if err == nil {
		return chains[0], nil, nil
	}
	if !weakHashError(err) || depth > 8 {
		return nil, nil, err
	}
	if e := validAt(c, v.now); e != nil {
		return nil, nil, e
	}
	for _, cand := range v.candidates() {
		if !bytes.Equal(cand.RawSubject, c.RawIssuer) || weakVerify(c, cand) != nil {
			continue
		}
		weak := []string{fmt.Sprintf("%s (%s)", c.Subject, c.SignatureAlgorithm)}
		if v.isAnchor(cand) {
			return []*x509.Certificate{c, cand}, weak, nil
		}
		if cand.Equal(c) {
			continue
		}
		rest, more, err := v.verify(cand, depth+1)
		if err != nil {
			return nil, weak, err
		}
		return append([]*x509.Certificate{c}, rest...), append(weak, more...), nil
	}
	return nil, nil, err
}

func (v verifier) candidates() []*x509.Certificate {
	var out []*x509.Certificate
	for _, s := range v.sent {
		if s != nil {
			out = append(out, s)
		}
	}
	return append(out, v.t.Anchors...)
}

func (v verifier) isAnchor(c *x509.Certificate) bool {
	for _, a := range v.t.Anchors {
		if a.Equal(c) {
			return true
		}
	}
	return false
}

// weakHashError reports crypto/x509 refusing a signature algorithm rather
// than the chain: SHA-1 (InsecureAlgorithmError) or ECDSA with SHA-224
// (not implemented).
func weakHashError(err error) bool {
	var ia x509.InsecureAlgorithmError
	return errors.As(err, &ia) || errors.Is(err, x509.ErrUnsupportedAlgorithm) ||
		strings.Contains(err.Error(), "algorithm unimplemented") || strings.Contains(err.Error(), "insecure algorithm")
}

func validAt(c *x509.Certificate, now time.Time) error {
	switch {
	case now.After(c.NotAfter):
		return x509.CertificateInvalidError{Cert: c, Reason: x509.Expired,
			Detail: fmt.Sprintf("current time %s is after %s", now.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))}
	case now.Before(c.NotBefore):
		return x509.CertificateInvalidError{Cert: c, Reason: x509.Expired,
			Detail: fmt.Sprintf("current time %s is before %s", now.UTC().Format(time.RFC3339), c.NotBefore.UTC().Format(time.RFC3339))}
	}
	return nil
}

// weakVerify checks child's signature by parent with the SHA-1 or SHA-224
// hash crypto/x509 will not use (RSA PKCS #1 v1.5 and ECDSA).
func weakVerify(child, parent *x509.Certificate) error {
	var h crypto.Hash
	var ecdsaSig bool
	switch child.SignatureAlgorithm {
	case x509.SHA1WithRSA:
		h = crypto.SHA1
	case x509.ECDSAWithSHA1:
		h, ecdsaSig = crypto.SHA1, true
	default:
		var raw rawCert
		if _, err := asn1.Unmarshal(child.Raw, &raw); err != nil {
			return err
		}
		switch raw.SigAlg.Algorithm.String() {
		case "1.2.840.113549.1.1.14":
			h = crypto.SHA224
		case "1.2.840.10045.4.3.1":
			h, ecdsaSig = crypto.SHA224, true
		default:
			return fmt.Errorf("signature algorithm %s is not a weak hash this check knows", child.SignatureAlgorithm)
		}
	}
	d := h.New()
	d.Write(child.RawTBSCertificate)
	sum := d.Sum(nil)
	switch k := parent.PublicKey.(type) {
	case *rsa.PublicKey:
		if ecdsaSig {
			return errors.New("ECDSA signature, RSA issuer key")
		}
		return rsa.VerifyPKCS1v15(k, h, sum, child.Signature)
	case *ecdsa.PublicKey:
		if !ecdsaSig || !ecdsa.VerifyASN1(k, sum, child.Signature) {
			return errors.New("ECDSA signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("issuer key %T", parent.PublicKey)
}

// trustProblem names why a chain did not verify, in the words of
// RFC 5280 §6 path validation a deployer can act on.
func trustProblem(err error, sent []*x509.Certificate) string {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case weakHashError(err):
		// crypto/x509 reports a refused algorithm as an unknown
		// authority; no issuer was found to check it by hand.
		return "a signature in the chain uses an algorithm nothing here can check (give the issuing CA in the profile's ca_file): " + err.Error()
	case errors.As(err, &ci):
		switch ci.Reason {
		case x509.Expired:
			if ci.Cert != nil && strings.Contains(ci.Detail, "before") {
				return fmt.Sprintf("not yet valid: %s is valid from %s", ci.Cert.Subject, ci.Cert.NotBefore.UTC().Format(time.RFC3339))
			}
			if ci.Cert != nil {
				return fmt.Sprintf("expired: %s expired on %s", ci.Cert.Subject, ci.Cert.NotAfter.UTC().Format(time.RFC3339))
			}
			return "expired or not yet valid"
		case x509.IncompatibleUsage:
			return "not valid for server authentication (extended key usage)"
		case x509.NotAuthorizedToSign:
			return "an issuer in the chain is not a CA"
		}
		return "invalid certificate: " + err.Error()
	case errors.As(err, &ua):
		last := sent[0]
		for _, c := range sent {
			if c != nil {
				last = c
			}
		}
		if last.CheckSignatureFrom(last) == nil || bytes.Equal(last.RawIssuer, last.RawSubject) {
			if last == sent[0] {
				return fmt.Sprintf("self-signed certificate %s is not a trust anchor", last.Subject)
			}
			return fmt.Sprintf("unknown issuer: the sent root %s is not a trust anchor", last.Subject)
		}
		return fmt.Sprintf("incomplete chain or unknown issuer: %s, the issuer of %s, was not sent and is not a trust anchor", last.Issuer, last.Subject)
	}
	return err.Error()
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
