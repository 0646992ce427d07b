package audit

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/syslog"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func record(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "records", name))
	require.NoError(t, err)
	return b
}

func TestParseDICOMMapsEveryNEN7513Field(t *testing.T) {
	ev, err := ParseRecord(record(t, "dicom-read.xml"))
	require.NoError(t, err)
	assert.Equal(t, FormatDICOM, ev.Format)
	x := readExpect
	x.From, x.To = t0.Add(-time.Second), t0.Add(3*time.Second)
	assert.Empty(t, CheckEvent(ev, x), "a complete DICOM audit message meets every row")
	assert.Equal(t, "110110", ev.Type.Code)
	assert.Equal(t, "http://dicom.nema.org/resources/ontology/DCM", ev.Type.System)
	assert.Equal(t, "URA 12345678", ev.Source.Site)
	assert.Equal(t, "192.0.2.7", ev.Agent[0].Network.Address)
	assert.Contains(t, OnBehalfOf(ev, "test-user"), "no second agent", "the destination (110152) acts for no one")
}

func TestParseDICOMReadsRFC3881SpellingsAndDetails(t *testing.T) {
	ev, err := ParseRecord(record(t, "rfc3881-denied.xml"))
	require.NoError(t, err)
	assert.Equal(t, "110110", ev.Type.Code, "RFC 3881 code= is read like csd-code=")
	x := Expect{Kind: KindDenied, Patient: "123", From: t0, To: t0.Add(3 * time.Second)}
	var rows []string
	for _, p := range CheckEvent(ev, x) {
		rows = append(rows, p.Field.ID)
	}
	assert.Equal(t, []string{"organisation", "no-clinical-payload"}, rows, "no site, and the detail carries a Patient resource")
}

func TestParseRecordRefusesWhatIsNoRecord(t *testing.T) {
	for _, name := range []string{"garbage.txt", "xxe.xml"} {
		ev, err := ParseRecord(record(t, name))
		if name == "xxe.xml" {
			// encoding/xml expands no external entity: either an error or
			// an empty action, never the file's content.
			if err == nil {
				assert.NotContains(t, ev.Action, "root:")
			}
			continue
		}
		assert.Error(t, err, name)
	}
	_, err := ParseRecord(nil)
	assert.Error(t, err)
	_, err = ParseRecord([]byte("<" + strings.Repeat("a", MaxRecordBytes)))
	assert.ErrorContains(t, err, "limit")
}

func TestParseJSONLinesKeepsRecordsAndListsTheRest(t *testing.T) {
	in := string(record(t, "fhir-line.json")) + "\n\nnot json\n" + strings.ReplaceAll(string(record(t, "rfc3881-denied.xml")), "\n", "") + "\n"
	evs, problems := ParseJSONLines(strings.NewReader(in))
	require.Len(t, evs, 2)
	assert.Equal(t, "line 1", evs[0].Origin)
	assert.Equal(t, FormatDICOM, evs[1].Format)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "line 4")
}

func TestClinicalValuesLeaveIdentifiersOut(t *testing.T) {
	got := ClinicalValues([]byte(`{"resourceType":"Patient","id":"123","meta":{"versionId":"2"},
	  "identifier":[{"system":"http://fhir.nl/fhir/NamingSystem/bsn","value":"999911120"}],
	  "name":[{"family":"Jansen","given":["Anna","Jo"]}],"birthDate":"1970-01-01",
	  "managingOrganization":{"reference":"Organization/1","display":"Ziekenhuis Oost"}}`))
	assert.Equal(t, []string{"1970-01-01", "Anna", "Jansen", "Ziekenhuis Oost"}, got)
	assert.Nil(t, ClinicalValues([]byte("<html>")))
}

// testCA makes a CA, a receiver certificate and a sender certificate.
func testCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return ca, key
}

func TestSyslogSourceReadsEachPayloadFormat(t *testing.T) {
	ca, key := testCA(t)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srv, err := syslog.Issue(ca, key, "receiver", []string{"127.0.0.1"}, time.Now())
	require.NoError(t, err)
	r, err := syslog.Listen(syslog.Config{TLS: &tls.Config{Certificates: []tls.Certificate{srv}, ClientCAs: pool}})
	require.NoError(t, err)
	defer r.Close()
	cli, err := syslog.Issue(ca, key, "hospital-sender", nil, time.Now())
	require.NoError(t, err)
	s := &syslog.Sender{Addr: r.Addr(), TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", Certificates: []tls.Certificate{cli}}}
	defer s.Close()
	for _, payload := range [][]byte{record(t, "dicom-read.xml"), record(t, "fhir-line.json"), []byte("free text")} {
		m, err := syslog.Format(time.Now(), "h", "app", "IHE+RFC-3881", payload)
		require.NoError(t, err)
		require.NoError(t, s.Send(context.Background(), m))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, r.WaitCount(ctx, 3))
	src := &SyslogSource{Receiver: r}
	b, err := src.Collect(ctx, Query{})
	require.NoError(t, err)
	require.Len(t, b.Events, 2)
	assert.Equal(t, FormatDICOM, b.Events[0].Format)
	assert.Contains(t, b.Events[0].Origin, `certificate "hospital-sender"`)
	assert.Equal(t, FormatFHIR, b.Events[1].Format)
	require.Len(t, b.Problems, 1)
	assert.Contains(t, b.Problems[0], "message 3")
	b2, err := src.Collect(ctx, Query{})
	require.NoError(t, err)
	assert.Len(t, b2.Events, 2, "a second collect keeps what the first parsed, parses nothing twice")
	assert.False(t, src.Readable())
}

func TestEverySourceMustHoldTheRecord(t *testing.T) {
	f := &fakeAPI{}
	rep := runFake(t, f, 2*time.Second)
	// A second source that holds nothing: the read is missing there.
	empty := filepath.Join(t.TempDir(), "export.jsonl")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	rep2 := runFakeWith(t, &fakeAPI{}, &JSONLSource{File: empty})
	require.Len(t, rep2.Sources, 2)
	err := rep2.Presence(ProbeRead)
	st, _ := verdict.Classify(err)
	assert.Equal(t, verdict.Fail, st, "a record in one source does not excuse its absence in another")
	assert.Contains(t, err.Error(), "JSON-lines export file")
	st, _ = verdict.Classify(rep.Presence(ProbeRead))
	assert.Equal(t, verdict.Pass, st)
}

// FuzzParseRecord: any syslog payload or export line is a record or an
// error, never a panic.
func FuzzParseRecord(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "records"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", "records", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ev, err := ParseRecord(in)
		if err == nil {
			_ = CheckEvent(ev, Expect{Kind: KindRead, User: "u", Patient: "p", Clinical: []string{"abc"}})
			_ = OnBehalfOf(ev, "u")
		}
	})
}
