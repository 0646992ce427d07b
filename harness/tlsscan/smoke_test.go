package tlsscan

import (
	"context"
	"encoding/json"
	"os"
	"testing"
)

func TestSmokeExternal(t *testing.T) {
	addr := os.Getenv("TLSSCAN_SMOKE")
	if addr == "" {
		t.Skip("TLSSCAN_SMOKE unset")
	}
	res, err := Scan(context.Background(), Target{Address: addr, ServerName: "localhost"}, Options{})
	res.Probes = nil
	b, _ := json.MarshalIndent(res, "", " ")
	os.WriteFile("/tmp/smoke/out.json", b, 0o644)
	t.Logf("err=%v handshakes=%d dur=%dms", err, res.Handshakes, res.DurationMS)
}
