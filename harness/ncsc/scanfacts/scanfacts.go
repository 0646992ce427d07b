// Package scanfacts turns a tlsscan.Result into the grader's primitive
// ncsc.Facts. It is the only place that knows both vocabularies, so the
// grader stays free of the scanner's types.
package scanfacts

import (
	"strings"

	"github.com/apisec/apisec/harness/ncsc"
	"github.com/apisec/apisec/harness/tlsscan"
)

// keyTypes maps tlsscan key types to the grader's.
var keyTypes = map[string]string{
	"RSA": "rsa", "RSA-PSS": "rsa-pss", "ECDSA": "ecdsa", "Ed25519": "ed25519", "Ed448": "ed448", "DSA": "dsa",
}

// FromResult extracts the graded facts. Probes that were not tested leave
// their fact empty (no finding); SSL 2.0 cipher specs are not graded one by
// one (SSL 2.0 itself is Insufficient).
func FromResult(r *tlsscan.Result) ncsc.Facts {
	var f ncsc.Facts
	if r == nil {
		return f
	}
	f.Suites = map[uint16][]uint16{}
	for _, vr := range r.Versions {
		if !vr.Supported {
			continue
		}
		f.Versions = append(f.Versions, vr.Version)
		for _, s := range vr.Suites {
			f.Suites[vr.Version] = append(f.Suites[vr.Version], s.Code)
		}
	}
	seenGroup := map[uint16]bool{}
	for _, g := range append(append([]tlsscan.Group(nil), r.Groups.TLS13...), r.Groups.TLS12...) {
		if !seenGroup[g.ID] {
			seenGroup[g.ID] = true
			f.Groups = append(f.Groups, g.ID)
		}
	}
	seenDH := map[string]bool{}
	for _, d := range r.DHGroups {
		key := d.Prime + "/" + d.Generator
		if seenDH[key] {
			continue
		}
		seenDH[key] = true
		name := d.Name
		if d.Source == "custom" {
			name = ""
		}
		f.DHGroups = append(f.DHGroups, ncsc.DHGroup{Name: name, Bits: d.Bits})
	}
	seenCert := map[string]bool{}
	for _, ch := range r.Chains {
		for i, c := range ch.Certs {
			if c.ParseError != "" || seenCert[c.SHA256] {
				continue
			}
			seenCert[c.SHA256] = true
			kt, ok := keyTypes[c.KeyType]
			if !ok {
				kt = strings.ToLower(c.KeyType)
			}
			f.Certificates = append(f.Certificates, ncsc.Certificate{
				Subject: c.Subject, KeyType: kt, Bits: c.KeyBits, Curve: c.Curve,
				SignatureHash: certHash(c),
				// A self-signed CA the server sends along is the trust
				// anchor itself when the chain verified (internet.nl skips
				// trust-store roots too).
				TrustAnchor: i > 0 && c.SelfSigned && c.IsCA && ch.Trusted,
			})
		}
	}
	f.CertificateTrust, f.CertificateName = chainStates(r.Chains)
	for _, k := range r.KexSignatures {
		if k.Accepted && k.Used != 0 {
			f.KexSignatures = append(f.KexSignatures, k.Used)
		}
	}
	if r.Compression.Tested {
		f.Compression = pick(r.Compression.Supported, ncsc.StateOn, ncsc.StateOff)
	}
	if r.SecureRenegotiation.Tested {
		f.SecureRenegotiation = pick(r.SecureRenegotiation.Supported, ncsc.StateSupported, ncsc.StateUnsupported)
	}
	if r.ClientRenegotiation.Tested {
		f.ClientRenegotiation = r.ClientRenegotiation.State
	}
	if r.ZeroRTT.Tested {
		f.ZeroRTT = pick(r.ZeroRTT.Accepted, ncsc.StateOn, ncsc.StateOff)
	}
	if o := r.OCSPStapling; o.Tested {
		switch {
		case o.Stapled && o.Valid:
			f.OCSPStapling = ncsc.StateValid
		case o.Stapled:
			f.OCSPStapling = ncsc.StateInvalid
		case o.CertHasOCSPURL:
			f.OCSPStapling = ncsc.StateNotStapled
		default:
			f.OCSPStapling = ncsc.StateNoOCSPURL
		}
	}
	if r.ExtendedMasterSecret.Tested {
		f.ExtendedMasterSecret = pick(r.ExtendedMasterSecret.Supported, ncsc.StateSupported, ncsc.StateUnsupported)
	}
	// Cipher order on the highest version below TLS 1.3 where it was
	// determined (internet.nl tests only that version).
	for i := len(r.Versions) - 1; i >= 0; i-- {
		vr := r.Versions[i]
		if vr.Version >= 0x0304 || vr.Version < 0x0300 || !vr.Supported || vr.Order == "" {
			continue
		}
		f.Order = &ncsc.CipherOrder{Version: vr.Version, ServerEnforced: vr.Order == "server",
			Preference: append([]uint16(nil), vr.ServerPreference...)}
		break
	}
	return f
}

// certHash names the hash of a certificate's signature for the grader.
func certHash(c tlsscan.CertInfo) string {
	if c.SignatureHash == "intrinsic" {
		if strings.Contains(strings.ToLower(c.SignatureAlgorithm), "448") {
			return "ed448"
		}
		return "ed25519"
	}
	return strings.ToLower(c.SignatureHash)
}

func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// chainStates judges trust and name over every chain the server sent. A
// chain Go cannot verify because it lacks the algorithm (ecdsa-with-SHA224)
// is undetermined, not untrusted: the signature hash is graded on its own.
func chainStates(chains []tlsscan.Chain) (trust, name string) {
	for _, ch := range chains {
		switch {
		case ch.Trusted:
			if trust == "" {
				trust = ncsc.StateTrusted
			}
		case strings.Contains(ch.VerifyError, "algorithm unimplemented"):
		default:
			trust = ncsc.StateUntrusted
		}
		if ch.NameMatch {
			if name == "" {
				name = ncsc.StateMatch
			}
		} else if ch.NameError != "" || len(ch.Certs) > 0 {
			name = ncsc.StateMismatch
		}
	}
	return trust, name
}
