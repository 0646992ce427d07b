// Package scanfacts turns a tlsscan.Result into the grader's primitive
// ncsc.Facts. It is the only place that knows both vocabularies, so the
// grader stays free of the scanner's types.
package scanfacts

import (
	"slices"
	"strings"

	"github.com/apisec/apisec/harness/ncsc"
	"github.com/apisec/apisec/harness/tlsscan"
)

// keyTypes maps tlsscan key types to the grader's.
var keyTypes = map[string]string{
	"RSA": "rsa", "RSA-PSS": "rsa-pss", "ECDSA": "ecdsa", "Ed25519": "ed25519", "Ed448": "ed448", "DSA": "dsa",
}

// FromResult extracts the graded facts. Every item the scan could not
// observe (tlsscan states Unresolved and NotTested) becomes a Gap with its
// reason, so the grader never reads missing data as absence; items the
// server has none of (Absent) leave their fact empty and the grader's
// checks say why that is allowed. SSL 2.0 cipher specs are not graded one
// by one (SSL 2.0 itself is Insufficient).
func FromResult(r *tlsscan.Result) ncsc.Facts {
	var f ncsc.Facts
	if r == nil {
		return f
	}
	gap := func(st tlsscan.State, what string, kinds ...string) {
		if st.Status != tlsscan.Unresolved && st.Status != tlsscan.NotTested {
			return
		}
		why := what + " not tested: " + st.Reason
		if st.Status == tlsscan.Unresolved {
			why = what + " unresolved (no answer after retries, never read as absence): " + st.Reason
		}
		for _, k := range kinds {
			f.Gaps = append(f.Gaps, ncsc.Gap{Kind: k, Reason: why})
		}
	}
	f.Suites = map[uint16][]uint16{}
	for _, vr := range r.Versions {
		gap(vr.State, vr.Name+" support", ncsc.KindVersion, ncsc.KindCipherSuite)
		if !vr.Supported {
			continue
		}
		f.Versions = append(f.Versions, vr.Version)
		for _, s := range vr.Suites {
			f.Suites[vr.Version] = append(f.Suites[vr.Version], s.Code)
		}
		gap(vr.SuitesState, vr.Name+" cipher suites", ncsc.KindCipherSuite)
	}
	for _, g := range r.Groups.TLS13 {
		f.Groups13 = append(f.Groups13, g.ID)
	}
	for _, g := range r.Groups.TLS12 {
		f.Groups12 = append(f.Groups12, g.ID)
	}
	gap(r.Groups.TLS13State, "TLS 1.3 key-share groups", ncsc.KindGroup)
	gap(r.Groups.TLS12State, "TLS 1.0-1.2 ECDHE curves", ncsc.KindGroup)
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
	gap(r.ChainsState, "certificate chain", ncsc.KindCertKey, ncsc.KindCertSignature, ncsc.KindCertTrust, ncsc.KindCertName)
	var undetermined string
	f.CertificateTrust, f.TrustDetail, f.CertificateName, f.NameDetail, undetermined = chainStates(r.Chains)
	if undetermined != "" {
		f.Gaps = append(f.Gaps, ncsc.Gap{Kind: ncsc.KindCertTrust, Reason: "certificate trust not determined: " + undetermined})
	}
	for _, k := range r.KexSignatures {
		// What the server signed with, offered or not: a server that
		// ignores signature_algorithms still signs with that hash.
		if k.Used != 0 && !slices.Contains(f.KexSignatures, k.Used) {
			f.KexSignatures = append(f.KexSignatures, k.Used)
		}
	}
	gap(r.KexSignaturesState, "TLS 1.2 key-exchange signature hashes", ncsc.KindKexSignature)
	if st := r.Compression.State; st.Seen() {
		f.Compression = pick(r.Compression.Supported, ncsc.StateOn, ncsc.StateOff)
	}
	gap(r.Compression.State, "TLS compression", ncsc.KindCompression)
	if r.SecureRenegotiation.State.Seen() {
		f.SecureRenegotiation = pick(r.SecureRenegotiation.Supported, ncsc.StateSupported, ncsc.StateUnsupported)
	}
	gap(r.SecureRenegotiation.State, "secure renegotiation", ncsc.KindSecureRenegotiation)
	if r.ClientRenegotiation.State.Seen() {
		f.ClientRenegotiation = r.ClientRenegotiation.Outcome
	}
	gap(r.ClientRenegotiation.State, "client-initiated renegotiation", ncsc.KindClientRenegotiation)
	if r.ZeroRTT.State.Seen() {
		f.ZeroRTT = pick(r.ZeroRTT.Offered, ncsc.StateOn, ncsc.StateOff)
	}
	gap(r.ZeroRTT.State, "0-RTT", ncsc.KindZeroRTT)
	if o := r.OCSPStapling; o.State.Seen() {
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
	gap(r.OCSPStapling.State, "OCSP stapling", ncsc.KindOCSPStapling)
	if r.ExtendedMasterSecret.State.Seen() {
		f.ExtendedMasterSecret = pick(r.ExtendedMasterSecret.Supported, ncsc.StateSupported, ncsc.StateUnsupported)
	}
	gap(r.ExtendedMasterSecret.State, "extended master secret", ncsc.KindEMS)
	// Cipher order on the highest version below TLS 1.3 (internet.nl tests
	// only that version).
	for i := len(r.Versions) - 1; i >= 0; i-- {
		vr := r.Versions[i]
		if vr.Version >= 0x0304 || vr.Version < 0x0300 || !vr.Supported {
			continue
		}
		gap(vr.OrderState, vr.Name+" cipher order", ncsc.KindCipherOrder)
		if vr.Order != "" {
			f.Order = &ncsc.CipherOrder{Version: vr.Version, ServerEnforced: vr.Order == "server",
				Preference: append([]uint16(nil), vr.ServerPreference...)}
		}
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

// chainStates judges trust and name over every chain the server sent, with
// the reason a deployer acts on. A chain whose weak signature could not be
// checked at all (no issuer to check it against) leaves trust undetermined:
// the hash is graded on its own and trust is missing data, not "untrusted".
func chainStates(chains []tlsscan.Chain) (trust, trustWhy, name, nameWhy, undetermined string) {
	for _, ch := range chains {
		leaf := "the certificate"
		if len(ch.Certs) > 0 {
			leaf = ch.Certs[0].Subject
		}
		switch {
		case ch.Trusted:
			if trust == "" {
				trust = ncsc.StateTrusted
				if ch.Anchor != nil {
					trustWhy = "verifies to " + ch.Anchor.Subject
				}
				if len(ch.WeakSignatures) > 0 {
					trustWhy += "; weak signature hash checked by hand, graded separately: " + strings.Join(ch.WeakSignatures, ", ")
				}
			}
		case strings.HasPrefix(ch.TrustProblem, "a signature in the chain uses an algorithm"):
			undetermined = leaf + ": " + ch.TrustProblem
		default:
			if trust != ncsc.StateUntrusted {
				trust, trustWhy = ncsc.StateUntrusted, ch.TrustProblem
			}
		}
		if ch.NameMatch {
			if name == "" {
				name = ncsc.StateMatch
			}
		} else if ch.NameError != "" || len(ch.Certs) > 0 {
			name, nameWhy = ncsc.StateMismatch, ch.NameError
		}
	}
	if trust != "" {
		undetermined = ""
	}
	return trust, trustWhy, name, nameWhy, undetermined
}
