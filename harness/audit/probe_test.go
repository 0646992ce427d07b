package audit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeAPI is a FHIR API with an audit log whose behaviour a test picks.
type fakeAPI struct {
	mu          sync.Mutex
	events      []map[string]any
	searches    atomic.Int32
	visibleFrom int32 // records show from this search on (logging lag)
	noRequestID bool
	open        bool
	html        bool
	hang        bool
	refuseUser  bool
	dropDenied  bool
	// noAuditReadLog: reading the log leaves no record; leak: the read's
	// record carries the Patient resource it served.
	noAuditReadLog bool
	leak           bool
	// item answers DELETE/PUT on AuditEvent/{id} (405 when zero; a 2xx
	// accepts); dropItem closes the connection instead; clientReads lets the
	// test user's token search the log (clientEmpty: with no entries).
	item                     int
	dropItem                 bool
	clientReads, clientEmpty bool
	touched                  []string // "METHOD id" of each item request
}

const fakePatient = `{"resourceType":"Patient","id":"123","name":[{"family":"Jansen","given":["Anna"]}],"birthDate":"1970-01-01"}`

// touchedSoFar is a copy of touched, read under the lock the handler
// writes it under (the requests' completion over TCP is no happens-before
// the race detector sees).
func (f *fakeAPI) touchedSoFar() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.touched)
}

func (f *fakeAPI) handler() http.Handler {
	mux := http.NewServeMux()
	access := func(w http.ResponseWriter, r *http.Request, search bool) {
		ok := r.Header.Get("Authorization") == "Bearer user-token" && !f.refuseUser
		ev := map[string]any{
			"resourceType": "AuditEvent", "id": fmt.Sprint(len(f.events) + 1),
			"type": map[string]any{"code": "rest"}, "subtype": []any{map[string]any{"code": "read"}},
			"action": "R", "recorded": time.Now().UTC().Format(time.RFC3339Nano), "outcome": "0",
			"source": map[string]any{"observer": map[string]any{"display": "fake"}, "site": "fake org"},
		}
		agent := map[string]any{"requestor": true, "network": map[string]any{"address": "127.0.0.1"}, "type": map[string]any{"text": "user"}}
		if ok {
			agent["who"] = map[string]any{"identifier": map[string]any{"value": "test-user"}}
		} else {
			ev["outcome"] = "8"
		}
		ev["agent"] = []any{agent}
		entities := []any{map[string]any{"what": map[string]any{"reference": "Patient/123"}}}
		if search {
			ev["subtype"] = []any{map[string]any{"code": "search-type"}}
			entities = append(entities, map[string]any{"query": base64.StdEncoding.EncodeToString([]byte(r.URL.RawQuery))})
		}
		if !f.noRequestID {
			entities = append(entities, map[string]any{"what": map[string]any{"identifier": map[string]any{"value": r.Header.Get("X-Request-ID")}}})
		}
		if f.leak && ok && !search {
			entities = append(entities, map[string]any{"detail": []any{map[string]any{"type": "response", "valueBase64Binary": base64.StdEncoding.EncodeToString([]byte(fakePatient))}}})
		}
		ev["entity"] = entities
		if ok || !f.dropDenied {
			f.mu.Lock()
			f.events = append(f.events, ev)
			f.mu.Unlock()
		}
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/fhir+json")
		_, _ = w.Write([]byte(fakePatient))
	}
	mux.HandleFunc("/fhir/Patient/123", func(w http.ResponseWriter, r *http.Request) { access(w, r, false) })
	mux.HandleFunc("/fhir/Patient", func(w http.ResponseWriter, r *http.Request) { access(w, r, true) })
	mux.HandleFunc("/fhir/AuditEvent/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.touched = append(f.touched, r.Method+" "+r.PathValue("id"))
		f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer auditor-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if f.dropItem {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		status := f.item
		if status == 0 {
			status = http.StatusMethodNotAllowed
		}
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(status)
		if status >= 300 {
			_, _ = w.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-supported"}]}`))
		}
	})
	mux.HandleFunc("/fhir/AuditEvent", func(w http.ResponseWriter, r *http.Request) {
		client := f.clientReads && r.Header.Get("Authorization") == "Bearer user-token"
		if !f.open && !client && r.Header.Get("Authorization") != "Bearer auditor-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if client && f.clientEmpty {
			w.Header().Set("Content-Type", "application/fhir+json")
			_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[]}`))
			return
		}
		n := f.searches.Add(1)
		switch {
		case f.hang:
			<-r.Context().Done()
			return
		case f.html:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>please log in</html>"))
			return
		}
		var entries []any
		f.mu.Lock()
		if !f.noAuditReadLog && r.Header.Get("Authorization") == "Bearer auditor-token" {
			ents := []any{map[string]any{"query": base64.StdEncoding.EncodeToString([]byte("AuditEvent?" + r.URL.RawQuery))}}
			if !f.noRequestID {
				ents = append(ents, map[string]any{"what": map[string]any{"identifier": map[string]any{"value": r.Header.Get("X-Request-ID")}}})
			}
			f.events = append(f.events, map[string]any{
				"resourceType": "AuditEvent", "id": fmt.Sprint(len(f.events) + 1),
				"type": map[string]any{"code": "rest"}, "subtype": []any{map[string]any{"code": "search-type"}},
				"action": "E", "recorded": time.Now().UTC().Format(time.RFC3339Nano), "outcome": "0",
				"source": map[string]any{"observer": map[string]any{"display": "fake"}, "site": "fake org"},
				"agent": []any{map[string]any{"requestor": true, "who": map[string]any{"identifier": map[string]any{"value": "apisec-client"}},
					"type": map[string]any{"text": "application"}, "network": map[string]any{"address": "127.0.0.1"}}},
				"entity": ents,
			})
		}
		if n >= f.visibleFrom {
			for _, ev := range f.events {
				entries = append(entries, map[string]any{"resource": ev})
			}
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/fhir+json")
		_ = json.NewEncoder(w).Encode(map[string]any{"resourceType": "Bundle", "type": "searchset", "entry": entries})
	})
	return mux
}

func runFake(t *testing.T, f *fakeAPI, timeout time.Duration) *Report {
	t.Helper()
	return runFakeTimeout(t, f, timeout)
}

func runFakeWith(t *testing.T, f *fakeAPI, extra ...Source) *Report {
	t.Helper()
	return runFakeTimeout(t, f, 2*time.Second, extra...)
}

func runFakeTimeout(t *testing.T, f *fakeAPI, timeout time.Duration, extra ...Source) *Report {
	t.Helper()
	srv := httptest.NewServer(f.handler())
	t.Cleanup(srv.Close)
	targets, err := DeriveTargets(srv.URL+"/fhir/AuditEvent", "", "123")
	require.NoError(t, err)
	hc := &http.Client{Timeout: timeout}
	rep, err := Run(context.Background(), Config{
		Targets: targets, HTTP: hc, UserToken: "user-token", AuditToken: "auditor-token",
		Sources: append([]Source{&FHIRSource{URL: srv.URL + "/fhir/AuditEvent", Fetcher: &Fetcher{HTTP: hc, Token: "auditor-token"}}}, extra...),
		User:    "test-user", Patient: "123", AuditReader: "apisec-client",
		Poll: PollConfig{Deadline: 3 * time.Second, MaxAttempts: 5, Interval: 10 * time.Millisecond},
	})
	require.NoError(t, err)
	return rep
}

func statuses(rep *Report) map[string]verdict.Status {
	out := map[string]verdict.Status{}
	for id := range rep.Results {
		out[id], _ = verdict.Classify(rep.Presence(id))
	}
	return out
}

func allRecordProbes(s verdict.Status) map[string]verdict.Status {
	return map[string]verdict.Status{ProbeRead: s, ProbeSearch: s, ProbeNoToken: s, ProbeBadToken: s, ProbeAuditRead: s, ProbeSourceOpen: verdict.Pass,
		ProbeReadByClient: s, ProbeRecordUpdate: s, ProbeRecordDelete: s}
}

func fieldStatuses(rep *Report) map[string]verdict.Status {
	out := map[string]verdict.Status{}
	for _, f := range Fields {
		out[f.ID], _ = verdict.Classify(rep.Field(f.ID))
	}
	return out
}

func TestRunPassesAConformantLog(t *testing.T) {
	rep := runFake(t, &fakeAPI{}, 2*time.Second)
	require.NoError(t, rep.Control)
	assert.Equal(t, allRecordProbes(verdict.Pass), statuses(rep), "%v", rep.Results)
	assert.True(t, rep.Results[ProbeRead].Found[0].Correlated)
	assert.Equal(t, 1, rep.Attempts)
	assert.Equal(t, 5, rep.Records(), "four accesses and the suite's read of the log")
	for id, st := range fieldStatuses(rep) {
		want := verdict.Pass
		if id == "on-behalf-of" {
			want = verdict.Info
		}
		assert.Equal(t, want, st, "field %s: %v", id, rep.Field(id))
	}
}

func TestRunFailsClinicalContentInTheLog(t *testing.T) {
	rep := runFake(t, &fakeAPI{leak: true}, 2*time.Second)
	err := rep.Field("no-clinical-payload")
	st, _ := verdict.Classify(err)
	assert.Equal(t, verdict.Fail, st)
	assert.Contains(t, err.Error(), "an embedded Patient resource")
	assert.Contains(t, err.Error(), `"Jansen"`)
	assert.Contains(t, err.Error(), "read record")
}

func TestRunFailsWhenReadingTheLogIsNotLogged(t *testing.T) {
	rep := runFake(t, &fakeAPI{noAuditReadLog: true}, 2*time.Second)
	want := allRecordProbes(verdict.Pass)
	want[ProbeAuditRead] = verdict.Fail
	assert.Equal(t, want, statuses(rep))
	_, f := verdict.Classify(rep.Presence(ProbeAuditRead))
	assert.Equal(t, verdict.Medium, f.Severity)
}

func TestRunWaitsForLaggingRecords(t *testing.T) {
	rep := runFake(t, &fakeAPI{visibleFrom: 3}, 2*time.Second)
	assert.Equal(t, allRecordProbes(verdict.Pass), statuses(rep))
	assert.Equal(t, 3, rep.Attempts)
}

func TestRunMatchesRecordsWithoutRequestIDByWindow(t *testing.T) {
	rep := runFake(t, &fakeAPI{noRequestID: true}, 2*time.Second)
	want := allRecordProbes(verdict.Pass)
	// A record matched by window may be someone else's: never touched; the
	// write and delete name an absent id, which the fake refuses (405).
	assert.Equal(t, want, statuses(rep), "%v", rep.Results)
	assert.False(t, rep.Results[ProbeRead].Found[0].Correlated)
	assert.Contains(t, strings.Join(rep.Results[ProbeRead].Notes, " "), "matched by patient, outcome and time window")
}

func TestRunFailsWhenDeniedAccessIsNotLogged(t *testing.T) {
	rep := runFake(t, &fakeAPI{dropDenied: true}, 2*time.Second)
	want := allRecordProbes(verdict.Pass)
	want[ProbeNoToken], want[ProbeBadToken] = verdict.Fail, verdict.Fail
	assert.Equal(t, want, statuses(rep))
	assert.Contains(t, rep.Presence(ProbeNoToken).Error(), "NEN 7513:2018 ch. 6")
	assert.Equal(t, 5, rep.Attempts, "polled up to MaxAttempts")
}

func TestRunFailsAnOpenAuditSource(t *testing.T) {
	rep := runFake(t, &fakeAPI{open: true}, 2*time.Second)
	want := allRecordProbes(verdict.Pass)
	want[ProbeSourceOpen] = verdict.Fail
	want[ProbeReadByClient] = verdict.Warn // open to anyone, so to the test user's token too
	assert.Equal(t, want, statuses(rep))
	assert.Contains(t, rep.Results[ProbeSourceOpen].Err.Error(), "got 200 with a Bundle of 4 AuditEvents")
	_, f := verdict.Classify(rep.Presence(ProbeSourceOpen))
	assert.Equal(t, verdict.Critical, f.Severity)
}

func TestRunCannotTestWhenTheAuditSourceAnswersHTML(t *testing.T) {
	rep := runFake(t, &fakeAPI{html: true}, 2*time.Second)
	assert.Equal(t, allRecordProbes(verdict.Error), statuses(rep))
	assert.Contains(t, rep.Presence(ProbeRead).Error(), "not a FHIR Bundle")
	st, _ := verdict.Classify(rep.Field("user"))
	assert.Equal(t, verdict.Error, st, "no record, no field verdict")
}

func TestRunCannotTestWhenTheAuditSourceHangs(t *testing.T) {
	rep := runFake(t, &fakeAPI{hang: true}, 300*time.Millisecond)
	assert.Equal(t, allRecordProbes(verdict.Error), statuses(rep))
	assert.Contains(t, rep.Presence(ProbeSearch).Error(), "timeout")
}

func TestRunStopsWhenThePositiveControlFails(t *testing.T) {
	f := &fakeAPI{refuseUser: true}
	rep := runFake(t, f, 2*time.Second)
	st, _ := verdict.Classify(rep.Control)
	assert.Equal(t, verdict.Error, st, "a refused control is could-not-test, never a fail")
	for id, s := range statuses(rep) {
		assert.Equal(t, verdict.Error, s, id)
	}
	assert.Zero(t, f.searches.Load(), "nothing is read from the audit source")
}

func TestPollIsBoundedByAttemptsAndDeadline(t *testing.T) {
	calls := 0
	n, err := Poll(context.Background(), PollConfig{Deadline: time.Minute, MaxAttempts: 3, Interval: time.Millisecond}, func(context.Context) (bool, error) {
		calls++
		return false, nil
	})
	assert.ErrorIs(t, err, ErrPollExhausted)
	assert.Equal(t, 3, n)
	assert.Equal(t, 3, calls)

	n, err = Poll(context.Background(), PollConfig{Deadline: 100 * time.Millisecond, MaxAttempts: 1000, Interval: 40 * time.Millisecond}, func(context.Context) (bool, error) {
		return false, nil
	})
	assert.ErrorIs(t, err, ErrPollExhausted)
	assert.Less(t, n, 10, "the deadline, not the 1000 attempts, ended the poll")

	boom := errors.New("boom")
	n, err = Poll(context.Background(), PollConfig{}, func(context.Context) (bool, error) { return false, boom })
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, 1, n)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Poll(ctx, PollConfig{Interval: time.Hour}, func(context.Context) (bool, error) { return false, nil })
	assert.ErrorIs(t, err, ErrPollExhausted)
}

func TestSearchFollowsAtMostMaxPages(t *testing.T) {
	var hits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		w.Header().Set("Content-Type", "application/fhir+json")
		fmt.Fprintf(w, `{"resourceType":"Bundle","link":[{"relation":"next","url":"%s/AuditEvent?page=%d"}],"entry":[{"resource":{"resourceType":"AuditEvent","id":"%d"}}]}`, srv.URL, n+1, n)
	}))
	defer srv.Close()
	pages, events, err := (&Fetcher{HTTP: srv.Client(), Token: "x"}).Search(context.Background(), srv.URL+"/AuditEvent", Query{Patient: "123", Since: time.Now()})
	require.NoError(t, err)
	assert.Len(t, pages, MaxPages)
	assert.Len(t, events, MaxPages)
	assert.Equal(t, int32(MaxPages), hits.Load())
	assert.Contains(t, pages[0].URL, "patient=123")
	assert.Contains(t, pages[0].URL, "date=ge")
}

func TestDeriveTargets(t *testing.T) {
	tg, err := DeriveTargets("https://a/fhir/AuditEvent", "https://b/r4/Patient/9", "123")
	require.NoError(t, err)
	assert.Equal(t, "https://b/r4/Patient/123", tg.Read, "the resource URL wins")
	assert.Equal(t, "https://b/r4/Patient?_id=123", tg.Search)
	tg, err = DeriveTargets("https://a/fhir/AuditEvent", "", "123")
	require.NoError(t, err)
	assert.Equal(t, "https://a/fhir/Patient/123", tg.Read)
	_, err = DeriveTargets("https://a/audit", "https://b/other", "123")
	assert.Error(t, err)
}

func TestForgeChangesTheSignatureOnly(t *testing.T) {
	tok := "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl"
	f := Forge(tok)
	assert.NotEqual(t, tok, f)
	assert.True(t, strings.HasPrefix(f, "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0."))
	assert.NotEqual(t, tok, Forge("opaque"))
}
