// Package tlsscan scans one TLS endpoint: protocol versions SSL 2.0 to
// TLS 1.3, every cipher suite of the IANA registry the server accepts per
// version and its preference order, key-exchange groups, DHE primes,
// certificate chains, the signature hashes it accepts for the key exchange,
// and the options NCSC grades (compression, renegotiation, 0-RTT, OCSP
// stapling, Extended Master Secret). It reports plain data; grading is the
// job of harness/ncsc.
//
// Most probes are hand-made ClientHellos read up to ServerHelloDone (see
// wire.go for why); certificate, OCSP and 0-RTT checks use a full
// crypto/tls handshake. Handshakes run in parallel within a bound, every
// connection goes through Options.Dial, and each has its own deadline.
package tlsscan

import (
	"context"
	"errors"
	"fmt"
	"github.com/apisec/apisec/harness/cause"
	"io"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Scan scans one endpoint. The Result is never nil. A non-nil error means
// the endpoint could not be scanned at all (nothing listening, not TLS,
// timeouts, garbage); it is an *Error whose Kind names the cause, and the
// Result holds whatever was seen.
func Scan(ctx context.Context, t Target, o Options) (*Result, error) {
	o.fill()
	s := &scanner{t: t, o: o, sem: make(chan struct{}, o.Concurrency),
		chains: map[string]rawChain{}, dh: map[string]DHGroup{}}
	res := &Result{Address: t.Address, ServerName: serverName(t), Started: o.Now(), ClientAuth: "none"}
	start := time.Now()
	defer func() {
		res.DurationMS = time.Since(start).Milliseconds()
		res.Handshakes = int(s.handshakes.Load())
		s.mu.Lock()
		res.Probes = s.probes
		res.Errors = s.errs
		s.mu.Unlock()
	}()
	if _, _, err := net.SplitHostPort(t.Address); err != nil {
		return res, &Error{Kind: KindOther, Op: "parse address", Err: err}
	}
	err := s.run(ctx, res)
	return res, err
}

// versionState is what the scan learnt about one version.
type versionState struct {
	v        uint16
	status   string // "yes", "no", "maybe", "error"
	first    outcome
	accepted map[uint16]SuiteResult
	hello    *outcome // first ServerHello of this version, for extensions
	// gaps are the enumeration probes that got no answer.
	gaps   []string
	probes []int
	mu     sync.Mutex
}

func (vs *versionState) add(out outcome) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if vs.hello == nil {
		o := out
		vs.hello = &o
	}
	su, _ := LookupSuite(out.sh.Suite)
	r := SuiteResult{Code: out.sh.Suite, Name: su.DisplayName(), OpenSSL: su.OpenSSL, Kx: su.Kx, Au: su.Au,
		Enc: su.Enc, Bits: su.Bits, Mac: su.Mac, Export: su.Export, Probe: out.probe, Group: out.sh.KeyShare}
	if out.ske != nil {
		if out.ske.Curve != 0 {
			r.Group = out.ske.Curve
		}
		if len(out.ske.P) > 0 {
			r.DHBits = identifyDH(out.ske.P, out.ske.G).Bits
		}
	}
	if _, ok := vs.accepted[r.Code]; !ok {
		vs.accepted[r.Code] = r
	}
}

// fail records an enumeration probe that left the suite list incomplete.
func (vs *versionState) fail(msg string, probes ...int) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.gaps = append(vs.gaps, msg)
	vs.probes = append(vs.probes, probes...)
}

// spec is the ClientHello the scan uses for version v and these suites.
func (s *scanner) spec(v uint16, suites []uint16) helloSpec {
	return defaultHello(v, serverName(s.t), suites)
}

func (s *scanner) run(ctx context.Context, res *Result) error {
	tlsVersions := AllVersions[1:]
	states := map[uint16]*versionState{}
	for _, v := range tlsVersions {
		states[v] = &versionState{v: v, accepted: map[uint16]SuiteResult{}}
	}
	var v2 VersionResult
	var wg sync.WaitGroup

	// Stage 1: one ClientHello per version, and the SSL 2.0 hello.
	wg.Go(func() { v2 = s.sslv2(ctx) })
	for _, v := range tlsVersions {
		vs := states[v]
		wg.Go(func() {
			cands := suitesFor(v)
			out := s.hello(ctx, "version "+VersionName(v), s.spec(v, cands[:min(len(cands), 128)]), true)
			vs.first = out
			switch {
			case out.err != nil:
				vs.status = "error" // no answer on any attempt: neither yes nor no
			case out.accepted(v):
				vs.status = "yes"
				vs.add(out)
			case out.sh != nil:
				vs.status = "no" // the server answered with another version
			case out.alert != nil && out.alert.Description == 70:
				vs.status = "no" // protocol_version (RFC 8446 6.2)
			default:
				vs.status = "maybe" // an alert: no shared suite among the first ones
			}
		})
	}
	wg.Wait()
	if err := s.unreachable(ctx, states, v2); err != nil {
		res.Versions = s.versionResults(v2, states, tlsVersions)
		return err
	}

	// Probes that need nothing from the enumeration start now and overlap
	// with it: across the internet a scan is a chain of sequential
	// handshakes, and the TLS 1.3 groups and the full handshake would
	// otherwise lengthen that chain.
	var early sync.WaitGroup
	defer early.Wait()
	var full fullResult
	early.Go(func() { full = s.fullHandshake(ctx) })
	groups13 := states[VersionTLS13].status == "yes"
	if groups13 {
		early.Go(func() { res.Groups.TLS13, res.Groups.TLS13State = s.groups13(ctx) })
	}

	// Stage 2: enumerate every accepted suite per version, in chunks,
	// by offering the remaining ones until the server refuses.
	for _, v := range tlsVersions {
		vs := states[v]
		if vs.status != "yes" && vs.status != "maybe" {
			continue
		}
		cands := suitesFor(v)
		if vs.status == "maybe" {
			cands = cands[min(len(cands), 128):] // the first ones were all refused
		} else {
			cands = slices.DeleteFunc(cands, func(c uint16) bool { return c == vs.first.sh.Suite })
		}
		for chunk := range slices.Chunk(cands, s.o.ChunkSize) {
			wg.Go(func() { s.enumerate(ctx, vs, chunk) })
		}
	}
	wg.Wait()
	for _, vs := range states {
		if vs.status == "maybe" {
			switch {
			case len(vs.accepted) > 0:
				vs.status = "yes"
			case len(vs.gaps) > 0:
				vs.status = "error" // some suites were never answered for
			default:
				vs.status = "no" // every suite refused: an answer
			}
		}
	}
	res.Versions = s.versionResults(v2, states, tlsVersions)
	anyVersion := v2.Supported
	for _, vs := range states {
		anyVersion = anyVersion || vs.status == "yes"
	}
	if !anyVersion {
		// Silence is not an answer: when some version stayed unresolved
		// (reset, timeout after every retry) the scan could not observe,
		// which is missing data, never "accepts nothing".
		var unresolved []string
		for _, vr := range res.Versions {
			if vr.State.Status == Unresolved {
				unresolved = append(unresolved, vr.Name)
			}
		}
		if len(unresolved) > 0 {
			return &Error{Kind: cause.Missing, Op: "enumerate versions", Err: fmt.Errorf("no protocol version could be observed: %s unresolved after every retry", strings.Join(unresolved, ", "))}
		}
		return &Error{Kind: KindProtocol, Op: "enumerate versions", Err: fmt.Errorf("server accepted no protocol version and no cipher suite")}
	}

	// Stage 3: preference order, groups, signature hashes, options and
	// the full handshake, in parallel. Probes read snapshots of the suite
	// lists because order() re-sorts them.
	snapshot := map[uint16][]SuiteResult{}
	for _, vr := range res.Versions {
		snapshot[vr.Version] = slices.Clone(vr.Suites)
	}
	for i := range res.Versions {
		vr := &res.Versions[i]
		if len(vr.Suites) >= 2 {
			wg.Go(func() { s.order(ctx, vr) })
		}
	}
	v12 := highestLegacy(states)
	legacyGap := legacyUnresolved(states)
	switch states[VersionTLS13].status {
	case "yes":
		if !groups13 { // found only by the enumeration
			wg.Go(func() { res.Groups.TLS13, res.Groups.TLS13State = s.groups13(ctx) })
		}
	case "error":
		res.Groups.TLS13State = unresolved("TLS 1.3 support is unresolved")
	default:
		res.Groups.TLS13State = absent("TLS 1.3 is not supported")
	}
	if v12 != 0 {
		wg.Go(func() { res.Groups.TLS12, res.Groups.TLS12State = s.groups12(ctx, v12, snapshot[v12]) })
		wg.Go(func() { res.Compression = s.compression(ctx, v12, snapshot[v12]) })
		hello := states[v12].hello
		res.SecureRenegotiation = SecureRenegotiation{State: observed(), Version: v12, Probe: hello.probe}
		_, res.SecureRenegotiation.Supported = hello.sh.ext(extRenegotiation)
		res.ExtendedMasterSecret = ExtendedMasterSecret{State: observed(), Version: v12, Probe: hello.probe}
		_, res.ExtendedMasterSecret.Supported = hello.sh.ext(extExtendedMS)
	} else {
		st := absent("no TLS 1.0-1.2 (or SSL 3.0) version is supported")
		if legacyGap != "" {
			st = unresolved("TLS 1.0-1.2 support is unresolved: " + legacyGap)
		}
		res.Compression.State, res.SecureRenegotiation.State, res.ExtendedMasterSecret.State = st, st, st
		res.Groups.TLS12State = st
	}
	switch {
	case v12 == VersionTLS12:
		wg.Go(func() { res.KexSignatures, res.KexSignaturesState = s.kexSignatures(ctx, snapshot[VersionTLS12]) })
	case states[VersionTLS12].status == "error":
		res.KexSignaturesState = unresolved("TLS 1.2 support is unresolved")
	default:
		// TLS 1.3 signs inside the encrypted handshake (RFC 8446 4.4.3);
		// only a TLS 1.2 ServerKeyExchange shows the hash.
		res.KexSignaturesState = absent("TLS 1.2 is not supported")
	}
	switch {
	case s.o.RenegotiationAttempts > 0 && v12 == VersionTLS12:
		wg.Go(func() { res.ClientRenegotiation = s.clientRenegotiation(ctx) })
	case states[VersionTLS12].status == "error":
		res.ClientRenegotiation.State = unresolved("TLS 1.2 support is unresolved")
	case v12 == 0:
		res.ClientRenegotiation.State = absent("no TLS 1.0-1.2 version is supported")
	case v12 != VersionTLS12:
		res.ClientRenegotiation.State = notTested("the renegotiation client speaks TLS 1.2 only; the server's highest version below TLS 1.3 is " + VersionName(v12))
	default:
		res.ClientRenegotiation.State = notTested("disabled by Options.RenegotiationAttempts")
	}
	wg.Wait()
	early.Wait()
	s.assemble(res, full, states[VersionTLS13].status)
	if err := ctx.Err(); err != nil {
		return &Error{Kind: classify(err), Op: "scan", Err: err}
	}
	return nil
}

// unreachable decides after the first round whether the endpoint can be
// scanned at all: every probe got no answer, even after retries.
func (s *scanner) unreachable(ctx context.Context, states map[uint16]*versionState, v2 VersionResult) error {
	if err := ctx.Err(); err != nil {
		return &Error{Kind: classify(err), Op: "scan", Err: err}
	}
	if v2.Supported {
		return nil
	}
	var firstErr error
	for _, v := range []uint16{VersionTLS12, VersionTLS13, VersionTLS11, VersionTLS10, VersionSSL30} {
		out := states[v].first
		if out.err == nil {
			return nil // answered
		}
		if firstErr == nil {
			firstErr = out.err
		}
	}
	return firstErr
}

// legacyUnresolved names the TLS 1.0-1.2 / SSL 3.0 versions whose support
// stayed unresolved, "" when every one was answered.
func legacyUnresolved(states map[uint16]*versionState) string {
	var names []string
	for _, v := range []uint16{VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12} {
		if states[v].status == "error" {
			names = append(names, VersionName(v))
		}
	}
	return strings.Join(names, ", ")
}

// enumerate offers chunk, records the chosen suite, removes it and offers
// the rest again until the server refuses (the sslscan/testssl method).
func (s *scanner) enumerate(ctx context.Context, vs *versionState, chunk []uint16) {
	remaining := slices.Clone(chunk)
	for round := 0; len(remaining) > 0 && round <= len(chunk); round++ {
		out := s.hello(ctx, fmt.Sprintf("%s suites (%d left)", VersionName(vs.v), len(remaining)), s.spec(vs.v, remaining), true)
		if out.err != nil {
			vs.fail(fmt.Sprintf("%d suites never answered for (%s)", len(remaining), out.unanswered()), out.probes...)
			return
		}
		if !out.accepted(vs.v) {
			return
		}
		i := slices.Index(remaining, out.sh.Suite)
		if i < 0 {
			// RFC 5246 7.4.1.3: the server must pick an offered suite.
			vs.fail(fmt.Sprintf("server chose suite 0x%04x that was not offered (probe %d)", out.sh.Suite, out.probe), out.probe)
			return
		}
		vs.add(out)
		remaining = slices.Delete(remaining, i, i+1)
	}
}

func highestLegacy(states map[uint16]*versionState) uint16 {
	for _, v := range []uint16{VersionTLS12, VersionTLS11, VersionTLS10, VersionSSL30} {
		if states[v].status == "yes" {
			return v
		}
	}
	return 0
}

func (s *scanner) versionResults(v2 VersionResult, states map[uint16]*versionState, versions []uint16) []VersionResult {
	out := []VersionResult{v2}
	for _, v := range versions {
		vs := states[v]
		vr := VersionResult{Version: v, Name: VersionName(v), State: observed(), Supported: vs.status == "yes",
			SuitesState: observed(), OrderState: absent("fewer than two suites")}
		if vs.status == "error" {
			why := "no answer"
			if vs.first.err != nil {
				why = vs.first.unanswered()
			}
			vr.State = unresolved(why, vs.first.probes...)
		}
		if len(vs.gaps) > 0 {
			vr.SuitesState = unresolved(strings.Join(vs.gaps, "; "), vs.probes...)
		}
		if vs.status != "yes" {
			vr.SuitesState = absent(VersionName(v) + " is not supported")
			if vs.status == "error" {
				vr.SuitesState = vr.State
			}
		}
		for _, su := range suitesFor(v) { // registry order
			if r, ok := vs.accepted[su]; ok {
				vr.Suites = append(vr.Suites, r)
			}
		}
		out = append(out, vr)
	}
	return out
}

// order finds whether the server imposes its preference: offer the
// accepted suites strongest first, then again with the server's pick moved
// to the end. A server that picks it again has its own order (moving the
// pick instead of reversing the list keeps the client's first suite the
// same, so ChaCha20 prioritisation in OpenSSL and crypto/tls, which looks
// at the client's first suite, does not pass for client order). Then the
// full ranking is read by iterative removal.
func (s *scanner) order(ctx context.Context, vr *VersionResult) {
	fwd := make([]uint16, len(vr.Suites))
	for i, r := range vr.Suites {
		fwd[i] = r.Code
	}
	a := s.hello(ctx, VersionName(vr.Version)+" order (registry order)", s.spec(vr.Version, fwd), false)
	if !a.accepted(vr.Version) || !slices.Contains(fwd, a.sh.Suite) {
		vr.OrderState = unresolved(orderGap(a, "first order probe"), a.probes...)
		return
	}
	moved := append(slices.DeleteFunc(slices.Clone(fwd), func(c uint16) bool { return c == a.sh.Suite }), a.sh.Suite)
	b := s.hello(ctx, VersionName(vr.Version)+" order (first pick offered last)", s.spec(vr.Version, moved), false)
	if !b.accepted(vr.Version) || !slices.Contains(fwd, b.sh.Suite) {
		vr.OrderState = unresolved(orderGap(b, "second order probe"), b.probes...)
		return
	}
	vr.OrderState = observed()
	if a.sh.Suite != b.sh.Suite {
		vr.Order = "client"
		return
	}
	vr.Order = "server"
	pref := []uint16{a.sh.Suite}
	rem := slices.DeleteFunc(slices.Clone(fwd), func(c uint16) bool { return c == a.sh.Suite })
	for len(rem) > 1 {
		out := s.hello(ctx, fmt.Sprintf("%s server preference rank %d", vr.Name, len(pref)+1), s.spec(vr.Version, rem), false)
		i := -1
		if out.accepted(vr.Version) {
			i = slices.Index(rem, out.sh.Suite)
		}
		if i < 0 {
			// The order is known; the ranking past this rank is not.
			s.noteError("%s: preference ranking stopped at rank %d (%s)", vr.Name, len(pref)+1, orderGap(out, "ranking probe"))
			vr.OrderState = unresolved(fmt.Sprintf("server order known, ranking stopped at rank %d: %s", len(pref)+1, orderGap(out, "ranking probe")), out.probes...)
			break
		}
		pref = append(pref, rem[i])
		rem = slices.Delete(rem, i, i+1)
	}
	vr.ServerPreference = append(pref, rem...)
	rank := map[uint16]int{}
	for i, c := range vr.ServerPreference {
		rank[c] = i
	}
	sort.SliceStable(vr.Suites, func(i, j int) bool { return rank[vr.Suites[i].Code] < rank[vr.Suites[j].Code] })
}

// orderGap says why an order probe gave no usable answer.
func orderGap(o outcome, what string) string {
	switch {
	case o.err != nil:
		return what + ": " + o.unanswered()
	case o.alert != nil:
		return fmt.Sprintf("%s (probe %d) refused suites the server accepted one by one: %s", what, o.probe, o.alert)
	}
	return fmt.Sprintf("%s (probe %d) answered %s", what, o.probe, o.sh.summary())
}

// groups13 lists the TLS 1.3 groups: offering no key share makes the
// server name its preferred offered group in a HelloRetryRequest (RFC 8446
// 4.1.4), so no key has to be generated for exotic or hybrid groups.
func (s *scanner) groups13(ctx context.Context) ([]Group, State) {
	remaining := groupIDs(func(g Group) bool { return g.TLS13 })
	var found []Group
	for len(remaining) > 0 {
		h := s.spec(VersionTLS13, suitesFor(VersionTLS13))
		h.Groups, h.KeyShare = remaining, nil
		out := s.hello(ctx, fmt.Sprintf("TLS 1.3 groups (%d left)", len(remaining)), h, false)
		if out.err != nil {
			return found, unresolved(fmt.Sprintf("%d groups never answered for (%s)", len(remaining), out.unanswered()), out.probes...)
		}
		if !out.accepted(VersionTLS13) {
			return found, observed() // refused the rest: none of them
		}
		i := slices.Index(remaining, out.sh.KeyShare)
		if i < 0 {
			// RFC 8446 4.1.4: the selected group must be one offered.
			return found, unresolved(fmt.Sprintf("server selected group 0x%04x that was not offered (probe %d)", out.sh.KeyShare, out.probe), out.probe)
		}
		found = append(found, LookupGroup(remaining[i]))
		remaining = slices.Delete(remaining, i, i+1)
	}
	return found, observed()
}

// groups12 lists the ECDHE curves of TLS 1.0-1.2 from ServerKeyExchange.
func (s *scanner) groups12(ctx context.Context, v uint16, accepted []SuiteResult) ([]Group, State) {
	var suites []uint16
	for _, r := range accepted {
		if su, _ := LookupSuite(r.Code); su.EphemeralEC() {
			suites = append(suites, r.Code)
		}
	}
	if len(suites) == 0 {
		return nil, absent("no ECDHE suite is accepted on " + VersionName(v))
	}
	remaining := groupIDs(func(g Group) bool { return g.TLS12 && (g.Kind == "ec" || g.Kind == "ecx") })
	var found []Group
	for len(remaining) > 0 {
		h := s.spec(v, suites)
		h.Groups = remaining
		out := s.hello(ctx, fmt.Sprintf("%s ECDHE curves (%d left)", VersionName(v), len(remaining)), h, true)
		if out.err != nil {
			return found, unresolved(fmt.Sprintf("%d curves never answered for (%s)", len(remaining), out.unanswered()), out.probes...)
		}
		if !out.accepted(v) {
			return found, observed()
		}
		if out.ske == nil || out.ske.CurveType != 3 {
			return found, unresolved(fmt.Sprintf("no named curve in ServerKeyExchange (probe %d)", out.probe), out.probe)
		}
		i := slices.Index(remaining, out.ske.Curve)
		if i < 0 {
			// RFC 8422 5.4: the curve must be one the client offered.
			return found, unresolved(fmt.Sprintf("server used curve 0x%04x that was not offered (probe %d)", out.ske.Curve, out.probe), out.probe)
		}
		found = append(found, LookupGroup(remaining[i]))
		remaining = slices.Delete(remaining, i, i+1)
	}
	return found, observed()
}

// kexHashes are the signature_algorithms groups offered one at a time:
// every scheme of defaultSigSchemes is in one of them.
var kexHashes = []string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "intrinsic"}

// kexSignatures offers, per hash, only the signature schemes with that hash
// and sees whether the server still signs its ServerKeyExchange.
func (s *scanner) kexSignatures(ctx context.Context, accepted []SuiteResult) ([]KexSignature, State) {
	var suites []uint16
	for _, r := range accepted {
		if su, _ := LookupSuite(r.Code); su.SignedKex() {
			suites = append(suites, r.Code)
		}
	}
	if len(suites) == 0 {
		return nil, absent("no TLS 1.2 suite with a signed key exchange (ECDHE or DHE) is accepted")
	}
	out := make([]KexSignature, len(kexHashes))
	var wg sync.WaitGroup
	for i, hash := range kexHashes {
		wg.Go(func() {
			h := s.spec(VersionTLS12, suites)
			h.SigSchemes = sigSchemesWithHash(hash)
			o := s.hello(ctx, "TLS 1.2 key exchange signed with "+hash, h, true)
			ks := KexSignature{Hash: hash, Offered: h.SigSchemes, Probe: o.probe, State: observed()}
			switch {
			case o.err != nil:
				ks.State = unresolved(o.unanswered(), o.probes...)
			case o.alert != nil:
				ks.Alert = o.alert.String()
			case o.accepted(VersionTLS12) && o.ske != nil && o.ske.Signed:
				ks.Used = o.ske.SigScheme
				ks.Signed = slices.Contains(h.SigSchemes, o.ske.SigScheme)
			case o.accepted(VersionTLS12) && o.flightAlert != nil:
				// ServerHello, then an alert instead of a signature: a
				// refusal, as crypto/tls servers answer an unusable list.
				ks.Alert = o.flightAlert.String()
			case o.accepted(VersionTLS12):
				ks.State = unresolved(fmt.Sprintf("no signed ServerKeyExchange in the answer (probe %d)", o.probe), o.probe)
			}
			out[i] = ks
		})
	}
	wg.Wait()
	var gaps []string
	var probes []int
	for _, ks := range out {
		if !ks.State.Seen() {
			gaps = append(gaps, ks.Hash+": "+ks.State.Reason)
			probes = append(probes, ks.State.Probes...)
		}
	}
	if len(gaps) > 0 {
		return out, unresolved(strings.Join(gaps, "; "), probes...)
	}
	return out, observed()
}

// compression offers DEFLATE (RFC 3749) before null.
func (s *scanner) compression(ctx context.Context, v uint16, accepted []SuiteResult) Compression {
	suites := make([]uint16, len(accepted))
	for i, r := range accepted {
		suites[i] = r.Code
	}
	h := s.spec(v, suites)
	h.Compression = []uint8{1, 0}
	out := s.hello(ctx, VersionName(v)+" compression", h, false)
	c := Compression{Version: v, Probe: out.probe, State: observed()}
	switch {
	case out.err != nil:
		c.State = unresolved(out.unanswered(), out.probes...)
	case out.accepted(v):
		c.Method, c.Supported = out.sh.Compression, out.sh.Compression != 0
	default:
		// Refused a hello that offered DEFLATE before null: RFC 5246
		// 7.4.1.2 has every client offer null, so this server will not
		// compress.
	}
	return c
}

// sslv2 sends one SSL 2.0 CLIENT-HELLO; the SERVER-HELLO lists every cipher
// spec the server shares, so one connection enumerates them all.
func (s *scanner) sslv2(ctx context.Context) VersionResult {
	vr := VersionResult{Version: VersionSSL20, Name: VersionName(VersionSSL20), State: observed(),
		SuitesState: observed(), OrderState: absent("SSL 2.0 has no cipher order")}
	var probes []int
	s.retry(ctx, func(n int) bool {
		var err error
		vr, err = s.sslv2Once(ctx, vr, n, &probes)
		return silent(err)
	})
	if !vr.State.Seen() {
		vr.State.Probes = probes
		vr.SuitesState = vr.State
	} else if !vr.Supported {
		vr.SuitesState = absent("SSL 2.0 is not supported")
	}
	return vr
}

// sslv2Once is one attempt: the SERVER-HELLO lists every cipher spec the
// server shares, so one connection enumerates them all.
func (s *scanner) sslv2Once(ctx context.Context, vr VersionResult, attempt int, probes *[]int) (VersionResult, error) {
	specs := make([]uint32, len(sslv2Table))
	for i, su := range sslv2Table {
		specs[i] = su.Code
	}
	hello := sslv2Hello(specs)
	p := Probe{Purpose: "version SSL 2.0", Offered: fmt.Sprintf("SSL 2.0 CLIENT-HELLO, %d cipher specs", len(specs)), ClientHello: s.hexOf(hello)}
	if attempt > 1 {
		p.Attempt = attempt
	}
	start := time.Now()
	sh, read, err := func() (*sslv2ServerHello, int, error) {
		if err := s.acquire(ctx); err != nil {
			return nil, 0, wrapErr("wait for a slot", err)
		}
		defer s.release()
		ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
		defer cancel()
		conn, done, err := s.dial(ctx)
		if err != nil {
			return nil, 0, err
		}
		defer done()
		if _, err := conn.Write(hello); err != nil {
			return nil, 0, wrapErr("write CLIENT-HELLO", err)
		}
		cr := &countingReader{r: conn}
		sh, err := readSSLv2ServerHello(cr)
		return sh, cr.n, err
	}()
	p.DurationUS = time.Since(start).Microseconds()
	var ae *alertError
	vr.State, vr.Supported, vr.SSLv2Ciphers = observed(), false, nil
	switch {
	case err == nil:
		p.Outcome, p.Answer = "server-hello", fmt.Sprintf("SSL 2.0 SERVER-HELLO, %d cipher specs", len(sh.Specs))
		vr.Supported = len(sh.Specs) > 0
		for _, c := range sh.Specs {
			su := Suite{Code: c, Name: fmt.Sprintf("SSL_CK_0x%06X", c), Protocol: "SSLv2"}
			for _, t := range sslv2Table {
				if t.Code == c {
					su = t
				}
			}
			vr.SSLv2Ciphers = append(vr.SSLv2Ciphers, su)
		}
	case errors.As(err, &ae):
		p.Outcome, p.Answer = "alert", ae.Alert.String()
	case read > 0 && !KindOf(err).Transient():
		// Bytes that are not an SSL 2.0 SERVER-HELLO (a TLS alert or
		// record from a TLS-only server) are an answer: no SSL 2.0.
		p.Outcome, p.ErrorKind, p.Answer = "error", KindOf(err), err.Error()
	default:
		switch {
		case read == 0 && KindOf(err) == KindEOF:
			err = &Error{Kind: KindEOF, Op: "read SERVER-HELLO", Err: errors.New("closed without a byte of answer")}
		case read == 0 && KindOf(err) == KindReset:
			err = &Error{Kind: KindReset, Op: "read SERVER-HELLO", Err: errors.New("connection reset without a byte of answer")}
		}
		p.Outcome, p.ErrorKind, p.Answer = "error", KindOf(err), err.Error()
		vr.State = unresolved("")
	}
	id := s.addProbe(p)
	*probes = append(*probes, id)
	if !vr.State.Seen() {
		vr.State.Reason = fmt.Sprintf("probe %d: %v", id, err)
		if attempt > 1 {
			vr.State.Reason = fmt.Sprintf("probe %d, %d attempts: %v", id, attempt, err)
		}
		return vr, err
	}
	return vr, nil
}

// countingReader counts the bytes read, so "no answer" can be told from
// "an answer that is not SSL 2.0".
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
