package steps

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/apisec/apisec/harness/ncsc"
	"github.com/apisec/apisec/harness/ncsc/scanfacts"
	"github.com/apisec/apisec/harness/tlsscan"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/cucumber/godog"
)

// tlsState is the TLS part of a scenario: the scans of every endpoint
// (shared by the whole run) and their grading.
type tlsState struct {
	scans    []*endpointScan
	edition  ncsc.Edition
	findings []endpointFinding
}

// endpointScan is one endpoint's scan, computed once per run.
type endpointScan struct {
	Address string
	Result  *tlsscan.Result
	Facts   ncsc.Facts
	Err     error
}

type endpointFinding struct {
	Address string
	ncsc.Finding
}

// tlsCategories maps the category a step names to the item kinds it covers.
var tlsCategories = map[string][]string{
	"protocol version":            {ncsc.KindVersion},
	"cipher suite":                {ncsc.KindCipherSuite},
	"key-exchange group":          {ncsc.KindGroup, ncsc.KindDHGroup},
	"certificate":                 {ncsc.KindCertKey, ncsc.KindCertSignature, ncsc.KindCertTrust, ncsc.KindCertName},
	"key-exchange signature hash": {ncsc.KindKexSignature},
	"option": {ncsc.KindCompression, ncsc.KindSecureRenegotiation, ncsc.KindClientRenegotiation,
		ncsc.KindZeroRTT, ncsc.KindOCSPStapling, ncsc.KindEMS, ncsc.KindCipherOrder},
}

func registerTLSSteps(sc *godog.ScenarioContext, w *World) {
	s := &tlsState{}
	sc.Given(`^every TLS endpoint of the profile has been scanned$`, func(ctx context.Context) error { return s.scan(ctx, w) })
	sc.Then(`^every endpoint accepts TLS 1\.2 or TLS 1\.3$`, func() error { return s.requireModernVersion(w) })
	sc.When(`^the scan is graded by the profile's NCSC TLS guideline edition$`, func() error { return s.grade(w) })
	sc.Then(`^no "([^"]+)" is graded Insufficient$`, func(cat string) error { return s.requireBelow(w, cat, ncsc.Insufficient) })
	sc.Then(`^every "([^"]+)" is graded at least Sufficient$`, func(cat string) error { return s.requireBelow(w, cat, ncsc.PhaseOut) })
}

// tlsEndpoints are the profile's endpoints, or the base URL's host when the
// profile lists none and the base URL is https.
func tlsEndpoints(w *World) []string {
	p := w.env.Profile
	var out []string
	for _, e := range p.TLS.Endpoints {
		out = append(out, e.Address)
	}
	if len(out) == 0 {
		if u, err := url.Parse(p.Target.BaseURL); err == nil && u.Scheme == "https" {
			port := u.Port()
			if port == "" {
				port = "443"
			}
			out = append(out, net.JoinHostPort(u.Hostname(), port))
		}
	}
	return out
}

func (s *tlsState) scan(ctx context.Context, w *World) error {
	addrs := tlsEndpoints(w)
	if len(addrs) == 0 {
		return verdict.CouldNotTestf("TLS scan", "the profile names no TLS endpoint and the base URL is not https")
	}
	s.scans = nil
	for _, addr := range addrs {
		v, err := w.env.Shared.Do("tls-scan "+addr, func() (any, error) { return scanEndpoint(ctx, w, addr), nil })
		if err != nil {
			return verdict.CouldNotTest("TLS scan of "+addr, err)
		}
		es := v.(*endpointScan)
		if es.Err != nil {
			return verdict.CouldNotTest("TLS scan of "+addr, es.Err)
		}
		s.scans = append(s.scans, es)
	}
	return nil
}

// scanEndpoint runs one scan through the run's guard. It never fails the
// memo: the error travels in the result, so every scenario reports it.
func scanEndpoint(ctx context.Context, w *World, addr string) *endpointScan {
	p := w.env.Profile
	t := tlsscan.Target{Address: addr, RootCAs: w.env.Guard.RootCAs()}
	for _, e := range p.TLS.Endpoints {
		if e.Address != addr {
			continue
		}
		t.ServerName = e.ServerName
		if e.ClientCertificate != "" {
			c, err := tls.LoadX509KeyPair(p.Path(e.ClientCertificate), p.Path(e.ClientKey))
			if err != nil {
				return &endpointScan{Address: addr, Err: fmt.Errorf("client certificate for %s: %w", addr, err)}
			}
			t.ClientCert = &c
		}
	}
	opts := tlsscan.Options{Dial: w.env.Guard.DialContext, Timeout: w.env.Guard.Timeout(), Now: w.env.Now}
	res, err := tlsscan.Scan(ctx, t, opts)
	return &endpointScan{Address: addr, Result: res, Facts: scanfacts.FromResult(res), Err: err}
}

func (s *tlsState) requireModernVersion(w *World) error {
	for _, es := range s.scans {
		s.evidenceScan(w, es)
		ok := false
		for _, v := range es.Facts.Versions {
			ok = ok || v == 0x0303 || v == 0x0304
		}
		if !ok {
			return verdict.Deviation("TLS scan of "+es.Address, "TLS 1.2 or TLS 1.3 accepted",
				"NCSC TLS §3.3.1 / v2.1 B1-1", fmt.Sprintf("versions accepted: %s", versionList(es.Facts.Versions)))
		}
		w.Note(fmt.Sprintf("%s: %d handshakes in %d ms", es.Address, es.Result.Handshakes, es.Result.DurationMS))
	}
	return nil
}

func versionList(vs []uint16) string {
	if len(vs) == 0 {
		return "none"
	}
	var names []string
	for _, v := range vs {
		names = append(names, ncsc.VersionName(v))
	}
	return strings.Join(names, ", ")
}

func (s *tlsState) grade(w *World) error {
	e, err := ncsc.ParseEdition(w.env.Profile.TLS.Guideline)
	if err != nil {
		return err
	}
	s.edition = e
	s.findings = nil
	for _, es := range s.scans {
		for _, f := range ncsc.GradeAll(e, es.Facts) {
			s.findings = append(s.findings, endpointFinding{es.Address, f})
		}
		if len(es.Result.Errors) > 0 {
			w.Note(fmt.Sprintf("%s: %d probes could not complete; their items may be missing: %s",
				es.Address, len(es.Result.Errors), strings.Join(es.Result.Errors, "; ")))
		}
	}
	return nil
}

// requireBelow fails (SC004, limit Insufficient) or warns (SC004.001, limit
// Phase out) on every finding of the category graded at the limit or worse,
// and notes the other edition's verdict so the report shows both.
func (s *tlsState) requireBelow(w *World, category string, limit ncsc.Level) error {
	kinds, ok := tlsCategories[category]
	if !ok {
		return fmt.Errorf("unknown TLS category %q", category)
	}
	if category == "certificate" {
		s.noteTrustAnchors(w) // trust_steps.go
	}
	var bad []endpointFinding
	var all []endpointFinding
	for _, f := range s.findings {
		if !tlsContains(kinds, f.Item.Kind) {
			continue
		}
		all = append(all, f)
		if f.Level >= limit {
			bad = append(bad, f)
		}
	}
	if body, err := json.MarshalIndent(all, "", "  "); err == nil {
		w.Evidence("ncsc-"+strings.ReplaceAll(category, " ", "-")+"-"+string(s.edition)+".json", "application/json", body)
	}
	s.noteOtherEdition(w, kinds, limit)
	if len(all) == 0 {
		return verdict.CouldNotTestf("NCSC TLS grading of "+category, "the scan established no %s to grade", category)
	}
	if len(bad) == 0 {
		return nil
	}
	for _, es := range s.scans {
		s.evidenceProbes(w, es, bad)
	}
	var got []string
	for _, f := range bad {
		got = append(got, fmt.Sprintf("%s %s: %s (%s)", f.Address, f.What, f.Level, f.Cite()))
	}
	probe := "NCSC TLS " + string(s.edition) + " grading of every " + category
	clause := bad[0].Cite()
	if limit == ncsc.Insufficient {
		return verdict.Deviation(probe, "nothing graded Insufficient", clause, strings.Join(got, "; "))
	}
	return verdict.Warning(probe, "everything graded at least Sufficient", clause, strings.Join(got, "; "))
}

// noteOtherEdition records how the other edition grades the same category.
func (s *tlsState) noteOtherEdition(w *World, kinds []string, limit ncsc.Level) {
	for _, e := range ncsc.Editions {
		if e == s.edition {
			continue
		}
		n := 0
		for _, es := range s.scans {
			for _, f := range ncsc.GradeAll(e, es.Facts) {
				if tlsContains(kinds, f.Item.Kind) && f.Level >= limit {
					n++
				}
			}
		}
		w.Note(fmt.Sprintf("under NCSC TLS %s: %d item(s) graded %s or worse", e, n, limit))
	}
}

func (s *tlsState) evidenceScan(w *World, es *endpointScan) {
	if body, err := json.MarshalIndent(es.Result, "", "  "); err == nil {
		w.Evidence("tls-scan-"+tlsSanitize(es.Address)+".json", "application/json", body)
	}
}

// evidenceProbes keeps the ClientHello/ServerHello of the probes behind bad
// findings (cipher suites carry their probe's index; the rest attach the
// whole scan).
func (s *tlsState) evidenceProbes(w *World, es *endpointScan, bad []endpointFinding) {
	var probes []tlsscan.Probe
	whole := false
	for _, f := range bad {
		if f.Address != es.Address {
			continue
		}
		if f.Item.Kind != ncsc.KindCipherSuite {
			whole = true
			continue
		}
		if vr := es.Result.Version(f.Item.Version); vr != nil {
			for _, sr := range vr.Suites {
				if sr.Code == f.Item.ID && sr.Probe >= 0 && sr.Probe < len(es.Result.Probes) {
					probes = append(probes, es.Result.Probes[sr.Probe])
				}
			}
		}
	}
	if whole {
		s.evidenceScan(w, es)
	}
	if len(probes) > 0 {
		if body, err := json.MarshalIndent(probes, "", "  "); err == nil {
			w.Evidence("tls-probes-"+tlsSanitize(es.Address)+".json", "application/json", body)
		}
	}
}

func tlsSanitize(addr string) string {
	return strings.NewReplacer(":", "_", "/", "_", "[", "", "]", "").Replace(addr)
}

func tlsContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
