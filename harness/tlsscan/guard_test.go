package tlsscan

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/apisec/apisec/harness/conduct"
)

// Production passes conduct.Guard.DialContext: every connection is admitted
// and counted by the guard, and a host outside the profile is refused.
func TestScanThroughConductGuard(t *testing.T) {
	p := newPKI(t, "p256")
	addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{p.leaf}})
	guard := conduct.NewGuard(conduct.Config{Hosts: []string{"127.0.0.1"}, RatePerSecond: 1000, Burst: 1000, Timeout: 5 * time.Second})
	res, err := Scan(context.Background(), Target{Address: addr, ServerName: "scan.test", RootCAs: p.pool},
		Options{Dial: guard.DialContext, Timeout: guard.Timeout()})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if guard.Used() != int64(res.Handshakes) {
		t.Errorf("guard admitted %d connections, scan made %d", guard.Used(), res.Handshakes)
	}
	other := conduct.NewGuard(conduct.Config{Hosts: []string{"api.example.test"}})
	_, err = Scan(context.Background(), Target{Address: addr}, Options{Dial: other.DialContext})
	if KindOf(err) != KindGuard {
		t.Errorf("host outside the profile: err %v (kind %q), want kind guard", err, KindOf(err))
	}
}
