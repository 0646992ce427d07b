// Package trust decides which trust anchors a run uses and remembers where
// each came from (docs/design.md "Verdicts": trust comes from the operator, not
// the target). Without operator trust the target's profile supplies the TLS
// anchor (ca_file) and the role keys that sign declarations: the vendor that
// prepared the folder chose them, and the report says so. With an operator
// trust folder (apisec run --trust DIR) those profile anchors are ignored,
// with a note, and the operator's role keys and extra TLS anchors (beside
// the system roots) decide.
package trust

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/apisec/apisec/harness/catalogue"
	"github.com/apisec/apisec/harness/pki"
	"github.com/apisec/apisec/harness/profile"
	"github.com/go-jose/go-jose/v4"
)

// Source says who supplied an anchor.
type Source string

const (
	// Profile: the target's own folder (its vendor) supplied it.
	Profile Source = "profile (vendor-supplied)"
	// Operator: whoever runs the suite pinned it (--trust).
	OperatorPinned Source = "operator"
	// System: the machine's root store.
	System Source = "system roots"
)

// Uses of an anchor.
const (
	UseTLS = "tls"
	// UseRolePrefix + role: the key a role's declarations must be signed with.
	UseRolePrefix = "declarations:"
)

// Anchor is one trust anchor and where it came from.
type Anchor struct {
	Use    string `json:"use"`
	Source Source `json:"source"`
	File   string `json:"file,omitempty"`
	// Subject is a TLS anchor's certificate subject.
	Subject string `json:"subject,omitempty"`
	// Fingerprint is the SHA-256 of a TLS anchor's certificate (hex) or
	// the RFC 7638 thumbprint of a role key (hex).
	Fingerprint string `json:"fingerprint,omitempty"`
	// Decided lists the TLS endpoints whose certificate trust rested on
	// this anchor.
	Decided []string `json:"decided,omitempty"`
}

// Vendor reports whether the target's own folder supplied the anchor.
func (a Anchor) Vendor() bool { return a.Source == Profile }

// Report is what results.json records about trust.
type Report struct {
	Anchors []Anchor `json:"anchors"`
	Notes   []string `json:"notes,omitempty"`
}

// Set is a run's trust: the TLS root pool, the role keys, and the report.
type Set struct {
	// Roots verifies the target's certificates; nil is the system pool.
	Roots *x509.CertPool
	// TLSCerts are the listed certificates in Roots (not the system
	// roots), for checks crypto/x509 will not do (a SHA-1-signed chain).
	TLSCerts []*x509.Certificate
	// RoleKeys are the keys each role's declarations must be signed with.
	RoleKeys map[catalogue.Role]crypto.PublicKey

	mu     sync.Mutex
	report Report
}

// Operator is trust pinned outside the target's profile.
type Operator struct {
	Source Source
	Dir    string
	// TLSFiles are PEM files of extra TLS anchors (added to the system roots).
	TLSFiles []string
	// RoleFiles are PEM public keys or certificates per role.
	RoleFiles map[catalogue.Role]string
}

// OperatorDir reads an operator trust folder:
//
//	DIR/tls/*.pem, *.crt          extra TLS anchors, beside the system roots
//	  or DIR/ca.pem               (the test PKI's name)
//	DIR/roles/ROLE.pem            a role's declaration key (public key or certificate),
//	  or DIR/ROLE.pub.pem         also accepted, as is the test PKI's
//	  or DIR/declaration-ROLE.pub.pem
//
// ROLE is specifier, developer or deployer. A folder with neither is a
// configuration error.
func OperatorDir(dir string) (*Operator, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("trust folder %s: not a readable folder", dir)
	}
	op := &Operator{Source: OperatorPinned, Dir: dir, RoleFiles: map[catalogue.Role]string{}}
	for _, pattern := range []string{"*.pem", "*.crt"} {
		m, _ := filepath.Glob(filepath.Join(dir, "tls", pattern))
		op.TLSFiles = append(op.TLSFiles, m...)
	}
	if p := filepath.Join(dir, pki.CAFile); fileExists(p) {
		op.TLSFiles = append(op.TLSFiles, p) // a test PKI folder (apisec certs init) works as it is
	}
	slices.Sort(op.TLSFiles)
	for _, r := range catalogue.Roles {
		for _, name := range []string{filepath.Join("roles", string(r)+".pem"), string(r) + ".pub.pem", pki.RolePubFile(r)} {
			if p := filepath.Join(dir, name); fileExists(p) {
				op.RoleFiles[r] = p
				break
			}
		}
	}
	if len(op.TLSFiles) == 0 && len(op.RoleFiles) == 0 {
		return nil, fmt.Errorf("trust folder %s holds no TLS anchor (tls/*.pem) and no role key (roles/ROLE.pem)", dir)
	}
	return op, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Load decides the run's trust. With op nil the profile's anchors decide
// (marked vendor-supplied); with op the operator's do, and the profile's
// are ignored with a note.
func Load(p *profile.Profile, op *Operator) (*Set, error) {
	s := &Set{RoleKeys: map[catalogue.Role]crypto.PublicKey{}}
	if op == nil {
		if err := s.loadProfile(p); err != nil {
			return nil, err
		}
		return s, nil
	}
	if p.CAFile != "" {
		s.note(fmt.Sprintf("profile ca_file %s ignored: the %s pins the TLS anchors", p.CAFile, op.Source))
	}
	if len(p.Declarations.TrustedKeys) > 0 {
		s.note(fmt.Sprintf("profile declarations.trusted_keys ignored: the %s pins the role keys", op.Source))
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	s.add(Anchor{Use: UseTLS, Source: System, Subject: "the machine's root store"})
	for _, f := range op.TLSFiles {
		certs, err := readCerts(f)
		if err != nil {
			return nil, fmt.Errorf("trust %s: %v", f, err)
		}
		for _, c := range certs {
			pool.AddCert(c)
			s.TLSCerts = append(s.TLSCerts, c)
			s.add(tlsAnchor(c, op.Source, f))
		}
	}
	s.Roots = pool
	for _, r := range catalogue.Roles {
		f, ok := op.RoleFiles[r]
		if !ok {
			s.note(fmt.Sprintf("the %s pins no key for the %s role: its declarations cannot be verified", op.Source, r))
			continue
		}
		if err := s.addRole(r, f, f, op.Source); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Set) loadProfile(p *profile.Profile) error {
	if p.CAFile == "" {
		s.add(Anchor{Use: UseTLS, Source: System, Subject: "the machine's root store"})
	} else {
		certs, err := readCerts(p.Path(p.CAFile))
		if err != nil {
			return fmt.Errorf("profile ca_file %s: %v", p.CAFile, err)
		}
		s.Roots = x509.NewCertPool()
		for _, c := range certs {
			s.Roots.AddCert(c)
			s.TLSCerts = append(s.TLSCerts, c)
			s.add(tlsAnchor(c, Profile, p.CAFile))
		}
	}
	roles := make([]string, 0, len(p.Declarations.TrustedKeys))
	for name := range p.Declarations.TrustedKeys {
		roles = append(roles, name)
	}
	slices.Sort(roles)
	for _, name := range roles {
		r, err := catalogue.ParseRole(name)
		if err != nil {
			return fmt.Errorf("declarations.trusted_keys: %v", err)
		}
		rel := p.Declarations.TrustedKeys[name]
		if err := s.addRole(r, p.Path(rel), rel, Profile); err != nil {
			return fmt.Errorf("declarations.trusted_keys.%s: %v", name, err)
		}
	}
	return nil
}

func (s *Set) addRole(r catalogue.Role, path, shown string, src Source) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read %s", shown)
	}
	key, err := pki.ParsePublicKeyPEM(raw)
	if err != nil {
		return fmt.Errorf("%s is not a PEM public key or certificate: %v", shown, err)
	}
	t, err := (&jose.JSONWebKey{Key: key}).Thumbprint(crypto.SHA256)
	if err != nil {
		return fmt.Errorf("%s: %v", shown, err)
	}
	s.RoleKeys[r] = key
	s.add(Anchor{Use: UseRolePrefix + string(r), Source: src, File: shown, Fingerprint: hex.EncodeToString(t)})
	return nil
}

func readCerts(path string) ([]*x509.Certificate, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.New("cannot read the file")
	}
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, raw = pem.Decode(raw)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("holds no PEM certificate")
	}
	return out, nil
}

func tlsAnchor(c *x509.Certificate, src Source, file string) Anchor {
	sum := sha256.Sum256(c.Raw)
	return Anchor{Use: UseTLS, Source: src, File: file, Subject: c.Subject.String(), Fingerprint: hex.EncodeToString(sum[:])}
}

func (s *Set) add(a Anchor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.report.Anchors = append(s.report.Anchors, a)
}

func (s *Set) note(n string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.report.Notes = append(s.report.Notes, n)
}

// RoleSource says where a role's key came from ("" when none is trusted).
func (s *Set) RoleSource(r catalogue.Role) Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.report.Anchors {
		if a.Use == UseRolePrefix+string(r) {
			return a.Source
		}
	}
	return ""
}

// TLSDecision records that the certificate chain of endpoint verified to
// the root with this SHA-256 (hex) and subject, and returns the anchor it
// rested on: a listed anchor, or the system roots.
func (s *Set) TLSDecision(endpoint, rootSHA256, rootSubject string) Anchor {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := slices.IndexFunc(s.report.Anchors, func(a Anchor) bool {
		return a.Use == UseTLS && a.Fingerprint != "" && strings.EqualFold(a.Fingerprint, rootSHA256)
	})
	if idx < 0 {
		// Not one of ours: the system store decided (only possible when
		// the pool includes it).
		idx = slices.IndexFunc(s.report.Anchors, func(a Anchor) bool { return a.Use == UseTLS && a.Source == System })
		if idx < 0 {
			return Anchor{Use: UseTLS, Source: System, Subject: rootSubject}
		}
	}
	a := &s.report.Anchors[idx]
	if !slices.Contains(a.Decided, endpoint) {
		a.Decided = append(a.Decided, endpoint)
		slices.Sort(a.Decided)
	}
	return *a
}

// Report returns a copy of what results.json records.
func (s *Set) Report() *Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := Report{Anchors: make([]Anchor, len(s.report.Anchors)), Notes: slices.Clone(s.report.Notes)}
	for i, a := range s.report.Anchors {
		a.Decided = slices.Clone(a.Decided)
		r.Anchors[i] = a
	}
	return &r
}
