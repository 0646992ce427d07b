package steps

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/apisec/apisec/harness/cause"
	"github.com/apisec/apisec/harness/ncsc"
	"github.com/apisec/apisec/harness/ncsc/scanfacts"
	"github.com/apisec/apisec/harness/tlsscan"
	"github.com/apisec/apisec/harness/trust"
	"github.com/apisec/apisec/harness/verdict"
)

// tlsState is the TLS part of a scenario: the scans of every endpoint
// (shared by the whole run) and the edition they are graded by. Every
// endpoint is graded on its own: one that could not be scanned makes only
// the scenarios it leaves undecided error, and never hides another's
// finding (issue 8).
type tlsState struct {
	scans   []*endpointScan
	edition ncsc.Edition
}

// endpointScan is one endpoint's scan, computed once per run, with what
// every scenario derives from it computed once too.
type endpointScan struct {
	Address string
	Result  *tlsscan.Result
	Facts   ncsc.Facts
	Err     error

	mu     sync.Mutex
	graded map[ncsc.Edition][]ncsc.Finding
	json   []byte
}

// assess grades the check on this endpoint under edition e; the facts are
// graded once per edition.
func (es *endpointScan) assess(e ncsc.Edition, c ncsc.Check) ncsc.Assessment {
	es.mu.Lock()
	g, ok := es.graded[e]
	if !ok {
		g = ncsc.GradeAll(e, es.Facts)
		if es.graded == nil {
			es.graded = map[ncsc.Edition][]ncsc.Finding{}
		}
		es.graded[e] = g
	}
	es.mu.Unlock()
	return ncsc.AssessGraded(g, es.Facts, c)
}

// resultJSON is the scan as evidence, encoded once.
func (es *endpointScan) resultJSON() ([]byte, error) {
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.json == nil {
		b, err := json.MarshalIndent(es.Result, "", "  ")
		if err != nil {
			return nil, err
		}
		es.json = b
	}
	return es.json, nil
}

func registerTLSSteps(sc stepDefs, w *World) {
	s := &tlsState{}
	sc.Given(`^every TLS endpoint of the profile has been scanned$`, func(ctx context.Context) error { return s.scan(ctx, w) })
	sc.Then(`^every endpoint accepts TLS 1\.2 or TLS 1\.3$`, func() error { return s.requireModernVersion(w) })
	sc.When(`^the scan is graded by the profile's NCSC TLS guideline edition$`, func() error { return s.grade(w) })
	sc.Then(`^no "([^"]+)" is graded Insufficient$`, func(title string) error { return s.requireBelow(w, title, ncsc.Insufficient) })
	sc.Then(`^every "([^"]+)" is graded at least Sufficient$`, func(title string) error { return s.requireBelow(w, title, ncsc.PhaseOut) })
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

// scan scans every endpoint (once per run); an endpoint that cannot be
// scanned keeps its error for the scenarios to report.
func (s *tlsState) scan(ctx context.Context, w *World) error {
	addrs := tlsEndpoints(w)
	if len(addrs) == 0 {
		return verdict.CouldNotTestf("TLS scan", "the profile names no TLS endpoint and the base URL is not https")
	}
	// Endpoints are scanned side by side; the guard keeps each host within
	// its own rate and connections (limits.connections_per_host). An
	// endpoint's error stays in its scan for the scenarios to report.
	s.scans = make([]*endpointScan, len(addrs))
	var wg sync.WaitGroup
	for i, addr := range addrs {
		wg.Go(func() {
			v, _ := w.env.Shared.Do("tls-scan "+addr, func() (any, error) { return scanEndpoint(ctx, w, addr), nil })
			s.scans[i] = v.(*endpointScan)
		})
	}
	wg.Wait()
	return nil
}

// scanEndpoint runs one scan through the run's guard. It never fails the
// memo: the error travels in the result, so every scenario reports it.
func scanEndpoint(ctx context.Context, w *World, addr string) *endpointScan {
	return scanEndpointWith(ctx, w, addr, tlsscan.Options{})
}

// scanEndpointWith is scanEndpoint with scanner options (tests shorten the
// retry back-off); dial, deadline and clock always come from the run.
func scanEndpointWith(ctx context.Context, w *World, addr string, opts tlsscan.Options) *endpointScan {
	p := w.env.Profile
	t := tlsscan.Target{Address: addr, RootCAs: w.env.Guard.RootCAs(), Anchors: profileAnchors(w)}
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
	opts.Dial, opts.Timeout, opts.Now = w.env.Guard.DialContext, w.env.Guard.Timeout(), w.env.Now
	if opts.Concurrency == 0 {
		opts.Concurrency = w.env.Guard.ConnectionsPerHost()
	}
	if p.Limits.DoSProbes && opts.RenegotiationAttempts == 0 {
		opts.RenegotiationAttempts = tlsscan.RenegotiationLimitProbe
	}
	res, err := tlsscan.Scan(ctx, t, opts)
	f := scanfacts.FromResult(res)
	if f.TrustDetail != "" {
		f.TrustDetail += "; trust anchors: " + anchorSource(w)
	}
	return &endpointScan{Address: addr, Result: res, Facts: f, Err: err}
}

// profileAnchors are the certificates behind the run's TLS root pool (the
// operator's pinned anchors, or the profile's ca_file), so a chain signed
// with a hash crypto/x509 refuses can still be checked for trust.
func profileAnchors(w *World) []*x509.Certificate {
	if w.env.Trust != nil {
		return w.env.Trust.TLSCerts
	}
	p := w.env.Profile
	if p.CAFile == "" {
		return nil
	}
	raw, err := os.ReadFile(p.Path(p.CAFile))
	if err != nil {
		return nil
	}
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, raw = pem.Decode(raw)
		if b == nil {
			return out
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil {
			out = append(out, c)
		}
	}
}

// anchorSource says where the trust anchors came from (docs/design.md: the
// report says where each trust anchor came from).
func anchorSource(w *World) string {
	if w.env.Trust != nil {
		var out []string
		for _, a := range w.env.Trust.Report().Anchors {
			if a.Use != trust.UseTLS {
				continue
			}
			d := a.Subject + " (" + string(a.Source)
			if a.File != "" {
				d += ", " + a.File
			}
			out = append(out, d+")")
		}
		if len(out) > 0 {
			return strings.Join(out, "; ")
		}
	}
	if f := w.env.Profile.CAFile; f != "" {
		return "the profile's ca_file " + f
	}
	return "the system trust store"
}

func (s *tlsState) requireModernVersion(w *World) error {
	var bad []string
	var gaps endpointsError
	for _, es := range s.scans {
		s.evidenceScan(w, es)
		if es.Err != nil {
			gaps.add(es.Address, es.Err)
			continue
		}
		w.Note(fmt.Sprintf("%s: %d handshakes in %d ms", es.Address, es.Result.Handshakes, es.Result.DurationMS))
		ok := false
		for _, v := range es.Facts.Versions {
			ok = ok || v == 0x0303 || v == 0x0304
		}
		switch {
		case ok:
		case hasGap(es.Facts, ncsc.KindVersion):
			gaps.add(es.Address, missingData(gapReason(es.Facts, ncsc.KindVersion)))
		default:
			bad = append(bad, fmt.Sprintf("%s accepts %s", es.Address, versionList(es.Facts.Versions)))
		}
	}
	probe := "TLS 1.2 or TLS 1.3 on every endpoint"
	switch {
	case len(bad) > 0:
		got := strings.Join(bad, "; ")
		if len(gaps) > 0 {
			got += "; not tested: " + gaps.Error()
		}
		return verdict.WithSeverity(verdict.Deviation(probe, "TLS 1.2 or TLS 1.3 accepted", "NCSC TLS 2025-05 §3.3.1 / v2.1 B1-1", got), verdict.High)
	case len(gaps) > 0:
		return verdict.CouldNotTest(probe, gaps)
	}
	return nil
}

func versionList(vs []uint16) string {
	if len(vs) == 0 {
		return "no version"
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
	return nil
}

// endpointOutcome is one check on one endpoint.
type endpointOutcome struct {
	addr string
	a    ncsc.Assessment
	bad  []ncsc.Finding // at or beyond the scenario's limit
	err  error          // the endpoint could not be scanned
}

// requireBelow fails (SC004, limit Insufficient) or warns (SC004.001, limit
// Phase out) on every finding of the check graded at the limit or worse, on
// any endpoint; else it is error when an endpoint could not be scanned or
// observed for the check, naming only those; else pass, or not applicable
// when no endpoint has the aspect. The other edition's count is noted.
func (s *tlsState) requireBelow(w *World, title string, limit ncsc.Level) error {
	c, ok := ncsc.CheckByTitle(title)
	if !ok {
		return fmt.Errorf("unknown TLS check %q", title)
	}
	if c.ID == ncsc.CheckCertificateChain {
		s.noteTrustAnchors(w) // trust_steps.go
	}
	var outs []endpointOutcome
	for _, es := range s.scans {
		o := endpointOutcome{addr: es.Address, err: es.Err}
		if es.Err == nil {
			o.a = es.assess(s.edition, c)
			o.bad = ncsc.AtLeast(o.a.Findings, limit)
		}
		outs = append(outs, o)
	}
	s.evidenceAssessments(w, c, outs)
	s.noteOtherEdition(w, c, limit)

	var bad, na []string
	var gaps endpointsError
	var worst verdict.Severity
	for _, o := range outs {
		switch {
		case o.err != nil:
			gaps.add(o.addr, o.err)
		case o.a.Outcome == ncsc.Unobserved:
			gaps.add(o.addr, missingData(o.a.Reason))
		case o.a.Outcome == ncsc.NotApplicable:
			na = append(na, o.addr+": "+o.a.Reason)
			w.Note(o.addr + ": not applicable: " + o.a.Reason)
		}
		for _, f := range o.a.Findings {
			if f.Undecided(limit) {
				gaps.add(o.addr, missingData(f.What+": "+f.Reason+"; "+notTestedWhy(f)))
			}
		}
		for _, f := range o.bad {
			bad = append(bad, o.addr+" "+f.String())
			if sv := tlsSeverity(f); worst == "" || sv.Rank() < worst.Rank() {
				worst = sv
			}
		}
		// The whole scan is the evidence behind a finding or a gap.
		if len(o.bad) > 0 || o.a.Outcome == ncsc.Unobserved {
			s.evidenceScan(w, s.scanOf(o.addr))
		}
	}
	probe := c.Title + " (NCSC TLS " + string(s.edition) + ")"
	switch {
	case len(bad) > 0:
		got := strings.Join(bad, "; ")
		if len(gaps) > 0 {
			got += "; not tested: " + gaps.Error()
		}
		clause := firstBad(outs).Cite()
		if limit == ncsc.Insufficient {
			return verdict.WithSeverity(verdict.Deviation(probe, "nothing graded Insufficient", clause, got), worst)
		}
		return verdict.WithSeverity(verdict.Warning(probe, "everything graded at least Sufficient", clause, got), verdict.Low)
	case len(gaps) > 0:
		return verdict.CouldNotTest(probe, gaps)
	case len(na) == len(outs):
		return verdict.Inapplicable(c.Title + ": " + strings.Join(na, "; "))
	}
	return nil
}

func firstBad(outs []endpointOutcome) ncsc.Finding {
	for _, o := range outs {
		if len(o.bad) > 0 {
			return o.bad[0]
		}
	}
	return ncsc.Finding{}
}

func (s *tlsState) scanOf(addr string) *endpointScan {
	for _, es := range s.scans {
		if es.Address == addr {
			return es
		}
	}
	return nil
}

func hasGap(f ncsc.Facts, kind string) bool { return gapReason(f, kind) != "" }

func gapReason(f ncsc.Facts, kind string) string {
	var out []string
	for _, g := range f.Gaps {
		if g.Kind == kind {
			out = append(out, g.Reason)
		}
	}
	return strings.Join(out, "; ")
}

// notTestedWhy says what would decide a finding whose level was not fully
// established.
func notTestedWhy(f ncsc.Finding) string {
	if f.Item.Kind == ncsc.KindClientRenegotiation {
		return "the limit takes a renegotiation flood, which runs only with limits.dos_probes: true"
	}
	return "part of it was not tested"
}

// missingData is an aspect the scan could not observe (cause.Missing).
type missingData string

func (m missingData) Error() string { return string(m) }

// CauseKind lets cause.Of name it.
func (m missingData) CauseKind() cause.Kind { return cause.Missing }

// endpointsError is why one or more endpoints could not be judged, each
// named with its reason. Its cause is theirs when they agree (the reason
// then states the kind once, in front), else missing data.
type endpointsError []endpointGap

type endpointGap struct {
	addr string
	err  error
}

func (e *endpointsError) add(addr string, err error) { *e = append(*e, endpointGap{addr, err}) }

func (e endpointsError) Error() string {
	k := e.CauseKind()
	var parts []string
	for _, g := range e {
		msg := g.err.Error()
		if k != cause.Missing || cause.Of(g.err) == cause.Missing {
			// The kind is said once, by whoever prints the whole error.
			msg = strings.TrimPrefix(msg, string(cause.Of(g.err))+": ")
		} else {
			msg = cause.Describe(g.err)
		}
		parts = append(parts, g.addr+": "+msg)
	}
	return strings.Join(parts, "; ")
}

// CauseKind lets cause.Of name it.
func (e endpointsError) CauseKind() cause.Kind {
	var k cause.Kind
	for _, g := range e {
		switch c := cause.Of(g.err); {
		case k == "":
			k = c
		case k != c:
			return cause.Missing
		}
	}
	if k == "" {
		return cause.Missing
	}
	return k
}

// noteOtherEdition records how the other edition grades the same check.
func (s *tlsState) noteOtherEdition(w *World, c ncsc.Check, limit ncsc.Level) {
	for _, e := range ncsc.Editions {
		if e == s.edition {
			continue
		}
		n := 0
		for _, es := range s.scans {
			if es.Err == nil {
				n += len(ncsc.AtLeast(es.assess(e, c).Findings, limit))
			}
		}
		w.Note(fmt.Sprintf("under NCSC TLS %s: %d item(s) graded %s or worse", e, n, limit))
	}
}

// evidenceAssessments keeps every endpoint's assessment of the check.
func (s *tlsState) evidenceAssessments(w *World, c ncsc.Check, outs []endpointOutcome) {
	type record struct {
		Address    string           `json:"address"`
		Assessment *ncsc.Assessment `json:"assessment,omitempty"`
		Error      string           `json:"error,omitempty"`
	}
	var recs []record
	for _, o := range outs {
		r := record{Address: o.addr}
		if o.err != nil {
			r.Error = cause.Describe(o.err)
		} else {
			a := o.a
			r.Assessment = &a
		}
		recs = append(recs, r)
	}
	if body, err := json.MarshalIndent(recs, "", "  "); err == nil {
		w.Evidence("ncsc-"+c.ID+"-"+string(s.edition)+".json", "application/json", body)
	}
}

func (s *tlsState) evidenceScan(w *World, es *endpointScan) {
	if es == nil || es.Result == nil {
		return
	}
	if body, err := es.resultJSON(); err == nil {
		w.Evidence("tls-scan-"+tlsSanitize(es.Address)+".json", "application/json", body)
	}
}

func tlsSanitize(addr string) string {
	return strings.NewReplacer(":", "_", "/", "_", "[", "", "]", "").Replace(addr)
}
