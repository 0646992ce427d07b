package audit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIntegrityProbes: a delete or a write of the suite's own record is
// refused (403, 405, 401: pass) or accepted (2xx: fail, high); an answer
// that is neither, or no answer, is could-not-test, as for sourceOpen.
func TestIntegrityProbes(t *testing.T) {
	cases := []struct {
		name   string
		api    *fakeAPI
		want   verdict.Status
		says   string // in the finding (fail, error) or the notes (pass)
		sev    verdict.Severity
		issued bool // both requests reached the source
	}{
		{"405 refused", &fakeAPI{item: http.StatusMethodNotAllowed}, verdict.Pass, "refused with 405 (OperationOutcome not-supported)", "", true},
		{"403 refused", &fakeAPI{item: http.StatusForbidden}, verdict.Pass, "refused with 403", "", true},
		{"401 counts as refused", &fakeAPI{item: http.StatusUnauthorized}, verdict.Pass, "refused with 401", "", true},
		{"204 accepted", &fakeAPI{item: http.StatusNoContent}, verdict.Fail, "16.4.2", verdict.High, true},
		{"200 accepted", &fakeAPI{item: http.StatusOK}, verdict.Fail, "the suite's own record", verdict.High, true},
		{"500 is not judged", &fakeAPI{item: http.StatusInternalServerError}, verdict.Error, "neither a refusal (401/403/405) nor an acceptance", "", true},
		{"404 is not judged", &fakeAPI{item: http.StatusNotFound}, verdict.Error, "answered 404", "", true},
		{"transport failure", &fakeAPI{dropItem: true}, verdict.Error, "", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.api
			rep := runFake(t, f, 2*time.Second)
			require.NoError(t, rep.Control)
			for _, id := range []string{ProbeRecordUpdate, ProbeRecordDelete} {
				res := rep.Results[id]
				require.NotNil(t, res, id)
				st, fd := verdict.Classify(rep.Presence(id))
				assert.Equal(t, c.want, st, "%s: %v", id, res.Err)
				switch {
				case c.want == verdict.Pass:
					assert.Contains(t, strings.Join(res.Notes, "; "), c.says, id)
					assert.Equal(t, c.api.item, res.Exchange.Status, "the status is in the evidence")
				case c.says != "":
					assert.Contains(t, fd.Error(), c.says, id)
				}
				if c.sev != "" {
					assert.Equal(t, c.sev, fd.Severity, id)
					assert.Contains(t, fd.Error(), "NEN 7510 A.12.4.2", id)
				}
				if c.issued && c.want != verdict.Error {
					assert.Contains(t, string(res.Evidence()), `"x_request_id"`, "the exchange is kept as evidence")
				}
			}
			if !c.issued {
				assert.Empty(t, f.touchedSoFar(), "no record is touched without an own record")
				return
			}
			touched := f.touchedSoFar()
			require.Len(t, touched, 2)
			assert.Equal(t, "PUT", strings.Fields(touched[0])[0], "the write comes before the delete")
			assert.Equal(t, "DELETE", strings.Fields(touched[1])[0])
			// Only the record of the suite's own read is touched.
			own := rep.Results[ProbeRead]
			for _, tc := range touched {
				id := strings.Fields(tc)[1]
				var rec string
				for _, ev := range own.Events() {
					if ev.ID == id {
						rec = string(ev.Raw)
					}
				}
				assert.Contains(t, rec, own.Exchange.RequestID, "%s is the record of the suite's read", tc)
			}
		})
	}
}

// TestIntegrityWithoutAnOwnRecordAsksForAnAbsentID: when no record carries
// the suite's request id (matched by patient and time window only, so it
// may be someone else's) no existing record is touched: the write and the
// delete name an AuditEvent id that does not exist. A refusal for the type
// passes, an acceptance fails, a 404 tells nothing.
func TestIntegrityWithoutAnOwnRecordAsksForAnAbsentID(t *testing.T) {
	for _, c := range []struct {
		item int
		want verdict.Status
		says string
	}{
		{0, verdict.Pass, "which does not exist"},
		{http.StatusNoContent, verdict.Fail, "an id that did not exist"},
		{http.StatusNotFound, verdict.Error, "answered 404"},
	} {
		f := &fakeAPI{noRequestID: true, item: c.item}
		rep := runFake(t, f, 2*time.Second)
		require.NoError(t, rep.Control)
		touched := f.touchedSoFar()
		require.Len(t, touched, 2)
		for _, tc := range touched {
			id := strings.Fields(tc)[1]
			assert.True(t, strings.HasPrefix(id, "apisec-absent-"), "only an absent id is named: %s", tc)
			for _, ev := range rep.Results[ProbeRead].Events() {
				assert.NotEqual(t, ev.ID, id, "no existing record is touched")
			}
		}
		for _, id := range []string{ProbeRecordUpdate, ProbeRecordDelete} {
			st, fd := verdict.Classify(rep.Presence(id))
			assert.Equal(t, c.want, st, "%d %s", c.item, id)
			if c.want == verdict.Pass {
				assert.Contains(t, strings.Join(rep.Results[id].Notes, "; "), c.says)
			} else {
				assert.Contains(t, fd.Error(), c.says)
			}
		}
	}
}

func TestIntegrityUpdateSendsTheRecordAsRead(t *testing.T) {
	var got []byte
	var ctype string
	srv := newItemServer(t, func(w http.ResponseWriter, r *http.Request) {
		ctype = r.Header.Get("Content-Type")
		got = readAll(t, r)
		w.WriteHeader(http.StatusMethodNotAllowed)
	})
	own := &ownRecord{src: &FHIRSource{URL: srv + "/fhir/AuditEvent"}, ev: &Event{ID: "7", Raw: []byte(`{"resourceType":"AuditEvent","id":"7"}`)}, url: srv + "/fhir/AuditEvent/7"}
	res := rewriteOwnRecord.run(context.Background(), Config{HTTP: http.DefaultClient, AuditToken: "auditor-token", Now: time.Now}, own, "run")
	require.NoError(t, res.Err)
	assert.Equal(t, own.ev.Raw, got, "the exact body the suite read")
	assert.Equal(t, "application/fhir+json", ctype)
	assert.Equal(t, "Bearer [redacted]", res.Exchange.Token, "the evidence never holds the token")
}

// TestReadByClient: the test user's API token on the audit search is
// refused (pass), answered with records (warn, medium: the server may show
// only the user's own events) or with an empty Bundle (pass, noted).
func TestReadByClient(t *testing.T) {
	cases := []struct {
		name string
		api  *fakeAPI
		want verdict.Status
		says string
	}{
		{"refused", &fakeAPI{}, verdict.Pass, "refused with 401"},
		{"records", &fakeAPI{clientReads: true}, verdict.Warn, "readable with an ordinary API client's token"},
		{"empty Bundle", &fakeAPI{clientReads: true, clientEmpty: true}, verdict.Pass, "empty Bundle"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.api
			rep := runFake(t, f, 2*time.Second)
			res := rep.Results[ProbeReadByClient]
			st, fd := verdict.Classify(rep.Presence(ProbeReadByClient))
			assert.Equal(t, c.want, st, "%v", res.Err)
			if c.want == verdict.Warn {
				assert.Equal(t, verdict.Medium, fd.Severity)
				assert.Contains(t, fd.Error(), c.says)
				assert.Contains(t, fd.Error(), "NEN 7513:2018 ch. 8")
				assert.Equal(t, http.StatusOK, res.Exchange.Status)
				return
			}
			assert.Contains(t, strings.Join(res.Notes, "; "), c.says)
		})
	}
}

func TestIntegrityNotApplicableWithoutFHIRSource(t *testing.T) {
	src := &JSONLSource{File: filepath.Join(t.TempDir(), "export.jsonl")}
	rep := &Report{Results: map[string]*Result{}, Sources: []*SourceReport{{Name: src.Name(), src: src}}}
	integrity(context.Background(), Config{Sources: []Source{src}, HTTP: http.DefaultClient, Now: time.Now}, rep, "run")
	for _, id := range IntegrityProbes {
		st, fd := verdict.Classify(rep.Presence(id))
		assert.Equal(t, verdict.NotApplicable, st, id)
		assert.Contains(t, fd.Reason, "no FHIR audit source", id)
	}
}

func TestIntegrityCannotTestWithoutTheAuditorsRead(t *testing.T) {
	rep := runFake(t, &fakeAPI{html: true}, 2*time.Second)
	for _, id := range IntegrityProbes {
		st, fd := verdict.Classify(rep.Presence(id))
		assert.Equal(t, verdict.Error, st, id)
		assert.Contains(t, fd.Error(), "positive control", id)
	}
}

func newItemServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func readAll(t *testing.T, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return b
}

// The client-token read needs a test-user token that is not the auditor's:
// without one it could not test; when the profile reads the log with the
// test user's own token there is no ordinary client left to try.
func TestReadByClientNeedsAnOrdinaryToken(t *testing.T) {
	src := &FHIRSource{URL: "https://audit.invalid/fhir/AuditEvent", Fetcher: &Fetcher{Token: "t"}}
	rep := &Report{Results: map[string]*Result{ProbeRead: {Exchange: &Exchange{Sent: time.Now()}}}}
	for _, c := range []struct {
		user string
		want verdict.Status
		says string
	}{
		{"", verdict.Error, "no test-user API token"},
		{"t", verdict.NotApplicable, "the test user's own API token"},
	} {
		res := readByClient(context.Background(), Config{UserToken: c.user, HTTP: http.DefaultClient, Now: time.Now}, rep, src, "run")
		st, fd := verdict.Classify(res.Err)
		assert.Equal(t, c.want, st, c.user)
		assert.Contains(t, fd.Error()+fd.Reason, c.says)
		assert.Nil(t, res.Exchange, "nothing was sent")
	}
}
