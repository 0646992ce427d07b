package audit

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apisec/apisec/fixtures/nginxpeer"
	"github.com/apisec/apisec/harness/verdict"
	"github.com/apisec/apisec/internal/testpeer"
)

// TestIntegrityProbesAgainstNginx runs the access-regime and integrity
// probes against an audit "source" we did not write: nginx serving an
// AuditEvent Bundle and its records as static files. Differences from the
// reference target and what decides them:
//   - the search with the ordinary test-user token: nginx ignores the
//     Authorization header and answers 200 with the records, where the
//     reference refuses with 403 insufficient_scope (RFC 6750 §3.1). NEN 7513
//     ch. 8 wants only authorised readers: warn (medium);
//   - PUT and DELETE of the record: nginx's static handler answers 405 Not
//     Allowed (RFC 9110 §15.5.6) with an HTML page, where the reference
//     answers 405 with a FHIR OperationOutcome (FHIR R4 http.html): a
//     refusal either way (pass); the refusal is kept without an
//     OperationOutcome code.
func TestIntegrityProbesAgainstNginx(t *testing.T) {
	bin := testpeer.Require(t, "nginx", "nginx-light")
	dir := t.TempDir()
	const reqID = "apisec-run-audit-read"
	record := fmt.Sprintf(`{"resourceType":"AuditEvent","id":"rec-1","recorded":"2026-12-06T12:00:00Z","entity":[{"what":{"identifier":{"value":%q}}}]}`, reqID)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "records"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "records", "rec-1"), []byte(record), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bundle.json"),
		[]byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":`+record+`}]}`), 0o600))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	conf := nginxpeer.Prelude(dir) + fmt.Sprintf(`    server {
        listen 127.0.0.1:%[1]d;
        location = /fhir/AuditEvent { default_type application/fhir+json; alias %[2]s/bundle.json; }
        location /fhir/AuditEvent/ { default_type application/fhir+json; alias %[2]s/records/; }
    }
}
`, port, dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o600))
	cmd, err := nginxpeer.Command(bin, dir)
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "nginx listens")

	hc := &http.Client{Timeout: 5 * time.Second}
	src := &FHIRSource{URL: "http://" + addr + "/fhir/AuditEvent", Fetcher: &Fetcher{HTTP: hc, Token: "auditor-token"}}
	own := &Event{ID: "rec-1", Raw: []byte(record), Format: FormatFHIR}
	rep := &Report{
		Results: map[string]*Result{ProbeRead: {Probe: ProbeRead, Exchange: &Exchange{RequestID: reqID, TraceID: "0af7651916cd43dd8448eb211c80319c", Sent: time.Now()},
			Found: []*Found{{Source: src.Name(), Events: []*Event{own}, Correlated: true}}}},
		Sources: []*SourceReport{{Name: src.Name(), src: src}},
	}
	cfg := Config{HTTP: hc, UserToken: "user-token", AuditToken: "auditor-token", Sources: []Source{src}, Patient: "123", Now: time.Now}
	integrity(context.Background(), cfg, rep, "run")

	st, fd := verdict.Classify(rep.Presence(ProbeReadByClient))
	assert.Equal(t, verdict.Warn, st, "%v", rep.Results[ProbeReadByClient].Err)
	if fd != nil {
		assert.Equal(t, verdict.Medium, fd.Severity)
		assert.Contains(t, fd.Error(), "200 with a Bundle of 1 AuditEvents")
	}
	for _, id := range []string{ProbeRecordUpdate, ProbeRecordDelete} {
		st, _ := verdict.Classify(rep.Presence(id))
		assert.Equal(t, verdict.Pass, st, "%s: %v", id, rep.Results[id].Err)
		assert.Equal(t, http.StatusMethodNotAllowed, rep.Results[id].Exchange.Status, id)
		assert.Empty(t, rep.Results[id].Exchange.Reason, "%s: nginx's HTML page carries no OperationOutcome", id)
	}
}
