package audit

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBundleReadsBALPRecordsAndIgnoresExtraFields(t *testing.T) {
	raw, err := os.ReadFile("testdata/bundle-balp.json")
	require.NoError(t, err)
	b, err := ParseBundle(raw)
	require.NoError(t, err)
	require.Len(t, b.Events, 2)
	assert.Empty(t, b.Problems)
	ev := b.Events[0]
	assert.Equal(t, "R", ev.Action)
	assert.Equal(t, "rest", ev.Type.Code)
	assert.Equal(t, "2026-11-27T06:00:01.250Z", ev.Recorded)
	require.NotNil(t, userAgent(ev, "test-user"))
	assert.Equal(t, "192.0.2.7", userAgent(ev, "test-user").Network.Address)
	assert.NotNil(t, patientEntity(ev, "123"))
	assert.Contains(t, string(ev.Raw), "apisec-0011-read", "the raw record is kept for correlation")
	// The second record names the user by reference and the patient by BSN.
	assert.NotNil(t, userAgent(b.Events[1], "test-user"))
	assert.NotNil(t, patientEntity(b.Events[1], "123"))
}

func TestParseBundleListsBrokenEntriesAndKeepsTheRest(t *testing.T) {
	raw := []byte(`{"resourceType":"Bundle","type":"searchset","entry":[
		{"resource":{"resourceType":"AuditEvent","id":"ok","action":"R"}},
		{"resource":{"resourceType":"AuditEvent","id":"bad","action":5}},
		{"resource":{"resourceType":"Patient","id":"p"}},
		{"resource":"string"}]}`)
	b, err := ParseBundle(raw)
	require.NoError(t, err)
	require.Len(t, b.Events, 1)
	assert.Equal(t, "ok", b.Events[0].ID)
	require.Len(t, b.Problems, 3)
	assert.Contains(t, b.Problems[0], "entry 1: AuditEvent field action is a JSON number")
	assert.Contains(t, b.Problems[1], `resourceType is "Patient"`)
}

func TestParseBundleRefusesWhatIsNoBundle(t *testing.T) {
	for name, raw := range map[string]string{
		"html":              "<html>login</html>",
		"operation outcome": `{"resourceType":"OperationOutcome"}`,
		"empty":             "",
		"array":             "[]",
	} {
		_, err := ParseBundle([]byte(raw))
		assert.True(t, errors.Is(err, ErrNotBundle), "%s: %v", name, err)
	}
}

func TestParseBundleFollowsOnlyTheNextLink(t *testing.T) {
	b, err := ParseBundle([]byte(`{"resourceType":"Bundle","link":[{"relation":"self","url":"a"},{"relation":"next","url":"b"}]}`))
	require.NoError(t, err)
	assert.Equal(t, "b", b.Next)
}

// FuzzParseBundle: the target writes these bytes; the parser must never
// panic, and what it returns must be usable by the checks.
func FuzzParseBundle(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := ParseBundle(raw)
		if err != nil {
			return
		}
		for _, ev := range b.Events {
			x := Expect{Kind: KindRead, User: "u", Patient: "p"}
			_ = CheckEvent(ev, x)
			_ = OnBehalfOf(ev, "u")
			_ = Verdict("fuzz", ev, CheckEvent(ev, Expect{Kind: KindDenied, Patient: "p"}))
			_ = fallbackFits(ev, x)
		}
	})
}
