package tlsscan

import (
	"context"
	"crypto/tls"
	"fmt"
	"github.com/apisec/apisec/harness/cause"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apisec/apisec/fixtures/tlsbench"
)

// Missing data is never absence (docs/design.md "Verdicts"): a probe that gets a
// reset, EOF or timeout is retried, and what stays unanswered is
// Unresolved, never "not supported". Observed absence is not missing data:
// what a server has none of is Absent, with the reason.

// legacyTLS is a crypto/tls server speaking TLS 1.0 to 1.3 with CBC-SHA1
// suites, like the reference target's tls-legacy defect.
func legacyTLS(t *testing.T, p *testPKI) string {
	return serveTLS(t, &tls.Config{Certificates: []tls.Certificate{p.leaf}, MinVersion: tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}})
}

func proxy(t *testing.T, target string, cut tlsbench.CutFunc) *tlsbench.FaultProxy {
	t.Helper()
	px, err := tlsbench.StartFaultProxy(target, cut)
	require.NoError(t, err)
	t.Cleanup(func() { _ = px.Close() })
	return px
}

var fastRetry = Options{Timeout: 2 * time.Second, Backoff: time.Millisecond}

func TestScanRetriesAResetBeforeItCounts(t *testing.T) {
	p := newPKI(t, "p256")
	addr := legacyTLS(t, p)
	// Two resets per legacy hello at most: the third attempt gets through.
	var mu sync.Mutex
	seen := map[string]int{}
	px := proxy(t, addr, func(_ int, hello []byte) bool {
		if !tlsbench.LegacyHello(hello) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		key := fmt.Sprintf("%x", hello[9:11]) // client_version
		seen[key]++
		return seen[key] <= 2
	})
	res := scanTLS(t, px.Addr, Target{RootCAs: p.pool}, fastRetry)
	for _, v := range []uint16{VersionTLS10, VersionTLS11} {
		vr := res.Version(v)
		assert.True(t, vr.State.Seen() && vr.Supported, "%s after two resets: %+v", vr.Name, vr.State)
	}
	retried := slices.ContainsFunc(res.Probes, func(p Probe) bool { return p.Attempt == 3 && strings.HasPrefix(p.Purpose, "version TLS 1.0") })
	assert.True(t, retried, "the TLS 1.0 version probe's third attempt is in the evidence")
}

func TestScanUnansweredVersionIsUnresolvedNotUnsupported(t *testing.T) {
	p := newPKI(t, "p256")
	addr := legacyTLS(t, p)
	px := proxy(t, addr, tlsbench.ResetLegacyHellos(1000))
	res := scanTLS(t, px.Addr, Target{RootCAs: p.pool}, fastRetry)
	for _, v := range []uint16{VersionSSL20, VersionSSL30, VersionTLS10, VersionTLS11} {
		vr := res.Version(v)
		assert.Equal(t, Unresolved, vr.State.Status, "%s: every hello was reset", vr.Name)
		assert.False(t, vr.Supported)
		assert.Contains(t, vr.State.Reason, "reset", vr.Name)
		assert.Len(t, vr.State.Probes, 3, "%s: one probe per attempt", vr.Name)
	}
	assert.True(t, res.Version(VersionTLS12).State.Seen() && res.Version(VersionTLS12).Supported)
}

// TestScanRandomResetsNeverClaimAbsence: with half the connections reset,
// whatever the scan states as observed is true of the server; the rest is
// unresolved. Ten seeds.
func TestScanRandomResetsNeverClaimAbsence(t *testing.T) {
	p := newPKI(t, "p256")
	addr := legacyTLS(t, p)
	truth := scanTLS(t, addr, Target{RootCAs: p.pool}, fastRetry)
	for seed := range uint64(10) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			px := proxy(t, addr, tlsbench.ResetRandomly(seed, 0.5))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := Scan(ctx, Target{Address: px.Addr, ServerName: "scan.test", RootCAs: p.pool}, Options{Timeout: 2 * time.Second, Backoff: time.Millisecond, Attempts: 2})
			if err != nil {
				// Every version unresolved: the scan may end, but only as
				// missing data, never as "the server accepts nothing".
				k := KindOf(err)
				assert.True(t, k.Transient() || k == cause.Missing, "could-not-observe kind, got %s: %v", k, err)
				assert.NotContains(t, err.Error(), "accepted no")
				return
			}
			for i, vr := range res.Versions {
				want := truth.Versions[i]
				if vr.State.Seen() {
					assert.Equal(t, want.Supported, vr.Supported, "%s observed wrongly", vr.Name)
				}
				if vr.SuitesState.Seen() {
					assert.Equal(t, suiteCodes(want.Suites), suiteCodes(vr.Suites), "%s suites observed wrongly", vr.Name)
				}
			}
			for _, z := range []State{res.ZeroRTT.State, res.Compression.State, res.KexSignaturesState, res.Groups.TLS13State, res.Groups.TLS12State} {
				assert.NotEqual(t, Absent, z.Status, "resets never make an item absent on a server that has it: %+v", z)
			}
		})
	}
}

func TestScanObservedAbsence(t *testing.T) {
	p := newPKI(t, "rsa2048")
	t.Run("TLS 1.3 only", func(t *testing.T) {
		addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{p.leaf}, MinVersion: tls.VersionTLS13})
		res := scanTLS(t, addr, Target{RootCAs: p.pool}, fastRetry)
		for name, st := range map[string]State{"kex signatures": res.KexSignaturesState, "TLS 1.2 curves": res.Groups.TLS12State,
			"compression": res.Compression.State, "secure renegotiation": res.SecureRenegotiation.State,
			"EMS": res.ExtendedMasterSecret.State, "client renegotiation": res.ClientRenegotiation.State} {
			assert.Equal(t, Absent, st.Status, "%s on a TLS 1.3-only server", name)
			assert.NotEmpty(t, st.Reason, name)
		}
		assert.True(t, res.ZeroRTT.State.Seen() && res.Groups.TLS13State.Seen())
	})
	t.Run("static RSA only", func(t *testing.T) {
		addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{p.leaf}, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}})
		res := scanTLS(t, addr, Target{RootCAs: p.pool}, fastRetry)
		assert.Equal(t, Absent, res.Groups.TLS12State.Status, "no ECDHE suite: %+v", res.Groups.TLS12State)
		assert.Equal(t, Absent, res.KexSignaturesState.Status, "no signed key exchange: %+v", res.KexSignaturesState)
		assert.Equal(t, Absent, res.Groups.TLS13State.Status)
		assert.Equal(t, Absent, res.ZeroRTT.State.Status)
		assert.True(t, res.Compression.State.Seen() && res.ExtendedMasterSecret.State.Seen())
		// The renegotiation client speaks static RSA too: the question is
		// answered, not left out.
		assert.True(t, res.ClientRenegotiation.State.Seen(), "%+v", res.ClientRenegotiation.State)
		assert.Equal(t, "refused", res.ClientRenegotiation.Outcome)
	})
}

// TestScanClientCertificateRequired: without the client certificate the
// server demands, 0-RTT and client renegotiation are not tested and say
// why; with it they are observed.
func TestScanClientCertificateRequired(t *testing.T) {
	p := newPKI(t, "p256")
	addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{p.leaf}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.pool})
	res := scanTLS(t, addr, Target{RootCAs: p.pool}, fastRetry)
	assert.Equal(t, "required", res.ClientAuth)
	assert.Equal(t, NotTested, res.ZeroRTT.State.Status, "%+v", res.ZeroRTT.State)
	assert.Contains(t, res.ZeroRTT.State.Reason, "requires a client certificate")
	assert.Equal(t, NotTested, res.ClientRenegotiation.State.Status, "%+v", res.ClientRenegotiation.State)
	assert.Contains(t, res.ClientRenegotiation.State.Reason, "requires a client certificate")

	res = scanTLS(t, addr, Target{RootCAs: p.pool, ClientCert: &p.client}, fastRetry)
	assert.True(t, res.ZeroRTT.State.Seen(), "%+v", res.ZeroRTT.State)
	assert.True(t, res.ClientRenegotiation.State.Seen(), "%+v", res.ClientRenegotiation.State)
}

// TestErrorTextNamesTheKindOnce: a could-not-test reason reads
// "refused: dial: ...", not "refused: tlsscan: refused: ...".
func TestErrorTextNamesTheKindOnce(t *testing.T) {
	_, err := Scan(t.Context(), Target{Address: "127.0.0.1:1"}, Options{Timeout: time.Second, Backoff: time.Millisecond})
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), "refused:"), err.Error())
	assert.NotContains(t, err.Error(), "tlsscan:")
}

// TestScanEveryHelloResetIsMissingData: a middlebox that resets every
// connection leaves nothing observed; the scan says so and never that the
// server accepts no version.
func TestScanEveryHelloResetIsMissingData(t *testing.T) {
	p := newPKI(t, "p256")
	addr := legacyTLS(t, p)
	px := proxy(t, addr, tlsbench.ResetRandomly(1, 1.0))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := Scan(ctx, Target{Address: px.Addr, ServerName: "scan.test", RootCAs: p.pool}, Options{Timeout: 2 * time.Second, Backoff: time.Millisecond, Attempts: 2})
	require.Error(t, err)
	k := KindOf(err)
	assert.True(t, k.Transient() || k == cause.Missing, "could-not-observe kind, got %s: %v", k, err)
	assert.NotContains(t, err.Error(), "accepted no")
}
