package audit

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)

// goodRead is a record that meets every row for a read by "test-user".
func goodRead(t *testing.T) *Event {
	t.Helper()
	raw := `{"resourceType":"AuditEvent","id":"1",
	  "type":{"system":"http://terminology.hl7.org/CodeSystem/audit-event-type","code":"rest"},
	  "subtype":[{"code":"read"}],"action":"R","recorded":"2026-11-27T06:00:00.500Z","outcome":"0",
	  "agent":[{"type":{"coding":[{"code":"humanuser"}]},"who":{"identifier":{"value":"test-user"}},"requestor":true,"network":{"address":"127.0.0.1"}}],
	  "source":{"observer":{"display":"ref"},"site":"URA 12345678"},
	  "entity":[{"what":{"reference":"Patient/123"}}]}`
	ev, err := ParseEvent(json.RawMessage(raw))
	require.NoError(t, err)
	return ev
}

var clinicalExpect = Expect{Kind: KindRead, User: "test-user", Patient: "123", From: t0.Add(-2 * time.Second), To: t0.Add(2 * time.Second),
	Clinical: []string{"1970-01-01", "Jansen"}}

var readExpect = Expect{Kind: KindRead, User: "test-user", Patient: "123", From: t0.Add(-2 * time.Second), To: t0.Add(2 * time.Second)}

func TestAGoodRecordMeetsEveryRow(t *testing.T) {
	assert.Empty(t, CheckEvent(goodRead(t), readExpect))
	assert.NoError(t, Verdict("p", goodRead(t), nil))
}

// Each mutation breaks exactly the row named, with that row's level.
func TestEachRowCanFail(t *testing.T) {
	cases := []struct {
		row    string
		mutate func(ev *Event)
		x      Expect
	}{
		{"event-type", func(ev *Event) { ev.Type = nil }, readExpect},
		{"event-subtype", func(ev *Event) { ev.Subtype = []Coding{{Code: "create"}} }, readExpect},
		{"action", func(ev *Event) { ev.Action = "E" }, readExpect},
		{"recorded", func(ev *Event) { ev.Recorded = "2026-11-27T06:00:00" }, readExpect},
		{"recorded", func(ev *Event) { ev.Recorded = "2026-11-27T05:59:50Z" }, readExpect},
		{"outcome", func(ev *Event) { ev.Outcome = "4" }, readExpect},
		{"user", func(ev *Event) { ev.Agent[0].Who = &Reference{Display: "someone"} }, readExpect},
		{"user", func(ev *Event) { f := false; ev.Agent[0].Requestor = &f }, readExpect},
		{"user-role", func(ev *Event) { ev.Agent[0].Type = nil }, readExpect},
		{"access-point", func(ev *Event) { ev.Agent[0].Network = nil }, readExpect},
		{"patient", func(ev *Event) { ev.Entity[0].What = &Reference{Reference: "Patient/999"} }, readExpect},
		{"source", func(ev *Event) { ev.Source.Observer = nil }, readExpect},
		{"organisation", func(ev *Event) { ev.Source.Site = "" }, readExpect},
		{"no-clinical-payload", func(ev *Event) {
			ev.Entity = append(ev.Entity, Entity{Detail: []Detail{{Type: "body", ValueBase64: "eyJyZXNvdXJjZVR5cGUiOiJPYnNlcnZhdGlvbiJ9"}}})
		}, readExpect},
		{"no-clinical-payload", func(ev *Event) { ev.Raw = []byte(`{"entity":[{"name":"Jansen"}]}`) }, clinicalExpect},
	}
	for _, c := range cases {
		ev := goodRead(t)
		c.mutate(ev)
		ps := CheckEvent(ev, c.x)
		var rows []string
		for _, p := range ps {
			rows = append(rows, p.Field.ID)
		}
		assert.Equal(t, []string{c.row}, rows, "mutation for %s", c.row)
		if len(ps) == 1 {
			status, _ := verdict.Classify(Verdict("p", ev, ps))
			want := verdict.Fail
			if ps[0].Field.Level == Should {
				want = verdict.Warn
			}
			assert.Equal(t, want, status, c.row)
		}
	}
}

func TestRecordedMayFollowTheAPIsClock(t *testing.T) {
	ev := goodRead(t)
	ev.Recorded = "2026-11-27T06:05:00.300+01:00" // 05:05 UTC: an hour off the suite's clock
	x := readExpect
	assert.Equal(t, "recorded", CheckEvent(ev, x)[0].Field.ID)
	date := time.Date(2026, 11, 27, 5, 5, 0, 0, time.UTC)
	x.ServerFrom, x.ServerTo = date.Add(-2*time.Second), date.Add(3*time.Second)
	assert.Empty(t, CheckEvent(ev, x), "within the window of the API's Date header")
}

func TestObjectRowFailsWithoutAnyEntity(t *testing.T) {
	ev := goodRead(t)
	ev.Entity = nil
	var rows []string
	for _, p := range CheckEvent(ev, readExpect) {
		rows = append(rows, p.Field.ID)
	}
	assert.Equal(t, []string{"patient", "object"}, rows)
}

func TestDeniedRecordsNeedAFailedOutcomeButNoUser(t *testing.T) {
	ev := goodRead(t)
	ev.Agent = nil
	x := readExpect
	x.Kind, x.User = KindDenied, ""
	ps := CheckEvent(ev, x)
	require.Len(t, ps, 2)
	assert.Equal(t, "outcome", ps[0].Field.ID, "a denied access logged as success")
	assert.Equal(t, "access-point", ps[1].Field.ID)
	ev.Outcome = "8"
	ev.Agent = []Agent{{Network: &Network{Address: "127.0.0.1"}}}
	assert.Empty(t, CheckEvent(ev, x))
}

func TestSearchNeedsItsQuery(t *testing.T) {
	ev := goodRead(t)
	ev.Subtype = []Coding{{Code: "search-type"}}
	ev.Action = "E"
	x := readExpect
	x.Kind = KindSearch
	ps := CheckEvent(ev, x)
	require.Len(t, ps, 1)
	assert.Equal(t, "search-query", ps[0].Field.ID)
	ev.Entity = append(ev.Entity, Entity{Query: "X2lkPTEyMw=="})
	assert.Empty(t, CheckEvent(ev, x))
}

func TestEveryRowHasClausePathAndLevel(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Fields {
		assert.False(t, seen[f.ID], "duplicate row %s", f.ID)
		seen[f.ID] = true
		assert.Contains(t, f.Clause, "NEN 7513", f.ID)
		assert.Contains(t, f.Path, "AuditEvent.", f.ID)
		assert.True(t, slices.Contains([]Level{Required, Should, Describe}, f.Level), f.ID)
		assert.NotEmpty(t, f.Want, f.ID)
	}
}

func TestOnBehalfOfDescribesTheSecondAgent(t *testing.T) {
	ev := goodRead(t)
	assert.Contains(t, OnBehalfOf(ev, "test-user"), "acting for itself")
	no := false
	ev.Agent = append(ev.Agent, Agent{Type: &CodeableConcept{Coding: []Coding{{Code: "110152"}}}, Who: &Reference{Display: "the API"}, Requestor: &no})
	assert.Contains(t, OnBehalfOf(ev, "test-user"), "acting for itself", "the API's own agent acts for no one")
	f := false
	ev.Agent = append(ev.Agent, Agent{Who: &Reference{Identifier: &Identifier{Value: "apisec-suite"}}, Requestor: &f})
	assert.Contains(t, OnBehalfOf(ev, "test-user"), "who apisec-suite requestor=false")
}
